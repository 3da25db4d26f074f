//! Forwarding from connect to acceptance, through the App's routes, the archive's own
//! insert, the relay and the Forwarder, against a ListenBrainz twin that keeps every
//! listen it accepts (never deduplicating, so a play sent twice shows twice).

use std::cell::RefCell;
use std::collections::VecDeque;

use futures::executor::block_on;
use serde_json::{json, Value};

use super::lastfm::{self, LastFmApp};
use super::sender::{accepted_mark, ForwardOutcome, Forwarder};
use super::{relay, ForwardConfig};
use crate::notify::NotifyMessage;
use crate::ports::{HttpClient, HttpRequest, HttpResponse, KeyValueStore, TransportError};
use crate::testing::web::{get, json_of, post, RequestBuilder, WebWorld};
use crate::testing::ScriptedHttp;
use crate::time::{UnixMillis, MINUTE_MS, SECOND_MS};

const NOW: UnixMillis = 1_780_000_000_000;
const TOKEN: &str = "0b8c4f2e-58c1-4b8e-9f63-6f1d1a2b3c4d";

/// ListenBrainz as far as forwarding reaches it: answers from a script first (then 200),
/// keeps the listens of every submission it answers 200.
#[derive(Default)]
struct ListenBrainz {
    script: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    accepted: RefCell<Vec<Value>>,
    requests: RefCell<usize>,
}

impl ListenBrainz {
    fn answering(script: Vec<Result<HttpResponse, TransportError>>) -> Self {
        Self {
            script: RefCell::new(script.into()),
            ..Self::default()
        }
    }

    /// The `listened_at` of every accepted listen, in the order they arrived.
    fn listened_at(&self) -> Vec<i64> {
        self.accepted
            .borrow()
            .iter()
            .map(|listen| listen["listened_at"].as_i64().expect("a time"))
            .collect()
    }
}

impl HttpClient for ListenBrainz {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        *self.requests.borrow_mut() += 1;
        assert_eq!(request.url, "http://lb/1/submit-listens");
        assert_eq!(
            request.header("Authorization"),
            Some(format!("Token {TOKEN}").as_str())
        );
        let answer = self
            .script
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Ok(ScriptedHttp::ok(r#"{"status":"ok"}"#)));
        if matches!(&answer, Ok(response) if response.status == 200) {
            let body: Value =
                serde_json::from_str(request.body.as_deref().unwrap_or_default()).expect("JSON");
            assert_eq!(body["listen_type"], "import");
            let listens = body["payload"].as_array().expect("listens").clone();
            self.accepted.borrow_mut().extend(listens);
        }
        answer
    }
}

fn valid_token_answer() -> Result<HttpResponse, TransportError> {
    Ok(ScriptedHttp::ok(
        r#"{"code":200,"message":"Token valid.","valid":true,"user_name":"ada-lb"}"#,
    ))
}

/// A signed-in user with a catalogue of `tracks` tracks, ListenBrainz connected.
struct Forwarding {
    world: WebWorld,
    cookie: String,
    /// The notification deliveries the attempts relayed, in order.
    told: RefCell<Vec<NotifyMessage>>,
}

impl Forwarding {
    fn new() -> Self {
        let world = WebWorld::new();
        let cookie = world.sign_in("ada", NOW);
        world.db.sql(
            "INSERT INTO tracks (id, name, duration_ms) VALUES ('t1', 'One', 200000), ('t2', 'Two', 20000)",
            vec![],
        );
        world.db.sql(
            "INSERT INTO artists (id, name) VALUES ('a1', 'Artist')",
            vec![],
        );
        world.db.sql(
            "INSERT INTO track_artists (track_key, artist_key, position)
             SELECT t.key, a.key, 0 FROM tracks t, artists a",
            vec![],
        );
        Self {
            world,
            cookie,
            told: RefCell::default(),
        }
    }

    fn connected() -> Self {
        let forwarding = Self::new();
        let response = forwarding.connect(valid_token_answer());
        assert_eq!(response.status, 201, "{}", response.body);
        forwarding
    }

    fn connect(&self, answer: Result<HttpResponse, TransportError>) -> crate::web::WebResponse {
        let http = ScriptedHttp::new(vec![answer]);
        let request = post(
            "/api/forwarding/listenbrainz",
            Some(&self.cookie),
            &json!({ "token": format!(" {TOKEN} ") }).to_string(),
        )
        .with_content_type("application/json");
        self.world.send_with(&http, &request, NOW)
    }

    /// Archives plays the way a poll does (`source` 0, a track), `at` in seconds.
    fn archive(&self, track: &str, at: &[i64]) {
        for second in at {
            self.world.db.sql(
                "INSERT INTO play_events (user_key, track_key, played_at)
                 SELECT u.key, t.key, ?2 FROM users u, tracks t WHERE u.id = 'ada' AND t.id = ?1
                 ON CONFLICT DO NOTHING",
                vec![json!(track), json!(second * 1_000)],
            );
        }
    }

    fn forwarder<'a, H: HttpClient>(
        &'a self,
        http: &'a H,
        config: &'a ForwardConfig,
    ) -> Forwarder<
        'a,
        crate::testing::SqliteDatabase,
        crate::testing::MemoryKv,
        H,
        crate::testing::MemoryQueue,
    > {
        Forwarder {
            shards: self.world.shards(),
            kv: &self.world.kv,
            http,
            queue: &self.world.queue,
            cipher: &self.world.cipher,
            config,
            log: &self.world.log,
        }
    }

    /// Relays at `now`, then runs every message it sent (and those they send) to the end.
    fn run<H: HttpClient>(&self, http: &H, now: UnixMillis) -> Vec<ForwardOutcome> {
        block_on(relay(0, &self.world.db, &self.world.queue, now)).expect("relayed");
        let mut messages = VecDeque::new();
        let mut outcomes = Vec::new();
        let forwarder = self.forwarder(http, &self.world.forward);
        loop {
            for message in self.world.queue.take_notifications() {
                match message {
                    NotifyMessage::Forward {
                        shard: 0,
                        destination,
                    } => messages.push_back(destination),
                    delivery => self.told.borrow_mut().push(delivery),
                }
            }
            let Some(id) = messages.pop_front() else {
                return outcomes;
            };
            outcomes.push(block_on(forwarder.forward(0, id, now)));
        }
    }

    fn destination(&self) -> Value {
        let response = self
            .world
            .send(&get("/api/forwarding", Some(&self.cookie)), NOW);
        assert_eq!(response.status, 200, "{}", response.body);
        json_of(&response)["destinations"][0].clone()
    }
}

#[test]
fn a_valid_token_connects_and_is_never_shown_again() {
    let forwarding = Forwarding::new();
    let response = forwarding.connect(valid_token_answer());
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(
        json_of(&response),
        json!({ "destination": { "service": "listenbrainz", "account": "ada-lb" } })
    );
    let listed = forwarding
        .world
        .send(&get("/api/forwarding", Some(&forwarding.cookie)), NOW);
    assert!(!listed.body.contains(TOKEN), "{}", listed.body);
    let stored = forwarding
        .world
        .db
        .sql("SELECT credential FROM forward_destinations", vec![]);
    assert!(!stored[0]["credential"]
        .as_str()
        .expect("text")
        .contains(TOKEN));
    let page = forwarding
        .world
        .send(&get("/", Some(&forwarding.cookie)), NOW);
    assert!(page
        .body
        .contains("id=\"destination-listenbrainz\" data-connected=\"1\""));
    assert!(page.body.contains("ada-lb"));
    assert!(!page.body.contains(TOKEN));
}

#[test]
fn a_token_listenbrainz_does_not_know_or_cannot_check_is_not_stored() {
    let forwarding = Forwarding::new();
    let invalid = forwarding.connect(Ok(ScriptedHttp::ok(
        r#"{"code":200,"message":"Token invalid.","valid":false}"#,
    )));
    assert_eq!(invalid.status, 400);
    assert_eq!(json_of(&invalid)["error"]["code"], "invalid_token");
    let down = forwarding.connect(Ok(ScriptedHttp::status(503, "")));
    assert_eq!(down.status, 502);
    assert_eq!(json_of(&down)["error"]["code"], "service_unreachable");
    assert_eq!(forwarding.destination(), Value::Null);
    // A malformed token is refused before anything is sent.
    let http = ScriptedHttp::new(vec![]);
    let request = post(
        "/api/forwarding/listenbrainz",
        Some(&forwarding.cookie),
        "token=a%20b",
    )
    .with_content_type("application/x-www-form-urlencoded");
    let page = forwarding.world.send_with(&http, &request, NOW);
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("letters, digits and dashes"),
        "{}",
        page.body
    );
    assert!(http.requests().is_empty());
}

#[test]
fn changes_need_a_session_our_own_pages_and_a_known_service() {
    let forwarding = Forwarding::new();
    let anonymous = post("/api/forwarding/listenbrainz", None, "{}");
    assert_eq!(forwarding.world.send(&anonymous, NOW).status, 401);
    let mut foreign = post(
        "/api/forwarding/listenbrainz",
        Some(&forwarding.cookie),
        "{}",
    );
    foreign.headers.retain(|(name, _)| name != "Origin");
    let foreign = foreign.with_header("Origin", "https://evil.example");
    assert_eq!(forwarding.world.send(&foreign, NOW).status, 403);
    let unknown = post("/api/forwarding/myspace", Some(&forwarding.cookie), "{}");
    let unknown = forwarding.world.send(&unknown, NOW);
    assert_eq!(unknown.status, 404);
    assert_eq!(
        json_of(&unknown)["error"]["message"],
        "No such service: there are listenbrainz and lastfm."
    );
    let not_connected = post(
        "/api/forwarding/listenbrainz/pause",
        Some(&forwarding.cookie),
        "",
    );
    assert_eq!(forwarding.world.send(&not_connected, NOW).status, 404);
}

#[test]
fn plays_polled_after_connecting_are_queued_once_and_imports_are_not() {
    let forwarding = Forwarding::new();
    forwarding.archive("t1", &[1_000]);
    let _ = forwarding.connect(valid_token_answer());
    forwarding.archive("t1", &[2_000, 3_000]);
    // The poll's overlap brings a play back: the primary key absorbs it, and the outbox.
    forwarding.archive("t1", &[3_000]);
    forwarding.world.db.sql(
        "INSERT INTO play_events (user_key, track_key, played_at, source)
         SELECT u.key, t.key, 4000000, 1 FROM users u, tracks t WHERE t.id = 't1'",
        vec![],
    );
    forwarding.world.db.sql(
        "INSERT INTO play_events (user_key, track_key, played_at, kind)
         SELECT u.key, t.key, 5000000, 1 FROM users u, tracks t WHERE t.id = 't1'",
        vec![],
    );
    let outbox = forwarding.world.db.sql(
        "SELECT played_at FROM forward_outbox ORDER BY played_at",
        vec![],
    );
    assert_eq!(
        outbox,
        vec![
            json!({"played_at": 2_000_000}),
            json!({"played_at": 3_000_000})
        ]
        .into_iter()
        .map(|row| row.as_object().expect("a row").clone())
        .collect::<Vec<_>>()
    );
    assert_eq!(forwarding.destination()["pending"], 2);
}

impl Forwarding {
    /// Connects ListenBrainz with the form's optional date: the archive since then goes too.
    fn connect_since(&self, since: &str) -> crate::web::WebResponse {
        let http = ScriptedHttp::new(vec![valid_token_answer()]);
        let request = post(
            "/api/forwarding/listenbrainz",
            Some(&self.cookie),
            &json!({ "token": TOKEN, "since": since }).to_string(),
        )
        .with_content_type("application/json");
        self.world.send_with(&http, &request, NOW)
    }

    /// A notification channel for ada, so that her alerts reach the outbox.
    fn add_channel(&self) {
        self.world.db.sql(
            "INSERT INTO notification_channels (user_id, kind, target_enc, target_hint, created_at)
             VALUES ('ada', 'ntfy', 'sealed', 'https://ntfy.sh/…', ?1)",
            vec![json!(NOW)],
        );
    }

    /// A play of `track` at `second` from `source` (1: Spotify's export, 3: Last.fm's).
    fn import(&self, track: &str, second: i64, source: i64) {
        self.world.db.sql(
            "INSERT INTO play_events (user_key, track_key, played_at, source)
             SELECT u.key, t.key, ?2, ?3 FROM users u, tracks t WHERE u.id = 'ada' AND t.id = ?1",
            vec![json!(track), json!(second * 1_000), json!(source)],
        );
    }
}

#[test]
fn connecting_with_a_date_sends_spotifys_plays_archived_since_then_once() {
    let forwarding = Forwarding::new();
    // Every play is on 1 January 1970 (UTC, ada's zone): the date takes them all.
    forwarding.archive("t1", &[1_000, 2_000]);
    forwarding.import("t2", 1_500, 1);
    forwarding.import("t1", 1_700, 3);
    forwarding.world.db.sql(
        "INSERT INTO play_events (user_key, track_key, played_at, kind)
         SELECT u.key, t.key, 1800000, 1 FROM users u, tracks t WHERE t.id = 't1'",
        vec![],
    );
    let refused = forwarding.connect_since("last spring");
    assert_eq!(
        (refused.status, json_of(&refused)["error"]["code"].clone()),
        (400, json!("invalid_since")),
        "{}",
        refused.body
    );
    assert_eq!(forwarding.destination(), Value::Null, "nothing connected");

    let connected = forwarding.connect_since("1970-01-01");
    assert_eq!(connected.status, 201, "{}", connected.body);
    assert_eq!(forwarding.destination()["pending"], 3);
    forwarding.archive("t1", &[3_000]);
    let lb = ListenBrainz::default();
    forwarding.run(&lb, NOW);
    // Spotify's plays, polled or from its export; never the plays that came from
    // Last.fm or ListenBrainz, nor episodes.
    assert_eq!(lb.listened_at(), [1_000, 1_500, 2_000, 3_000]);

    // Connected again (a new token after a revocation): what went does not go again.
    assert_eq!(forwarding.connect_since("1970-01-01").status, 201);
    forwarding.run(&lb, NOW + MINUTE_MS);
    assert_eq!(lb.listened_at(), [1_000, 1_500, 2_000, 3_000]);
    assert_eq!(forwarding.destination()["sent"], 4);
}

#[test]
fn every_play_reaches_listenbrainz_once_oldest_first_in_batches() {
    let forwarding = Forwarding::connected();
    let seconds: Vec<i64> = (0..600).map(|n| 1_000_000 + n * 200).collect();
    forwarding.archive("t1", &seconds);
    let lb = ListenBrainz::default();
    let outcomes = forwarding.run(&lb, NOW);
    assert_eq!(
        outcomes,
        [
            ForwardOutcome::Sent {
                plays: 250,
                waiting: 350
            },
            ForwardOutcome::Sent {
                plays: 250,
                waiting: 100
            },
            ForwardOutcome::Sent {
                plays: 100,
                waiting: 0
            },
        ]
    );
    assert_eq!(lb.listened_at(), seconds);
    let destination = forwarding.destination();
    assert_eq!(
        (destination["pending"].clone(), destination["sent"].clone()),
        (json!(0), json!(600))
    );
    assert_eq!(destination["last_sent_at"], NOW);
    // A message delivered twice (the queue redelivers) finds nothing to send.
    let forwarder = forwarding.forwarder(&lb, &forwarding.world.forward);
    assert_eq!(
        block_on(forwarder.forward(0, 1, NOW)),
        ForwardOutcome::NothingToDo
    );
    assert_eq!(*lb.requests.borrow(), 3);
}

#[test]
fn a_second_message_during_an_attempt_sends_nothing() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    forwarding.world.db.sql(
        "UPDATE forward_destinations SET claimed_until = ?1",
        vec![json!(NOW + MINUTE_MS)],
    );
    let lb = ListenBrainz::default();
    let forwarder = forwarding.forwarder(&lb, &forwarding.world.forward);
    assert_eq!(
        block_on(forwarder.forward(0, 1, NOW)),
        ForwardOutcome::NothingToDo
    );
    assert_eq!(*lb.requests.borrow(), 0);
    // The claim runs out: the sweep's relay sends it.
    assert_eq!(forwarding.run(&lb, NOW + 2 * MINUTE_MS).len(), 1);
    assert_eq!(lb.listened_at(), [1_000]);
}

#[test]
fn plays_accepted_whose_record_failed_are_recorded_not_sent_again() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000, 2_000]);
    let lb = ListenBrainz::default();
    forwarding.world.db.fail_batches(true);
    let forwarder = forwarding.forwarder(&lb, &forwarding.world.forward);
    let outcome = block_on(forwarder.forward(0, 1, NOW));
    assert!(
        matches!(outcome, ForwardOutcome::Unrecorded { .. }),
        "{outcome:?}"
    );
    assert_eq!(lb.listened_at(), [1_000, 2_000]);
    let mark = block_on(forwarding.world.kv.get(&accepted_mark(0, 1))).expect("kv");
    assert!(
        mark.is_some(),
        "the accepted plays are marked before their record"
    );
    forwarding.world.db.fail_batches(false);
    // The message is retried once the claim runs out.
    let later = NOW + 3 * MINUTE_MS;
    assert_eq!(
        block_on(forwarder.forward(0, 1, later)),
        ForwardOutcome::Sent {
            plays: 2,
            waiting: 0
        }
    );
    assert_eq!(lb.listened_at(), [1_000, 2_000], "nothing sent twice");
    assert_eq!(*lb.requests.borrow(), 1);
    assert_eq!(
        block_on(forwarding.world.kv.get(&accepted_mark(0, 1))).expect("kv"),
        None
    );
    assert_eq!(forwarding.destination()["sent"], 2);
}

#[test]
fn a_failing_destination_backs_off_honours_its_wait_and_catches_up() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    let mut rate_limited = ScriptedHttp::status(429, r#"{"code":429,"error":"Too many requests"}"#);
    rate_limited.headers = vec![("X-RateLimit-Reset-In".into(), "3600".into())];
    let lb = ListenBrainz::answering(vec![
        Ok(ScriptedHttp::status(503, "")),
        Err(TransportError::Timeout),
        Ok(rate_limited),
    ]);
    let base = forwarding.world.forward.retry_base_seconds;
    let outcomes = forwarding.run(&lb, NOW);
    assert_eq!(
        outcomes,
        [ForwardOutcome::Retrying {
            delay_seconds: base,
            error: "HTTP 503".into()
        }]
    );
    // Not due before its wait: the relay leaves it.
    assert!(forwarding
        .run(&lb, NOW + (base - 1) as i64 * SECOND_MS)
        .is_empty());
    let second = NOW + base as i64 * SECOND_MS;
    assert_eq!(
        forwarding.run(&lb, second),
        [ForwardOutcome::Retrying {
            delay_seconds: 2 * base,
            error: "request timed out".into()
        }]
    );
    let third = second + 2 * base as i64 * SECOND_MS;
    assert_eq!(
        forwarding.run(&lb, third),
        [ForwardOutcome::Retrying {
            delay_seconds: 3_600,
            error: "HTTP 429: Too many requests".into()
        }]
    );
    let waiting = forwarding.destination();
    assert_eq!(waiting["failures"], 3);
    assert_eq!(waiting["last_error"], "HTTP 429: Too many requests");
    let page = forwarding
        .world
        .send(&get("/", Some(&forwarding.cookie)), third);
    assert!(
        page.body.contains("HTTP 429: Too many requests"),
        "the dashboard says why"
    );
    // Plays archived meanwhile wait too, and go with the first success.
    forwarding.archive("t1", &[2_000]);
    assert!(forwarding.run(&lb, third + 3_599 * SECOND_MS).is_empty());
    assert_eq!(
        forwarding.run(&lb, third + 3_600 * SECOND_MS),
        [ForwardOutcome::Sent {
            plays: 2,
            waiting: 0
        }]
    );
    assert_eq!(lb.listened_at(), [1_000, 2_000]);
    let recovered = forwarding.destination();
    assert_eq!(
        (
            recovered["failures"].clone(),
            recovered["last_error"].clone()
        ),
        (json!(0), Value::Null)
    );
}

#[test]
fn a_revoked_token_stops_forwarding_until_a_new_one_and_loses_nothing() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    let lb = ListenBrainz::answering(vec![Ok(ScriptedHttp::status(
        401,
        r#"{"code":401,"error":"Invalid authorization token."}"#,
    ))]);
    let outcomes = forwarding.run(&lb, NOW);
    assert!(
        matches!(&outcomes[..], [ForwardOutcome::Revoked { .. }]),
        "{outcomes:?}"
    );
    // Plays keep collecting; nothing is sent, however long.
    forwarding.archive("t1", &[2_000]);
    assert!(forwarding
        .run(&lb, NOW + 30 * 24 * 60 * MINUTE_MS)
        .is_empty());
    let page = forwarding
        .world
        .send(&get("/", Some(&forwarding.cookie)), NOW);
    assert!(page.body.contains("data-revoked=\"1\""));
    assert!(page.body.contains("Connect again"));
    assert_eq!(forwarding.destination()["pending"], 2);
    // A new token: everything waiting goes.
    assert_eq!(forwarding.connect(valid_token_answer()).status, 201);
    assert_eq!(
        forwarding.run(&lb, NOW),
        [ForwardOutcome::Sent {
            plays: 2,
            waiting: 0
        }]
    );
    assert_eq!(lb.listened_at(), [1_000, 2_000]);
}

#[test]
fn a_revoked_token_tells_the_users_channels_once_with_what_waits() {
    let forwarding = Forwarding::connected();
    forwarding.add_channel();
    forwarding.archive("t1", &[1_000, 2_000]);
    let revoked = || {
        Ok(ScriptedHttp::status(
            401,
            r#"{"code":401,"error":"Invalid authorization token."}"#,
        ))
    };
    let lb = ListenBrainz::answering(vec![revoked()]);
    assert!(matches!(
        &forwarding.run(&lb, NOW)[..],
        [ForwardOutcome::Revoked { .. }]
    ));
    // Told in the batch that records the revocation; nothing more while it stays revoked.
    forwarding.archive("t1", &[3_000]);
    assert!(forwarding.run(&lb, NOW + MINUTE_MS).is_empty());
    let outbox = forwarding.world.db.sql(
        "SELECT id, event, data FROM notification_outbox WHERE user_id = 'ada'",
        vec![],
    );
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0]["event"], "forwarding_stopped");
    // Relayed by the attempt that recorded it, not left for the next sweep.
    let id = outbox[0]["id"].as_i64().expect("an id");
    assert_eq!(
        forwarding.told.borrow().as_slice(),
        [NotifyMessage::delivery(0, id)]
    );
    let data: Value =
        serde_json::from_str(outbox[0]["data"].as_str().expect("text")).expect("JSON");
    assert_eq!(
        (
            data["service"].as_str(),
            data["account"].as_str(),
            data["pending"].as_i64(),
            data["revoked_at"].as_i64()
        ),
        (Some("listenbrainz"), Some("ada-lb"), Some(2), Some(NOW)),
        "{data}"
    );
    assert!(
        !data.to_string().contains(TOKEN),
        "the alert never carries the credential: {data}"
    );
    // A late second refusal of the same credential (an attempt whose claim ran out)
    // keeps the first revocation: no second alert.
    let store = crate::store::Store::new(&forwarding.world.db);
    let late = crate::store::forwarding::ClaimedDestination {
        id: 1,
        user_key: 1,
        user_id: "ada".to_owned(),
        service: "listenbrainz".to_owned(),
        credential: forwarding
            .world
            .db
            .sql("SELECT credential FROM forward_destinations", vec![])[0]["credential"]
            .as_str()
            .expect("sealed")
            .to_owned(),
        pending: 3,
        failures: 0,
        claimed_until: 0,
        last_batch: None,
        solo_plays: 0,
    };
    block_on(store.record_revoked(&late, "HTTP 401", NOW + 30 * SECOND_MS)).expect("db");
    let outbox = forwarding.world.db.sql(
        "SELECT id, event, data FROM notification_outbox WHERE user_id = 'ada'",
        vec![],
    );
    assert_eq!(outbox.len(), 1, "{outbox:?}");

    // Connected again, then revoked again: a new stop, told again.
    assert_eq!(forwarding.connect(valid_token_answer()).status, 201);
    let later = NOW + 2 * MINUTE_MS;
    let lb = ListenBrainz::answering(vec![revoked()]);
    let outcomes = forwarding.run(&lb, later);
    assert!(
        matches!(&outcomes[0], ForwardOutcome::Revoked { .. }),
        "{outcomes:?}"
    );
    let events = forwarding.world.db.sql(
        "SELECT event FROM notification_outbox WHERE user_id = 'ada' ORDER BY id",
        vec![],
    );
    assert_eq!(events.len(), 2, "{events:?}");
}

#[test]
fn a_credential_that_cannot_be_opened_stops_without_telling_the_user_the_service_refused() {
    let forwarding = Forwarding::connected();
    forwarding.add_channel();
    // Sealed under a key the deployment no longer has.
    forwarding.world.db.sql(
        "UPDATE forward_destinations SET credential = 'v1.gone.AAAA'",
        vec![],
    );
    forwarding.archive("t1", &[1_000]);
    let lb = ListenBrainz::default();
    let outcomes = forwarding.run(&lb, NOW);
    assert!(
        matches!(&outcomes[..], [ForwardOutcome::Revoked { .. }]),
        "{outcomes:?}"
    );
    assert_eq!(*lb.requests.borrow(), 0, "nothing sent");
    assert!(forwarding.destination()["revoked_at"].is_i64());
    let told = forwarding.world.db.sql(
        "SELECT event FROM notification_outbox WHERE user_id = 'ada'",
        vec![],
    );
    assert!(told.is_empty(), "{told:?}");
    assert_eq!(
        forwarding
            .world
            .log
            .events("forward_credential_unreadable")
            .len(),
        1
    );
}

#[test]
fn switched_off_it_collects_and_switched_on_it_sends_at_once() {
    let forwarding = Forwarding::connected();
    let switch = |path: &str| {
        let request = post(path, Some(&forwarding.cookie), "")
            .with_content_type("application/x-www-form-urlencoded");
        forwarding.world.send(&request, NOW)
    };
    let off = switch("/api/forwarding/listenbrainz/pause");
    assert_eq!(
        (off.status, crate::testing::web::header(&off, "Location")),
        (303, Some("/"))
    );
    forwarding.archive("t1", &[1_000]);
    let lb = ListenBrainz::default();
    assert!(forwarding.run(&lb, NOW).is_empty());
    assert_eq!(forwarding.destination()["enabled"], 0);
    assert_eq!(switch("/api/forwarding/listenbrainz/resume").status, 303);
    assert_eq!(
        *forwarding.world.queue.notifications.borrow(),
        [NotifyMessage::Forward {
            shard: 0,
            destination: 1
        }],
        "switched on, its plays are relayed at once"
    );
    assert_eq!(forwarding.run(&lb, NOW).len(), 1);
    assert_eq!(lb.listened_at(), [1_000]);
}

#[test]
fn disconnecting_or_deleting_the_account_drops_the_destination_and_its_queue() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    let disconnect = post(
        "/api/forwarding/listenbrainz/delete",
        Some(&forwarding.cookie),
        "",
    );
    let response = forwarding.world.send(&disconnect, NOW);
    assert_eq!(json_of(&response), json!({ "deleted": "listenbrainz" }));
    let count = |table: &str| {
        forwarding
            .world
            .db
            .sql(&format!("SELECT count(*) AS n FROM {table}"), vec![])[0]["n"]
            .clone()
    };
    assert_eq!(
        (count("forward_destinations"), count("forward_outbox")),
        (json!(0), json!(0))
    );
    let _ = forwarding.connect(valid_token_answer());
    // A destination's id is never given again: nothing of the old one is taken for it.
    assert_eq!(
        forwarding
            .world
            .db
            .sql("SELECT id FROM forward_destinations", vec![])[0]["id"],
        2
    );
    forwarding.archive("t1", &[2_000]);
    let delete = post(
        "/api/account/delete",
        Some(&forwarding.cookie),
        "confirm=on",
    )
    .with_content_type("application/x-www-form-urlencoded");
    let deleted = forwarding.world.send(&delete, NOW);
    assert!(deleted.status < 400, "{}", deleted.body);
    assert_eq!(
        (count("forward_destinations"), count("forward_outbox")),
        (json!(0), json!(0))
    );
}

// Last.fm: connected through its web authentication, scrobbled 50 at a time.

fn lastfm_app() -> LastFmApp {
    LastFmApp {
        api_key: "fm-key".into(),
        shared_secret: "fm-secret".into(),
        api_url: "http://lfm".into(),
        auth_url: "http://www.lfm".into(),
    }
}

/// Last.fm as forwarding reaches it: answers from a script first, then accepts every
/// scrobble of a valid signature (checked), keeping its timestamp.
#[derive(Default)]
struct LastFm {
    script: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    scrobbled: RefCell<Vec<i64>>,
    requests: RefCell<usize>,
}

impl HttpClient for LastFm {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        *self.requests.borrow_mut() += 1;
        assert_eq!(request.url, "http://lfm/2.0/");
        let form: Vec<(String, String)> =
            form_urlencoded::parse(request.body.as_deref().unwrap_or_default().as_bytes())
                .into_owned()
                .collect();
        let signed: Vec<(&str, String)> = form
            .iter()
            .filter(|(name, _)| name != "api_sig")
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        let field = |name: &str| {
            form.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        assert_eq!(
            field("api_sig"),
            Some(lastfm::signature(&signed, "fm-secret"))
        );
        assert_eq!(field("method").as_deref(), Some("track.scrobble"));
        assert_eq!(field("sk").as_deref(), Some("fm-session"));
        if let Some(answer) = self.script.borrow_mut().pop_front() {
            return answer;
        }
        let stamps: Vec<i64> = (0..50)
            .map_while(|i| field(&format!("timestamp[{i}]")))
            .map(|stamp| stamp.parse().expect("seconds"))
            .collect();
        let count = stamps.len();
        self.scrobbled.borrow_mut().extend(stamps);
        Ok(ScriptedHttp::ok(&format!(
            r#"{{"scrobbles":{{"@attr":{{"accepted":{count},"ignored":0}},"scrobble":[]}}}}"#
        )))
    }
}

impl Forwarding {
    fn with_lastfm() -> Self {
        let mut forwarding = Self::new();
        forwarding.world.forward.lastfm = Some(lastfm_app());
        forwarding
    }

    /// Starts the approval from the dashboard's form; answers the callback's state.
    fn approve(&self) -> String {
        let start = post("/api/forwarding/lastfm", Some(&self.cookie), "")
            .with_content_type("application/x-www-form-urlencoded");
        let response = self.world.send(&start, NOW);
        assert_eq!(response.status, 303, "{}", response.body);
        let location = crate::testing::web::header(&response, "Location").expect("to Last.fm");
        assert!(
            location.starts_with("http://www.lfm/api/auth/?api_key=fm-key&cb="),
            "{location}"
        );
        let callback = crate::testing::web::query_param(location, "cb").expect("a callback");
        let prefix = "http://127.0.0.1:8787/forwarding/lastfm/callback?state=";
        assert!(callback.starts_with(prefix), "{callback}");
        callback[prefix.len()..].to_owned()
    }

    fn callback(
        &self,
        cookie: &str,
        state: &str,
        session: Result<HttpResponse, TransportError>,
    ) -> crate::web::WebResponse {
        let http = ScriptedHttp::new(vec![session]);
        let path = format!(
            "/forwarding/lastfm/callback?state={state}&token=abcdef0123456789abcdef0123456789"
        );
        let response = self.world.send_with(&http, &get(&path, Some(cookie)), NOW);
        for request in http.requests() {
            let body = request.body.unwrap_or_default();
            assert!(body.contains("method=auth.getSession"), "{body}");
            assert!(
                body.contains("token=abcdef0123456789abcdef0123456789"),
                "{body}"
            );
        }
        response
    }

    fn lastfm_connected() -> Self {
        let forwarding = Self::with_lastfm();
        let state = forwarding.approve();
        let done = forwarding.callback(&forwarding.cookie.clone(), &state, session_answer());
        assert_eq!(done.status, 303, "{}", done.body);
        forwarding
    }
}

fn session_answer() -> Result<HttpResponse, TransportError> {
    Ok(ScriptedHttp::ok(
        r#"{"session":{"name":"ada-fm","key":"fm-session","subscriber":0}}"#,
    ))
}

#[test]
fn lastfm_connects_through_its_approval_once_and_only_for_the_user_who_started_it() {
    let forwarding = Forwarding::with_lastfm();
    let state = forwarding.approve();
    // Another signed-in user cannot finish it.
    let eve = forwarding.world.sign_in("eve", NOW);
    let stolen = forwarding.callback(&eve, &state, session_answer());
    assert_eq!(stolen.status, 400, "{}", stolen.body);
    let done = forwarding.callback(&forwarding.cookie, &state, session_answer());
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(forwarding.destination()["account"], "ada-fm");
    assert_eq!(forwarding.destination()["service"], "lastfm");
    // The state works once.
    let again = forwarding.callback(&forwarding.cookie, &state, session_answer());
    assert_eq!(again.status, 400);
    let stored = forwarding
        .world
        .db
        .sql("SELECT credential FROM forward_destinations", vec![]);
    assert!(!stored[0]["credential"]
        .as_str()
        .expect("text")
        .contains("fm-session"));
    // A refused token is told, and nothing stored.
    let other = Forwarding::with_lastfm();
    let state = other.approve();
    let refused = other.callback(
        &other.cookie,
        &state,
        Ok(ScriptedHttp::status(
            403,
            r#"{"error":15,"message":"This token has expired"}"#,
        )),
    );
    assert_eq!(refused.status, 502);
    assert!(refused.body.contains("error 15"), "{}", refused.body);
    assert_eq!(other.destination(), Value::Null);
}

#[test]
fn without_the_operators_api_account_lastfm_is_not_offered() {
    let forwarding = Forwarding::new();
    let start = post("/api/forwarding/lastfm", Some(&forwarding.cookie), "{}")
        .with_content_type("application/json");
    let response = forwarding.world.send(&start, NOW);
    assert_eq!(response.status, 503);
    assert_eq!(json_of(&response)["error"]["code"], "not_offered");
    let page = forwarding
        .world
        .send(&get("/", Some(&forwarding.cookie)), NOW);
    assert!(page.body.contains("Not offered on this deployment."));
    assert!(!page.body.contains("id=\"connect-lastfm\""));
}

#[test]
fn lastfm_gets_fifty_at_a_time_and_never_a_play_of_thirty_seconds_or_less() {
    let forwarding = Forwarding::lastfm_connected();
    // Track t2 lasts 20 s: Last.fm's rules keep it out.
    let long: Vec<i64> = (0..60).map(|n| 1_000_000 + n * 300).collect();
    forwarding.archive("t1", &long);
    forwarding.archive("t2", &[2_000_000, 2_000_300]);
    let lastfm = LastFm::default();
    let outcomes = forwarding.run(&lastfm, NOW);
    assert_eq!(
        outcomes,
        [
            ForwardOutcome::Sent {
                plays: 50,
                waiting: 12
            },
            ForwardOutcome::Sent {
                plays: 12,
                waiting: 0
            },
        ]
    );
    assert_eq!(*lastfm.scrobbled.borrow(), long);
    let destination = forwarding.destination();
    assert_eq!(
        (
            destination["sent"].clone(),
            destination["passed_over"].clone()
        ),
        (json!(60), json!(2))
    );
    // A batch of short plays only is passed over without a request.
    forwarding.archive("t2", &[3_000_000]);
    assert_eq!(
        forwarding.run(&lastfm, NOW + MINUTE_MS),
        [ForwardOutcome::Sent {
            plays: 1,
            waiting: 0
        }]
    );
    assert_eq!(*lastfm.requests.borrow(), 2);
    assert_eq!(forwarding.destination()["passed_over"], 3);
}

#[test]
fn lastfm_errors_retry_its_outages_and_stop_at_a_revoked_session() {
    let forwarding = Forwarding::lastfm_connected();
    forwarding.archive("t1", &[1_000]);
    let lastfm = LastFm {
        script: RefCell::new(
            vec![
                Ok(ScriptedHttp::status(
                    429,
                    r#"{"error":29,"message":"Rate limit exceeded"}"#,
                )),
                Ok(ScriptedHttp::status(
                    403,
                    r#"{"error":9,"message":"Invalid session key"}"#,
                )),
            ]
            .into(),
        ),
        ..LastFm::default()
    };
    let outcomes = forwarding.run(&lastfm, NOW);
    assert!(
        matches!(&outcomes[..], [ForwardOutcome::Retrying { error, .. }] if error == "Last.fm error 29: Rate limit exceeded"),
        "{outcomes:?}"
    );
    let later = NOW + 10 * MINUTE_MS;
    let outcomes = forwarding.run(&lastfm, later);
    assert!(
        matches!(&outcomes[..], [ForwardOutcome::Revoked { .. }]),
        "{outcomes:?}"
    );
    let page = forwarding
        .world
        .send(&get("/", Some(&forwarding.cookie)), later);
    assert!(page.body.contains("error 9"), "the dashboard says why");
    // Connected again through Last.fm: the waiting play goes.
    let state = forwarding.approve();
    assert_eq!(
        forwarding
            .callback(&forwarding.cookie, &state, session_answer())
            .status,
        303
    );
    // (The connect relayed it at once; the relay a sweep makes later finds it sent.)
    assert_eq!(
        forwarding.run(&lastfm, later),
        [
            ForwardOutcome::Sent {
                plays: 1,
                waiting: 0
            },
            ForwardOutcome::NothingToDo
        ]
    );
    assert_eq!(*lastfm.scrobbled.borrow(), [1_000]);
}

// What the review of the first version found, each pinned.

#[test]
fn a_mark_already_recorded_is_removed_and_counts_nothing_twice() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000, 2_000]);
    let lb = ListenBrainz::default();
    assert_eq!(
        forwarding.run(&lb, NOW),
        [ForwardOutcome::Sent {
            plays: 2,
            waiting: 0
        }]
    );
    // The mark stays after a success (KV takes one write a second per key).
    let mark = accepted_mark(0, 1);
    assert!(block_on(forwarding.world.kv.get(&mark))
        .expect("kv")
        .is_some());
    forwarding.archive("t1", &[3_000]);
    let later = NOW + MINUTE_MS;
    assert_eq!(
        forwarding.run(&lb, later),
        [ForwardOutcome::Sent {
            plays: 1,
            waiting: 0
        }]
    );
    assert_eq!(lb.listened_at(), [1_000, 2_000, 3_000]);
    let destination = forwarding.destination();
    assert_eq!(
        (destination["sent"].clone(), destination["pending"].clone()),
        (json!(3), json!(0))
    );
    assert_ne!(
        block_on(forwarding.world.kv.get(&mark)).expect("kv"),
        None,
        "the new batch's mark replaced the old one"
    );
}

#[test]
fn a_refused_batch_is_sent_play_by_play_and_only_the_refused_play_is_taken_off() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000, 2_000, 3_000]);
    let refusal = || {
        Ok(ScriptedHttp::status(
            400,
            r#"{"code":400,"error":"track_name is empty"}"#,
        ))
    };
    let ok = || Ok(ScriptedHttp::ok(r#"{"status":"ok"}"#));
    // The batch is refused; alone, the first is taken, the second refused, the third taken.
    let lb = ListenBrainz::answering(vec![refusal(), ok(), refusal(), ok()]);
    let outcomes = forwarding.run(&lb, NOW);
    assert_eq!(
        outcomes,
        [
            ForwardOutcome::Refused {
                plays: 3,
                error: "HTTP 400: track_name is empty".into()
            },
            ForwardOutcome::Sent {
                plays: 1,
                waiting: 2
            },
            ForwardOutcome::Refused {
                plays: 1,
                error: "HTTP 400: track_name is empty".into()
            },
            ForwardOutcome::Sent {
                plays: 1,
                waiting: 0
            },
        ]
    );
    assert_eq!(lb.listened_at(), [1_000, 3_000]);
    let destination = forwarding.destination();
    assert_eq!(
        (
            destination["sent"].clone(),
            destination["refused"].clone(),
            destination["pending"].clone()
        ),
        (json!(2), json!(1), json!(0))
    );
    assert_eq!(forwarding.world.log.events("forward_refused").len(), 2);
    let page = forwarding
        .world
        .send(&get("/", Some(&forwarding.cookie)), NOW);
    assert!(
        page.body.contains("2 sent, 1 refused by ListenBrainz"),
        "the dashboard counts the refused play"
    );
    // Back to whole batches.
    forwarding.archive("t1", &[4_000, 5_000]);
    assert_eq!(
        forwarding.run(&lb, NOW + MINUTE_MS),
        [ForwardOutcome::Sent {
            plays: 2,
            waiting: 0
        }]
    );
}

#[test]
fn a_refusal_of_the_old_credential_does_not_stop_the_new_one() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    let store = crate::store::Store::new(&forwarding.world.db);
    let in_flight = block_on(store.claim_destination(1, NOW))
        .expect("db")
        .expect("claimed");
    // The user pastes a new token while an attempt with the old one is under way.
    assert_eq!(forwarding.connect(valid_token_answer()).status, 201);
    block_on(store.record_revoked(&in_flight, "HTTP 401", NOW)).expect("db");
    assert_eq!(forwarding.destination()["revoked_at"], Value::Null);
}

#[test]
fn a_credential_sealed_under_the_previous_key_is_sealed_again_under_the_new_one() {
    let mut forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    let before = forwarding
        .world
        .db
        .sql("SELECT credential FROM forward_destinations", vec![])[0]["credential"]
        .clone();
    const NEW_KEY: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    forwarding.world.cipher =
        crate::crypto::TokenCipher::new(NEW_KEY, Some(crate::testing::web::CIPHER_KEY))
            .expect("keys");
    let lb = ListenBrainz::default();
    assert_eq!(
        forwarding.run(&lb, NOW),
        [ForwardOutcome::Sent {
            plays: 1,
            waiting: 0
        }]
    );
    let after = forwarding
        .world
        .db
        .sql("SELECT credential FROM forward_destinations", vec![])[0]["credential"]
        .clone();
    assert_ne!(before, after);
    // The previous key can go: the credential still opens.
    forwarding.world.cipher = crate::crypto::TokenCipher::new(NEW_KEY, None).expect("key");
    forwarding.archive("t1", &[2_000]);
    assert_eq!(
        forwarding.run(&lb, NOW + MINUTE_MS),
        [ForwardOutcome::Sent {
            plays: 1,
            waiting: 0
        }]
    );
}

#[test]
fn the_sweep_relays_due_destinations_apart_from_notifications_and_once_a_lease() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    let sweep = |now| {
        block_on(crate::engine::sweep::run_sweep(
            &forwarding.world.shards(),
            &forwarding.world.queue,
            &crate::engine::sweep::SweepConfig::default(),
            "test",
            now,
            || now,
        ))
    };
    let summary = sweep(NOW);
    assert_eq!(summary.forwards_relayed, 1);
    assert_eq!(
        forwarding.world.queue.take_notifications(),
        [NotifyMessage::Forward {
            shard: 0,
            destination: 1
        }]
    );
    // Its message is on the queue: the next sweep within the lease leaves it.
    assert_eq!(sweep(NOW + 10 * SECOND_MS).forwards_relayed, 0);
    // A lost message is made good after the lease.
    assert_eq!(sweep(NOW + 16 * SECOND_MS).forwards_relayed, 1);
    // The message's attempt ends the lease: plays archived after it are relayed at once.
    forwarding.world.queue.take_notifications();
    let lb = ListenBrainz::default();
    let forwarder = forwarding.forwarder(&lb, &forwarding.world.forward);
    let at = NOW + 17 * SECOND_MS;
    assert_eq!(
        block_on(forwarder.forward(0, 1, at)),
        ForwardOutcome::Sent {
            plays: 1,
            waiting: 0
        }
    );
    forwarding.archive("t1", &[2_000]);
    assert_eq!(sweep(at + SECOND_MS).forwards_relayed, 1);
}

#[test]
fn a_huge_wait_asked_is_taken_for_a_day() {
    let forwarding = Forwarding::connected();
    forwarding.archive("t1", &[1_000]);
    let mut huge = ScriptedHttp::status(429, "");
    huge.headers = vec![("X-RateLimit-Reset-In".into(), u64::MAX.to_string())];
    let lb = ListenBrainz::answering(vec![Ok(huge)]);
    assert_eq!(
        forwarding.run(&lb, NOW),
        [ForwardOutcome::Retrying {
            delay_seconds: super::sender::MAX_WAIT_SECONDS,
            error: "HTTP 429".into()
        }]
    );
    assert_eq!(
        forwarding.destination()["next_attempt_at"],
        NOW + 24 * 60 * MINUTE_MS
    );
}
