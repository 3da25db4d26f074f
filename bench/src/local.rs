//! Measurements through the local runtime: `wrangler dev --local` (workerd, Miniflare's
//! D1, KV and Queues) against the Spotify simulator, each in an `e2e::Stack` of its own
//! (own ports, own state, stopped when done). Everything talks HTTP on 127.0.0.1.
//!
//! - the sweep: users seeded into the local D1 with one `INSERT … SELECT` (through
//!   `wrangler d1 execute --local`), then `POST /api/admin/sweep`;
//! - throughput: simulated listeners created through the simulator's admin API, each
//!   logged in through the real login flow (`/login`, the simulator's consent,
//!   `/callback`), backfilled through the queue; then all made due and swept, and the
//!   time until the consumer has logged every archive.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread;
use std::time::{Duration, Instant};

use e2e::{now_ms, Stack};

use crate::stats::{ms, Spread};
use crate::sweep::seed_sql_at;

/// Copies the built Workers (`build/`, as `scripts/build` left them: the front and the
/// other parts beside it) to a directory of our own and points the e2e harness at it
/// (`E2E_WORKER_BUILD`): `wrangler dev` reloads when its files change, and other work in
/// this tree may rebuild `build/` during a long run.
pub fn snapshot_worker(root: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let from = root.join("build");
    let to = root.join("target/bench-worker");
    let _ = std::fs::remove_dir_all(&to);
    for part in e2e::WORKER_PARTS {
        let (from, to) = (from.join(part), to.join(part));
        std::fs::create_dir_all(to.join("worker"))
            .map_err(|error| format!("{}: {error}", to.display()))?;
        for file in [
            "index.js",
            "index_bg.wasm",
            "package.json",
            "worker/shim.mjs",
        ] {
            let source = from.join(file);
            if source.exists() {
                std::fs::copy(&source, to.join(file))
                    .map_err(|error| format!("copying {}: {error}", source.display()))?;
            }
        }
        if !to.join("index_bg.wasm").exists() {
            return Err(format!(
                "{} has no built Worker: run scripts/build",
                from.display()
            ));
        }
    }
    std::env::set_var("E2E_WORKER_BUILD", &to);
    Ok(to)
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Runs a measurement that may panic (the e2e harness fails by panicking); the panic's
/// message becomes the error.
pub fn guarded<T>(what: &str, work: impl FnOnce() -> T) -> Result<T, String> {
    // The panics are caught and reported; the default hook would print each one (with a
    // backtrace) as it happens, retried ones included.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(work));
    std::panic::set_hook(previous);
    result.map_err(|panic| {
        // The stack's diagnostics can be long: the head says what failed.
        let message = panic_message(panic.as_ref());
        let head: String = message.lines().take(12).collect::<Vec<_>>().join("\n");
        format!("{what}: {head}")
    })
}

/// The harness's HTTP agent keeps connections alive; wrangler closes an idle one after a
/// few seconds, and the next request on it fails before it is sent ("connection reset").
/// A request that failed that way never reached the Worker, so it is sent again (at most
/// twice more).
fn resent<T>(work: impl Fn() -> T) -> T {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match catch_unwind(AssertUnwindSafe(&work)) {
            Ok(value) => return value,
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                let stale = message.lines().next().is_some_and(|first| {
                    first.contains("Connection reset") || first.contains("connection closed")
                });
                if !stale || attempt >= 3 {
                    std::panic::resume_unwind(panic);
                }
            }
        }
    }
}

/// One `POST /api/admin/sweep` on the local runtime.
#[derive(Debug, Clone)]
pub struct LocalSweepRun {
    pub users_due: u64,
    pub enqueued: u64,
    pub messages: u64,
    /// The whole request, as the client saw it.
    pub http_ms: f64,
    /// The summary's `duration_ms` (the Worker's clock, which advances only across I/O).
    pub worker_ms: f64,
}

#[derive(Debug, Clone)]
pub struct LocalSweep {
    pub seeded: usize,
    pub runs: Vec<LocalSweepRun>,
}

impl LocalSweep {
    pub fn http_ms(&self) -> Spread {
        Spread::of(&self.runs.iter().map(|run| run.http_ms).collect::<Vec<_>>())
    }

    pub fn worker_ms(&self) -> Spread {
        Spread::of(
            &self
                .runs
                .iter()
                .map(|run| run.worker_ms)
                .collect::<Vec<_>>(),
        )
    }
}

fn sweep_once(stack: &Stack) -> LocalSweepRun {
    let (reply, http_ms) = resent(|| {
        let started = Instant::now();
        let reply = stack.admin("/api/admin/sweep", "");
        (reply, ms(started.elapsed()))
    });
    if reply.status != 200 {
        stack.fail(&format!("admin sweep: {} {}", reply.status, reply.body));
    }
    let summary = reply.json();
    let field = |name: &str| summary[name].as_u64().unwrap_or(0);
    LocalSweepRun {
        users_due: field("users_due"),
        enqueued: field("enqueued"),
        messages: field("messages"),
        http_ms,
        worker_ms: summary["duration_ms"].as_f64().unwrap_or(f64::NAN),
    }
}

/// `due` users due (and as many not due), swept once, in a fresh stack each run: the
/// consumer then starts on the claimed users (they have no tokens and are marked as
/// needing a login), which would load the runtime under a second sweep (and at 10,000
/// users the local runtime runs out of file descriptors working through them), so every
/// run has a runtime of its own, idle but for its warm-up request.
pub fn sweep(due: usize, runs: usize) -> LocalSweep {
    let mut out = LocalSweep {
        seeded: 2 * due,
        runs: Vec::new(),
    };
    for _ in 0..runs.max(1) {
        let stack = Stack::start();
        stack.d1(&seed_sql_at(2 * due, now_ms()));
        out.runs.push(sweep_once(&stack));
    }
    out
}

/// One sweep of everyone logged in so far, until the consumer logged every outcome.
#[derive(Debug, Clone)]
pub struct PhaseSweep {
    pub enqueued: u64,
    /// From the sweep request until the consumer had logged an outcome for every user.
    pub seconds: f64,
    pub archived: usize,
    pub other_outcomes: usize,
    /// Users whose `last_success_at` moved past the sweep's start (from D1).
    pub confirmed: u64,
    pub timed_out: bool,
}

impl PhaseSweep {
    pub fn per_minute(&self) -> f64 {
        self.archived as f64 / (self.seconds / 60.0)
    }
}

/// Throughput of one phase.
#[derive(Debug, Clone)]
pub struct Phase {
    pub users: usize,
    /// Each login through the Worker's routes (3 requests, Spotify's code exchange and
    /// `/me` inside), milliseconds.
    pub login_ms: Spread,
    pub logins: usize,
    /// The logins one after another, seconds in all.
    pub logins_s: f64,
    /// From the first login of the phase until every backfill was logged, seconds.
    pub logins_and_backfills_s: f64,
    pub backfills_timed_out: bool,
    pub sweeps: Vec<PhaseSweep>,
    /// Why the sweeps stopped early, if they did.
    pub error: Option<String>,
}

impl Phase {
    pub fn per_minute(&self) -> Spread {
        Spread::of(
            &self
                .sweeps
                .iter()
                .map(PhaseSweep::per_minute)
                .collect::<Vec<_>>(),
        )
    }

    pub fn seconds(&self) -> Spread {
        Spread::of(
            &self
                .sweeps
                .iter()
                .map(|sweep| sweep.seconds)
                .collect::<Vec<_>>(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct Throughput {
    pub phases: Vec<Phase>,
}

/// Makes everyone due, sweeps once and waits for every outcome. A scheduled poll's
/// idempotency slot is per UTC minute once a user was polled this hour, so a repeated
/// sweep of the same users runs in a later minute (the stack waits for it, untimed).
fn timed_sweep(stack: &Stack, deadline: Duration) -> PhaseSweep {
    stack.d1("UPDATE users SET next_due_at = 0");
    let (before, before_other) = outcomes(stack);
    let (sweep_start_ms, started, reply) = stack.in_a_new_sweep_minute(|| {
        (
            now_ms(),
            Instant::now(),
            resent(|| stack.admin("/api/admin/sweep", "")),
        )
    });
    if reply.status != 200 {
        stack.fail(&format!("admin sweep: {} {}", reply.status, reply.body));
    }
    let enqueued = reply.json()["enqueued"].as_u64().unwrap_or(0);
    let done = wait_for_outcomes(
        stack,
        before + before_other + usize::try_from(enqueued).unwrap_or(0),
        deadline,
    );
    let seconds = started.elapsed().as_secs_f64();
    let (after, after_other) = outcomes(stack);
    let confirmed = stack
        .d1(&format!(
            "SELECT count(*) AS n FROM users WHERE last_success_at >= {sweep_start_ms}"
        ))
        .first()
        .and_then(|row| row["n"].as_u64())
        .unwrap_or(0);
    PhaseSweep {
        enqueued,
        seconds,
        archived: after - before,
        other_outcomes: after_other - before_other,
        confirmed,
        timed_out: !done,
    }
}

/// (archived, other outcomes) the consumer has logged so far.
fn outcomes(stack: &Stack) -> (usize, usize) {
    let mut archived = 0;
    let mut other = 0;
    for event in stack.worker_events() {
        if event["event"] == "archive" {
            if event["outcome"] == "archived" {
                archived += 1;
            } else {
                other += 1;
            }
        }
    }
    (archived, other)
}

/// Waits until the consumer has logged `target` outcomes; false on the deadline.
fn wait_for_outcomes(stack: &Stack, target: usize, deadline: Duration) -> bool {
    let started = Instant::now();
    loop {
        let (archived, other) = outcomes(stack);
        if archived + other >= target {
            return true;
        }
        if started.elapsed() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

/// Logs in listeners in phases (e.g. 100, then 900 more to make 1,000) and after each
/// phase sweeps everyone logged in so far, `sweeps` times (each in a later minute).
pub fn throughput(phases: &[usize], sweeps: usize, deadline: Duration) -> Throughput {
    let stack = Stack::start();
    let total: usize = phases.iter().sum();
    for n in 0..total {
        // A typical listener: about 15 plays an hour, with two hours of history.
        stack.create_user(&format!("tp{n:05}"), 15.0, 2.0);
    }
    let mut out = Throughput { phases: Vec::new() };
    let mut logged_in = 0;
    for &count in phases {
        let (before, before_other) = outcomes(&stack);
        let phase_start = Instant::now();
        let mut login_ms = Vec::new();
        for n in logged_in..logged_in + count {
            let took = resent(|| {
                let started = Instant::now();
                let browser = stack.login(&format!("tp{n:05}"));
                let took = ms(started.elapsed());
                drop(browser);
                took
            });
            login_ms.push(took);
        }
        logged_in += count;
        // Every login queued a backfill.
        let backfilled = wait_for_outcomes(&stack, before + before_other + count, deadline);
        let mut phase = Phase {
            users: logged_in,
            login_ms: Spread::of(&login_ms),
            logins: count,
            logins_s: login_ms.iter().sum::<f64>() / 1_000.0,
            logins_and_backfills_s: phase_start.elapsed().as_secs_f64(),
            backfills_timed_out: !backfilled,
            sweeps: Vec::new(),
            error: None,
        };
        for _ in 0..sweeps.max(1) {
            // A failing repeat ends the phase's repeats, not the measurement.
            match catch_unwind(AssertUnwindSafe(|| timed_sweep(&stack, deadline))) {
                Ok(sweep) => {
                    let clean = !sweep.timed_out && sweep.other_outcomes == 0;
                    phase.sweeps.push(sweep);
                    if !clean {
                        break;
                    }
                }
                Err(panic) => {
                    let message = panic_message(panic.as_ref());
                    phase.error = Some(message.lines().next().unwrap_or_default().to_owned());
                    break;
                }
            }
        }
        out.phases.push(phase);
    }
    out
}
