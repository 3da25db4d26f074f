//! A load run through the local runtime: N simulated listeners, logged in over HTTP, all
//! due, swept and archived for several successive cycles.
//!
//! - CI (the default): 100 users × 3 cycles (`E2E_LOAD_USERS`, `E2E_LOAD_CYCLES` change
//!   it); a few minutes, most of it the wait for a new minute between sweeps (scheduled
//!   polls are keyed per UTC minute, see `Stack::sweep`).
//! - The long run, `E2E_LONG=1`: 1,000 users (unless `E2E_LOAD_USERS` says otherwise) ×
//!   10 cycles.
//!
//! Reported (printed): the time to log everyone in and to backfill them, and per cycle
//! the sweep's summary, the error rate (archive outcomes other than `archived` over all
//! outcomes, from the Worker's structured `archive` log lines), the percentiles of two
//! per-user times read from the same lines: `lag_ms`, from the sweep's making of the job
//! to the user's outcome (queue wait, batching and the archive itself: what a user
//! waits), and `batch_ms`, the consumer's time for the batch the user was in (its users
//! run concurrently, so this bounds each one's own archive time); and whatever reached
//! the dead-letter queue. Asserted: no error at all (the simulator has no faults here;
//! the tolerance is zero, so any failure is a finding), one Spotify call per user per
//! cycle, every user archived in every cycle, nothing in the dead letters, and at the
//! end every archive equal to the simulator's truth from its oldest play up to its last
//! success, without a duplicate (a listener with more than 50 plays before the login
//! had the older ones out of Spotify's reach: their backfill must have filled the
//! window of 50, and the count of such users is printed).
//!
//! Users are logged in through the real flow (no seeding): `/login`, the simulator's
//! consent, `/callback`, one after the other. While the queue drains, progress is read
//! from the Worker's log, not from D1 (see `wait_for_outcomes`).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use e2e::{now_ms, Stack};
use serde_json::{json, Value};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn count_where(stack: &Stack, condition: &str) -> i64 {
    stack.d1(&format!(
        "SELECT count(*) AS n FROM users WHERE {condition}"
    ))[0]["n"]
        .as_i64()
        .unwrap_or(-1)
}

/// Waits until the consumer has logged an outcome for `users` users since the event
/// `from`, reading the Worker's log every two seconds. (Not D1: `wrangler d1 execute`
/// opens the local database file beside the running Worker, and under this load it can
/// meet SQLITE_BUSY; it is asked once the queue is quiet.)
#[track_caller]
fn wait_for_outcomes(stack: &Stack, from: usize, users: usize, timeout: Duration, what: &str) {
    stack.wait_until(timeout, what, || {
        let (archives, _) = archive_events(stack, from);
        let users_done: BTreeSet<&str> = archives
            .iter()
            .filter_map(|event| event["user"].as_str())
            .collect();
        if users_done.len() >= users {
            Ok(())
        } else {
            std::thread::sleep(Duration::from_secs(2));
            Err(format!("{} of {users}", users_done.len()))
        }
    });
}

/// The `archive` log lines since `from` (an index into the Worker's events).
fn archive_events(stack: &Stack, from: usize) -> (Vec<Value>, usize) {
    let events = stack.worker_events();
    let total = events.len();
    let archives = events
        .into_iter()
        .skip(from)
        .filter(|event| event["event"] == "archive")
        .collect();
    (archives, total)
}

#[test]
fn many_users_are_swept_and_archived_cycle_after_cycle() {
    let long = std::env::var_os("E2E_LONG").is_some();
    let users = setting("E2E_LOAD_USERS", if long { 1_000 } else { 100 });
    let cycles = setting("E2E_LOAD_CYCLES", if long { 10 } else { 3 });
    let run = Instant::now();
    let stack = Stack::start();

    // Listeners with an hour of their own listening (about 30 plays: the backfill gets
    // all of it) who keep listening during the run.
    let started = Instant::now();
    let mut accounts: BTreeMap<String, String> = BTreeMap::new();
    for n in 0..users {
        let sim_user = format!("load-{n:04}");
        let created = stack.sim_post(
            "/admin/users",
            json!({ "id": sim_user, "display_name": format!("Load {n}"), "email": null,
                    "plays_per_hour": 30.0, "history_hours": 1.0, "seed": n }),
        );
        let account = created["account_id"]
            .as_str()
            .expect("account_id")
            .to_owned();
        accounts.insert(account, sim_user);
    }
    let created_in = started.elapsed();
    let started = Instant::now();
    for sim_user in accounts.values() {
        // The whole flow, as a browser does it: /login, Spotify's consent, /callback.
        stack.login(sim_user);
    }
    let logged_in = started.elapsed();
    eprintln!(
        "load: {users} simulated users created in {:.1} s; logged in over HTTP (login, consent, callback) in {:.1} s ({:.0} ms each)",
        created_in.as_secs_f64(),
        logged_in.as_secs_f64(),
        logged_in.as_millis() as f64 / users as f64
    );
    let started = Instant::now();
    wait_for_outcomes(
        &stack,
        0,
        users,
        Duration::from_secs(60 + users as u64 / 2),
        "every user is backfilled",
    );
    eprintln!(
        "load: every backfill done {:.1} s after the last login",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        count_where(&stack, "1"),
        users as i64,
        "every login made a user"
    );
    let first_success: BTreeMap<String, i64> = stack
        .d1("SELECT id, last_success_at FROM users")
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap_or_default().to_owned(),
                row["last_success_at"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        count_where(&stack, "last_success_at IS NOT NULL"),
        users as i64,
        "every backfill succeeded"
    );

    let mut events_seen = stack.worker_events().len();
    let mut all_errors = Vec::new();
    for cycle in 1..=cycles {
        // Their interval has passed: everyone is due.
        stack.d1("UPDATE users SET next_due_at = 0");
        // (`Stack::sweep` first waits for a new minute, not counted below.)
        let before_sweep = now_ms();
        let summary = stack.sweep();
        let started = Instant::now();
        assert_eq!(summary["users_due"], users, "cycle {cycle}: {summary}");
        assert_eq!(summary["enqueued"], users, "cycle {cycle}: {summary}");
        assert_eq!(
            summary["messages"],
            users.div_ceil(10),
            "cycle {cycle}: {summary}"
        );
        wait_for_outcomes(
            &stack,
            events_seen,
            users,
            Duration::from_secs(60 + users as u64 / 2),
            &format!("cycle {cycle}: every user is archived"),
        );
        let drained_in = started.elapsed();
        let (archives, total) = archive_events(&stack, events_seen);
        events_seen = total;
        let errors: Vec<&Value> = archives
            .iter()
            .filter(|event| event["outcome"] != "archived")
            .collect();
        let mut lag: Vec<i64> = archives
            .iter()
            .filter_map(|e| e["lag_ms"].as_i64())
            .collect();
        let mut batch: Vec<i64> = archives
            .iter()
            .filter_map(|e| e["batch_ms"].as_i64())
            .collect();
        lag.sort_unstable();
        batch.sort_unstable();
        let batches: BTreeSet<i64> = archives
            .iter()
            .filter_map(|e| e["batch_ms"].as_i64())
            .collect();
        eprintln!(
            "load: cycle {cycle}: sweep {} ms in the Worker, {} messages; all {users} archived (seen in the log) {:.1} s after the sweep answered; \
             {} outcomes, {} errors ({:.2}%); lag p50 {} ms p99 {} ms max {} ms; batch p50 {} ms p99 {} ms ({} distinct batch times)",
            summary["duration_ms"],
            summary["messages"],
            drained_in.as_secs_f64(),
            archives.len(),
            errors.len(),
            100.0 * errors.len() as f64 / archives.len().max(1) as f64,
            percentile(&lag, 50.0),
            percentile(&lag, 99.0),
            lag.last().copied().unwrap_or(0),
            percentile(&batch, 50.0),
            percentile(&batch, 99.0),
            batches.len(),
        );
        assert_eq!(archives.len(), users, "cycle {cycle}: one outcome per user");
        all_errors.extend(errors.into_iter().cloned());
        // The sweep's `now` is after `before_sweep`: every user succeeded since then.
        assert_eq!(
            count_where(&stack, &format!("last_success_at >= {before_sweep}")),
            users as i64,
            "cycle {cycle}: every user's archive succeeded"
        );
    }
    assert!(all_errors.is_empty(), "errors: {all_errors:#?}");

    let letters = stack.admin_get("/api/admin/dead-letters").json();
    let letters = letters["dead_letters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    eprintln!("load: {} dead letters", letters.len());
    assert!(letters.is_empty(), "dead letters: {letters:?}");

    // Every archive is the simulator's truth up to its last success, once each; one
    // Spotify call per user per poll.
    let started = Instant::now();
    let rows = stack.d1("SELECT u.id AS u, p.played_at AS t, \
                coalesce(tr.uri, 'spotify:track:' || CASE WHEN instr(tr.id, '~') > 0 \
                     THEN substr(tr.id, 1, instr(tr.id, '~') - 1) ELSE tr.id END) AS uri \
           FROM play_events p JOIN users u ON u.key = p.user_key \
           JOIN tracks tr ON tr.key = p.track_key ORDER BY u.id, p.played_at");
    let mut archived: BTreeMap<&str, Vec<(i64, &str)>> = BTreeMap::new();
    for row in &rows {
        archived
            .entry(row["u"].as_str().unwrap_or_default())
            .or_default()
            .push((
                row["t"].as_i64().unwrap_or(0),
                row["uri"].as_str().unwrap_or_default(),
            ));
    }
    let polls = stack.d1("SELECT id, last_success_at FROM users");
    let mut mismatches = Vec::new();
    let mut beyond_window = 0;
    for poll in &polls {
        let id = poll["id"].as_str().unwrap_or_default();
        let cutoff = poll["last_success_at"].as_i64().unwrap_or(0);
        let sim_user = &accounts[id];
        let truth: BTreeSet<(i64, String)> = stack
            .truth(sim_user)
            .into_iter()
            .map(|play| (play.played_at, play.track_uri))
            .collect();
        let mine: Vec<(i64, String)> = archived
            .get(id)
            .map(|plays| {
                plays
                    .iter()
                    .map(|(t, uri)| (*t, (*uri).to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let unique: BTreeSet<(i64, String)> = mine.iter().cloned().collect();
        // A listener with more than 50 plays before their login: Spotify shows the newest
        // 50, the older ones were out of reach before the archive began (an import
        // brings them in). The archive must hold everything from its oldest play on.
        let floor = mine.first().map_or(i64::MAX, |play| play.0);
        let before_login = truth.iter().filter(|play| play.0 < floor).count();
        if before_login > 0 {
            beyond_window += 1;
            // (49: a play may end between the backfill's start and its Spotify call.)
            let in_backfill = mine
                .iter()
                .filter(|play| play.0 <= first_success[id])
                .count();
            if !(49..=50).contains(&in_backfill) {
                mismatches.push(format!(
                    "{sim_user}: {before_login} plays before the archive's first, yet its backfill did not fill the window of 50"
                ));
            }
        }
        let missing = truth
            .iter()
            .filter(|play| play.0 >= floor && play.0 <= cutoff && !unique.contains(play))
            .count();
        let invented = unique.iter().filter(|play| !truth.contains(play)).count();
        let calls = stack.stats(sim_user).recently_played_calls;
        if missing > 0 || invented > 0 || unique.len() != mine.len() || calls != cycles as u64 + 1 {
            mismatches.push(format!(
                "{sim_user}: {} archived, {missing} missing, {invented} never played, {} duplicated, {calls} calls",
                mine.len(),
                mine.len() - unique.len()
            ));
        }
    }
    eprintln!(
        "load: {} plays of {users} users checked against the simulator in {:.1} s ({beyond_window} users had more than 50 plays before their login); run {:.0} s in all",
        rows.len(),
        started.elapsed().as_secs_f64(),
        run.elapsed().as_secs_f64()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
