//! The whole path once: the Worker is healthy, a listener connects through the login
//! flow, the backfill archives exactly what they played, and the cron sweep keeps the
//! archive equal to the simulator's history.

use e2e::{Stack, ARCHIVE_DEADLINE};
use serde_json::json;

#[test]
fn a_listener_is_archived_exactly_from_login_through_the_cron_sweep() {
    let stack = Stack::start();

    // Health: every binding answers and the configuration is complete.
    let health = stack.browser().get("/api/health");
    assert_eq!(health.status, 200, "health: {}", health.body);
    let health = health.json();
    assert_eq!(health["ok"], true, "{health}");
    assert_eq!(health["bindings"]["database"], "ok", "{health}");
    assert_eq!(health["bindings"]["idempotency_kv"], "ok", "{health}");
    assert!(
        health["bindings"].get("archive_queue").is_none(),
        "the queue is not probed, so health claims nothing of it: {health}"
    );
    assert_eq!(
        health["not_probed"],
        json!(["archive_queue", "notify_queue"]),
        "{health}"
    );
    assert!(health["spotify"]["app_resting_until"].is_null(), "{health}");
    for setting in ["spotify_client", "token_encryption_key", "cron_secret"] {
        assert_eq!(health["configured"][setting], true, "{setting}: {health}");
    }
    assert_eq!(health["spotify"]["api_url"], stack.sim_url.as_str());
    assert!(health["last_sweep"].is_null(), "{health}");

    // A listener with three hours of their own listening, fewer plays than Spotify's
    // window of 50, so the backfill can and must get every one.
    let sim_user = "listener";
    let created = stack.create_user(sim_user, 12.0, 3.0);
    let account_id = created["account_id"]
        .as_str()
        .expect("account_id")
        .to_owned();
    let history = stack.truth(sim_user);
    assert!(
        (5..50).contains(&history.len()),
        "the premise: a history of 5 to 49 plays, got {}",
        history.len()
    );

    // The login flow; the user is filed under their account id and backfilled.
    let browser = stack.login(sim_user);
    assert_eq!(browser.user_id(), account_id);
    let status = browser.wait_for_poll(&json!({}), ARCHIVE_DEADLINE);
    assert!(status["last_failure_type"].is_null(), "{status}");
    assert_eq!(status["consecutive_failures"], 0, "{status}");
    assert_eq!(status["is_active"], 1, "{status}");
    let archive = stack.assert_archive_is_truth(&browser, sim_user, &status);
    assert!(archive.len() >= history.len());
    assert_eq!(status["plays_archived"], archive.len(), "{status}");
    assert_eq!(stack.stats(sim_user).recently_played_calls, 1);

    // New listening; the user's interval has passed; the cron sweeps.
    let injected = stack.inject(sim_user, 7, 45_000);
    stack.make_due(&account_id);
    stack.fire_cron();
    let status = browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
    assert!(status["last_failure_type"].is_null(), "{status}");
    let archive = stack.assert_archive_is_truth(&browser, sim_user, &status);
    for play in &injected {
        assert!(
            archive.contains(play),
            "the injected play {play:?} is not archived"
        );
    }
    assert_eq!(status["plays_archived"], archive.len(), "{status}");
    assert!(browser.gaps().is_empty(), "gaps: {:?}", browser.gaps());
    assert_eq!(stack.stats(sim_user).recently_played_calls, 2);

    // The sweep is on record.
    let health = stack.browser().get("/api/health").json();
    assert_eq!(health["last_sweep"]["enqueued"], 1, "{health}");
    assert!(health["last_sweep"]["error"].is_null(), "{health}");
}
