//! `bench report`: runs every measurement and writes docs/benchmarks.md, and the
//! generated tables of docs/scaling.md and docs/costs.md (between their
//! `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use time_machine::time::to_rfc3339;

use crate::archive_cost::{self, Scenario};
use crate::bundle::{self, Bundle};
use crate::core_speed::{self, CoreSpeed};
use crate::invocations::{self, Invocation};
use crate::local::{self, guarded, LocalSweep, Throughput};
use crate::meter::{self, MeterDb};
use crate::model::{self, ArchiveCounts, Inputs};
use crate::rows::{self, Poll, RowsRun};
use crate::shard_model::{self, ShardFacts};
use crate::shard_sweep::{self, ShardSweepRun};
use crate::stats::{int, num, table, uint};
use crate::storage::{self, Storage};
use crate::sweep::{self, SweepRun};
use crate::wasm::{self, WasmFactor};
use crate::week::{self, Week};

mod sections;
#[cfg(test)]
mod tests;

use sections::render;

/// The wasm factor the CPU estimates fall back on when the probe cannot be measured
/// (`crate::wasm`): a stated assumption, and its range.
pub const STATED_WASM_FACTOR: f64 = 2.0;
pub const STATED_WASM_FACTOR_RANGE: (f64, f64) = (1.5, 3.0);

pub struct Options {
    pub quick: bool,
    pub skip_local: bool,
    pub out: PathBuf,
}

impl Options {
    pub fn parse(args: &[String], root: &Path) -> Result<Options, String> {
        let mut options = Options {
            quick: false,
            skip_local: false,
            out: root.join("docs/benchmarks.md"),
        };
        // A quick run never replaces the report in docs/ unless asked to.
        if args.iter().any(|arg| arg == "--quick") {
            options.out = root.join("target/benchmarks-quick.md");
        }
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--skip-local" => options.skip_local = true,
                "--out" => {
                    options.out = args.next().map(PathBuf::from).ok_or("--out needs a path")?;
                }
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }
}

struct Findings {
    archive: Scenario,
    archive_meter: Result<(), String>,
    rows: Vec<RowsRun>,
    sweeps: Vec<SweepRun>,
    sweep_meter: Result<(), String>,
    /// The sweep over 1, 4 and 16 shards, and the directory's bytes per user.
    shard_sweeps: Vec<ShardSweepRun>,
    directory_bytes_per_user: f64,
    core: CoreSpeed,
    wasm: Result<WasmFactor, String>,
    invocations: Vec<Invocation>,
    /// Keys at a deployment's scale (what the model takes), and from 1.
    storage: Storage,
    storage_small: Storage,
    /// One per Worker, the front first.
    bundle: Result<Vec<Bundle>, String>,
    week: Result<Week, String>,
    local_sweeps: Vec<(usize, Result<LocalSweep, String>)>,
    throughput: Result<Throughput, String>,
    elapsed: Duration,
    load_start: String,
}

fn step(what: &str) -> Instant {
    eprintln!("bench: {what}");
    Instant::now()
}

fn done(started: Instant) {
    eprintln!("bench:   … {:.1} s", started.elapsed().as_secs_f64());
}

pub fn run(root: &Path, options: &Options) -> Result<(), String> {
    let started = Instant::now();
    let load_start = load_average();
    let runs = if options.quick { 3 } else { 7 };

    let t = step("archiving one user: counts on the native twin");
    let mut archive = archive_cost::run();
    done(t);

    let t = step("rows written per new play: cold and warm catalogue, 15 and 50 plays");
    let mut rows_runs: Vec<RowsRun> = rows::PLAY_COUNTS
        .iter()
        .map(|n| rows::measure(*n))
        .collect();
    done(t);

    let t = step("the sweep on the native twin: 1,000, 10,000 and 100,000 due users");
    let sizes: &[(usize, usize)] = if options.quick {
        &[(1_000, 1_000), (10_000, 10_000)]
    } else {
        &[
            (1_000, 1_000),
            (10_000, 10_000),
            (100_000, 100_000),
            (100_000, 10_000),
        ]
    };
    let mut sweeps: Vec<SweepRun> = sizes
        .iter()
        .map(|(due, cap)| {
            sweep::measure(*due, *cap, if *due >= 100_000 { runs.min(5) } else { runs })
        })
        .collect();
    done(t);

    let t = step("the sweep over 1, 4 and 16 shards on the native twins");
    let mut shard_sweeps = measure_shard_sweeps(options.quick, runs);
    let directory_bytes_per_user = shard_sweep::directory_bytes_per_user(DIRECTORY_ENTRIES, 16);
    done(t);

    let t =
        step("D1's rows read and written: the recorded round trips through the local runtime's D1");
    let mut databases = vec![MeterDb {
        setup: meter::migration_statements(),
        steps: archive.trips.clone(),
    }];
    databases.extend(rows_runs.iter().map(rows::meter_db));
    databases.extend(sweeps.iter().map(sweep::meter_db));
    databases.extend(shard_sweeps.iter().map(shard_sweep::meter_db));
    let (archive_meter, sweep_meter) = match meter::run(root, &databases) {
        Ok(results) => {
            archive_cost::attach(&mut archive, &results[0]);
            let (rows_results, rest) = results[1..].split_at(rows_runs.len());
            let (sweep_results, shard_results) = rest.split_at(sweeps.len());
            for (run, metered) in rows_runs.iter_mut().zip(rows_results) {
                rows::attach(run, metered);
            }
            for (run, metered) in sweeps.iter_mut().zip(sweep_results) {
                sweep::attach(run, metered);
            }
            attach_shard_sweeps(&mut shard_sweeps, shard_results);
            (Ok(()), Ok(()))
        }
        Err(error) => (Err(error.clone()), Err(error)),
    };
    done(t);

    let t = step("the core natively: a page of 50, an export of 150,000 records");
    let records = if options.quick { 15_000 } else { 150_000 };
    let core = core_speed::measure(&archive.full_page, records, runs);
    done(t);

    let chunk = core_speed::export_chunks(2_500)
        .into_iter()
        .next()
        .unwrap_or_default();
    let t = step("the wasm factor: the same kernels natively and as WebAssembly in Node's V8");
    let wasm = wasm::measure(root, &archive.full_page, &chunk, runs);
    if let Err(error) = &wasm {
        eprintln!("bench:   failed: {error}");
    }
    done(t);

    let t = step("per invocation: subrequests, and the core's work replayed");
    let cron_runs: Vec<&SweepRun> = sweeps
        .iter()
        .filter(|run| run.cap == run.due && run.due <= 10_000)
        .collect();
    let invocations = invocations::measure(&cron_runs, &chunk, if options.quick { 10 } else { 40 });
    done(t);

    let t = step("storage: plays archived through the write path, sized by dbstat");
    let (users, archives) = if options.quick { (10, 10) } else { (40, 25) };
    let storage = storage::measure(users, archives, true);
    let storage_small = storage::measure(users, archives, false);
    done(t);

    let t = step("the release bundles: wrangler deploy --dry-run of each Worker");
    let bundle = bundle::measure(root);
    done(t);

    let t = step("a simulated week: cargo test --test week_simulation");
    let week = week::run(root);
    done(t);

    let mut local_sweeps = Vec::new();
    let mut throughput = Err("skipped (--skip-local)".to_owned());
    let snapshot = if options.skip_local {
        Ok(PathBuf::new())
    } else {
        local::snapshot_worker(root)
    };
    if let Err(error) = &snapshot {
        throughput = Err(error.clone());
    }
    if !options.skip_local && snapshot.is_ok() {
        let local_sizes: &[usize] = if options.quick {
            &[1_000]
        } else {
            &[1_000, 10_000, 100_000]
        };
        for due in local_sizes {
            let t = step(&format!("the sweep on the local runtime: {due} due users"));
            let result = guarded("local sweep", || local::sweep(*due, 3));
            if let Err(error) = &result {
                eprintln!("bench:   failed: {error}");
            }
            local_sweeps.push((*due, result));
            done(t);
        }
        let phases: &[usize] = if options.quick { &[20] } else { &[100, 900] };
        let t = step("throughput end to end: logins, backfills, a sweep, through wrangler dev");
        throughput = guarded("throughput", || {
            local::throughput(
                phases,
                if options.quick { 2 } else { 3 },
                Duration::from_secs(if options.quick { 300 } else { 1_200 }),
            )
        });
        if let Err(error) = &throughput {
            eprintln!("bench:   failed: {error}");
        }
        done(t);
    }

    let findings = Findings {
        archive,
        archive_meter,
        rows: rows_runs,
        sweeps,
        sweep_meter,
        shard_sweeps,
        directory_bytes_per_user,
        core,
        wasm,
        invocations,
        storage,
        storage_small,
        bundle,
        week,
        local_sweeps,
        throughput,
        elapsed: started.elapsed(),
        load_start,
    };
    let inputs = model_inputs(&findings);
    let markdown = render(root, options, &findings, &inputs);
    std::fs::write(&options.out, markdown)
        .map_err(|error| format!("writing {}: {error}", options.out.display()))?;
    eprintln!("bench: wrote {}", options.out.display());
    if !options.quick {
        let d1_ms = 2.0;
        for (file, name, content) in [
            ("docs/costs.md", "user-day", model::user_day_table(&inputs)),
            ("docs/costs.md", "free", model::free_table(&inputs)),
            ("docs/costs.md", "paid", model::paid_table(&inputs)),
            ("docs/costs.md", "facts", model::facts_table()),
            (
                "docs/costs.md",
                "settings",
                settings_table(&findings, &inputs),
            ),
            (
                "docs/scaling.md",
                "bindings",
                model::bindings_table(&inputs, d1_ms),
            ),
            (
                "docs/scaling.md",
                "user-day",
                model::user_day_table(&inputs),
            ),
            (
                "docs/scaling.md",
                "shards",
                shard_model::tables(
                    &inputs,
                    &shard_facts(
                        &findings.shard_sweeps,
                        findings.directory_bytes_per_user,
                        cpu_factor(&findings),
                    ),
                ),
            ),
        ] {
            fill(&root.join(file), name, &content)?;
        }
    }
    Ok(())
}

/// Directory entries sized for the directory's bytes per user.
const DIRECTORY_ENTRIES: usize = 100_000;

/// The sweeps over shards: 10,000 and 100,000 due users over 1, 4 and 16 shards (the
/// backlog in one sweep, and 100,000 under the default cap of 10,000 a shard); quick:
/// 10,000 only.
fn measure_shard_sweeps(quick: bool, runs: usize) -> Vec<ShardSweepRun> {
    let sizes: &[(usize, usize)] = if quick {
        &shard_sweep::SIZES[..1]
    } else {
        &shard_sweep::SIZES
    };
    let sweeps: Vec<shard_sweep::Sweep> = sizes
        .iter()
        .flat_map(|(due, cap)| {
            shard_sweep::SHARD_COUNTS.iter().map(move |shards| {
                (
                    *shards,
                    *due,
                    *cap,
                    if *due >= 100_000 { runs.min(5) } else { runs },
                )
            })
        })
        .collect();
    let out = shard_sweep::measure_all(&sweeps);
    for run in &out {
        eprintln!("bench:   {}", shard_sweep::summary_line(run));
    }
    out
}

/// D1's counters of the sweeps over shards: the meter's lists, one per run.
fn attach_shard_sweeps(runs: &mut [ShardSweepRun], metered: &[Vec<meter::Metered>]) {
    for (run, steps) in runs.iter_mut().zip(metered) {
        shard_sweep::attach(run, steps);
    }
}

/// What the scaling model over shards takes from the sweeps over shards: the largest sweep
/// that claimed every due user over the most shards.
fn shard_facts(
    runs: &[ShardSweepRun],
    directory_bytes_per_user: f64,
    (factor, _, _, measured): (f64, f64, f64, bool),
) -> ShardFacts {
    let Some(run) = runs
        .iter()
        .filter(|run| run.whole_backlog && run.enqueued == run.due)
        .max_by_key(|run| (run.shards, run.due))
    else {
        return ShardFacts::default();
    };
    let others: Vec<&shard_sweep::ShardPart> =
        run.parts.iter().filter(|part| part.shard != 0).collect();
    let tidy = |f: fn(&meter::Metered) -> u64| {
        let values: Vec<f64> = others
            .iter()
            .filter_map(|part| part.d1_tidy.as_ref().map(|d| f(d) as f64))
            .collect();
        if values.is_empty() {
            f64::NAN
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    ShardFacts {
        round_trips_per_shard: run.round_trips() as f64 / run.shards.max(1) as f64,
        tidy_rows_read: tidy(|d| d.rows_read),
        tidy_rows_written: tidy(|d| d.rows_written),
        directory_bytes_per_user,
        cron_native_ms_per_user: run.core_ms.min / run.enqueued.max(1) as f64,
        wasm_factor: factor,
        wasm_measured: measured,
        source: format!(
            "the sweep of {} due users over {} shards replayed, its fastest run",
            int(run.due as i64),
            run.shards
        ),
    }
}

/// `bench shards [--quick] [--write]`: the sweeps over shards and the scaling model over
/// shards on their own (about 12 minutes on 2 cores), without the rest of the report. It measures what
/// the model needs (the 15-play polls, the storage run, the week simulation, the sweep of
/// 10,000 users on one database, D1's counters through the meter), prints the section
/// and the tables, and with `--write` replaces only the `shard-sweep` section of
/// docs/benchmarks.md and the `shards` tables of docs/scaling.md. CPU estimates use the
/// stated wasm factor (the probe is not built here).
pub fn run_shards(root: &Path, args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|arg| arg == "--quick");
    let write = args.iter().any(|arg| arg == "--write");
    if let Some(other) = args
        .iter()
        .find(|arg| *arg != "--quick" && *arg != "--write")
    {
        return Err(format!("unknown option {other}"));
    }
    let runs = if quick { 3 } else { 7 };
    let started = Instant::now();
    let load_start = load_average();

    let t = step("the sweep over 1, 4 and 16 shards on the native twins");
    let mut shard_sweeps = measure_shard_sweeps(quick, runs);
    let directory_bytes_per_user = shard_sweep::directory_bytes_per_user(DIRECTORY_ENTRIES, 16);
    done(t);

    let t = step(
        "the model's inputs: the 15-play polls, the storage run, the week, the 10,000-user sweep",
    );
    let mut fifteen = rows::measure(15);
    let (users, archives) = if quick { (10, 10) } else { (40, 25) };
    let storage = storage::measure(users, archives, true);
    let mut big_sweep = sweep::measure(10_000, 10_000, 1);
    let week = week::run(root);
    if let Err(error) = &week {
        eprintln!("bench:   the week simulation failed: {error}");
    }
    done(t);

    let t =
        step("D1's rows read and written: the recorded round trips through the local runtime's D1");
    let mut databases = vec![rows::meter_db(&fifteen), sweep::meter_db(&big_sweep)];
    databases.extend(shard_sweeps.iter().map(shard_sweep::meter_db));
    // The local runtime sometimes fails to start or answer on a busy machine: the meter is
    // tried three times before the section is given up (the sweeps took minutes).
    let mut meter_result = Err(String::new());
    for attempt in 1..=3 {
        meter_result = meter::run(root, &databases);
        match &meter_result {
            Ok(_) => break,
            Err(error) => eprintln!("bench:   attempt {attempt} failed: {error}"),
        }
    }
    let meter_result = meter_result.map(|results| {
        rows::attach(&mut fifteen, &results[0]);
        sweep::attach(&mut big_sweep, &results[1]);
        attach_shard_sweeps(&mut shard_sweeps, &results[2..]);
    });
    done(t);

    let cpu = (
        STATED_WASM_FACTOR,
        STATED_WASM_FACTOR_RANGE.0,
        STATED_WASM_FACTOR_RANGE.1,
        false,
    );
    let inputs = inputs_of(&ModelParts {
        week: week.as_ref().ok(),
        sweeps: std::slice::from_ref(&big_sweep),
        invocations: &[],
        rows: std::slice::from_ref(&fifteen),
        storage: &storage,
        wasm_factor: cpu.0,
    });
    let facts = shard_facts(&shard_sweeps, directory_bytes_per_user, cpu);
    let provenance = format!(
        "Written apart from the rest of this page, by `scripts/bench shards --write` on {} at \
         commit `{}`, on {} (load average {} at the start, {} at the end); it took {:.1} \
         minutes.",
        now_utc(),
        git(root, &["rev-parse", "--short", "HEAD"]),
        machine(),
        load_start,
        load_average(),
        started.elapsed().as_secs_f64() / 60.0
    );
    let section = shard_sweep::section(&shard_sweeps, &meter_result, Some(&provenance));
    let tables = shard_model::tables(&inputs, &facts);
    println!(
        "{section}
{tables}"
    );
    if write && !quick {
        if meter_result.is_err() {
            return Err("D1's counters could not be read: nothing written".to_owned());
        }
        for (file, name, content) in [
            ("docs/benchmarks.md", SHARD_SWEEP_MARKER, &section),
            ("docs/scaling.md", "shards", &tables),
        ] {
            if !fill(&root.join(file), name, content)? {
                return Err(format!(
                    "{file} has no <!-- bench:{name} --> markers: run the full report once"
                ));
            }
        }
    } else if write {
        eprintln!("bench: --quick never writes docs/");
    }
    Ok(())
}

/// The markers of the sweep over shards in docs/benchmarks.md.
const SHARD_SWEEP_MARKER: &str = "shard-sweep";

/// Replaces what stands between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`.
/// Answers whether the markers were there.
fn fill(path: &Path, name: &str, content: &str) -> Result<bool, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(false);
    };
    let open = format!("<!-- bench:{name} -->");
    let close = format!("<!-- /bench:{name} -->");
    let (Some(start), Some(end)) = (text.find(&open), text.find(&close)) else {
        return Ok(false);
    };
    if end < start {
        return Err(format!("{}: {close} before {open}", path.display()));
    }
    let updated = format!(
        "{}{open}\n{}{close}{}",
        &text[..start],
        content,
        &text[end + close.len()..]
    );
    std::fs::write(path, updated).map_err(|error| format!("{}: {error}", path.display()))?;
    eprintln!("bench: updated the {name} table of {}", path.display());
    Ok(true)
}

/// The factor the CPU estimates multiply native times by, its range, and whether it was
/// measured (the largest of the probe's kernels; their smallest and largest as the range).
fn cpu_factor(f: &Findings) -> (f64, f64, f64, bool) {
    match &f.wasm {
        Ok(probe) if probe.factor().is_finite() => {
            let factors: Vec<f64> = probe.kernels.iter().map(wasm::Kernel::factor).collect();
            let low = factors.iter().copied().fold(f64::INFINITY, f64::min);
            let high = factors.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (probe.factor(), low, high, true)
        }
        _ => {
            let (low, high) = STATED_WASM_FACTOR_RANGE;
            (STATED_WASM_FACTOR, low, high, false)
        }
    }
}

fn poll_counts(poll: Option<&Poll>) -> ArchiveCounts {
    ArchiveCounts {
        d1_round_trips: poll.map_or(f64::NAN, |p| p.round_trips as f64),
        rows_read: poll
            .and_then(|p| p.d1.as_ref())
            .map_or(f64::NAN, |d| d.rows_read as f64),
        rows_written: poll.map_or(f64::NAN, |p| p.rows_written() as f64),
        spotify_calls: poll.map_or(f64::NAN, |p| p.spotify_calls as f64),
    }
}

fn invocation<'f>(findings: &'f Findings, starts: &str) -> Option<&'f Invocation> {
    findings
        .invocations
        .iter()
        .find(|inv| inv.what.starts_with(starts))
}

fn model_inputs(findings: &Findings) -> Inputs {
    inputs_of(&ModelParts {
        week: findings.week.as_ref().ok(),
        sweeps: &findings.sweeps,
        invocations: &findings.invocations,
        rows: &findings.rows,
        storage: &findings.storage,
        wasm_factor: cpu_factor(findings).0,
    })
}

/// What the model is computed from: the full report's findings, or the few that
/// `bench shards` measures (no invocations: the CPU and subrequests per archived user
/// are then unknown, and no table that needs them is written).
struct ModelParts<'a> {
    week: Option<&'a Week>,
    sweeps: &'a [SweepRun],
    invocations: &'a [Invocation],
    rows: &'a [RowsRun],
    storage: &'a Storage,
    wasm_factor: f64,
}

fn inputs_of(parts: &ModelParts<'_>) -> Inputs {
    let typical = parts
        .week
        .and_then(|week| week.table("adaptive"))
        .and_then(|table| table.rows.iter().find(|row| row[0].starts_with("typical")))
        .and_then(|row| row[7].parse::<f64>().ok())
        .unwrap_or(1.0);
    let big_sweep = parts
        .sweeps
        .iter()
        .find(|run| run.due == 10_000 && run.cap == 10_000);
    let per_claimed = |f: fn(&crate::meter::Metered) -> u64| {
        big_sweep
            .and_then(|run| {
                run.d1_claim
                    .as_ref()
                    .map(|d| f(d) as f64 / run.claimed.max(1) as f64)
            })
            .unwrap_or(f64::NAN)
    };
    let record = |f: fn(&crate::meter::Metered) -> u64| {
        big_sweep
            .and_then(|run| run.d1_record.as_ref().map(|d| f(d) as f64))
            .unwrap_or(f64::NAN)
    };
    let invocation = |starts: &str| {
        parts
            .invocations
            .iter()
            .find(|inv| inv.what.starts_with(starts))
    };
    let full_batch =
        invocation("queue batch: 10 messages of 10 users (a full batch), tokens refreshed");
    let message = invocation("queue batch: 1 message of 10 users, tokens refreshed");
    let cron = parts
        .invocations
        .iter()
        .find(|inv| inv.handler == "scheduled" && inv.what.contains("10,000 due"));
    // The hourly polls of section 1b: 15 new plays (cold, warm), and nothing new.
    let fifteen = parts.rows.iter().find(|run| run.plays == 15);
    Inputs {
        night: poll_counts(fifteen.map(|run| &run.nothing)),
        day: poll_counts(fifteen.map(|run| &run.cold)),
        day_warm: poll_counts(fifteen.map(|run| &run.warm)),
        day_plays: 15.0,
        polls_per_hour: typical,
        awake_hours: 16.0,
        sweep_rows_read_per_user: per_claimed(|d| d.rows_read),
        sweep_rows_written_per_user: per_claimed(|d| d.rows_written),
        sweep_rows_read_fixed: record(|d| d.rows_read),
        sweep_rows_written_fixed: record(|d| d.rows_written),
        bytes_per_play: parts.storage.bytes_per_play(),
        catalogue_bytes_per_track: parts.storage.catalogue_bytes_per_track(),
        catalogue_tracks_per_user_year: model::CATALOGUE_TRACKS_PER_USER_YEAR,
        cpu_native_ms_per_user: full_batch.map_or(f64::NAN, |inv| inv.core_ms.min / 100.0),
        cron_native_ms_per_user: cron.map_or(f64::NAN, |inv| inv.core_ms.min / 10_000.0),
        wasm_factor: parts.wasm_factor,
        subrequests_per_user: message.map_or(f64::NAN, |inv| inv.subrequests() as f64 / 10.0),
    }
}

/// What each setting changes, from the measurements.
fn settings_table(f: &Findings, inputs: &Inputs) -> String {
    let message_valid = invocation(f, "queue batch: 1 message of 10 users, tokens valid");
    let message_refresh = invocation(f, "queue batch: 1 message of 10 users, tokens refreshed");
    let per_user =
        |inv: Option<&Invocation>| inv.map_or(f64::NAN, |i| i.subrequests() as f64 / 10.0);
    // Per user, as the model takes it: a full batch of refreshed users, its fastest replay.
    let cpu_per_user = inputs.cpu_native_ms_per_user;
    let by_subrequests = (model::FREE_SUBREQUESTS / per_user(message_refresh)).floor();
    let factor = cpu_factor(f).0;
    let by_cpu = (model::FREE_CPU_MS_PER_INVOCATION / (cpu_per_user * factor)).floor();
    let week = f.week.as_ref().ok();
    let cell = |policy: &str, class: &str, column: usize| {
        week.and_then(|w| w.table(policy))
            .and_then(|t| t.rows.iter().find(|r| r[0].starts_with(class)))
            .map_or("n/a".to_owned(), |r| r[column].clone())
    };
    let rows = vec![
        vec![
            "`USERS_PER_MESSAGE`".to_owned(),
            "10".to_owned(),
            format!(
                "A message of 10 users makes {} subrequests with valid tokens, {} when the tokens are refreshed (every hourly poll); the consumer's own work is about {} ms per user natively (in a full batch of refreshed users), {} ms estimated on workerd. Queue operations: 3 per message, {} per typical user-day at 10 users a message.",
                message_valid.map_or("n/a".to_owned(), |i| i.subrequests().to_string()),
                message_refresh.map_or("n/a".to_owned(), |i| i.subrequests().to_string()),
                num(cpu_per_user),
                num(cpu_per_user * factor),
                num(3.0 * 24.0 * inputs.polls_per_hour / model::USERS_PER_MESSAGE)
            ),
            format!(
                "Free plan: at most {} users per invocation by subrequests and {} by CPU (estimate), so {} (and `max_batch_size = 1`). Paid plan: raise it (up to 100) to cut Queue operations.",
                int(by_subrequests as i64),
                int(by_cpu as i64),
                int(by_subrequests.min(by_cpu).max(1.0) as i64)
            ),
        ],
        vec![
            "`MIN_POLL_INTERVAL_MINUTES`".to_owned(),
            "15".to_owned(),
            format!(
                "Week simulation, polls per user-hour at 15 minutes / at 60 (a fixed hourly poll): heavy listeners {} / {}, capturing {} / {}; the 120-plays-an-hour listener {} / {}, capturing {} / {}; typical listeners {} / {} (no change). Every poll costs 2 D1 round trips, a KV read and a KV write, and 1–2 Spotify calls.",
                cell("adaptive", "heavy", 7), cell("fixed", "heavy", 7), cell("adaptive", "heavy", 4), cell("fixed", "heavy", 4),
                cell("adaptive", "extreme", 7), cell("fixed", "extreme", 7), cell("adaptive", "extreme", 4), cell("fixed", "extreme", 4),
                cell("adaptive", "typical", 7), cell("fixed", "typical", 7),
            ),
            "When Spotify's rate limit, D1's rows written or KV's writes near their limit: it trims only the busy listeners' extra polls, and costs them plays (recorded as gaps).".to_owned(),
        ],
        vec![
            "the cron, `*/5 * * * *`".to_owned(),
            "every 5 minutes".to_owned(),
            format!(
                "{} invocations a day whatever the number of users; every 10 minutes halves that and doubles the users per sweep.",
                int(model::CRONS_PER_DAY as i64)
            ),
            "Rarely: a fixed cost, and a slower cron delays every poll (`MIN_POLL_INTERVAL_MINUTES` must stay at least its period).".to_owned(),
        ],
    ];
    table(
        &[
            "setting",
            "default",
            "what it changes (measured)",
            "change it",
        ],
        &rows,
    )
}

fn git(root: &Path, args: &[&str]) -> String {
    Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn tool_version(command: &str, args: &[&str], root: &Path) -> String {
    Command::new(command)
        .args(args)
        .current_dir(root)
        .output()
        .ok()
        .map(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|model| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    format!("{cores} cores, {cpu}")
}

/// The 1-minute load average (other work on the machine makes times noisier).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

fn now_utc() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64);
    to_rfc3339(ms)
}

fn d1_cell(value: Option<u64>) -> String {
    value.map_or("n/a".to_owned(), uint)
}
