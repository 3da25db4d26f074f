//! The fault campaign: the Worker in wrangler's local runtime against a Spotify simulator
//! that fails on purpose, with many users per stack. Each scenario has its own stack;
//! after each: the archive equals the simulator's truth (or the gap is recorded), no play
//! is twice, no user is stuck for good, and no message is gone without a trace.
//!
//! Time cannot be fast-forwarded in the runtime, so where hours would pass the tests
//! either check what was recorded (cooldowns, queue delays) and then force the next step
//! (manual archives, which ignore cooldowns), or move the users' clocks in D1
//! ("time passes": due times and cooldowns set into the past), which is what the sweep
//! reads. Faults on D1 itself are injected with SQLite triggers (`RAISE(ABORT)`) through
//! `wrangler d1 execute`: the local D1 is SQLite, and a trigger makes exactly the
//! statements it names fail, inside the Worker's own batch.
//!
//! Set `E2E_LONG=1` to also wait out five queue retries of a D1 failure (about six
//! minutes) until the message lands in the dead-letter queue.

use std::time::{Duration, Instant};

use e2e::{assert_success, millis, now_ms, sql_text, Member, Play, Stack, ARCHIVE_DEADLINE};
use serde_json::{json, Value};

/// The longest cooldown the Worker may ever set (Spotify's `Retry-After`, capped).
const LONGEST_COOLDOWN_MS: i64 = 7 * 24 * 3_600_000;
/// The queue's longest retry delay (12 hours).
const QUEUE_MAX_DELAY_SECONDS: i64 = 43_200;

/// Creates `count` listeners (`{prefix}-NN`) who play only what the test injects, each
/// with `history` plays, logs each one in over HTTP and waits for every backfill.
fn fleet<'s>(stack: &'s Stack, prefix: &str, count: usize, history: usize) -> Vec<Member<'s>> {
    let started = Instant::now();
    let members: Vec<Member<'s>> = (0..count)
        .map(|n| stack.join(&format!("{prefix}-{n:02}"), history))
        .collect();
    eprintln!(
        "faults: {count} users created and logged in over HTTP in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let statuses = wait_all_polled(stack, &members, &vec![json!({}); count], ARCHIVE_DEADLINE);
    for (member, status) in members.iter().zip(&statuses) {
        assert_success(status);
        let archive = stack.assert_archive_is_truth(&member.browser, &member.sim_user, status);
        assert_eq!(archive.len(), history, "{}", member.sim_user);
    }
    members
}

fn statuses(members: &[Member<'_>]) -> Vec<Value> {
    members
        .iter()
        .map(|member| member.browser.status())
        .collect()
}

/// Waits until every member's `last_polled_at` differs from `previous` (an archive ran,
/// well or not) and returns their statuses.
#[track_caller]
fn wait_all_polled(
    stack: &Stack,
    members: &[Member<'_>],
    previous: &[Value],
    timeout: Duration,
) -> Vec<Value> {
    wait_some_polled(
        stack,
        members,
        previous,
        &vec![true; members.len()],
        timeout,
    )
}

/// Like [`wait_all_polled`], for the members marked in `which` (the others' statuses are
/// returned as they are).
#[track_caller]
fn wait_some_polled(
    stack: &Stack,
    members: &[Member<'_>],
    previous: &[Value],
    which: &[bool],
    timeout: Duration,
) -> Vec<Value> {
    stack.wait_until(timeout, "every user is polled again", || {
        let now: Vec<Value> = statuses(members);
        let pending: Vec<&str> = members
            .iter()
            .zip(&now)
            .zip(previous)
            .zip(which)
            .filter(|(((_, status), before), wanted)| {
                **wanted
                    && (status["last_polled_at"].is_null()
                        || status["last_polled_at"] == before["last_polled_at"])
            })
            .map(|(((member, _), _), _)| member.sim_user.as_str())
            .collect();
        if pending.is_empty() {
            Ok(now)
        } else {
            Err(pending.join(", "))
        }
    })
}

/// The archive is the simulator's whole history, once each (every play was injected
/// before the archive that had to take it).
#[track_caller]
fn assert_exact(stack: &Stack, member: &Member<'_>) -> Vec<Play> {
    let truth = stack.truth(&member.sim_user);
    stack.assert_archive_is(&member.browser, &truth, &truth)
}

/// Every user is archived (active, no login needed) or resting in a cooldown that ends;
/// `needs_login` lists the ids that must log in again, by design.
#[track_caller]
fn assert_nobody_stuck(stack: &Stack, needs_login: &[&str]) {
    let now = now_ms();
    for row in stack.d1(
        "SELECT id, is_active, needs_reauth, paused, cooldown_until, next_due_at FROM users ORDER BY id",
    ) {
        let id = row["id"].as_str().unwrap_or_default();
        if needs_login.contains(&id) {
            assert_eq!(row["needs_reauth"], 1, "{row}");
            continue;
        }
        assert_eq!(row["is_active"], 1, "{row}");
        assert_eq!(row["needs_reauth"], 0, "{row}");
        let horizon = now + LONGEST_COOLDOWN_MS + 60_000;
        if let Some(until) = row["cooldown_until"].as_i64() {
            assert!(until <= horizon, "a cooldown that never ends: {row}");
        }
        assert!(
            row["cooldown_until"].is_null() || row["cooldown_until"].is_i64(),
            "{row}"
        );
        assert!(
            row["next_due_at"].as_i64().is_some_and(|due| due <= horizon),
            "never due again: {row}"
        );
    }
}

/// `GET /api/admin/dead-letters`.
#[track_caller]
fn dead_letters(stack: &Stack) -> Vec<Value> {
    let reply = stack.admin_get("/api/admin/dead-letters");
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["dead_letters"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Everything is settled: no play twice, nothing in the dead-letter queue.
#[track_caller]
fn assert_clean_end(stack: &Stack, members: &[Member<'_>]) {
    for member in members {
        let plays = member.browser.plays();
        assert!(
            e2e::duplicates(&plays).is_empty(),
            "{}: duplicates",
            member.sim_user
        );
    }
    let letters = dead_letters(stack);
    assert!(letters.is_empty(), "dead letters: {letters:?}");
}

/// "Time passes": every due time and every cooldown lies in the past, as after hours of
/// waiting. The breaker's count of failures stays.
#[track_caller]
fn time_passes(stack: &Stack) {
    let rows = stack.d1("UPDATE users SET next_due_at = 0, \
                cooldown_until = CASE WHEN cooldown_until IS NULL THEN NULL ELSE 1 END; \
         SELECT count(*) AS n FROM users WHERE next_due_at > 0 OR cooldown_until > 1");
    assert_eq!(rows, vec![json!({ "n": 0 })]);
}

/// Sends the members 10 to a message, each with the slot `tag`, as an operator's forced
/// archive (`"manual": true`): it runs whatever the breaker says, as these campaigns need
/// after a round of failures. (A scheduled job waits out an open breaker; the sweep
/// rounds and `engine.rs` cover that.)
fn enqueue_all(stack: &Stack, members: &[&Member<'_>], tag: &str) {
    for chunk in members.chunks(10) {
        let users: Vec<Value> = chunk
            .iter()
            .map(|member| {
                json!({ "user_id": member.user_id, "slot": format!("archive_{}_e2e_{tag}", member.user_id), "manual": true })
            })
            .collect();
        stack.enqueue_job(&json!({ "users": users, "enqueued_at": now_ms() }));
    }
}

/// The Worker's lines of one event, info or error.
fn events(stack: &Stack, event: &str) -> Vec<Value> {
    stack
        .worker_events()
        .into_iter()
        .chain(stack.worker_errors())
        .filter(|line| line["event"] == event)
        .collect()
}

fn count(outcomes: &[String], label: &str) -> usize {
    outcomes.iter().filter(|outcome| *outcome == label).count()
}

fn calls(stack: &Stack, members: &[Member<'_>]) -> Vec<u64> {
    members
        .iter()
        .map(|member| stack.stats(&member.sim_user).recently_played_calls)
        .collect()
}

// ---------------------------------------------------------------------------------------

/// Spotify answers 429 with a `Retry-After` of almost 28 hours to everyone at once.
#[test]
fn a_rate_limit_of_hours_for_everyone_rests_every_user_and_loses_nothing() {
    let stack = Stack::start();
    let members = fleet(&stack, "limited", 12, 3);
    for member in &members {
        stack.inject(&member.sim_user, 2, 30_000);
    }
    let calls_before = calls(&stack, &members);
    // Longer than the queue's longest delay (12 h), shorter than the Worker's cap (7 d).
    const RETRY_AFTER: i64 = 100_000;
    stack.sim_post(
        "/admin/faults",
        json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": RETRY_AFTER }),
    );
    let before = statuses(&members);
    stack.d1("UPDATE users SET next_due_at = 0");
    let summary = stack.sweep();
    assert_eq!(summary["users_due"], 12, "{summary}");
    assert_eq!(summary["enqueued"], 12, "{summary}");
    assert_eq!(summary["messages"], 2, "{summary}");

    // Every user: RATE_LIMITED, resting exactly Retry-After, not counted as a failure.
    let limited = wait_all_polled(&stack, &members, &before, ARCHIVE_DEADLINE);
    for (status, was) in limited.iter().zip(&before) {
        assert_eq!(status["last_failure_type"], "RATE_LIMITED", "{status}");
        assert_eq!(status["consecutive_failures"], 0, "{status}");
        assert_eq!(status["is_active"], 1, "{status}");
        assert_eq!(
            millis(status, "cooldown_until") - millis(status, "last_failure_at"),
            RETRY_AFTER * 1_000,
            "{status}"
        );
        assert_eq!(
            status["last_success_at"], was["last_success_at"],
            "{status}"
        );
        assert_eq!(status["plays_archived"], 3, "{status}");
    }
    // Both messages go back to the queue, their delay capped at the queue's 12 hours.
    let retries = stack.wait_until(
        ARCHIVE_DEADLINE,
        "the consumer retries both messages",
        || {
            let retries: Vec<Value> = events(&stack, "message")
                .into_iter()
                .filter(|event| event["decision"] == "retry")
                .collect();
            if retries.len() >= 2 {
                Ok(retries)
            } else {
                Err(retries)
            }
        },
    );
    for retry in &retries {
        assert_eq!(retry["delay_seconds"], QUEUE_MAX_DELAY_SECONDS, "{retry}");
    }
    eprintln!("rate limit: messages retried with {:?}", retries);
    for member in &members {
        assert_eq!(
            stack
                .archive_outcomes(&member.user_id)
                .last()
                .map(String::as_str),
            Some("rate_limited")
        );
    }
    // One call each, no hammering.
    assert_eq!(
        calls(&stack, &members),
        calls_before.iter().map(|n| n + 1).collect::<Vec<_>>()
    );

    // Their interval passes, the cooldown does not: the sweep leaves them all alone.
    stack.d1("UPDATE users SET next_due_at = 0");
    let summary = stack.sweep();
    assert_eq!(summary["users_due"], 0, "{summary}");
    assert_eq!(summary["skipped_cooldown"], 12, "{summary}");
    assert_eq!(summary["enqueued"], 0, "{summary}");
    let health = stack.browser().get("/api/health").json();
    assert_eq!(health["ok"], true, "{health}");
    assert_eq!(health["last_sweep"]["users_due"], 0, "{health}");
    assert_eq!(
        calls(&stack, &members),
        calls_before.iter().map(|n| n + 1).collect::<Vec<_>>()
    );

    // They keep listening while limited; the fault clears; an operator does not wait
    // the 28 hours out and archives everyone now.
    for member in &members {
        stack.inject(&member.sim_user, 2, 20_000);
    }
    stack.sim_delete("/admin/faults");
    for member in &members {
        stack.archive_now(&member.user_id);
    }
    let done = wait_all_polled(&stack, &members, &limited, ARCHIVE_DEADLINE);
    for (member, status) in members.iter().zip(&done) {
        assert_success(status);
        let archive = assert_exact(&stack, member);
        assert_eq!(archive.len(), 3 + 2 + 2, "{}", member.sim_user);
        assert!(member.browser.gaps().is_empty(), "{}", member.sim_user);
    }

    // A Retry-After of millennia must not rest anyone for good.
    let first = &members[0];
    stack.fault(
        &first.sim_user,
        json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": 10_000_000_000_000_u64, "times": 1 }),
    );
    stack.archive_now(&first.user_id);
    let absurd = first.browser.wait_for_poll(&done[0], ARCHIVE_DEADLINE);
    assert_eq!(absurd["last_failure_type"], "RATE_LIMITED", "{absurd}");
    let rest = millis(&absurd, "cooldown_until") - millis(&absurd, "last_failure_at");
    eprintln!("rate limit: a Retry-After of 10^13 s rests the user {rest} ms");
    assert_eq!(rest, LONGEST_COOLDOWN_MS, "{absurd}");
    stack.archive_now(&first.user_id);
    let back = first.browser.wait_for_poll(&absurd, ARCHIVE_DEADLINE);
    assert_success(&back);

    assert_nobody_stuck(&stack, &[]);
    assert_clean_end(&stack, &members);
}

/// 30% of Spotify's answers fail at random, over twenty successive sweeps.
#[test]
fn thirty_percent_of_spotify_failing_over_twenty_sweeps_loses_nothing() {
    const ROUNDS: usize = 20;
    let stack = Stack::start();
    let members = fleet(&stack, "flaky", 15, 3);
    let all: Vec<&Member<'_>> = members.iter().collect();
    stack.sim_post(
        "/admin/faults",
        json!({ "kind": "server_error", "status": 503, "endpoint": "recently_played", "probability": 0.3 }),
    );
    let mut previous = statuses(&members);
    let (mut polls, mut failures) = (0, 0);
    for round in 1..=ROUNDS {
        // Some new listening: 0 to 3 plays each, ending within the last second or two,
        // so after the previous poll (a play placed before a poll that did not see it
        // is one Spotify could never have shown: its history grows only at its end).
        // The injection puts its newest play half a second in the past: first let the
        // last poll fall a second and a half behind.
        let last_poll = previous
            .iter()
            .filter_map(|status| status["last_polled_at"].as_i64())
            .max()
            .unwrap_or(0);
        let wait = last_poll + 1_500 - now_ms();
        if wait > 0 {
            std::thread::sleep(Duration::from_millis(wait as u64));
        }
        for (n, member) in members.iter().enumerate() {
            let plays = (n + round) % 4;
            if plays > 0 {
                stack.inject(&member.sim_user, plays, 200);
            }
        }
        // Every fifth round is the real sweep, after "time passes" (every due time and
        // cooldown ends); the others send what that sweep would (everyone), each round
        // under slots of its own (a real sweep of the same user in the same minute
        // would share its slot with the previous one, by design).
        if round % 5 == 0 {
            time_passes(&stack);
            let summary = stack.sweep();
            assert_eq!(summary["users_due"], 15, "round {round}: {summary}");
            assert_eq!(summary["skipped_cooldown"], 0, "round {round}: {summary}");
            assert_eq!(summary["enqueued"], 15, "round {round}: {summary}");
        } else {
            enqueue_all(&stack, &all, &format!("round_{round}"));
        }
        let now = wait_all_polled(&stack, &members, &previous, ARCHIVE_DEADLINE);
        for (member, status) in members.iter().zip(&now) {
            polls += 1;
            if status["last_success_at"] == status["last_polled_at"] {
                assert_success(status);
            } else {
                failures += 1;
                assert_eq!(status["last_failure_type"], "NETWORK", "{status}");
                assert!(
                    status["consecutive_failures"].as_i64() >= Some(1),
                    "{status}"
                );
                assert!(
                    millis(status, "cooldown_until") > millis(status, "last_failure_at"),
                    "{status}"
                );
            }
            // Whatever happened, the archive is true up to the last success.
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                stack.assert_archive_is_truth(&member.browser, &member.sim_user, status)
            }))
            .is_err()
            {
                let outcomes: Vec<Value> = stack
                    .worker_events()
                    .into_iter()
                    .chain(stack.worker_errors())
                    .filter(|event| event["user"] == member.user_id.as_str())
                    .collect();
                stack.fail(&format!(
                    "round {round}: {} is not archived up to its last success\nstatus {status}\nevents {outcomes:#?}\ntruth {:?}",
                    member.sim_user,
                    stack.truth(&member.sim_user)
                ));
            }
        }
        previous = now;
    }
    eprintln!(
        "flaky: {failures} of {polls} polls failed ({:.1}%) over {ROUNDS} rounds",
        100.0 * f64::from(failures) / f64::from(polls)
    );
    assert!(
        (30..=150).contains(&failures),
        "{failures} failures of {polls}: not the 30% asked for"
    );

    // The fault clears; one last archive; the archive is the whole truth.
    stack.sim_delete("/admin/faults");
    for member in &members {
        stack.archive_now(&member.user_id);
    }
    let done = wait_all_polled(&stack, &members, &previous, ARCHIVE_DEADLINE);
    for (member, status) in members.iter().zip(&done) {
        assert_success(status);
        assert_exact(&stack, member);
        // At most 3 plays a round: never past Spotify's window of 50, so no gap.
        assert!(member.browser.gaps().is_empty(), "{}", member.sim_user);
        // One call a round, failed or not: the backfill, 20 rounds, the last archive.
        assert_eq!(
            stack.stats(&member.sim_user).recently_played_calls,
            ROUNDS as u64 + 2,
            "{}",
            member.sim_user
        );
    }
    assert_nobody_stuck(&stack, &[]);
    assert_clean_end(&stack, &members);
}

/// Some users of one message have their refresh tokens revoked (and their access tokens
/// expired) just before it is consumed.
#[test]
fn tokens_revoked_in_the_middle_of_a_batch_stop_only_those_users() {
    let stack = Stack::start();
    let members = fleet(&stack, "revoked", 10, 3);
    let revoked = [1, 4, 8];
    for member in &members {
        stack.inject(&member.sim_user, 2, 30_000);
    }
    for &n in &revoked {
        stack.fault(
            &members[n].sim_user,
            json!({ "kind": "revoke_refresh_token" }),
        );
        stack.fault(
            &members[n].sim_user,
            json!({ "kind": "expire_access_token" }),
        );
    }
    let before = statuses(&members);
    let all: Vec<&Member<'_>> = members.iter().collect();
    enqueue_all(&stack, &all, "revoked_batch");
    let after = wait_all_polled(&stack, &members, &before, ARCHIVE_DEADLINE);
    for (n, (member, status)) in members.iter().zip(&after).enumerate() {
        if revoked.contains(&n) {
            assert_eq!(status["needs_reauth"], 1, "{status}");
            assert_eq!(status["is_active"], 0, "{status}");
            assert_eq!(status["last_failure_type"], "AUTH", "{status}");
            assert_eq!(status["connection"], "needs_reauth", "{status}");
            // What was archived stays.
            assert_eq!(member.browser.plays().len(), 3, "{}", member.sim_user);
            assert_eq!(
                stack
                    .archive_outcomes(&member.user_id)
                    .last()
                    .map(String::as_str),
                Some("needs_reauth")
            );
        } else {
            assert_success(status);
            assert_exact(&stack, member);
        }
    }
    let acked = events(&stack, "message")
        .iter()
        .filter(|event| event["decision"] == "ack" && event["users"] == 10)
        .count();
    assert_eq!(acked, 1, "the message of ten is acked once");

    // The sweep leaves them out; the others go on.
    stack.d1("UPDATE users SET next_due_at = 0");
    let summary = stack.sweep();
    assert_eq!(summary["users_due"], 7, "{summary}");
    assert_eq!(summary["skipped_cooldown"], 0, "{summary}");
    let active: Vec<bool> = (0..members.len()).map(|n| !revoked.contains(&n)).collect();
    let swept = wait_some_polled(&stack, &members, &after, &active, ARCHIVE_DEADLINE);

    // They log in again (the revocation stands; a new authorization works) and get
    // everything they played meanwhile.
    for &n in &revoked {
        stack.inject(&members[n].sim_user, 1, 10_000);
        members[n].browser.login(&members[n].sim_user);
    }
    // A login queues its backfill at most once in 5 minutes (their first logins were
    // moments ago); they are due at once, so the next sweep archives them.
    stack.d1("UPDATE users SET next_due_at = 0");
    stack.sweep();
    let which: Vec<bool> = (0..members.len()).map(|n| revoked.contains(&n)).collect();
    let back = wait_some_polled(&stack, &members, &swept, &which, ARCHIVE_DEADLINE);
    for &n in &revoked {
        assert_success(&back[n]);
        let archive = assert_exact(&stack, &members[n]);
        assert_eq!(archive.len(), 3 + 2 + 1);
    }
    assert_nobody_stuck(&stack, &[]);
    assert_clean_end(&stack, &members);
}

/// The consumer's invocation ends after Spotify was called and before the D1 write:
/// `wrangler dev` and its runtime are killed (SIGKILL) while the recently-played answers
/// are on their way (the simulator holds them 8 s, under the Worker's 10 s timeout),
/// then restarted on the same state.
#[test]
fn a_worker_killed_between_the_spotify_fetch_and_the_d1_write_loses_and_duplicates_nothing() {
    let stack = Stack::start();
    let members = fleet(&stack, "crash", 10, 3);
    for member in &members {
        stack.inject(&member.sim_user, 4, 20_000);
        stack.fault(
            &member.sim_user,
            json!({ "kind": "hang", "hang_secs": 8, "endpoint": "recently_played", "times": 1 }),
        );
    }
    let calls_before = calls(&stack, &members);
    let before = statuses(&members);
    stack.d1("UPDATE users SET next_due_at = 0");
    let summary = stack.sweep();
    assert_eq!(summary["enqueued"], 10, "{summary}");
    // Spotify has every request of the batch: the invocation is past its fetches.
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "every user's recently-played call reaches Spotify",
        || {
            let now = calls(&stack, &members);
            if now
                .iter()
                .zip(&calls_before)
                .all(|(now, before)| now > before)
            {
                Ok(())
            } else {
                Err(now)
            }
        },
    );
    stack.restart_worker();

    // Nothing was written, nothing half-written: no poll recorded, the old archive.
    for (member, (status, was)) in members.iter().zip(statuses(&members).iter().zip(&before)) {
        assert_eq!(status["last_polled_at"], was["last_polled_at"], "{status}");
        assert_eq!(member.browser.plays().len(), 3, "{}", member.sim_user);
    }

    // On Cloudflare the unacked message is delivered again; the local runtime may or may
    // not keep it across the kill. Give it the time of a batch, then recover as the
    // platform would in any case: the users' lease (10 min) ends and the sweep sends
    // them again.
    std::thread::sleep(Duration::from_secs(12));
    let redelivered = statuses(&members)
        .iter()
        .zip(&before)
        .filter(|(status, was)| status["last_polled_at"] != was["last_polled_at"])
        .count();
    eprintln!("crash: the local runtime redelivered the killed batch to {redelivered} of 10 users");
    let current = statuses(&members);
    time_passes(&stack);
    let summary = stack.sweep();
    assert_eq!(summary["enqueued"], 10, "{summary}");
    let done = wait_all_polled(&stack, &members, &current, ARCHIVE_DEADLINE);
    for (member, status) in members.iter().zip(&done) {
        assert_success(status);
        let archive = assert_exact(&stack, member);
        assert_eq!(archive.len(), 3 + 4, "{}", member.sim_user);
    }
    assert_nobody_stuck(&stack, &[]);
    assert_clean_end(&stack, &members);
}

/// A D1 write that fails. Triggers make the archive batch of some users fail after the
/// Spotify call (a constraint violation as D1 reports it: the batch rolls back whole),
/// then also the write of the failure itself; the failure is recorded, or the message
/// retried; nothing is lost. A job that keeps failing reaches the dead-letter queue,
/// shows in `GET /api/admin/dead-letters` and is replayed from there.
#[test]
fn a_failing_d1_write_is_recorded_or_retried_and_dead_lettered_without_losing_a_play() {
    let stack = Stack::start();
    let members = fleet(&stack, "d1fail", 10, 3);
    let broken = [0, 1, 2];
    let broken_ids: Vec<String> = broken
        .iter()
        .map(|&n| sql_text(&members[n].user_id))
        .collect();
    for member in &members {
        stack.inject(&member.sim_user, 3, 20_000);
    }
    let cursors = stack.d1(&format!(
        "CREATE TRIGGER e2e_plays_fail BEFORE INSERT ON play_events \
         WHEN NEW.user_key IN (SELECT key FROM users WHERE id IN ({})) \
         BEGIN SELECT RAISE(ABORT, 'e2e: injected D1 write failure'); END; \
         SELECT id, cursor_after FROM users ORDER BY id",
        broken_ids.join(", ")
    ));
    let before = statuses(&members);
    let all: Vec<&Member<'_>> = members.iter().collect();
    enqueue_all(&stack, &all, "d1_write_fails");
    let after = wait_all_polled(&stack, &members, &before, ARCHIVE_DEADLINE);
    for (n, (member, status)) in members.iter().zip(&after).enumerate() {
        if broken.contains(&n) {
            // Recorded as a failure of unknown kind, resting 20 minutes; the old archive
            // and cursor untouched (the batch is one transaction).
            assert_eq!(status["last_failure_type"], "UNKNOWN", "{status}");
            assert_eq!(status["consecutive_failures"], 1, "{status}");
            assert_eq!(
                millis(status, "cooldown_until") - millis(status, "last_failure_at"),
                20 * 60_000,
                "{status}"
            );
            assert_eq!(member.browser.plays().len(), 3, "{}", member.sim_user);
        } else {
            assert_success(status);
            assert_exact(&stack, member);
        }
    }
    let cursors_after = stack.d1("SELECT id, cursor_after FROM users ORDER BY id");
    for (was, now) in cursors.iter().zip(&cursors_after) {
        if broken_ids.contains(&sql_text(was["id"].as_str().unwrap_or_default())) {
            assert_eq!(was, now, "the cursor moved without its plays");
        }
    }

    // Now the failure cannot be recorded either: the message is retried in a minute.
    let first = &members[broken[0]];
    stack.d1(&format!(
        "CREATE TRIGGER e2e_users_fail BEFORE UPDATE ON users WHEN OLD.id = {} \
         BEGIN SELECT RAISE(ABORT, 'e2e: injected D1 write failure'); END",
        broken_ids[0]
    ));
    let unrecorded_before = count(&stack.archive_outcomes(&first.user_id), "unrecorded");
    enqueue_all(&stack, &[first], "unrecorded");
    let retry = stack.wait_until(
        ARCHIVE_DEADLINE,
        "the consumer cannot record the failure and retries the message",
        || {
            let outcomes = stack.archive_outcomes(&first.user_id);
            let retries: Vec<Value> = events(&stack, "message")
                .into_iter()
                .filter(|event| event["decision"] == "retry" && event["users"] == 1)
                .collect();
            match retries.last() {
                Some(retry) if count(&outcomes, "unrecorded") > unrecorded_before => {
                    Ok(retry.clone())
                }
                _ => Err(outcomes),
            }
        },
    );
    assert_eq!(retry["delay_seconds"], 60, "{retry}");
    let unrecorded_at = Instant::now();
    // No trace in D1 (nothing could be written), but the log and the queue have it.
    assert_eq!(
        first.browser.status()["last_polled_at"],
        after[broken[0]]["last_polled_at"]
    );

    if std::env::var_os("E2E_LONG").is_some() {
        // Five retries a minute apart, then the dead-letter queue.
        let letter = stack.wait_until(
            Duration::from_secs(9 * 60),
            "the job that cannot be written reaches the dead letters",
            || match dead_letters(&stack).first() {
                Some(letter) => Ok(letter.clone()),
                None => Err(stack.archive_outcomes(&first.user_id)),
            },
        );
        eprintln!(
            "d1 failure: dead-lettered {:.0} s after the first failure: {letter}",
            unrecorded_at.elapsed().as_secs_f64()
        );
        let body: Value = serde_json::from_str(letter["body"].as_str().unwrap_or("null"))
            .expect("the dead letter's body is the job");
        assert_eq!(body["users"][0]["user_id"], first.user_id.as_str());
        stack.d1("DROP TRIGGER e2e_users_fail; DROP TRIGGER e2e_plays_fail");
        let status = first.browser.status();
        stack.enqueue_job(&body);
        let replayed = first.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
        assert_success(&replayed);
        assert_exact(&stack, first);
    } else {
        // The D1 outage ends before the retry: the retried message archives the user.
        stack.d1("DROP TRIGGER e2e_users_fail; DROP TRIGGER e2e_plays_fail");
        let retried = first
            .browser
            .wait_for_poll(&after[broken[0]], Duration::from_secs(120));
        eprintln!(
            "d1 failure: the retry archived {:.0} s after the unrecorded failure",
            unrecorded_at.elapsed().as_secs_f64()
        );
        assert_success(&retried);
        assert_exact(&stack, first);
    }
    for &n in &broken[1..] {
        stack.archive_now(&members[n].user_id);
        let status = members[n]
            .browser
            .wait_for_poll(&after[n], ARCHIVE_DEADLINE);
        assert_success(&status);
        assert_exact(&stack, &members[n]);
    }
    assert_nobody_stuck(&stack, &[]);
    if std::env::var_os("E2E_LONG").is_some() {
        return;
    }

    // The dead-letter path, quickly: a job whose user Spotify rate-limits on every
    // delivery (Retry-After: 1 s) is retried five times, then dead-lettered, kept in D1
    // for the operator, and replayed once Spotify answers again.
    let last = &members[9];
    stack.inject(&last.sim_user, 2, 10_000);
    stack.fault(
        &last.sim_user,
        json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": 1 }),
    );
    let calls_before = stack.stats(&last.sim_user).recently_played_calls;
    enqueue_all(&stack, &[last], "dead_letter");
    let letter = stack.wait_until(
        Duration::from_secs(120),
        "the job reaches the dead letters",
        || match dead_letters(&stack).first() {
            Some(letter) => Ok(letter.clone()),
            None => Err(stack.archive_outcomes(&last.user_id)),
        },
    );
    let deliveries = stack.stats(&last.sim_user).recently_played_calls - calls_before;
    eprintln!("dead letter after {deliveries} deliveries: {letter}");
    assert_eq!(deliveries, 6, "one delivery and five retries");
    // The consumer logs the letter after storing it, and wrangler relays the line later
    // still: wait for it rather than read the log at the moment the row appears.
    let events = stack.wait_until(
        Duration::from_secs(30),
        "the dead letter's log line",
        || match events(&stack, "dead_letter") {
            events if events.is_empty() => Err("no dead_letter line yet"),
            events => Ok(events),
        },
    );
    assert_eq!(events.len(), 1, "{events:?}");
    let body: Value = serde_json::from_str(letter["body"].as_str().unwrap_or("null"))
        .expect("the dead letter's body is the job");
    assert_eq!(body["users"][0]["user_id"], last.user_id.as_str());
    // The user is not stuck meanwhile: resting a second, due again.
    let status = last.browser.status();
    assert_eq!(status["last_failure_type"], "RATE_LIMITED", "{status}");
    assert_eq!(status["is_active"], 1, "{status}");
    stack.clear_faults(&last.sim_user);
    stack.enqueue_job(&body);
    let replayed = last.browser.wait_for_poll(&status, ARCHIVE_DEADLINE);
    assert_success(&replayed);
    assert_exact(&stack, last);
    assert_eq!(dead_letters(&stack).len(), 1, "the letter stays on record");
    assert_nobody_stuck(&stack, &[]);
}

/// A user deletes their account while their archive is in flight (Spotify holds the
/// answer 5 s): the archive that comes back must not bring any of it back.
#[test]
fn deleting_an_account_while_its_archive_is_in_flight_leaves_nothing_behind() {
    let stack = Stack::start();
    let members = fleet(&stack, "gone", 4, 3);
    for member in &members {
        stack.inject(&member.sim_user, 3, 20_000);
    }
    let leaving = &members[0];
    let id = sql_text(&leaving.user_id);
    // The plays are filed under the user's integer key: read it while the row is there.
    let key = stack.d1(&format!("SELECT key FROM users WHERE id = {id}"))[0]["key"]
        .as_i64()
        .expect("the leaving user's key");
    stack.fault(
        &leaving.sim_user,
        json!({ "kind": "hang", "hang_secs": 5, "endpoint": "recently_played", "times": 1 }),
    );
    let calls_before = stack.stats(&leaving.sim_user).recently_played_calls;
    let before = statuses(&members);
    let all: Vec<&Member<'_>> = members.iter().collect();
    enqueue_all(&stack, &all, "deleted_in_flight");
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the leaving user's archive reaches Spotify",
        || {
            let calls = stack.stats(&leaving.sim_user).recently_played_calls;
            if calls > calls_before {
                Ok(())
            } else {
                Err(calls)
            }
        },
    );
    let deleted = leaving.browser.post("/api/account/delete", "confirm=on");
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(
        leaving.browser.try_status().is_none(),
        "the session is gone"
    );
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the consumer finishes the leaving user's archive",
        || {
            let outcomes = stack.archive_outcomes(&leaving.user_id);
            if outcomes.len() >= 2 {
                Ok(())
            } else {
                Err(outcomes)
            }
        },
    );
    let outcomes = stack.archive_outcomes(&leaving.user_id);
    eprintln!("deleted in flight: the archive ended as {outcomes:?}");
    let left = stack.d1(&format!(
        "SELECT (SELECT count(*) FROM users WHERE id = {id}) AS users, \
                (SELECT count(*) FROM play_events WHERE user_key = {key}) AS plays, \
                (SELECT count(*) FROM data_gaps WHERE user_id = {id}) AS gaps, \
                (SELECT count(*) FROM sessions WHERE user_id = {id}) AS sessions"
    ));
    assert_eq!(
        left,
        vec![json!({ "users": 0, "plays": 0, "gaps": 0, "sessions": 0 })],
        "the deleted user's data came back"
    );
    let staying = &members[1..];
    let after = wait_all_polled(&stack, staying, &before[1..], ARCHIVE_DEADLINE);
    for (member, status) in staying.iter().zip(&after) {
        assert_success(status);
        assert_exact(&stack, member);
    }
    assert_nobody_stuck(&stack, &[]);
    assert_clean_end(&stack, &members[1..]);
}

/// The same batch delivered three times (POST /api/admin/jobs thrice with the same
/// slots): one Spotify call per user, no duplicate; a fourth delivery later is skipped.
#[test]
fn the_same_batch_delivered_three_times_calls_spotify_once_per_user() {
    let stack = Stack::start();
    let members = fleet(&stack, "thrice", 10, 3);
    for member in &members {
        stack.inject(&member.sim_user, 4, 20_000);
    }
    let calls_before = calls(&stack, &members);
    let handled =
        |outcomes: &[String]| count(outcomes, "archived") + count(outcomes, "already_archived");
    let handled_before: Vec<usize> = members
        .iter()
        .map(|member| handled(&stack.archive_outcomes(&member.user_id)))
        .collect();
    let all: Vec<&Member<'_>> = members.iter().collect();
    for _ in 0..3 {
        enqueue_all(&stack, &all, "thrice");
    }
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the consumer handles all three copies for every user",
        || {
            let pending: Vec<&str> = members
                .iter()
                .zip(&handled_before)
                .filter(|(member, before)| {
                    handled(&stack.archive_outcomes(&member.user_id)) < *before + 3
                })
                .map(|(member, _)| member.sim_user.as_str())
                .collect();
            if pending.is_empty() {
                Ok(())
            } else {
                Err(pending)
            }
        },
    );
    assert_eq!(
        calls(&stack, &members),
        calls_before.iter().map(|n| n + 1).collect::<Vec<_>>(),
        "one Spotify call per user for three deliveries"
    );
    let first = statuses(&members);
    for (member, status) in members.iter().zip(&first) {
        assert_success(status);
        let archive = assert_exact(&stack, member);
        assert_eq!(archive.len(), 3 + 4);
    }

    // Delivered once more, later: recognised by its slots, skipped without a call.
    for member in &members {
        stack.inject(&member.sim_user, 2, 10_000);
    }
    enqueue_all(&stack, &all, "thrice");
    stack.wait_until(
        ARCHIVE_DEADLINE,
        "the fourth copy is skipped for every user",
        || {
            let pending = members
                .iter()
                .zip(&handled_before)
                .filter(|(member, before)| {
                    handled(&stack.archive_outcomes(&member.user_id)) < *before + 4
                })
                .count();
            if pending == 0 {
                Ok(())
            } else {
                Err(pending)
            }
        },
    );
    assert_eq!(
        calls(&stack, &members),
        calls_before.iter().map(|n| n + 1).collect::<Vec<_>>()
    );
    for (member, status) in members.iter().zip(&first) {
        assert_eq!(
            member.browser.status()["last_polled_at"],
            status["last_polled_at"]
        );
        assert_eq!(member.browser.plays().len(), 3 + 4);
    }
    // A new slot takes the rest.
    enqueue_all(&stack, &all, "after_thrice");
    let done = wait_all_polled(&stack, &members, &first, ARCHIVE_DEADLINE);
    for (member, status) in members.iter().zip(&done) {
        assert_success(status);
        assert_eq!(assert_exact(&stack, member).len(), 3 + 4 + 2);
    }
    assert_nobody_stuck(&stack, &[]);
    assert_clean_end(&stack, &members);
}

/// A shard that fails its writes, as a full D1 database does: three shards, two users in
/// each; shard 2's `users` cannot be updated nor its plays inserted. The sweep claims and
/// archives shards 0 and 1 and records that shard 2's claim failed; once shard 2 takes
/// writes again, the next sweep archives its users with nothing lost.
#[test]
fn a_shard_that_fails_its_writes() {
    const FULL: usize = 2;
    let stack = Stack::start_with_shards(3);
    let members = fleet(&stack, "shardfull", 6, 2);
    let directory = stack.user_shards();
    let shard_of: Vec<usize> = members
        .iter()
        .map(|member| {
            *directory
                .get(&member.user_id)
                .unwrap_or_else(|| stack.fail(&format!("{} is not filed", member.user_id)))
        })
        .collect();
    assert_eq!(
        shard_of,
        [0, 1, 2, 0, 1, 2],
        "two users in each shard: {directory:?}"
    );
    let on_full: Vec<bool> = shard_of.iter().map(|shard| *shard == FULL).collect();

    // New listening for everyone, everyone due; then shard 2 is full.
    for member in &members {
        stack.inject(&member.sim_user, 3, 20_000);
    }
    for shard in 0..FULL {
        stack.d1_in(shard, "UPDATE users SET next_due_at = 0");
    }
    stack.d1_in(
        FULL,
        "UPDATE users SET next_due_at = 0; \
         CREATE TRIGGER e2e_full_users BEFORE UPDATE ON users \
         BEGIN SELECT RAISE(ABORT, 'shard full'); END; \
         CREATE TRIGGER e2e_full_plays BEFORE INSERT ON play_events \
         BEGIN SELECT RAISE(ABORT, 'shard full'); END",
    );
    let before = statuses(&members);
    let calls_before = calls(&stack, &members);
    let sweep = |stack: &Stack| {
        let reply = stack.in_a_new_sweep_minute(|| stack.admin("/api/admin/sweep", ""));
        assert!(
            [200, 503].contains(&reply.status),
            "admin sweep: {} {}",
            reply.status,
            reply.body
        );
        reply.json()
    };
    let summary = sweep(&stack);
    assert_eq!(
        summary["enqueued"], 4,
        "shards 0 and 1 are swept: {summary}"
    );
    let healthy: Vec<bool> = on_full.iter().map(|full| !full).collect();
    let after = wait_some_polled(&stack, &members, &before, &healthy, ARCHIVE_DEADLINE);
    for (n, member) in members.iter().enumerate() {
        if on_full[n] {
            assert_eq!(
                after[n]["last_polled_at"], before[n]["last_polled_at"],
                "{}",
                member.sim_user
            );
            assert_eq!(member.browser.plays().len(), 2, "{}", member.sim_user);
        } else {
            assert_success(&after[n]);
            assert_eq!(assert_exact(&stack, member).len(), 2 + 3);
        }
    }
    let calls_after = calls(&stack, &members);
    for (n, member) in members.iter().enumerate() {
        let expected = calls_before[n] + u64::from(!on_full[n]);
        assert_eq!(
            calls_after[n], expected,
            "{}'s Spotify calls",
            member.sim_user
        );
    }

    // The sweep is on record, shard by shard: shard 2's claim failed, the others' counts.
    let health = stack.browser().get("/api/health");
    let health = health.json();
    let parts = health["last_sweep"]["shards"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| stack.fail(&format!("no last_sweep.shards: {health}")));
    let part = |shard: usize| {
        parts
            .iter()
            .find(|part| part["shard"] == shard)
            .cloned()
            .unwrap_or_else(|| stack.fail(&format!("no shard {shard} in {health}")))
    };
    for shard in 0..FULL {
        let part = part(shard);
        assert_eq!(part["users_due"], 2, "{part}");
        assert_eq!(part["enqueued"], 2, "{part}");
        assert_eq!(part["messages"], 1, "{part}");
        assert!(part["error"].is_null(), "{part}");
    }
    let full = part(FULL);
    assert_eq!(full["enqueued"].as_u64().unwrap_or(0), 0, "{full}");
    // On record as the database's message, without the runtime's stack trace.
    assert!(
        full["error"]
            .as_str()
            .is_some_and(|error| error.contains("shard full") && !error.contains('\n')),
        "the failed claim is on record, in one line: {full}"
    );
    assert!(
        summary["error"]
            .as_str()
            .is_some_and(|error| error.contains("shard full") && !error.contains('\n')),
        "the sweep's answer names the failure in one line: {summary}"
    );
    eprintln!("shard full: the sweep recorded {full}");
    assert_eq!(health["last_sweep"]["enqueued"], 4, "{health}");

    // Shard 2 takes writes again. Its users were never claimed (no lease holds them): the
    // next sweep sends them, and only them. (Not in a new minute: none of them has had a
    // scheduled poll this hour, so no slot of theirs is taken.)
    stack.d1_in(
        FULL,
        "DROP TRIGGER e2e_full_users; DROP TRIGGER e2e_full_plays",
    );
    let reply = stack.admin("/api/admin/sweep", "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let summary = reply.json();
    assert_eq!(summary["enqueued"], 2, "shard 2's users: {summary}");
    let done = wait_some_polled(&stack, &members, &after, &on_full, ARCHIVE_DEADLINE);
    for (n, member) in members.iter().enumerate() {
        if on_full[n] {
            assert_success(&done[n]);
        } else {
            assert_eq!(done[n]["last_polled_at"], after[n]["last_polled_at"]);
        }
        assert_eq!(
            assert_exact(&stack, member).len(),
            2 + 3,
            "{}",
            member.sim_user
        );
    }
    let health = stack.browser().get("/api/health").json();
    assert!(
        health["last_sweep"]["shards"]
            .as_array()
            .is_some_and(|parts| parts.iter().all(|part| part["error"].is_null())),
        "{health}"
    );
    assert_clean_end(&stack, &members);
}
