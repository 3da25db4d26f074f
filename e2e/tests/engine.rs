//! The archival engine end to end: sweeps and manual archives, redelivered jobs, rate
//! limits, server errors, hanging responses, revoked and expired tokens, and the
//! 50-play window. Each test has its own stack.
//!
//! The simulated users here listen only when a test injects plays (plays_per_hour 0), so
//! the archive must equal the simulator's history exactly.

use std::time::{Duration, Instant};

use e2e::{assert_success, millis, now_ms, Browser, Play, Stack, ARCHIVE_DEADLINE};
use serde_json::{json, Value};

/// A connected user: logged in, backfilled, archive checked.
struct Connected<'s> {
    browser: Browser<'s>,
    sim_user: &'static str,
    user_id: String,
    status: Value,
}

/// Creates `sim_user` with `history` plays, logs them in and waits for the backfill.
fn connect<'s>(stack: &'s Stack, sim_user: &'static str, history: usize) -> Connected<'s> {
    stack.create_user(sim_user, 0.0, 0.0);
    stack.inject(sim_user, history, 60_000);
    let browser = stack.login(sim_user);
    let user_id = browser.user_id();
    let status = browser.wait_for_poll(&json!({}), ARCHIVE_DEADLINE);
    assert_success(&status);
    let archive = stack.assert_archive_is_truth(&browser, sim_user, &status);
    assert_eq!(archive.len(), history);
    Connected {
        browser,
        sim_user,
        user_id,
        status,
    }
}

/// The archive must be the simulator's whole history (every play was injected before
/// the poll that should have archived it).
#[track_caller]
fn assert_exact(stack: &Stack, user: &Connected<'_>, status: &Value) -> Vec<Play> {
    let truth = stack.truth(user.sim_user);
    let archive = stack.assert_archive_is(&user.browser, &truth, &truth);
    assert_eq!(status["plays_archived"], archive.len(), "{status}");
    archive
}

#[test]
fn successive_sweeps_and_manual_archives_archive_every_play_once() {
    let stack = Stack::start();
    let mut user = connect(&stack, "steady", 8);

    // (plays to inject, at most this far apart, how the archive is triggered). Two
    // sweeps of a user in one minute are one poll by design (see Stack::fire_cron), so the
    // harness starts the second sweep in a later minute than the first.
    let rounds: [(usize, i64, &str); 6] = [
        (5, 60_000, "cron"),
        (30, 5_000, "manual"),
        (1, 1_000, "manual"),
        (0, 0, "manual"),
        (49, 2_000, "sweep"),
        (12, 500, "manual"),
    ];
    for (round, (count, spacing, trigger)) in rounds.into_iter().enumerate() {
        if count > 0 {
            stack.inject(user.sim_user, count, spacing);
        }
        match trigger {
            "cron" => {
                stack.make_due(&user.user_id);
                stack.fire_cron();
            }
            "sweep" => {
                stack.make_due(&user.user_id);
                let summary = stack.sweep();
                assert_eq!(summary["users_due"], 1, "round {round}: {summary}");
                assert_eq!(summary["enqueued"], 1, "round {round}: {summary}");
            }
            _ => {
                stack.archive_now(&user.user_id);
            }
        }
        let status = user.browser.wait_for_poll(&user.status, ARCHIVE_DEADLINE);
        assert_success(&status);
        assert_exact(&stack, &user, &status);
        user.status = status;
    }
    assert_eq!(user.browser.gaps(), Vec::<Value>::new());
    // One recently-played call per archive: the backfill and six rounds.
    assert_eq!(stack.stats(user.sim_user).recently_played_calls, 7);
}

#[test]
fn a_job_delivered_twice_archives_once() {
    let stack = Stack::start();
    let user = connect(&stack, "twice", 3);
    stack.inject(user.sim_user, 4, 30_000);
    let calls_before = stack.stats(user.sim_user).recently_played_calls;

    let job = json!({
        "users": [{
            "user_id": user.user_id,
            "slot": format!("archive_{}_e2e_redelivered", user.user_id),
            "manual": true,
        }],
        "enqueued_at": now_ms(),
    });
    stack.enqueue_job(&job);
    let status = user.browser.wait_for_poll(&user.status, ARCHIVE_DEADLINE);
    assert_success(&status);
    assert_exact(&stack, &user, &status);
    assert_eq!(
        stack.stats(user.sim_user).recently_played_calls,
        calls_before + 1
    );

    // Plays the redelivery must not fetch: it is recognised by its slot and skipped.
    let late = stack.inject(user.sim_user, 2, 1_000);
    let skipped_before = count(&stack.archive_outcomes(&user.user_id), "already_archived");
    stack.enqueue_job(&job);
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the consumer reports the second delivery as already archived",
        || {
            let outcomes = stack.archive_outcomes(&user.user_id);
            if count(&outcomes, "already_archived") > skipped_before {
                Ok(())
            } else {
                Err(outcomes)
            }
        },
    );
    assert_eq!(
        stack.stats(user.sim_user).recently_played_calls,
        calls_before + 1,
        "the redelivered job called Spotify again"
    );
    let unchanged = user.browser.status();
    assert_eq!(unchanged["last_polled_at"], status["last_polled_at"]);
    let truth_before_late: Vec<Play> = stack
        .truth(user.sim_user)
        .into_iter()
        .filter(|play| !late.contains(play))
        .collect();
    stack.assert_archive_is(&user.browser, &truth_before_late, &truth_before_late);

    // A new slot archives the rest, still without a duplicate.
    stack.archive_now(&user.user_id);
    let status = user.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
    assert_success(&status);
    assert_exact(&stack, &user, &status);

    // The same job sent twice at once lands in one queue batch, whose messages are
    // archived concurrently: the batch runs a slot once, so Spotify is called once.
    stack.inject(user.sim_user, 3, 1_000);
    let calls_before = stack.stats(user.sim_user).recently_played_calls;
    let handled =
        |outcomes: &[String]| count(outcomes, "archived") + count(outcomes, "already_archived");
    let handled_before = handled(&stack.archive_outcomes(&user.user_id));
    let job = json!({
        "users": [{
            "user_id": user.user_id,
            "slot": format!("archive_{}_e2e_sent_twice", user.user_id),
            "manual": true,
        }],
        "enqueued_at": now_ms(),
    });
    stack.enqueue_job(&job);
    stack.enqueue_job(&job);
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the consumer handles both copies of the job",
        || {
            let outcomes = stack.archive_outcomes(&user.user_id);
            if handled(&outcomes) >= handled_before + 2 {
                Ok(())
            } else {
                Err(outcomes)
            }
        },
    );
    let status = user.browser.status();
    assert_success(&status);
    assert_exact(&stack, &user, &status);
    let calls = stack.stats(user.sim_user).recently_played_calls - calls_before;
    eprintln!(
        "redelivery: two copies of one job sent at once made {calls} recently-played call(s)"
    );
    assert_eq!(calls, 1, "{calls} calls for one job sent twice");
}

fn count(outcomes: &[String], label: &str) -> usize {
    outcomes.iter().filter(|outcome| *outcome == label).count()
}

#[test]
fn a_rate_limit_is_waited_out_and_the_queue_retry_archives() {
    let stack = Stack::start();
    let user = connect(&stack, "limited", 3);
    stack.inject(user.sim_user, 4, 30_000);
    let calls_before = stack.stats(user.sim_user).recently_played_calls;
    stack.fault(
        user.sim_user,
        json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": 3, "times": 1 }),
    );
    stack.archive_now(&user.user_id);

    // The 429 is recorded as a rate limit, not as a failure of the user.
    let limited = user.browser.wait_for_poll(&user.status, ARCHIVE_DEADLINE);
    assert_eq!(limited["last_failure_type"], "RATE_LIMITED", "{limited}");
    assert_eq!(limited["consecutive_failures"], 0, "{limited}");
    let failed_at = millis(&limited, "last_failure_at");
    assert_eq!(millis(&limited, "last_polled_at"), failed_at, "{limited}");
    assert_eq!(
        millis(&limited, "cooldown_until") - failed_at,
        3_000,
        "the cooldown is Spotify's Retry-After: {limited}"
    );

    // The queue retries the message after the wait, and the plays arrive.
    let status = user.browser.wait_for_poll(&limited, ARCHIVE_DEADLINE);
    assert_success(&status);
    assert_exact(&stack, &user, &status);
    let waited = millis(&status, "last_success_at") - failed_at;
    eprintln!("rate limit: the queue retry archived {waited} ms after the 429");
    assert!(
        waited >= 3_000,
        "the retry came {waited} ms after the 429, before Retry-After (3 s)"
    );
    assert_eq!(
        stack.stats(user.sim_user).recently_played_calls,
        calls_before + 2
    );
}

#[test]
fn a_redelivered_message_polls_only_the_users_whose_breaker_is_closed() {
    let stack = Stack::start();
    let failing = connect(&stack, "failing", 2);
    let limited = connect(&stack, "resting", 2);
    let healthy = connect(&stack, "healthy", 2);
    for user in [&failing, &limited, &healthy] {
        stack.inject(user.sim_user, 2, 30_000);
    }
    stack.fault(
        failing.sim_user,
        json!({ "kind": "server_error", "status": 503, "endpoint": "recently_played", "times": 10 }),
    );
    stack.fault(
        limited.sim_user,
        json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": 2, "times": 1 }),
    );
    let calls = |user: &Connected<'_>| stack.stats(user.sim_user).recently_played_calls;
    let calls_before = [calls(&failing), calls(&limited), calls(&healthy)];

    // One scheduled message of the three: the rate limit makes the queue deliver it
    // again after Spotify's wait, with the failing user's breaker still open.
    let users: Vec<Value> = [&failing, &limited, &healthy]
        .iter()
        .map(|user| {
            json!({
                "user_id": user.user_id,
                "slot": format!("archive_{}_e2e_breaker", user.user_id),
                "manual": false,
            })
        })
        .collect();
    let job = json!({ "users": users, "enqueued_at": now_ms() });
    stack.enqueue_job(&job);
    let status = limited
        .browser
        .wait_for_poll(&limited.status, ARCHIVE_DEADLINE);
    assert_eq!(status["last_failure_type"], "RATE_LIMITED", "{status}");
    let status = limited.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
    assert_success(&status);
    assert_exact(&stack, &limited, &status);
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the redelivery reaches the failing user",
        || {
            let outcomes = stack.archive_outcomes(&failing.user_id);
            if outcomes.len() >= 3 {
                Ok(())
            } else {
                Err(outcomes)
            }
        },
    );

    assert_eq!(
        stack.archive_outcomes(&failing.user_id),
        ["archived", "failed", "cooling_down"],
        "the backfill, the first delivery, the redelivery"
    );
    assert_eq!(
        stack.archive_outcomes(&healthy.user_id),
        ["archived", "archived", "already_archived"]
    );
    let failed = failing.browser.status();
    assert_eq!(failed["consecutive_failures"], 1, "no escalation: {failed}");
    assert_eq!(
        millis(&failed, "cooldown_until") - millis(&failed, "last_failure_at"),
        10 * 60_000,
        "the first NETWORK cooldown, not the second: {failed}"
    );
    assert_eq!(
        [calls(&failing), calls(&limited), calls(&healthy)],
        [
            calls_before[0] + 1,
            calls_before[1] + 2,
            calls_before[2] + 1
        ],
        "only the rate-limited user is polled again"
    );
    let healthy_status = healthy.browser.status();
    assert_exact(&stack, &healthy, &healthy_status);
}

#[test]
fn server_errors_open_the_breaker_and_a_success_closes_it() {
    let stack = Stack::start();
    let user = connect(&stack, "unlucky", 3);
    stack.fault(
        user.sim_user,
        json!({ "kind": "server_error", "status": 503, "endpoint": "recently_played" }),
    );

    let mut status = user.status.clone();
    for (failures, cooldown_minutes) in [(1, 10), (2, 20)] {
        stack.archive_now(&user.user_id);
        status = user.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
        assert_eq!(status["last_failure_type"], "NETWORK", "{status}");
        assert_eq!(status["consecutive_failures"], failures, "{status}");
        let failed_at = millis(&status, "last_failure_at");
        let cooldown_until = millis(&status, "cooldown_until");
        assert_eq!(
            cooldown_until - failed_at,
            cooldown_minutes * 60_000,
            "{status}"
        );
        let ahead = cooldown_until - now_ms();
        assert!(
            (cooldown_minutes * 60_000 - 60_000..=cooldown_minutes * 60_000).contains(&ahead),
            "cooldown_until is {ahead} ms ahead, not ~{cooldown_minutes} min: {status}"
        );
        if failures == 1 {
            // While the breaker is open the sweep leaves the user alone, due or not.
            stack.make_due(&user.user_id);
            let summary = stack.sweep();
            assert_eq!(summary["users_due"], 0, "{summary}");
            assert_eq!(summary["skipped_cooldown"], 1, "{summary}");
        }
    }

    stack.clear_faults(user.sim_user);
    stack.inject(user.sim_user, 3, 20_000);
    stack.archive_now(&user.user_id);
    let status = user.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
    assert_success(&status);
    assert_exact(&stack, &user, &status);
    assert_eq!(user.browser.gaps(), Vec::<Value>::new());
}

#[test]
fn a_hanging_response_times_out_as_a_network_failure() {
    let stack = Stack::start();
    let user = connect(&stack, "stalled", 3);
    stack.inject(user.sim_user, 2, 10_000);
    stack.fault(
        user.sim_user,
        json!({ "kind": "hang", "hang_secs": 20, "endpoint": "recently_played", "times": 1 }),
    );
    let started = Instant::now();
    stack.archive_now(&user.user_id);
    let status = user
        .browser
        .wait_for_poll(&user.status, ARCHIVE_DEADLINE + Duration::from_secs(20));
    let elapsed = started.elapsed();
    assert_eq!(status["last_failure_type"], "NETWORK", "{status}");
    assert_eq!(status["consecutive_failures"], 1, "{status}");
    assert!(
        elapsed >= Duration::from_secs(9),
        "the failure came after {elapsed:?}, before the 10 s fetch timeout"
    );
    eprintln!("hang: the failure was recorded {elapsed:?} after the archive was queued");

    stack.archive_now(&user.user_id);
    let status = user.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
    assert_success(&status);
    assert_exact(&stack, &user, &status);
}

#[test]
fn a_revoked_refresh_token_stops_polling_until_the_user_logs_in_again() {
    let stack = Stack::start();
    let user = connect(&stack, "revoked", 5);
    let before = stack.stats(user.sim_user);
    stack.fault(user.sim_user, json!({ "kind": "revoke_refresh_token" }));
    stack.fault(user.sim_user, json!({ "kind": "expire_access_token" }));
    stack.archive_now(&user.user_id);

    let status = user.browser.wait_for_poll(&user.status, ARCHIVE_DEADLINE);
    assert_eq!(status["needs_reauth"], 1, "{status}");
    assert_eq!(status["is_active"], 0, "{status}");
    assert_eq!(status["last_failure_type"], "AUTH", "{status}");
    let after = stack.stats(user.sim_user);
    assert_eq!(after.token_calls, before.token_calls + 1, "one refresh");

    // The sweep does not send them, even when due.
    stack.make_due(&user.user_id);
    let summary = stack.sweep();
    assert_eq!(summary["users_due"], 0, "{summary}");
    assert_eq!(summary["enqueued"], 0, "{summary}");
    // A manual archive is skipped without a call to Spotify.
    let skipped_before = count(&stack.archive_outcomes(&user.user_id), "skipped");
    stack.archive_now(&user.user_id);
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the consumer skips the user who needs to log in again",
        || {
            let outcomes = stack.archive_outcomes(&user.user_id);
            if count(&outcomes, "skipped") > skipped_before {
                Ok(())
            } else {
                Err(outcomes)
            }
        },
    );
    assert_eq!(stack.stats(user.sim_user), after, "no call while inactive");

    // Logging in again (the fault still stands: the new authorization works) brings
    // them back, with their history.
    stack.inject(user.sim_user, 3, 30_000);
    user.browser.login(user.sim_user);
    let back = user.browser.status();
    assert_eq!(back["needs_reauth"], 0, "{back}");
    assert_eq!(back["is_active"], 1, "{back}");
    // A login queues its backfill at most once in 5 minutes (the first one was moments
    // ago); the user is due at once, so the next sweep archives them.
    let summary = stack.sweep();
    assert_eq!(summary["enqueued"], 1, "{summary}");
    let status = user.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
    assert_success(&status);
    let archive = assert_exact(&stack, &user, &status);
    assert_eq!(archive.len(), 5 + 3, "the old history is kept");
}

#[test]
fn an_expired_access_token_costs_exactly_one_refresh() {
    let stack = Stack::start();
    let user = connect(&stack, "expired", 3);
    let before = stack.stats(user.sim_user);
    let expired = stack.fault(user.sim_user, json!({ "kind": "expire_access_token" }));
    assert!(
        expired["expired_tokens"].as_u64().unwrap_or(0) >= 1,
        "{expired}"
    );
    stack.inject(user.sim_user, 3, 30_000);
    stack.archive_now(&user.user_id);

    let status = user.browser.wait_for_poll(&user.status, ARCHIVE_DEADLINE);
    assert_success(&status);
    assert!(status["last_failure_type"].is_null(), "{status}");
    assert_exact(&stack, &user, &status);
    let after = stack.stats(user.sim_user);
    assert_eq!(
        after.token_calls,
        before.token_calls + 1,
        "exactly one refresh"
    );
    assert_eq!(
        after.recently_played_calls,
        before.recently_played_calls + 2,
        "the 401, then the retry with the new token"
    );
}

#[test]
fn a_burst_beyond_the_window_is_recorded_as_one_gap() {
    let stack = Stack::start();
    let user = connect(&stack, "bursty", 5);
    let previous_newest = millis(&user.status, "last_play_at");
    let burst = stack.inject(user.sim_user, 60, 10_000);
    stack.archive_now(&user.user_id);

    let status = user.browser.wait_for_poll(&user.status, ARCHIVE_DEADLINE);
    assert_success(&status);
    let truth = stack.truth(user.sim_user);
    assert_eq!(truth.len(), 65);
    // Spotify showed the newest 50; the 10 oldest of the burst are out of reach.
    let oldest_on_page = truth[truth.len() - 50].played_at;
    let mut unreachable: Vec<Play> = burst.clone();
    unreachable.sort();
    unreachable.truncate(10);
    let expected: Vec<Play> = truth
        .iter()
        .filter(|play| !unreachable.contains(play))
        .cloned()
        .collect();
    stack.assert_archive_is(&user.browser, &expected, &expected);

    let gaps = user.browser.gaps();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0]["gap_from"], previous_newest, "{gaps:?}");
    assert_eq!(gaps[0]["gap_to"], oldest_on_page, "{gaps:?}");
    assert_eq!(gaps[0]["reason"], "window_overflow", "{gaps:?}");
    assert!(gaps[0]["filled_at"].is_null(), "{gaps:?}");
}
