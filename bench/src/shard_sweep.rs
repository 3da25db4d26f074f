//! The sweep over several shards (D1 databases) on the native twins.
//!
//! One `SqliteDatabase` per shard (every migration applied), each seeded with its even
//! share of the users ([`crate::sweep::seed_range_sql_at`]: shard k holds the users
//! numbered k·n + 1 to (k + 1)·n, every second one due), each wrapped in a
//! [`Recorder`] (round trips and statements, with their parameters, for D1's counters
//! through the meter) and in a clock of its own (the time each round trip took). One
//! `run_sweep` over them all: the claims, the Queue sends, each shard's housekeeping and
//! the directory's record of the sweep. Each message is then checked to name the shard
//! of every user it carries, and each shard to have sent exactly the users it holds due.

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Instant;

use futures::executor::block_on;
use serde_json::json;
use time_machine::engine::job::ArchiveJob;
use time_machine::engine::sweep::{run_sweep, SweepConfig};
use time_machine::notify::NotifyMessage;
use time_machine::ports::{Database, DatabaseError, JobQueue, QueueError, Row, Statement};
use time_machine::shards::{ShardIndex, Shards, DIRECTORY};
use time_machine::store::sweeps::SweepSummary;
use time_machine::testing::{MemoryQueue, SqliteDatabase};

use crate::meter::{migration_statements, MeterDb, Metered};
use crate::stats::{int, num, table, uint, Spread};
use crate::sweep::{seed_range_sql_at, SWEEP_NOW};
use crate::twins::{Recorder, ReplayDb, RoundTrip};

/// The shard counts the report sweeps over.
pub const SHARD_COUNTS: [usize; 3] = [1, 4, 16];

/// The sizes the report sweeps, due users and `max_users` (per shard; 0: the due users
/// of one shard, so that the whole backlog is claimed in one sweep).
pub const SIZES: [(usize, usize); 3] = [(10_000, 0), (100_000, 0), (100_000, 10_000)];

/// The CI guard's sweep: 4 shards, 250 due users each (500 seeded), the default cap.
pub const CHECK_SHARDS: usize = 4;
pub const CHECK_DUE_PER_SHARD: usize = 250;

/// The round trips of one shard's sweep, and their statements: the claim (the claim and
/// the count of users cooling down), then its housekeeping (expired sessions, old
/// deliveries, the deliveries due); the directory's also records the sweep.
pub const ROUND_TRIPS_PER_SHARD: usize = 2;
pub const CLAIM_STATEMENTS: usize = 2;
pub const TIDY_STATEMENTS: usize = 4;
pub const RECORD_STATEMENTS: usize = 5;

/// D1's twin, clocked: when each round trip began and how long it took.
struct Clocked<'a, D> {
    inner: &'a D,
    spans: RefCell<Vec<(Instant, Instant)>>,
}

impl<'a, D> Clocked<'a, D> {
    fn new(inner: &'a D) -> Self {
        Self {
            inner,
            spans: RefCell::new(Vec::new()),
        }
    }
}

impl<D: Database> Database for Clocked<'_, D> {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, DatabaseError> {
        let started = Instant::now();
        let result = self.inner.query(statement).await;
        self.spans.borrow_mut().push((started, Instant::now()));
        result
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<Row>>, DatabaseError> {
        let started = Instant::now();
        let result = self.inner.batch(statements).await;
        self.spans.borrow_mut().push((started, Instant::now()));
        result
    }
}

/// The Queue's twin, clocked: when each `send_batch` ended, and for which shard.
struct ClockedQueue<'a> {
    inner: &'a MemoryQueue,
    sends: RefCell<Vec<(ShardIndex, Instant)>>,
}

impl JobQueue for ClockedQueue<'_> {
    async fn send_batch(&self, messages: Vec<ArchiveJob>) -> Result<(), QueueError> {
        let shard = messages.first().map_or(DIRECTORY, |job| job.shard);
        let result = self.inner.send_batch(messages).await;
        self.sends.borrow_mut().push((shard, Instant::now()));
        result
    }

    async fn send_notifications(&self, messages: Vec<NotifyMessage>) -> Result<(), QueueError> {
        self.inner.send_notifications(messages).await
    }
}

/// One shard's part of a measured sweep.
#[derive(Debug, Clone)]
pub struct ShardPart {
    pub shard: ShardIndex,
    /// The first user number it holds, and how many (half of them due).
    pub first_user: usize,
    pub users: usize,
    pub due: usize,
    /// What the sweep's summary says of the shard.
    pub users_due: usize,
    pub enqueued: usize,
    pub messages: usize,
    pub error: Option<String>,
    /// `send_batch` calls carrying its users.
    pub queue_sends: usize,
    pub round_trips: usize,
    pub statements: usize,
    /// Its claim and sends, then its housekeeping, ms (native): spread over the runs.
    pub ms: Spread,
    /// Its two round trips alone (the time it held its database), ms (native).
    pub d1_ms: Spread,
    /// The recorded round trips, labelled `claim` and `tidy` (`record` in the directory).
    pub trips: Vec<RoundTrip>,
    pub d1_claim: Option<Metered>,
    pub d1_tidy: Option<Metered>,
}

/// A sweep of `due` users spread evenly over `shards` shards.
#[derive(Debug, Clone)]
pub struct ShardSweepRun {
    pub shards: usize,
    pub due: usize,
    pub users: usize,
    /// `max_users`, per shard.
    pub cap: usize,
    /// Whether the cap is each shard's due users (the whole backlog in one sweep).
    pub whole_backlog: bool,
    pub enqueued: usize,
    pub messages: usize,
    pub queue_sends: usize,
    /// Shards in the sweep's summary (`SweepSummary.shards`), and sweeps recorded in the
    /// directory and in the other shards.
    pub summary_shards: usize,
    pub sweeps_recorded: usize,
    pub sweeps_elsewhere: usize,
    pub error: Option<String>,
    /// The whole `run_sweep`, ms (native; the shards one after another on one thread).
    pub wall_ms: Spread,
    /// The slowest shard's part, ms (native): what the sweep would take if the shards ran
    /// at once, as they do on the platform (each is its own database).
    pub slowest_ms: Spread,
    pub parts: Vec<ShardPart>,
    /// The cron's own work natively, ms: the sweep replayed with every shard answered
    /// from its recording at once ([`ReplayDb`]), so what is timed is the Worker's part
    /// (building and sending the messages, decoding the claims), not SQLite's.
    pub core_ms: Spread,
    /// Set when a replay did not ask what the recording holds.
    pub replay_error: Option<String>,
    /// Whether every message names the shard of each of its users, and every shard sent
    /// exactly its due users (at most its cap), once.
    pub delivery: Result<(), String>,
}

impl ShardSweepRun {
    pub fn round_trips(&self) -> usize {
        self.parts.iter().map(|part| part.round_trips).sum()
    }

    pub fn statements(&self) -> usize {
        self.parts.iter().map(|part| part.statements).sum()
    }

    /// The cron invocation's subrequests: D1 round trips and Queue sends.
    pub fn subrequests(&self) -> usize {
        self.round_trips() + self.queue_sends
    }

    /// D1's counters summed over the shards: (claim rows read, claim rows written,
    /// housekeeping rows read, housekeeping rows written), if metered.
    pub fn d1_totals(&self) -> Option<(u64, u64, u64, u64)> {
        let mut totals = (0, 0, 0, 0);
        for part in &self.parts {
            let (claim, tidy) = (part.d1_claim.as_ref()?, part.d1_tidy.as_ref()?);
            totals.0 += claim.rows_read;
            totals.1 += claim.rows_written;
            totals.2 += tidy.rows_read;
            totals.3 += tidy.rows_written;
        }
        Some(totals)
    }

    /// The largest of the shards' claim rows read, if metered.
    pub fn d1_claim_read_max(&self) -> Option<u64> {
        self.parts
            .iter()
            .map(|part| part.d1_claim.as_ref().map(|d| d.rows_read))
            .collect::<Option<Vec<u64>>>()
            .and_then(|reads| reads.into_iter().max())
    }
}

/// How many of a shard's users are due: every second number of its range.
fn due_in(first: usize, users: usize) -> usize {
    (first..first + users).filter(|i| i % 2 == 0).count()
}

/// The user number of `bench-user-<i>`.
fn user_number(id: &str) -> Option<usize> {
    id.strip_prefix("bench-user-")?.parse().ok()
}

/// Every message names the shard of each of its users, no user is sent twice, every user
/// sent is due, and each shard sent as many as it holds due (at most `cap`).
pub fn verify_delivery(
    jobs: &[ArchiveJob],
    shards: usize,
    per_shard: usize,
    cap: usize,
) -> Result<(), String> {
    let mut seen = HashSet::new();
    let mut sent = vec![0_usize; shards];
    let mut problems = Vec::new();
    for job in jobs {
        for user in &job.users {
            let Some(number) = user_number(&user.user_id) else {
                problems.push(format!("a user the seed did not make: {}", user.user_id));
                continue;
            };
            let home = (number - 1) / per_shard;
            if usize::try_from(job.shard).ok() != Some(home) {
                problems.push(format!(
                    "{} lives in shard {home} but was sent with shard {}",
                    user.user_id, job.shard
                ));
            }
            if number % 2 != 0 {
                problems.push(format!("{} was sent but is not due", user.user_id));
            }
            if !seen.insert(number) {
                problems.push(format!("{} was sent twice", user.user_id));
            }
            if let Some(count) = sent.get_mut(home) {
                *count += 1;
            }
        }
    }
    for (shard, count) in sent.iter().enumerate() {
        let expected = due_in(shard * per_shard + 1, per_shard).min(cap);
        if *count != expected {
            problems.push(format!(
                "shard {shard} sent {count} users, not the {expected} it holds due"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let more = problems.len().saturating_sub(3);
        problems.truncate(3);
        Err(format!(
            "{}{}",
            problems.join("; "),
            if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            }
        ))
    }
}

/// The sweeps a database has recorded.
fn sweeps_in(db: &SqliteDatabase) -> usize {
    db.sql("SELECT count(*) AS n FROM sweeps", vec![])
        .first()
        .and_then(|row| row["n"].as_u64())
        .map_or(0, |n| n as usize)
}

/// What one run of the sweep gave.
struct Outcome {
    run: ShardSweepRun,
    /// Per shard: its part and its round trips alone, ms.
    shard_ms: Vec<(f64, f64)>,
    wall_ms: f64,
}

fn sweep_once(shards: usize, due: usize, cap: usize) -> Outcome {
    let users = 2 * due;
    assert!(
        shards > 0 && users.is_multiple_of(shards),
        "{users} users do not spread evenly over {shards} shards"
    );
    let per_shard = users / shards;
    let whole_backlog = cap == 0;
    let cap = if whole_backlog {
        due.div_ceil(shards)
    } else {
        cap
    };
    let databases: Vec<SqliteDatabase> = (0..shards)
        .map(|shard| {
            let db = SqliteDatabase::new();
            db.sql(
                &seed_range_sql_at(shard * per_shard + 1, (shard + 1) * per_shard, SWEEP_NOW),
                vec![],
            );
            db
        })
        .collect();
    let recorders: Vec<Recorder<'_, SqliteDatabase>> =
        databases.iter().map(Recorder::new).collect();
    let clocked: Vec<Clocked<'_, Recorder<'_, SqliteDatabase>>> =
        recorders.iter().map(Clocked::new).collect();
    let memory = MemoryQueue::default();
    let queue = ClockedQueue {
        inner: &memory,
        sends: RefCell::new(Vec::new()),
    };
    let (summary, wall_ms) = timed_sweep(clocked.iter().collect(), &queue, cap);
    let sends = queue.sends.borrow();
    let mut parts = Vec::new();
    let mut shard_ms = Vec::new();
    for (index, (recorder, clock)) in recorders.iter().zip(&clocked).enumerate() {
        let shard = index as ShardIndex;
        let spans = clock.spans.borrow();
        let mut trips = recorder.round_trips();
        for (position, trip) in trips.iter_mut().enumerate() {
            trip.label = match (position, shard) {
                (0, _) => "claim",
                (1, DIRECTORY) => "record",
                (1, _) => "tidy",
                _ => "more",
            }
            .to_owned();
        }
        // Its part: from its claim to its last send, then its housekeeping.
        let claim = spans.first().copied();
        let last_send = sends
            .iter()
            .filter(|(sent_by, _)| *sent_by == shard)
            .map(|(_, at)| *at)
            .max();
        let claim_and_send = claim.map_or(0.0, |(from, to)| {
            crate::stats::ms(last_send.map_or(to, |at| at.max(to)) - from)
        });
        let housekeeping: f64 = spans
            .iter()
            .skip(1)
            .map(|(from, to)| crate::stats::ms(*to - *from))
            .sum();
        let d1: f64 = spans
            .iter()
            .map(|(from, to)| crate::stats::ms(*to - *from))
            .sum();
        shard_ms.push((claim_and_send + housekeeping, d1));
        let part = summary.shards.iter().find(|part| part.shard == shard);
        parts.push(ShardPart {
            shard,
            first_user: index * per_shard + 1,
            users: per_shard,
            due: due_in(index * per_shard + 1, per_shard),
            users_due: part.map_or(0, |p| p.users_due),
            enqueued: part.map_or(0, |p| p.enqueued),
            messages: part.map_or(0, |p| p.messages),
            error: part.and_then(|p| p.error.clone()),
            queue_sends: sends
                .iter()
                .filter(|(sent_by, _)| *sent_by == shard)
                .count(),
            round_trips: trips.len(),
            statements: trips.iter().map(|trip| trip.statements.len()).sum(),
            ms: Spread::of(&[]),
            d1_ms: Spread::of(&[]),
            trips,
            d1_claim: None,
            d1_tidy: None,
        });
    }
    let jobs = memory.messages();
    let delivery = verify_delivery(&jobs, shards, per_shard, cap);
    let sweeps_recorded = sweeps_in(&databases[0]);
    let sweeps_elsewhere = databases[1..].iter().map(sweeps_in).sum();
    Outcome {
        run: ShardSweepRun {
            shards,
            due,
            users,
            cap,
            whole_backlog,
            enqueued: summary.enqueued,
            messages: summary.messages,
            queue_sends: sends.len(),
            summary_shards: summary.shards.len(),
            sweeps_recorded,
            sweeps_elsewhere,
            error: summary.error.clone(),
            wall_ms: Spread::of(&[]),
            slowest_ms: Spread::of(&[]),
            parts,
            core_ms: Spread::of(&[]),
            replay_error: None,
            delivery,
        },
        shard_ms,
        wall_ms,
    }
}

/// `due` users over `shards` shards, `cap` users per shard at most (0: all its due
/// users), timed over `runs` runs (fresh databases each); the first run's counts.
pub fn measure(shards: usize, due: usize, cap: usize, runs: usize) -> ShardSweepRun {
    measure_all(&[(shards, due, cap, runs)])
        .pop()
        .expect("one sweep")
}

/// One sweep to measure: shards, due users, cap per shard (0: its due users), runs.
pub type Sweep = (usize, usize, usize, usize);

/// Every sweep of `sweeps`, measured round by round: each round runs every sweep once
/// (the native sweeps, then the replays), so that a burst of other work on a shared
/// machine slows one run of each sweep, not every run of one.
pub fn measure_all(sweeps: &[Sweep]) -> Vec<ShardSweepRun> {
    struct Times {
        walls: Vec<f64>,
        slowest: Vec<f64>,
        per_shard: Vec<(Vec<f64>, Vec<f64>)>,
        core: Vec<f64>,
    }
    let rounds = sweeps.iter().map(|sweep| sweep.3.max(1)).max().unwrap_or(0);
    let mut firsts: Vec<Option<ShardSweepRun>> = vec![None; sweeps.len()];
    let mut times: Vec<Times> = sweeps
        .iter()
        .map(|(shards, ..)| Times {
            walls: Vec::new(),
            slowest: Vec::new(),
            per_shard: vec![(Vec::new(), Vec::new()); *shards],
            core: Vec::new(),
        })
        .collect();
    for round in 0..rounds {
        for ((first, timed), (shards, due, cap, runs)) in
            firsts.iter_mut().zip(&mut times).zip(sweeps)
        {
            if round >= (*runs).max(1) {
                continue;
            }
            let outcome = sweep_once(*shards, *due, *cap);
            timed.walls.push(outcome.wall_ms);
            timed.slowest.push(
                outcome
                    .shard_ms
                    .iter()
                    .map(|(part, _)| *part)
                    .fold(0.0, f64::max),
            );
            for ((parts, d1s), (part, d1)) in timed.per_shard.iter_mut().zip(&outcome.shard_ms) {
                parts.push(*part);
                d1s.push(*d1);
            }
            if first.is_none() {
                *first = Some(outcome.run);
            }
        }
    }
    let mut runs: Vec<ShardSweepRun> = firsts
        .into_iter()
        .map(|first| first.expect("at least one run"))
        .collect();
    for round in 0..rounds {
        for ((run, timed), sweep) in runs.iter_mut().zip(&mut times).zip(sweeps) {
            if round >= sweep.3.max(1) {
                continue;
            }
            let (ms, error) = replay_once(run);
            timed.core.push(ms);
            if run.replay_error.is_none() {
                run.replay_error = error;
            }
        }
    }
    for (run, timed) in runs.iter_mut().zip(&times) {
        run.wall_ms = Spread::of(&timed.walls);
        run.slowest_ms = Spread::of(&timed.slowest);
        for (part, (parts, d1s)) in run.parts.iter_mut().zip(&timed.per_shard) {
            part.ms = Spread::of(parts);
            part.d1_ms = Spread::of(d1s);
        }
        run.core_ms = Spread::of(&timed.core);
    }
    runs
}

/// One cron sweep over `databases` (shard 0 first) claiming at most `cap` users a shard,
/// at [`SWEEP_NOW`]; and its wall time, ms.
fn timed_sweep<D: Database, Q: JobQueue>(
    databases: Vec<&D>,
    queue: &Q,
    cap: usize,
) -> (SweepSummary, f64) {
    let config = SweepConfig {
        max_users: cap,
        ..SweepConfig::default()
    };
    let bound = Shards::new(databases).expect("at least one shard");
    let started = Instant::now();
    let summary = block_on(run_sweep(&bound, queue, &config, "cron", SWEEP_NOW, || {
        SWEEP_NOW
    }));
    (summary, crate::stats::ms(started.elapsed()))
}

/// The sweep replayed once against every shard's recording (no SQLite): the cron's own
/// work, ms, as section 4 times the single database's; and whether the replay asked
/// what the recording holds.
fn replay_once(run: &ShardSweepRun) -> (f64, Option<String>) {
    let databases: Vec<ReplayDb> = run
        .parts
        .iter()
        .map(|part| ReplayDb::new(&part.trips))
        .collect();
    let (_, took) = timed_sweep(databases.iter().collect(), &MemoryQueue::default(), run.cap);
    let error = databases.iter().find_map(|db| db.faithful().err());
    (took, error)
}

/// What the meter replays for a sweep over shards: one D1 database with the migrations,
/// then for each shard in turn its users seeded afresh (the previous shard's deleted: a
/// round trip labelled `reseed`, not counted) and its round trips, labelled by shard. A
/// fresh local D1 database per shard would cost its migrations each (about 15 s), and
/// the counters of a round trip depend on the rows it meets, not on the pages before.
pub fn meter_db(run: &ShardSweepRun) -> MeterDb {
    let mut steps = Vec::new();
    for part in &run.parts {
        let seed: &'static str = Box::leak(
            seed_range_sql_at(part.first_user, part.first_user + part.users - 1, SWEEP_NOW)
                .into_boxed_str(),
        );
        steps.push(RoundTrip {
            label: RESEED.to_owned(),
            batch: true,
            statements: vec![
                Statement::new("DELETE FROM users", vec![]),
                Statement::new(seed, vec![]),
            ],
            results: Vec::new(),
            failed: false,
        });
        steps.extend(part.trips.iter().map(|trip| RoundTrip {
            label: format!("{}:{}", trip.label, part.shard),
            ..trip.clone()
        }));
    }
    MeterDb {
        setup: migration_statements(),
        steps,
    }
}

const RESEED: &str = "reseed";

/// D1's counters of [`meter_db`]'s replay, by shard.
pub fn attach(run: &mut ShardSweepRun, metered: &[Metered]) {
    let totals = crate::meter::by_label(metered);
    for part in &mut run.parts {
        let get = |label: &str| totals.get(&format!("{label}:{}", part.shard)).cloned();
        part.d1_claim = get("claim");
        part.d1_tidy = get("tidy").or_else(|| get("record"));
    }
}

/// What is wrong with a sweep over shards (nothing when each shard took exactly its two
/// round trips and its statements, sent its users with its own number, and only the
/// directory recorded the sweep).
pub fn verdict(run: &ShardSweepRun) -> Vec<String> {
    let mut verdict = Vec::new();
    if let Some(error) = &run.error {
        verdict.push(format!("the sweep failed: {error}"));
    }
    if run.summary_shards != run.shards {
        verdict.push(format!(
            "the summary has {} shards, not {}",
            run.summary_shards, run.shards
        ));
    }
    for part in &run.parts {
        if let Some(error) = &part.error {
            verdict.push(format!("shard {} failed: {error}", part.shard));
        }
        if part.round_trips != ROUND_TRIPS_PER_SHARD {
            verdict.push(format!(
                "shard {} took {} round trips, not {ROUND_TRIPS_PER_SHARD}",
                part.shard, part.round_trips
            ));
        }
        let statements = CLAIM_STATEMENTS
            + if part.shard == DIRECTORY {
                RECORD_STATEMENTS
            } else {
                TIDY_STATEMENTS
            };
        if part.statements != statements {
            verdict.push(format!(
                "shard {} sent {} statements, not {statements}",
                part.shard, part.statements
            ));
        }
        let expected = part.due.min(run.cap);
        if part.enqueued != expected || part.users_due != expected {
            verdict.push(format!(
                "shard {}: {} due and {} enqueued in the summary, not {expected}",
                part.shard, part.users_due, part.enqueued
            ));
        }
        let sends = part
            .messages
            .div_ceil(time_machine::engine::sweep::MAX_MESSAGES_PER_SEND);
        if part.queue_sends != sends {
            verdict.push(format!(
                "shard {} made {} Queue sends for {} messages, not {sends}",
                part.shard, part.queue_sends, part.messages
            ));
        }
    }
    if let Err(problem) = &run.delivery {
        verdict.push(problem.clone());
    }
    if run.sweeps_recorded != 1 || run.sweeps_elsewhere != 0 {
        verdict.push(format!(
            "the sweep was recorded {} times in the directory and {} in the other shards, not once in the directory",
            run.sweeps_recorded, run.sweeps_elsewhere
        ));
    }
    verdict
}

fn cap_cell(run: &ShardSweepRun) -> String {
    if run.whole_backlog {
        format!("{} (its due users)", int(run.cap as i64))
    } else {
        int(run.cap as i64)
    }
}

fn metered_cell(value: Option<u64>) -> String {
    value.map_or("n/a".to_owned(), uint)
}

/// The report's section: the sweeps, then each shard of the largest sweeps.
/// `provenance`: said under the heading when the section is written apart from the
/// report around it (`bench shards --write`).
pub fn section(
    runs: &[ShardSweepRun],
    meter: &Result<(), String>,
    provenance: Option<&str>,
) -> String {
    let mut md = String::new();
    md.push_str("### Over several shards\n\n");
    if let Some(provenance) = provenance {
        md.push_str(&format!("*{provenance}*\n\n"));
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|run| {
            let totals = run.d1_totals();
            vec![
                format!("{} ({} in D1)", int(run.due as i64), int(run.users as i64)),
                run.shards.to_string(),
                cap_cell(run),
                format!(
                    "{} ({} per shard)",
                    int(run.enqueued as i64),
                    int((run.enqueued / run.shards) as i64)
                ),
                format!("{} / {}", int(run.messages as i64), run.queue_sends),
                format!(
                    "{} / {} ({} per shard)",
                    run.round_trips(),
                    run.statements(),
                    num(run.round_trips() as f64 / run.shards as f64)
                ),
                run.subrequests().to_string(),
                metered_cell(totals.map(|t| t.0)),
                metered_cell(run.d1_claim_read_max()),
                metered_cell(totals.map(|t| t.1)),
                format!(
                    "{} / {}",
                    metered_cell(totals.map(|t| t.2)),
                    metered_cell(totals.map(|t| t.3))
                ),
                run.wall_ms.show(),
                run.slowest_ms.show(),
                format!(
                    "{}{}",
                    run.core_ms.show(),
                    run.replay_error
                        .as_ref()
                        .map(|error| format!(" (replay diverged: {error})"))
                        .unwrap_or_default()
                ),
                match &run.delivery {
                    Ok(()) => "yes".to_owned(),
                    Err(problem) => format!("**no**: {problem}"),
                },
            ]
        })
        .collect();
    md.push_str(&table(
        &[
            "due users",
            "shards",
            "cap per shard (SWEEP_MAX_USERS)",
            "claimed and sent",
            "messages / Queue sends",
            "D1 round trips / statements",
            "subrequests (D1 + Queue)",
            "D1 rows read (claims)",
            "D1 rows read, the busiest shard's claim",
            "D1 rows written (claims)",
            "housekeeping: rows read / written",
            "time, ms (native, the shards one after another)",
            "the slowest shard's part, ms (native)",
            "the cron's own work, ms (native, replayed)",
            "every user sent with its shard",
        ],
        &rows,
    ));
    let counts: Vec<usize> = runs.iter().map(|run| run.wall_ms.runs).collect();
    let (fewest, most) = (
        counts.iter().copied().min().unwrap_or(0),
        counts.iter().copied().max().unwrap_or(0),
    );
    let runs_count = if fewest == most {
        most.to_string()
    } else {
        format!("{most} ({fewest} for the sweeps of 100,000 users)")
    };
    md.push_str(&format!(
        "\nOne `SqliteDatabase` per shard, every migration applied, the users spread evenly \
         (shard k holds the users numbered k·n + 1 to (k + 1)·n of section 2's seed, every \
         second one due), each wrapped in the recording twin and a clock of its own; one \
         `run_sweep` over them all (`bench/src/shard_sweep.rs`). `SWEEP_MAX_USERS` is per \
         shard: the cap is either each shard's due users (the whole backlog in one sweep) \
         or the deployment's 10,000, under which 100,000 due users on one shard are claimed \
         10,000 at a time (ten sweeps, the rest wait), on 4 shards 40,000 (25,000 due in \
         each) and on 16 shards all of them (6,250 in each). Every shard takes exactly two \
         D1 round trips: the claim ({CLAIM_STATEMENTS} statements) and its housekeeping \
         with the notification deliveries and forwarding destinations due ({TIDY_STATEMENTS}; the directory's also \
         records the sweep: {RECORD_STATEMENTS}); the Queue gets one `send_batch` per 100 \
         messages of a shard. *Subrequests* are the cron invocation's: the D1 round trips \
         and the Queue sends (paid plan: 1,000). D1's counters: each shard's round trips \
         replayed through the local runtime's D1 as in section 2, on one database per \
         sweep that holds each shard's users in turn (the previous shard's deleted, its \
         own seeded, then its round trips: the counters of a round trip depend on the \
         rows it meets). *Time* is median (min–max) of {runs_count} runs of the whole \
         `run_sweep` (fresh databases each; every sweep of the table once a round, so \
         that other work on the machine slows one run of each rather than every run of \
         one); natively the shards run one after another on one thread (the twin \
         answers at once, so `join_all` finishes one shard's claim and sends before the \
         next), so it is the sum of the shards' parts. On the platform \
         they run at once, each on its own database: the sweep then waits for its slowest \
         shard, whose part (its claim, building and sending its messages, its housekeeping) \
         is the next column. *The cron's own work* is the same sweep replayed with every \
         shard answering from its recording at once (as section 4 replays the single \
         database's): the Worker's part, which its CPU time is made of (D1's time is not \
         the Worker's). *Every user sent with its shard*: every message names the \
         shard of each user it carries, no user is sent twice, and each shard sent exactly \
         the users it holds due (at most its cap).\n\n"
    ));
    let largest = runs.iter().map(|run| run.due).max().unwrap_or(0);
    let backlog = |shards: usize| {
        runs.iter()
            .find(|run| run.shards == shards && run.due == largest && run.whole_backlog)
    };
    let most = runs.iter().map(|run| run.shards).max().unwrap_or(1);
    if let (Some(one), Some(many)) = (backlog(1), backlog(most)) {
        let held = |run: &ShardSweepRun| {
            run.parts
                .iter()
                .map(|part| part.d1_ms.min)
                .fold(0.0, f64::max)
        };
        md.push_str(&format!(
            "Shards do not shrink the cron's own work: with {} due users it is {} ms on one \
             shard and {} ms on {} (fastest runs: the same messages are built and sent, by \
             one invocation). What they divide is the time each database is held: the claim \
             and the housekeeping hold the one database {} ms natively, each of the {} at \
             most {} ms (fastest runs).\n\n",
            int(largest as i64),
            num(one.core_ms.min),
            num(many.core_ms.min),
            many.shards,
            num(held(one)),
            many.shards,
            num(held(many))
        ));
    }
    if let Err(error) = meter {
        md.push_str(&format!("**D1's counters could not be read:** {error}\n\n"));
    }
    // Each shard of the 16-shard sweeps.
    for run in runs
        .iter()
        .filter(|run| run.shards == 16 && run.due >= 100_000 && run.whole_backlog)
    {
        md.push_str(&format!(
            "Each shard of the sweep of {} due users over {} shards, cap {}:\n\n",
            int(run.due as i64),
            run.shards,
            cap_cell(run)
        ));
        let rows: Vec<Vec<String>> = run
            .parts
            .iter()
            .map(|part| {
                vec![
                    part.shard.to_string(),
                    format!("{} / {}", int(part.users as i64), int(part.due as i64)),
                    int(part.enqueued as i64),
                    format!("{} / {}", int(part.messages as i64), part.queue_sends),
                    format!("{} / {}", part.round_trips, part.statements),
                    metered_cell(part.d1_claim.as_ref().map(|d| d.rows_read)),
                    metered_cell(part.d1_claim.as_ref().map(|d| d.rows_written)),
                    format!(
                        "{} / {}",
                        metered_cell(part.d1_tidy.as_ref().map(|d| d.rows_read)),
                        metered_cell(part.d1_tidy.as_ref().map(|d| d.rows_written))
                    ),
                    part.ms.show(),
                    part.d1_ms.show(),
                ]
            })
            .collect();
        md.push_str(&table(
            &[
                "shard",
                "users / due",
                "claimed and sent",
                "messages / Queue sends",
                "D1 round trips / statements",
                "D1 rows read (claim)",
                "D1 rows written (claim)",
                "housekeeping: rows read / written",
                "its part, ms (native)",
                "its two round trips, ms (native)",
            ],
            &rows,
        ));
        md.push('\n');
    }
    md
}

/// The section as `bench shards` and the CI guard print it: one line per sweep.
pub fn summary_line(run: &ShardSweepRun) -> String {
    format!(
        "{} due users over {} shards (cap {}): {} sent in {} messages and {} Queue sends; {} D1 round trips, {} statements; {} ms (slowest shard {} ms; the cron's own work {} ms); every user with its shard: {}",
        int(run.due as i64),
        run.shards,
        int(run.cap as i64),
        int(run.enqueued as i64),
        int(run.messages as i64),
        run.queue_sends,
        run.round_trips(),
        run.statements(),
        run.wall_ms.show(),
        run.slowest_ms.show(),
        run.core_ms.show(),
        match &run.delivery {
            Ok(()) => "yes".to_owned(),
            Err(problem) => problem.clone(),
        }
    )
}

/// Bytes per user of the directory (`user_shards` and its index on `spotify_id`), by
/// `dbstat`: `entries` users with ids of Spotify's length (28 characters), spread over
/// `shards` shards.
pub fn directory_bytes_per_user(entries: usize, shards: usize) -> f64 {
    let db = SqliteDatabase::new();
    db.sql(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {entries}) \
             INSERT INTO user_shards (user_id, spotify_id, shard, created_at) \
             SELECT printf('%028d', i * 7919), printf('%028d', i * 7919), i % {shards}, {} - i * 1000 FROM n",
            SWEEP_NOW
        ),
        vec![],
    );
    let bytes = db.sql(
        "SELECT coalesce(sum(s.pgsize), 0) AS bytes FROM dbstat s \
           JOIN sqlite_schema m ON m.name = s.name WHERE m.tbl_name = ?1",
        vec![json!("user_shards")],
    );
    let bytes = bytes
        .first()
        .and_then(|row| row["bytes"].as_f64())
        .unwrap_or(f64::NAN);
    bytes / entries.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use time_machine::engine::job::JobUser;
    use time_machine::engine::slot::SlotKind;

    fn job(shard: ShardIndex, numbers: &[usize]) -> ArchiveJob {
        ArchiveJob {
            shard,
            users: numbers
                .iter()
                .map(|n| JobUser::new(&format!("bench-user-{n}"), SlotKind::Hourly, SWEEP_NOW))
                .collect(),
            enqueued_at: SWEEP_NOW,
        }
    }

    #[test]
    fn a_user_sent_with_another_shard_or_twice_is_caught() {
        // Two shards of 4 users: 2 and 4 are shard 0's due users, 6 and 8 shard 1's.
        let good = [job(0, &[2, 4]), job(1, &[6, 8])];
        assert_eq!(verify_delivery(&good, 2, 4, 10), Ok(()));
        let wrong_shard = [job(0, &[2, 4, 6]), job(1, &[8])];
        let problem = verify_delivery(&wrong_shard, 2, 4, 10).unwrap_err();
        assert!(
            problem.contains("bench-user-6 lives in shard 1"),
            "{problem}"
        );
        let twice = [job(0, &[2, 4, 4]), job(1, &[6, 8])];
        assert!(verify_delivery(&twice, 2, 4, 10)
            .unwrap_err()
            .contains("sent twice"));
        let missing = [job(0, &[2, 4]), job(1, &[6])];
        assert!(verify_delivery(&missing, 2, 4, 10)
            .unwrap_err()
            .contains("shard 1 sent 1 users, not the 2"));
        // Under a cap of 1, each shard sends one.
        assert_eq!(
            verify_delivery(&[job(0, &[2]), job(1, &[8])], 2, 4, 1),
            Ok(())
        );
    }

    #[test]
    fn a_small_sweep_over_shards_passes_its_own_verdict() {
        let run = measure(3, 300, 0, 1);
        assert_eq!(verdict(&run), Vec::<String>::new());
        assert_eq!(run.enqueued, 300);
        assert_eq!(run.round_trips(), 6);
        assert_eq!(run.parts.len(), 3);
        // Labelled for the meter: the claim, then the housekeeping (the record in shard 0).
        assert_eq!(run.parts[0].trips[1].label, "record");
        assert_eq!(run.parts[2].trips[1].label, "tidy");
        let capped = measure(2, 400, 50, 1);
        assert_eq!(verdict(&capped), Vec::<String>::new());
        assert_eq!(capped.enqueued, 100);
    }

    #[test]
    fn a_third_round_trip_or_a_sweep_recorded_twice_fails_the_guard() {
        let mut run = measure(2, 100, 0, 1);
        run.parts[1].round_trips = 3;
        run.sweeps_elsewhere = 1;
        let verdict = verdict(&run);
        assert_eq!(verdict.len(), 2, "{verdict:?}");
        assert!(verdict[0].contains("shard 1 took 3 round trips, not 2"));
        assert!(verdict[1].contains("1 in the other shards"));
    }
}
