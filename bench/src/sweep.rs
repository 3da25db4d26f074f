//! The sweep at scale on the native twin: users seeded with one `INSERT … SELECT` from a
//! recursive CTE (half of them due), then `run_sweep` claims and enqueues them. Timed over
//! several runs (a fresh database each), with the claim's query plan, and replayed
//! through the local runtime's D1 for its rows read and written.

use std::time::Instant;

use futures::executor::block_on;
use time_machine::engine::sweep::{run_sweep, SweepConfig};
use time_machine::shards::Shards;
use time_machine::testing::{MemoryQueue, SqliteDatabase};
use time_machine::time::{UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS};

use crate::meter::{migration_statements, MeterDb, Metered};
use crate::stats::Spread;
use crate::twins::{Recorder, RoundTrip};

/// The instant every native sweep runs at (Monday 9 March 2026, 00:05 UTC).
pub const SWEEP_NOW: UnixMillis = 1_772_409_600_000 + 7 * DAY_MS + 5 * MINUTE_MS;

/// `total` users, every second one due at `now` (due within the last hour), the others
/// due within the next hour; all authorized a day ago and polled an hour ago.
pub fn seed_sql_at(total: usize, now: UnixMillis) -> String {
    seed_range_sql_at(1, total, now)
}

/// The users numbered `first` to `last` (`bench-user-<i>`) of [`seed_sql_at`]'s seed:
/// one shard's share of a seed spread over several (every second number due; `first`
/// at least, as the recursion starts there).
pub fn seed_range_sql_at(first: usize, last: usize, now: UnixMillis) -> String {
    let day_ago = now - DAY_MS;
    let hour_ago = now - HOUR_MS;
    format!(
        "WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last}) \
         INSERT INTO users (id, spotify_id, authorized_at, created_at, updated_at, next_due_at, last_polled_at) \
         SELECT 'bench-user-' || i, 'bench-user-' || i, {day_ago}, {day_ago}, {day_ago}, \
                CASE WHEN i % 2 = 0 THEN {now} - 1000 * (i % 3600) ELSE {now} + 60000 + 1000 * (i % 3600) END, \
                {hour_ago} \
           FROM n"
    )
}

pub fn seed_sql(total: usize) -> String {
    seed_sql_at(total, SWEEP_NOW)
}

/// One sweep size, measured.
#[derive(Debug, Clone)]
pub struct SweepRun {
    pub due: usize,
    pub users: usize,
    pub cap: usize,
    pub claimed: usize,
    pub messages: usize,
    pub queue_sends: usize,
    pub round_trips: usize,
    pub statements: usize,
    /// `run_sweep` on the native twin, milliseconds.
    pub native_ms: Spread,
    /// The claim (and the count of users cooling down), D1's counters.
    pub d1_claim: Option<Metered>,
    /// The summary and the expired logins and sessions, D1's counters.
    pub d1_record: Option<Metered>,
    pub plan: Vec<String>,
    /// The recorded round trips (for the meter and the CPU estimate).
    pub trips: Vec<RoundTrip>,
}

pub fn measure(due: usize, cap: usize, runs: usize) -> SweepRun {
    let users = 2 * due;
    let mut times = Vec::new();
    let mut first: Option<SweepRun> = None;
    for _ in 0..runs.max(1) {
        let db = SqliteDatabase::new();
        db.sql(&seed_sql(users), vec![]);
        let rec = Recorder::new(&db);
        rec.label("claim");
        let queue = MemoryQueue::default();
        let config = SweepConfig {
            max_users: cap,
            ..SweepConfig::default()
        };
        // The claim is the sweep's first round trip; its summary is the second.
        let started = Instant::now();
        let summary = block_on(run_sweep(
            &Shards::single(&rec),
            &queue,
            &config,
            "cron",
            SWEEP_NOW,
            || {
                rec.label("record");
                SWEEP_NOW
            },
        ));
        times.push(crate::stats::ms(started.elapsed()));
        assert_eq!(summary.error, None, "the sweep failed");
        if first.is_none() {
            let trips = rec.round_trips();
            let plan = trips
                .first()
                .and_then(|trip| trip.statements.first())
                .map(|claim| db.query_plan(claim.sql))
                .unwrap_or_default();
            first = Some(SweepRun {
                due,
                users,
                cap,
                claimed: summary.enqueued,
                messages: summary.messages,
                queue_sends: queue.sent.borrow().len(),
                round_trips: trips.len(),
                statements: trips.iter().map(|trip| trip.statements.len()).sum(),
                native_ms: Spread::of(&[]),
                d1_claim: None,
                d1_record: None,
                plan,
                trips,
            });
        }
    }
    let mut run = first.expect("at least one run");
    run.native_ms = Spread::of(&times);
    run
}

/// What the meter replays for a sweep: the seeded database, then its round trips.
pub fn meter_db(run: &SweepRun) -> MeterDb {
    let mut setup = migration_statements();
    setup.push(seed_sql(run.users));
    MeterDb {
        setup,
        steps: run.trips.clone(),
    }
}

pub fn attach(run: &mut SweepRun, metered: &[Metered]) {
    let totals = crate::meter::by_label(metered);
    run.d1_claim = totals.get("claim").cloned();
    run.d1_record = totals.get("record").cloned();
}
