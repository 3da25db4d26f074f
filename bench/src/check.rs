//! `bench check`: the CI guard. It counts (never times) what archiving one user and one
//! sweep cost on the native twins and fails when a count passes its target.

use futures::executor::block_on;
use time_machine::sweep::{run_sweep, SweepConfig};
use time_machine::testing::{MemoryQueue, SqliteDatabase};

use crate::archive_cost::{self, target, Case, Target};
use crate::stats::table;
use crate::sweep::{seed_sql, SWEEP_NOW};
use crate::twins::Recorder;

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
        &rec,
        &queue,
        &SweepConfig::default(),
        "cron",
        SWEEP_NOW,
        || SWEEP_NOW,
    ));
    let (trips, statements) = rec.counts("sweep");
    let sends = queue.sent.borrow().len();
    println!(
        "sweep of {} due users: {trips} D1 round trips (target 2), {statements} statements (target 6), {sends} Queue send (target 1)",
        crate::stats::int(summary.enqueued as i64)
    );
    if summary.enqueued != 1_000 || summary.error.is_some() {
        failures.push(format!(
            "the sweep enqueued {} users: {:?}",
            summary.enqueued, summary.error
        ));
    }
    if trips > 2 || statements > 6 || sends > 1 {
        failures.push(format!(
            "the sweep of 1,000 users took {trips} round trips, {statements} statements, {sends} sends"
        ));
    }
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
            native_changes: 0,
            plays_inserted: 0,
            gap: false,
            outcome: "archived".into(),
            d1: None,
        }
    }

    #[test]
    fn a_count_past_its_target_fails() {
        let goal = target(&case(2, 8, 7));
        assert!(verdict(&case(2, 8, 7), &goal).is_empty());
        assert_eq!(verdict(&case(3, 8, 7), &goal), ["3 round trips > 2"]);
        assert_eq!(verdict(&case(2, 9, 8), &goal).len(), 2);
    }
}
