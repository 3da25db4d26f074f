//! `bench check`: the CI guard. It counts (never times) what archiving one user and one
//! sweep cost on the native twins (and a sweep over 4 shards: two round trips a shard,
//! every user sent with its shard), the rows a poll writes and the bytes a play takes, and
//! fails when a count passes its target. No node, no Miniflare: rows written are counted
//! natively ([`crate::written`]: `total_changes()` for table rows, the indexes' contents
//! for index entries), which the full report checks against D1's own counter.

use futures::executor::block_on;
use time_machine::engine::sweep::{run_sweep, SweepConfig};
use time_machine::shards::Shards;
use time_machine::testing::{MemoryQueue, SqliteDatabase};

use crate::archive_cost::{self, target, Case, Target};
use crate::rows::{self, per_play};
use crate::shard_sweep;
use crate::stats::{num, table};
use crate::storage;
use crate::sweep::{seed_sql, SWEEP_NOW};
use crate::twins::Recorder;
use crate::written::indexes_of;

/// Rows written per new play, marginal (over a poll that finds nothing), when every
/// track is already in the catalogue.
pub const MAX_ROWS_PER_NEW_PLAY_WARM: f64 = 1.1;
/// Rows written by a poll that finds nothing (the user's row and its entry in `users_due`).
pub const MAX_ROWS_NOTHING_NEW: i64 = 3;
/// Bytes per stored play, `play_events` with every index on it (`dbstat`).
pub const MAX_BYTES_PER_PLAY: f64 = 30.0;
/// The storage run `bench check` sizes: users, and archives of 45 plays each.
pub const CHECK_STORAGE: (usize, usize) = (10, 5);

/// What is wrong with the rows a warm poll of `plays` new plays and a poll that finds
/// nothing wrote (nothing when both are within their targets).
pub fn rows_verdict(plays: usize, warm: i64, nothing: i64) -> Vec<String> {
    let mut verdict = Vec::new();
    let (marginal, _) = per_play(warm, nothing, plays);
    if marginal > MAX_ROWS_PER_NEW_PLAY_WARM {
        verdict.push(format!(
            "a warm poll of {plays} new plays wrote {warm} rows: {} per new play over a poll that finds nothing ({nothing}) > {}",
            num(marginal),
            MAX_ROWS_PER_NEW_PLAY_WARM
        ));
    }
    if nothing > MAX_ROWS_NOTHING_NEW {
        verdict.push(format!(
            "a poll that finds nothing wrote {nothing} rows > {MAX_ROWS_NOTHING_NEW}"
        ));
    }
    verdict
}

/// What is wrong with a play's storage: its bytes, and any index on `play_events` (each
/// would cost bytes and a row written per play).
pub fn storage_verdict(bytes_per_play: f64, play_indexes: &[String]) -> Vec<String> {
    let mut verdict = Vec::new();
    if bytes_per_play > MAX_BYTES_PER_PLAY {
        verdict.push(format!(
            "{} bytes per play > {MAX_BYTES_PER_PLAY}",
            num(bytes_per_play)
        ));
    }
    if !play_indexes.is_empty() {
        verdict.push(format!(
            "play_events has secondary indexes: {}",
            play_indexes.join(", ")
        ));
    }
    verdict
}

/// What is wrong with one archive's counts (nothing when all are within the target).
pub fn verdict(case: &Case, goal: &Target) -> Vec<String> {
    let mut verdict = Vec::new();
    if case.outcome != "archived" {
        verdict.push(format!("outcome {}", case.outcome));
    }
    if case.round_trips > goal.round_trips {
        verdict.push(format!(
            "{} round trips > {}",
            case.round_trips, goal.round_trips
        ));
    }
    if case.statements > goal.statements {
        verdict.push(format!(
            "{} statements > {}",
            case.statements, goal.statements
        ));
    }
    if case.batch_statements != Some(goal.batch_statements) {
        verdict.push(format!(
            "write batch of {:?} statements, not {}",
            case.batch_statements, goal.batch_statements
        ));
    }
    if case.spotify_calls > if case.valid_token { 1 } else { 2 } {
        verdict.push(format!("{} Spotify calls", case.spotify_calls));
    }
    if case.kv_ops > 2 {
        verdict.push(format!("{} KV operations > 2", case.kv_ops));
    }
    verdict
}

/// Returns the failures (empty when every count is within its target).
pub fn run() -> Vec<String> {
    let mut failures = Vec::new();
    let scenario = archive_cost::run();
    let mut rows = Vec::new();
    for case in &scenario.cases {
        let goal = target(case);
        let verdict = verdict(case, &goal);
        rows.push(vec![
            case.label.to_owned(),
            format!("{} / {}", case.round_trips, goal.round_trips),
            format!("{} / {}", case.statements, goal.statements),
            format!("{:?}", case.batch_statements.unwrap_or(0)),
            case.kv_ops.to_string(),
            case.spotify_calls.to_string(),
            if verdict.is_empty() {
                "ok".to_owned()
            } else {
                verdict.join("; ")
            },
        ]);
        if !verdict.is_empty() {
            failures.push(format!("{}: {}", case.label, verdict.join("; ")));
        }
    }
    println!(
        "{}",
        table(
            &[
                "archive of one user",
                "D1 round trips / target",
                "statements / target",
                "write batch",
                "KV ops",
                "Spotify calls",
                "verdict",
            ],
            &rows
        )
    );

    // The sweep: two round trips (claim + count, then the summary with the sessions'
    // and old deliveries' clean-up and the notification relay) and one Queue send per 100
    // messages, however many users are due.
    let db = SqliteDatabase::new();
    db.sql(&seed_sql(2_000), vec![]);
    let rec = Recorder::new(&db);
    rec.label("sweep");
    let queue = MemoryQueue::default();
    let summary = block_on(run_sweep(
        &Shards::single(&rec),
        &queue,
        &SweepConfig::default(),
        "cron",
        SWEEP_NOW,
        || SWEEP_NOW,
    ));
    let (trips, statements) = rec.counts("sweep");
    let sends = queue.sent.borrow().len();
    // One database is the directory: its claim, then its housekeeping with the sweep's
    // record (the same counts the sweep over shards is held to).
    let target_statements = shard_sweep::CLAIM_STATEMENTS + shard_sweep::RECORD_STATEMENTS;
    println!(
        "sweep of {} due users: {trips} D1 round trips (target 2), {statements} statements (target {target_statements}), {sends} Queue send (target 1)",
        crate::stats::int(summary.enqueued as i64)
    );
    if summary.enqueued != 1_000 || summary.error.is_some() {
        failures.push(format!(
            "the sweep enqueued {} users: {:?}",
            summary.enqueued, summary.error
        ));
    }
    if trips > 2 || statements > target_statements || sends > 1 {
        failures.push(format!(
            "the sweep of 1,000 users took {trips} round trips, {statements} statements, {sends} sends"
        ));
    }

    // The sweep over shards: each shard exactly its two round trips (the claim, then its
    // housekeeping; the directory's also records the sweep) and its statements, and every
    // user sent with the shard it lives in.
    let sharded = shard_sweep::measure(
        shard_sweep::CHECK_SHARDS,
        shard_sweep::CHECK_SHARDS * shard_sweep::CHECK_DUE_PER_SHARD,
        SweepConfig::default().max_users,
        1,
    );
    let verdict = shard_sweep::verdict(&sharded);
    println!(
        "sweep of {} due users over {} shards: {} D1 round trips (target {} per shard), {} statements (target {} per shard, {} in the directory), {} Queue sends (one per shard); every user sent with its shard: {}",
        crate::stats::int(sharded.enqueued as i64),
        sharded.shards,
        sharded.round_trips(),
        shard_sweep::ROUND_TRIPS_PER_SHARD,
        sharded.statements(),
        shard_sweep::CLAIM_STATEMENTS + shard_sweep::TIDY_STATEMENTS,
        shard_sweep::CLAIM_STATEMENTS + shard_sweep::RECORD_STATEMENTS,
        sharded.queue_sends,
        if sharded.delivery.is_ok() { "yes" } else { "no" }
    );
    failures.extend(
        verdict
            .into_iter()
            .map(|failure| format!("the sweep over shards: {failure}")),
    );

    // Rows written, counted natively: a warm poll with 15 (and 50) new plays, a poll that
    // finds nothing.
    let mut rows = Vec::new();
    for plays in rows::PLAY_COUNTS {
        let run = rows::measure(plays);
        for poll in [&run.cold, &run.warm, &run.nothing] {
            let (marginal, whole) = run.per_play_native(poll);
            rows.push(vec![
                plays.to_string(),
                poll.key.to_owned(),
                poll.plays_inserted.to_string(),
                poll.native.total().to_string(),
                if poll.key == "nothing" {
                    String::new()
                } else {
                    format!("{} / {}", num(marginal), num(whole))
                },
                poll.native.breakdown(),
            ]);
            if poll.outcome != "archived" {
                failures.push(format!(
                    "{plays} plays, {}: outcome {}",
                    poll.key, poll.outcome
                ));
            }
        }
        if run.cold.plays_inserted != plays || run.warm.plays_inserted != plays {
            failures.push(format!(
                "{plays} plays: {} inserted cold, {} warm",
                run.cold.plays_inserted, run.warm.plays_inserted
            ));
        }
        failures.extend(
            rows_verdict(plays, run.warm.native.total(), run.nothing.native.total())
                .into_iter()
                .map(|failure| format!("rows written: {failure}")),
        );
    }
    println!(
        "\n{}",
        table(
            &[
                "new plays",
                "poll",
                "plays inserted",
                "rows written (native)",
                "per new play: marginal / whole",
                "where",
            ],
            &rows
        )
    );

    // Bytes per play, on a small run of interleaved users.
    let (users, archives) = CHECK_STORAGE;
    let storage = storage::measure(users, archives, true);
    let play_indexes = indexes_of(&SqliteDatabase::new(), "play_events");
    println!(
        "storage of {} plays ({users} users × {archives} archives, keys at a deployment's scale): {} bytes per play ({}; target {MAX_BYTES_PER_PLAY}); indexes on play_events: {}",
        crate::stats::int(storage.plays),
        num(storage.bytes_per_play()),
        storage::Storage::describe(&storage.play_objects),
        if play_indexes.is_empty() { "none".to_owned() } else { play_indexes.join(", ") }
    );
    failures.extend(
        storage_verdict(storage.bytes_per_play(), &play_indexes)
            .into_iter()
            .map(|failure| format!("storage: {failure}")),
    );
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(round_trips: usize, statements: usize, batch: usize) -> Case {
        Case {
            key: "nothing",
            label: "nothing new",
            valid_token: true,
            round_trips,
            statements,
            batch_statements: Some(batch),
            kv_ops: 2,
            spotify_calls: 1,
            native_written: Default::default(),
            plays_inserted: 0,
            gap: false,
            outcome: "archived".into(),
            d1: None,
        }
    }

    #[test]
    fn a_count_past_its_target_fails() {
        let goal = target(&case(2, 9, 8));
        assert_eq!(
            (goal.round_trips, goal.statements, goal.batch_statements),
            (2, 9, 8)
        );
        assert!(verdict(&case(2, 9, 8), &goal).is_empty());
        assert_eq!(verdict(&case(3, 9, 8), &goal), ["3 round trips > 2"]);
        assert_eq!(verdict(&case(2, 10, 9), &goal).len(), 2);
        assert_eq!(verdict(&case(2, 9, 7), &goal).len(), 1);
    }

    #[test]
    fn rows_past_their_targets_fail() {
        // 15 new plays on a warm catalogue: one row each over a poll that finds nothing.
        assert!(rows_verdict(15, 17, 2).is_empty());
        // At most 1.1 per play: 16.5 over the 2 of a poll that finds nothing.
        assert!(rows_verdict(15, 18, 2).is_empty());
        assert_eq!(rows_verdict(15, 19, 2).len(), 1);
        // Three rows per play (a play and two index entries) fails.
        assert!(rows_verdict(15, 47, 2)[0].contains("3.00 per new play"));
        // A poll that finds nothing: 3 rows at most, and it is not an excuse for the plays.
        assert!(rows_verdict(15, 18, 3).is_empty());
        assert_eq!(
            rows_verdict(15, 19, 4),
            ["a poll that finds nothing wrote 4 rows > 3"]
        );
    }

    #[test]
    fn storage_past_its_target_fails() {
        assert!(storage_verdict(25.0, &[]).is_empty());
        assert!(storage_verdict(30.0, &[]).is_empty());
        assert_eq!(storage_verdict(30.5, &[]), ["30.5 bytes per play > 30"]);
        assert_eq!(
            storage_verdict(25.0, &["play_events_user_time".to_owned()]),
            ["play_events has secondary indexes: play_events_user_time"]
        );
    }
}
