//! Notifications through the core: each event raised by the archive's own writes, relayed
//! to the queue's twin and delivered to a sink that answers from a script, on a manual
//! clock, with the Spotify simulator behind the archive.

use std::cell::RefCell;
use std::collections::VecDeque;

use futures::executor::block_on;
use serde_json::{json, Value};
use support::{int, World};
use time_machine::account::REFRESH_TOKEN_LIFETIME_MS;
use time_machine::crypto::TokenCipher;
use time_machine::engine::archive::ArchiveOutcome;
use time_machine::notify::delivery::{
    Deliverer, DeliveryOutcome, NotifyConfig, DEFAULT_MAX_ATTEMPTS,
};
use time_machine::notify::message::{new_secret, sign};
use time_machine::notify::target::{ChannelKind, ChannelTarget, UrlPolicy};
use time_machine::notify::{relay, NotifyMessage};
use time_machine::ports::{HttpClient, HttpRequest, HttpResponse, TransportError};
use time_machine::shards::Shards;
use time_machine::store::notifications::channel_seal_context;
use time_machine::testing::{MemoryQueue, SilentLog};
use time_machine::time::{DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS};

const SINK: &str = "https://hooks.example.com/time-machine";
const PUBLIC_URL: &str = "https://tm.example.com";

/// A receiver of deliveries: answers from its script, then 200; keeps every request.
#[derive(Default)]
struct Sink<'a> {
    script: RefCell<VecDeque<(u16, Option<&'static str>)>>,
    always: Option<u16>,
    received: RefCell<Vec<HttpRequest>>,
    /// Runs as each request arrives (a D1 outage that begins during the send).
    on_send: Option<Box<dyn Fn() + 'a>>,
}

impl Sink<'_> {
    fn answering(script: &[(u16, Option<&'static str>)]) -> Self {
        Self {
            script: RefCell::new(script.iter().copied().collect()),
            ..Self::default()
        }
    }

    fn always(status: u16) -> Self {
        Self {
            always: Some(status),
            ..Self::default()
        }
    }

    fn received(&self) -> Vec<HttpRequest> {
        self.received.borrow().clone()
    }

    fn events(&self) -> Vec<Value> {
        self.received()
            .iter()
            .map(|request| {
                serde_json::from_str(request.body.as_deref().unwrap_or("null")).expect("JSON")
            })
            .collect()
    }
}

impl HttpClient for Sink<'_> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.received.borrow_mut().push(request);
        if let Some(on_send) = &self.on_send {
            on_send();
        }
        let (status, retry_after) = self
            .script
            .borrow_mut()
            .pop_front()
            .unwrap_or((self.always.unwrap_or(200), None));
        Ok(HttpResponse {
            status,
            headers: retry_after
                .map(|value| vec![("Retry-After".to_owned(), value.to_owned())])
                .unwrap_or_default(),
            body: String::new(),
        })
    }
}

fn silent() -> Value {
    json!({ "plays_per_hour": 0, "history_hours": 0 })
}

struct Notified {
    world: World,
    queue: MemoryQueue,
    config: NotifyConfig,
}

impl Notified {
    fn new() -> Self {
        Self {
            world: World::new(),
            queue: MemoryQueue::default(),
            config: NotifyConfig {
                public_url: Some(PUBLIC_URL.to_owned()),
                url_policy: UrlPolicy::default(),
                ..NotifyConfig::default()
            },
        }
    }

    /// A signed webhook channel of the user; answers its id and secret.
    fn add_webhook(&self, user_id: &str) -> (i64, String) {
        let secret = new_secret().expect("random");
        let target = ChannelTarget {
            url: SINK.to_owned(),
            token: None,
            secret: Some(secret.clone()),
        };
        let sealed = self
            .world
            .cipher
            .seal(
                &serde_json::to_string(&target).expect("JSON"),
                &channel_seal_context(user_id),
            )
            .expect("sealed");
        let id = block_on(self.world.store().add_channel(
            user_id,
            ChannelKind::Webhook,
            &sealed,
            "https://hooks.example.com/…hine",
            self.world.now(),
        ))
        .expect("stored")
        .expect("under the limit");
        (id, secret)
    }

    /// Relays what is due and attempts each message once against `sink`; answers the
    /// outcomes.
    fn deliver(&self, sink: &Sink) -> Vec<DeliveryOutcome> {
        let now = self.world.now();
        block_on(relay(0, &self.world.db, &self.queue, now)).expect("relayed");
        self.attempt_queued(sink)
    }

    /// Attempts the messages the relay sent to the queue.
    fn attempt_queued(&self, sink: &Sink) -> Vec<DeliveryOutcome> {
        self.queue
            .take_notifications()
            .iter()
            .map(|message| self.attempt(message, sink))
            .collect()
    }

    /// One attempt of one message, as the queue's consumer makes it.
    fn attempt(&self, message: &NotifyMessage, sink: &Sink) -> DeliveryOutcome {
        let deliverer = Deliverer {
            shards: Shards::single(&self.world.db),
            kv: &self.world.kv,
            http: sink,
            cipher: &self.world.cipher,
            config: &self.config,
            log: &SilentLog,
        };
        block_on(deliverer.deliver(message, self.world.now()))
    }

    /// The message of the only delivery, as the queue delivers it again.
    fn only_delivery(&self) -> NotifyMessage {
        let outbox = self.outbox();
        assert_eq!(outbox.len(), 1, "{outbox:?}");
        NotifyMessage::Delivery(outbox[0]["id"].as_i64().expect("an id"))
    }

    fn outbox(&self) -> Vec<Value> {
        self.world
            .db
            .sql(
                "SELECT id, user_id, channel_id, event, event_key, attempts, delivered_at, failed_at, last_error
                   FROM notification_outbox ORDER BY id",
                vec![],
            )
            .into_iter()
            .map(Value::Object)
            .collect()
    }

    fn patch_user(&self, user_id: &str, column_and_value: &str) {
        self.world.db.sql(
            &format!("UPDATE users SET {column_and_value} WHERE id = ?1"),
            vec![json!(user_id)],
        );
    }

    fn settings(&self, user_id: &str, hours: i64, gaps: bool, limit: i64) {
        self.world.db.sql(
            "UPDATE users SET notify_failing_after_hours = ?2, notify_gaps = ?3, notify_daily_limit = ?4 WHERE id = ?1",
            vec![json!(user_id), json!(hours), json!(i64::from(gaps)), json!(limit)],
        );
    }
}

fn checks_signature(request: &HttpRequest, secret: &str) {
    let id = request.header("webhook-id").expect("webhook-id");
    let timestamp: i64 = request
        .header("webhook-timestamp")
        .and_then(|text| text.parse().ok())
        .expect("webhook-timestamp");
    let expected = sign(
        secret,
        id,
        timestamp,
        request.body.as_deref().unwrap_or_default(),
    )
    .expect("signs");
    assert_eq!(request.header("webhook-signature"), Some(expected.as_str()));
    assert_eq!(request.header("Idempotency-Key"), Some(id));
}

// ---------------------------------------------------------------------------------------
// Each event, once

#[test]
fn a_revoked_login_is_told_once_with_the_link_to_log_in_again() {
    let n = Notified::new();
    n.world.create_listener("rae", silent());
    let rae = n.world.connect("rae");
    let (_, secret) = n.add_webhook(&rae.user_id);
    n.world
        .fault("rae", json!({ "kind": "revoke_refresh_token" }));
    n.patch_user(&rae.user_id, "token_expires_at = 0");

    assert_eq!(n.world.archive(&rae.user_id), ArchiveOutcome::NeedsReauth);
    let sink = Sink::default();
    assert_eq!(n.deliver(&sink), [DeliveryOutcome::Delivered]);

    let received = sink.received();
    assert_eq!(received.len(), 1);
    checks_signature(&received[0], &secret);
    let event = &sink.events()[0];
    assert_eq!(event["type"], "needs_login", "{event}");
    assert_eq!(event["links"]["login"], format!("{PUBLIC_URL}/login"));
    assert_eq!(event["user"]["id"], json!(rae.user_id));

    // Polling has stopped; nothing raises the event again until a new login.
    n.world.advance(HOUR_MS);
    assert_eq!(n.world.archive(&rae.user_id), ArchiveOutcome::Skipped);
    assert!(n.deliver(&sink).is_empty());
    assert_eq!(sink.received().len(), 1);
}

#[test]
fn a_refresh_token_past_its_six_months_is_told_as_expired() {
    let n = Notified::new();
    n.world.create_listener("old", silent());
    let old = n.world.connect("old");
    n.add_webhook(&old.user_id);
    let long_ago = n.world.now() - REFRESH_TOKEN_LIFETIME_MS - DAY_MS;
    n.patch_user(
        &old.user_id,
        &format!("authorized_at = {long_ago}, token_expires_at = 0"),
    );
    n.world
        .fault("old", json!({ "kind": "revoke_refresh_token" }));

    assert_eq!(n.world.archive(&old.user_id), ArchiveOutcome::NeedsReauth);
    let sink = Sink::default();
    n.deliver(&sink);
    let events: Vec<Value> = sink
        .events()
        .iter()
        .map(|event| event["type"].clone())
        .collect();
    assert_eq!(events, [json!("refresh_token_expired")]);
}

#[test]
fn the_expiry_warnings_come_at_fourteen_then_three_days_once_each() {
    let n = Notified::new();
    n.world.create_listener("eve", silent());
    let eve = n.world.connect("eve");
    n.add_webhook(&eve.user_id);
    let sink = Sink::default();

    assert!(matches!(
        n.world.archive(&eve.user_id),
        ArchiveOutcome::Archived { .. }
    ));
    assert!(
        n.deliver(&sink).is_empty(),
        "a fresh login warns of nothing"
    );

    let ten_days_left = n.world.now() - REFRESH_TOKEN_LIFETIME_MS + 10 * DAY_MS;
    n.patch_user(&eve.user_id, &format!("authorized_at = {ten_days_left}"));
    for _ in 0..3 {
        n.world.advance(HOUR_MS);
        assert!(matches!(
            n.world.archive(&eve.user_id),
            ArchiveOutcome::Archived { .. }
        ));
        n.deliver(&sink);
    }
    let two_days_left = n.world.now() - REFRESH_TOKEN_LIFETIME_MS + 2 * DAY_MS;
    n.patch_user(&eve.user_id, &format!("authorized_at = {two_days_left}"));
    for _ in 0..2 {
        n.world.advance(HOUR_MS);
        n.world.archive(&eve.user_id);
        n.deliver(&sink);
    }

    let stages: Vec<(Value, Value)> = sink
        .events()
        .iter()
        .map(|event| (event["type"].clone(), event["data"]["stage_days"].clone()))
        .collect();
    assert_eq!(
        stages,
        [
            (json!("refresh_token_expiring"), json!(14)),
            (json!("refresh_token_expiring"), json!(3)),
        ]
    );
    // Two days less an hour: "2", never "1" (whole days, rounded up).
    assert_eq!(
        sink.events()[1]["data"]["days_left"],
        2,
        "{}",
        sink.events()[1]
    );
}

#[test]
fn failures_past_the_users_threshold_are_told_once_per_streak() {
    let n = Notified::new();
    n.world.create_listener("fay", silent());
    let fay = n.world.connect("fay");
    n.add_webhook(&fay.user_id);
    n.settings(&fay.user_id, 2, false, 10);
    let sink = Sink::default();
    assert!(matches!(
        n.world.archive(&fay.user_id),
        ArchiveOutcome::Archived { .. }
    ));

    n.world.advance(HOUR_MS);
    n.world.fault(
        "fay",
        json!({ "kind": "server_error", "status": 503, "endpoint": "recently_played" }),
    );
    let streak_start = n.world.now();
    for hour in 0..6 {
        assert!(matches!(
            n.world.archive(&fay.user_id),
            ArchiveOutcome::Failed { .. }
        ));
        n.deliver(&sink);
        // Told at the first failure two hours into the streak, and only then.
        assert_eq!(sink.events().len(), usize::from(hour >= 2), "hour {hour}");
        n.world.advance(HOUR_MS);
    }
    let events = sink.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "archiving_failing");
    assert_eq!(events[0]["data"]["failing_since"], streak_start);
    assert!(int(&n.world.user_row(&fay.user_id), "failing_since").is_some());

    // A success ends the streak; the next one is told again, once past the threshold.
    n.world
        .spotify
        .admin("DELETE", "/admin/users/fay/faults", json!({}));
    assert!(matches!(
        n.world.archive(&fay.user_id),
        ArchiveOutcome::Archived { .. }
    ));
    assert_eq!(int(&n.world.user_row(&fay.user_id), "failing_since"), None);
    n.world.advance(HOUR_MS);
    n.world
        .fault("fay", json!({ "kind": "server_error", "status": 500 }));
    for _ in 0..4 {
        n.world.archive(&fay.user_id);
        n.deliver(&sink);
        n.world.advance(HOUR_MS);
    }
    assert_eq!(sink.events().len(), 2, "{:?}", sink.events());
}

#[test]
fn a_gap_is_told_only_to_users_who_asked() {
    let n = Notified::new();
    n.world.create_listener("gus", silent());
    n.world
        .inject("gus", 5, n.world.now() - MINUTE_MS, 3 * MINUTE_MS);
    let gus = n.world.connect("gus");
    n.add_webhook(&gus.user_id);
    let sink = Sink::default();
    assert!(matches!(
        n.world.archive(&gus.user_id),
        ArchiveOutcome::Archived { .. }
    ));

    // Off by default: the gap is recorded and nobody is told.
    n.world.advance(50 * MINUTE_MS);
    n.world
        .inject("gus", 60, n.world.now() - SECOND_MS, 30 * SECOND_MS);
    assert!(matches!(
        n.world.archive(&gus.user_id),
        ArchiveOutcome::Archived { gap: Some(_), .. }
    ));
    assert!(n.deliver(&sink).is_empty());

    n.settings(&gus.user_id, 6, true, 10);
    n.world.advance(50 * MINUTE_MS);
    n.world
        .inject("gus", 60, n.world.now() - SECOND_MS, 30 * SECOND_MS);
    let ArchiveOutcome::Archived { gap: Some(gap), .. } = n.world.archive(&gus.user_id) else {
        panic!("a second gap");
    };
    n.deliver(&sink);
    let events = sink.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "gap_recorded");
    assert_eq!(
        (
            events[0]["data"]["from"].as_i64(),
            events[0]["data"]["to"].as_i64()
        ),
        (Some(gap.from), Some(gap.to))
    );
}

// ---------------------------------------------------------------------------------------
// Delivery

/// Raises a test of the channel at the world's time.
fn raise_test(n: &Notified, user_id: &str, channel: i64) -> bool {
    block_on(n.world.store().raise_test(user_id, channel, n.world.now())).expect("stored")
}

#[test]
fn three_server_errors_then_a_success_deliver_the_event_once_with_one_key() {
    let n = Notified::new();
    n.world.create_listener("ria", silent());
    let ria = n.world.connect("ria");
    let (channel, secret) = n.add_webhook(&ria.user_id);
    assert!(raise_test(&n, &ria.user_id, channel));
    let sink = Sink::answering(&[(500, None), (503, None), (429, Some("7")), (200, None)]);

    let mut outcomes = n.deliver(&sink);
    let message = n.only_delivery();
    let mut waits = Vec::new();
    while let [DeliveryOutcome::Retrying { delay_seconds, .. }] = &outcomes[..] {
        let wait = i64::try_from(*delay_seconds).expect("seconds");
        waits.push(wait);
        // A copy of the message that comes early finds the delivery not due.
        assert_eq!(n.attempt(&message, &sink), DeliveryOutcome::NothingToDo);
        n.world.advance(wait * SECOND_MS);
        outcomes = vec![n.attempt(&message, &sink)];
    }
    assert_eq!(outcomes, [DeliveryOutcome::Delivered]);
    // Doubling from the 60 s base, then the receiver's own Retry-After.
    assert_eq!(waits, [60, 120, 7]);

    let received = sink.received();
    assert_eq!(received.len(), 4);
    let keys: Vec<&str> = received
        .iter()
        .filter_map(|request| request.header("Idempotency-Key"))
        .collect();
    assert!(keys.iter().all(|key| *key == keys[0]), "{keys:?}");
    for request in &received {
        checks_signature(request, &secret);
    }
    let row = &n.outbox()[0];
    assert_eq!(
        (row["attempts"].as_i64(), row["delivered_at"].is_i64()),
        (Some(4), true),
        "{row}"
    );
    // Delivered, it is never attempted again.
    assert_eq!(n.attempt(&message, &sink), DeliveryOutcome::NothingToDo);
    assert_eq!(sink.received().len(), 4);
}

#[test]
fn a_channel_that_keeps_failing_is_disabled_and_its_delivery_dead_lettered() {
    let n = Notified::new();
    n.world.create_listener("dot", silent());
    let dot = n.world.connect("dot");
    let (channel, _) = n.add_webhook(&dot.user_id);
    assert!(raise_test(&n, &dot.user_id, channel));
    let sink = Sink::always(500);

    let mut outcomes = n.deliver(&sink);
    let message = n.only_delivery();
    while let [DeliveryOutcome::Retrying { delay_seconds, .. }] = &outcomes[..] {
        n.world
            .advance(i64::try_from(*delay_seconds).expect("seconds") * SECOND_MS);
        outcomes = vec![n.attempt(&message, &sink)];
    }
    assert!(
        matches!(
            &outcomes[..],
            [DeliveryOutcome::Failed {
                dead_letter: true,
                ..
            }]
        ),
        "{outcomes:?}"
    );
    assert_eq!(
        sink.received().len(),
        usize::try_from(DEFAULT_MAX_ATTEMPTS).expect("small")
    );
    let channel_row = n.world.db.sql(
        "SELECT enabled, disabled_reason FROM notification_channels WHERE id = ?1",
        vec![json!(channel)],
    );
    assert_eq!(channel_row[0]["enabled"], 0);
    assert!(
        channel_row[0]["disabled_reason"]
            .as_str()
            .expect("a reason")
            .contains("HTTP 500"),
        "{:?}",
        channel_row[0]
    );
    let letters = n
        .world
        .db
        .sql("SELECT message_id, body FROM dead_letters", vec![]);
    assert_eq!(letters.len(), 1);
    assert!(letters[0]["message_id"]
        .as_str()
        .expect("id")
        .starts_with("notification-"));

    // A disabled channel hears no events…
    n.world
        .fault("dot", json!({ "kind": "revoke_refresh_token" }));
    n.patch_user(&dot.user_id, "token_expires_at = 0");
    assert_eq!(n.world.archive(&dot.user_id), ArchiveOutcome::NeedsReauth);
    assert!(n.deliver(&sink).is_empty());
    // …until a test gets through, which enables it again.
    n.world.advance(MINUTE_MS);
    assert!(raise_test(&n, &dot.user_id, channel));
    let working = Sink::default();
    assert_eq!(n.deliver(&working), [DeliveryOutcome::Delivered]);
    let enabled = n.world.db.sql(
        "SELECT enabled FROM notification_channels WHERE id = ?1",
        vec![json!(channel)],
    );
    assert_eq!(enabled[0]["enabled"], 1);
}

#[test]
fn a_receiver_that_refuses_disables_the_channel_at_once() {
    let n = Notified::new();
    n.world.create_listener("ned", silent());
    let ned = n.world.connect("ned");
    let (channel, _) = n.add_webhook(&ned.user_id);
    assert!(raise_test(&n, &ned.user_id, channel));
    let sink = Sink::always(404);
    let outcomes = n.deliver(&sink);
    assert!(
        matches!(
            &outcomes[..],
            [DeliveryOutcome::Failed {
                dead_letter: false,
                ..
            }]
        ),
        "{outcomes:?}"
    );
    assert_eq!(sink.received().len(), 1);
}

#[test]
fn the_daily_limit_stops_the_events_of_the_day() {
    let n = Notified::new();
    n.world.create_listener("lim", silent());
    let lim = n.world.connect("lim");
    let (channel, _) = n.add_webhook(&lim.user_id);
    n.settings(&lim.user_id, 6, false, 2);
    assert!(raise_test(&n, &lim.user_id, channel));
    n.world.advance(SECOND_MS);
    assert!(raise_test(&n, &lim.user_id, channel));
    n.world.advance(SECOND_MS);
    assert!(
        !raise_test(&n, &lim.user_id, channel),
        "a third event in a day"
    );
    n.world.advance(DAY_MS);
    assert!(raise_test(&n, &lim.user_id, channel), "a new day");
}

#[test]
fn a_sent_delivery_whose_record_failed_is_recorded_not_sent_again() {
    let n = Notified::new();
    n.world.create_listener("sam", silent());
    let sam = n.world.connect("sam");
    let (channel, _) = n.add_webhook(&sam.user_id);
    assert!(raise_test(&n, &sam.user_id, channel));
    // D1 fails between the receiver's 200 and the record of it.
    let sink = Sink {
        on_send: Some(Box::new(|| n.world.db.fail_batches(true))),
        ..Sink::default()
    };
    let outcomes = n.deliver(&sink);
    assert!(
        matches!(&outcomes[..], [DeliveryOutcome::Unrecorded { .. }]),
        "{outcomes:?}"
    );

    // The queue's retry, once D1 is back and the attempt's hold is over.
    n.world.db.fail_batches(false);
    n.world.advance(2 * MINUTE_MS);
    let message = n.only_delivery();
    assert_eq!(n.attempt(&message, &sink), DeliveryOutcome::Delivered);
    assert_eq!(sink.received().len(), 1, "sent once");
    assert!(n.outbox()[0]["delivered_at"].is_i64(), "{:?}", n.outbox());
}

#[test]
fn a_channel_sealed_under_the_previous_key_is_sealed_again_when_it_delivers() {
    let n = Notified::new();
    n.world.create_listener("kim", silent());
    let kim = n.world.connect("kim");
    let (channel, _) = n.add_webhook(&kim.user_id);
    assert!(raise_test(&n, &kim.user_id, channel));
    block_on(relay(0, &n.world.db, &n.queue, n.world.now())).expect("relayed");

    // TOKEN_ENCRYPTION_KEY is rotated: the old key is the previous one now.
    let rotated = TokenCipher::new(
        "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
        Some(support::TOKEN_KEY),
    )
    .expect("valid keys");
    let sink = Sink::default();
    let deliverer = Deliverer {
        shards: Shards::single(&n.world.db),
        kv: &n.world.kv,
        http: &sink,
        cipher: &rotated,
        config: &n.config,
        log: &SilentLog,
    };
    let message = n.only_delivery();
    assert_eq!(
        block_on(deliverer.deliver(&message, n.world.now())),
        DeliveryOutcome::Delivered
    );
    let sealed = n.world.db.sql(
        "SELECT target_enc FROM notification_channels WHERE id = ?1",
        vec![json!(channel)],
    );
    let sealed = sealed[0]["target_enc"].as_str().expect("sealed");
    assert!(!rotated.is_stale(sealed), "still under the previous key");
    // The old key can go: the channel opens under the new one alone.
    let new_only =
        TokenCipher::new("ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=", None).expect("valid");
    assert!(new_only
        .open(sealed, &channel_seal_context(&kim.user_id))
        .is_ok());
}

// ---------------------------------------------------------------------------------------
// Cost

/// A day of polls every 15 minutes with nothing wrong: no outbox row, nothing relayed,
/// no extra Spotify call and the same D1 round trips as a user without a channel.
#[test]
fn a_day_with_nothing_wrong_writes_no_notification_row() {
    let n = Notified::new();
    n.world
        .create_listener("calm", json!({ "plays_per_hour": 12, "history_hours": 1 }));
    n.world
        .create_listener("bare", json!({ "plays_per_hour": 12, "history_hours": 1 }));
    let calm = n.world.connect("calm");
    let bare = n.world.connect("bare");
    n.add_webhook(&calm.user_id);
    n.settings(&calm.user_id, 6, true, 10);
    let mut cost = [(0, 0), (0, 0)];
    for _ in 0..96 {
        n.world.advance(15 * MINUTE_MS);
        for (index, user) in [&calm, &bare].into_iter().enumerate() {
            n.world.db.reset_counts();
            let calls = n.world.spotify.requests();
            assert!(matches!(
                n.world.archive(&user.user_id),
                ArchiveOutcome::Archived { gap: None, .. }
            ));
            cost[index].0 += n.world.db.round_trips();
            cost[index].1 += n.world.spotify.requests() - calls;
        }
        assert_eq!(
            block_on(relay(0, &n.world.db, &n.queue, n.world.now())).expect("relay"),
            0
        );
    }
    assert_eq!(
        cost[0], cost[1],
        "(D1 round trips, Spotify calls) with and without a channel"
    );
    assert!(n.outbox().is_empty(), "{:?}", n.outbox());
    assert!(n.queue.take_notifications().is_empty());
}
