//! Forwarding through `wrangler dev --local`, against the simulator's ListenBrainz and
//! Last.fm: every play archived after connecting arrives exactly once, across a
//! redelivered archive job, a service that fails and then recovers, and a credential
//! revoked and replaced (which the user's channel hears); the plays archived before
//! connecting never go.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use e2e::{now_ms, Member, Play, Stack};

const ARCHIVE: Duration = Duration::from_secs(60);
const LB_USER: &str = "ada-lb";
const FIRST_TOKEN: &str = "0b8c4f2e-58c1-4b8e-9f63-6f1d1a2b3c4d";
const SECOND_TOKEN: &str = "5d2e9a71-0c3b-4f6a-8e1d-2b7c9f0a4e38";
/// The simulator's sink that plays `ada`'s webhook channel.
const ALERTS: &str = "ada-alerts";

/// A service the simulator plays, as far as these tests read it.
#[derive(Clone, Copy)]
enum Service {
    ListenBrainz,
    LastFm,
}

const LASTFM_USER: &str = "ada-fm";

/// What the service holds: each listen's (scrobble's) time in seconds with how many
/// times it came.
fn received(stack: &Stack, service: Service) -> BTreeMap<i64, usize> {
    let (path, list, field) = match service {
        Service::ListenBrainz => (
            format!("/admin/listenbrainz/users/{LB_USER}/listens"),
            "listens",
            "listened_at",
        ),
        Service::LastFm => (
            format!("/admin/lastfm/users/{LASTFM_USER}/scrobbles"),
            "scrobbles",
            "timestamp",
        ),
    };
    let mut counts = BTreeMap::new();
    for at in stack.sim_times(&path, list, field) {
        *counts.entry(at).or_default() += 1;
    }
    counts
}

fn listens(stack: &Stack) -> BTreeMap<i64, usize> {
    received(stack, Service::ListenBrainz)
}

/// What ListenBrainz should hold for these plays, each once: the count of plays of each
/// second (injected plays can be milliseconds apart, and a listen's time is in seconds).
fn once_each(plays: &[Play]) -> BTreeMap<i64, usize> {
    let mut counts = BTreeMap::new();
    for play in plays {
        *counts.entry(play.played_at / 1_000).or_default() += 1;
    }
    counts
}

/// `ada` with `history` plays before connecting anything, once her login's backfill has
/// archived them all (they must never be forwarded).
fn join_archived(stack: &Stack, history: u64) -> Member<'_> {
    let ada = stack.join("ada", history as usize);
    stack.wait_until(ARCHIVE, "the login's backfill is archived", || {
        let archived = ada.browser.status()["plays_archived"].as_u64().unwrap_or(0);
        if archived == history {
            Ok(())
        } else {
            Err(archived)
        }
    });
    ada
}

fn destination(member: &Member<'_>) -> Value {
    let reply = member.browser.get("/api/forwarding");
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["destinations"][0].clone()
}

/// The member connects Last.fm as a person does: the dashboard's button, approval on
/// Last.fm's page as `LASTFM_USER`, back through the callback to the dashboard.
fn connect_lastfm(stack: &Stack, member: &Member<'_>) {
    let start = member.browser.post("/api/forwarding/lastfm", "");
    let approve_at = match (start.status, start.header("Location")) {
        (303, Some(location)) => location.to_owned(),
        _ => stack.fail(&format!("connect Last.fm: {} {}", start.status, start.body)),
    };
    let query = approve_at
        .split_once('?')
        .map_or("", |(_, query)| query)
        .to_owned();
    let pair = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| stack.fail(&format!("no {name} in {approve_at}")))
            .to_owned()
    };
    let decision = format!(
        "api_key={}&cb={}&user={LASTFM_USER}",
        pair("api_key"),
        pair("cb")
    );
    let approved = member.browser.post(
        &format!("{}/lastfm/api/auth/decision", stack.sim_url),
        &decision,
    );
    let back = match (approved.status, approved.header("Location")) {
        (302, Some(location)) => location.to_owned(),
        _ => stack.fail(&format!("approve: {} {}", approved.status, approved.body)),
    };
    let done = member.browser.get(&back);
    assert_eq!(done.status, 303, "{}", done.body);
}

/// A manual archive job of `member` under a slot of its own, as the queue carries it.
fn job(member: &Member<'_>, slot: &str) -> Value {
    json!({
        "users": [{ "user_id": member.user_id, "slot": slot, "manual": true }],
        "enqueued_at": now_ms(),
    })
}

/// Waits until ListenBrainz holds exactly `expected`, nudging the relay with an archive
/// job (its consumer relays the destinations due after every batch) every few seconds.
fn wait_for_listens(
    stack: &Stack,
    member: &Member<'_>,
    what: &str,
    expected: &BTreeMap<i64, usize>,
) {
    wait_for(stack, Service::ListenBrainz, member, what, expected);
}

/// Waits until `service` holds exactly `expected`, nudging the relay as above; fails at
/// once if anything arrives twice.
fn wait_for(
    stack: &Stack,
    service: Service,
    member: &Member<'_>,
    what: &str,
    expected: &BTreeMap<i64, usize>,
) {
    let mut nudged = Instant::now();
    let mut nudges = 0;
    stack.wait_until(ARCHIVE, what, || {
        let held = received(stack, service);
        if &held == expected {
            return Ok(());
        }
        let twice = held
            .iter()
            .any(|(second, count)| *count > expected.get(second).copied().unwrap_or(0));
        if twice {
            stack.fail(&format!(
                "a listen arrived twice: {held:?}, expected {expected:?}"
            ));
        }
        if nudged.elapsed() > Duration::from_secs(3) {
            nudges += 1;
            stack.enqueue_job(&job(member, &format!("nudge-{}-{nudges}", now_ms())));
            nudged = Instant::now();
        }
        Err(held)
    });
}

#[test]
fn every_play_reaches_listenbrainz_once_through_a_redelivery_an_outage_and_a_revoked_token() {
    let stack = Stack::start();
    let ada = join_archived(&stack, 5);

    // Connected by the dashboard's form; the token is checked with ListenBrainz first.
    stack.sim_post(
        "/admin/listenbrainz/users",
        json!({ "user_name": LB_USER, "token": FIRST_TOKEN }),
    );
    let refused = ada
        .browser
        .post("/api/forwarding/listenbrainz", "token=not-a-known-token");
    assert_eq!(refused.status, 400, "{}", refused.body);
    let connected = ada.browser.post(
        "/api/forwarding/listenbrainz",
        &format!("token={FIRST_TOKEN}"),
    );
    assert_eq!(connected.status, 303, "{}", connected.body);
    assert_eq!(destination(&ada)["account"], LB_USER);

    // Plays archived from now on go, each once; the five before do not.
    let mut sent = stack.inject("ada", 20, 20_000);
    stack.archive_now(&ada.user_id);
    wait_for_listens(&stack, &ada, "the first plays arrive", &once_each(&sent));

    // The same archive job delivered twice: its plays are archived, and sent, once.
    let more = stack.inject("ada", 10, 20_000);
    sent.extend(more);
    let twice = job(&ada, "redelivered");
    stack.enqueue_job(&twice);
    stack.enqueue_job(&twice);
    wait_for_listens(
        &stack,
        &ada,
        "a redelivered job's plays arrive once",
        &once_each(&sent),
    );

    // ListenBrainz fails for a while: the plays wait, the dashboard says why, and they
    // arrive once it answers again.
    stack.sim_post(
        &format!("/admin/listenbrainz/users/{LB_USER}/responses"),
        json!({ "responses": [{ "status": 503 }, { "status": 429, "reset_in": 2 }, { "status": 503 }] }),
    );
    let during = stack.inject("ada", 10, 20_000);
    sent.extend(during);
    stack.archive_now(&ada.user_id);
    stack.wait_until(ARCHIVE, "the failure shows", || {
        let state = destination(&ada);
        if state["failures"].as_i64().unwrap_or(0) >= 1 {
            Ok(())
        } else {
            Err(state)
        }
    });
    let page = ada.browser.get("/");
    assert!(
        page.body.contains("retrying"),
        "the dashboard tells the failure"
    );
    wait_for_listens(
        &stack,
        &ada,
        "the plays arrive after the outage",
        &once_each(&sent),
    );
    assert_eq!(destination(&ada)["failures"], 0);

    // The token is revoked at ListenBrainz: forwarding stops and says so, on the dashboard
    // and to her notification channel; the plays archived meanwhile wait for a new token
    // and then arrive, once.
    let channel = ada.browser.post(
        "/api/notifications/channels",
        &format!("kind=webhook&url={}", stack.sink_url(ALERTS)),
    );
    assert!(
        matches!(channel.status, 201 | 303),
        "{} {}",
        channel.status,
        channel.body
    );
    stack.sim_post(
        &format!("/admin/listenbrainz/users/{LB_USER}/revoke"),
        json!({}),
    );
    let meanwhile = stack.inject("ada", 5, 20_000);
    stack.archive_now(&ada.user_id);
    stack.wait_until(ARCHIVE, "the revocation shows", || {
        let state = destination(&ada);
        if state["revoked_at"].is_i64() {
            Ok(())
        } else {
            Err(state)
        }
    });
    let page = ada.browser.get("/");
    assert!(
        page.body.contains("data-revoked=\"1\""),
        "the dashboard tells the revocation"
    );
    let alert = stack.wait_until(ARCHIVE, "the channel hears forwarding stopped", || {
        let told: Vec<Value> = stack
            .sink(ALERTS)
            .into_iter()
            .filter(|delivery| delivery["json"]["type"] == "forwarding_stopped")
            .collect();
        match &told[..] {
            [alert] => Ok(alert["json"].clone()),
            _ => Err(told),
        }
    });
    assert_eq!(
        (&alert["data"]["service"], &alert["data"]["account"]),
        (&json!("listenbrainz"), &json!(LB_USER)),
        "{alert}"
    );
    assert!(
        !alert.to_string().contains(FIRST_TOKEN),
        "the alert never carries the token: {alert}"
    );
    assert_eq!(
        listens(&stack),
        once_each(&sent),
        "nothing sent with a revoked token"
    );
    sent.extend(meanwhile);
    stack.sim_post(
        "/admin/listenbrainz/users",
        json!({ "user_name": LB_USER, "token": SECOND_TOKEN }),
    );
    let again = ada.browser.post(
        "/api/forwarding/listenbrainz",
        &format!("token={SECOND_TOKEN}"),
    );
    assert_eq!(again.status, 303, "{}", again.body);
    wait_for_listens(
        &stack,
        &ada,
        "the waiting plays arrive with the new token",
        &once_each(&sent),
    );
    let state = destination(&ada);
    assert_eq!(
        (state["sent"].as_u64(), state["pending"].as_u64()),
        (Some(45), Some(0))
    );
    assert!(
        stack.worker_errors().is_empty(),
        "{:?}",
        stack.worker_errors()
    );
}

#[test]
fn every_play_reaches_lastfm_once_through_its_approval_an_outage_and_a_revoked_session() {
    let stack = Stack::start();
    let ada = join_archived(&stack, 3);
    stack.sim_post("/admin/lastfm/users", json!({ "name": LASTFM_USER }));
    connect_lastfm(&stack, &ada);
    assert_eq!(destination(&ada)["account"], LASTFM_USER);

    let mut sent = stack.inject("ada", 15, 20_000);
    stack.archive_now(&ada.user_id);
    wait_for(
        &stack,
        Service::LastFm,
        &ada,
        "the first scrobbles arrive",
        &once_each(&sent),
    );

    // Last.fm is down, then rate limits: the plays wait and arrive once it answers.
    stack.sim_post(
        &format!("/admin/lastfm/users/{LASTFM_USER}/responses"),
        json!({ "responses": [{ "error": 16 }, { "error": 29 }] }),
    );
    let during = stack.inject("ada", 5, 20_000);
    sent.extend(during);
    stack.archive_now(&ada.user_id);
    wait_for(
        &stack,
        Service::LastFm,
        &ada,
        "the scrobbles arrive after the outage",
        &once_each(&sent),
    );

    // The user revokes us at Last.fm: forwarding stops; approved again, what waited goes.
    stack.sim_post(
        &format!("/admin/lastfm/users/{LASTFM_USER}/revoke"),
        json!({}),
    );
    let meanwhile = stack.inject("ada", 5, 20_000);
    stack.archive_now(&ada.user_id);
    stack.wait_until(ARCHIVE, "the revocation shows", || {
        let state = destination(&ada);
        if state["revoked_at"].is_i64() {
            Ok(())
        } else {
            Err(state)
        }
    });
    assert_eq!(received(&stack, Service::LastFm), once_each(&sent));
    sent.extend(meanwhile);
    connect_lastfm(&stack, &ada);
    wait_for(
        &stack,
        Service::LastFm,
        &ada,
        "the waiting scrobbles arrive",
        &once_each(&sent),
    );
    let state = destination(&ada);
    assert_eq!(
        (state["sent"].as_u64(), state["pending"].as_u64()),
        (Some(25), Some(0))
    );
    assert!(
        stack.worker_errors().is_empty(),
        "{:?}",
        stack.worker_errors()
    );
}
