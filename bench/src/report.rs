//! `bench report`: runs every measurement and writes docs/benchmarks.md, and the
//! generated tables of docs/scaling.md and docs/costs.md (between their
//! `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use time_machine::time::to_rfc3339;

use crate::archive_cost::{self, Scenario};
use crate::bundle::{self, Bundle};
use crate::check;
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
    bundle: Result<Bundle, String>,
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

    let t = step("the release bundle: wrangler deploy --dry-run");
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

fn render(root: &Path, options: &Options, f: &Findings, inputs: &Inputs) -> String {
    let commit = git(root, &["rev-parse", "--short", "HEAD"]);
    let status = git(root, &["status", "--porcelain"]);
    let changed = status
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count();
    let dirty = if changed == 0 {
        "clean".to_owned()
    } else {
        format!("dirty: {changed} paths changed or untracked")
    };
    let mut md = String::new();
    md.push_str("# Benchmarks\n\n");
    md.push_str("<!-- Generated by scripts/bench; do not edit by hand. -->\n\n");
    md.push_str(&format!(
        "Generated by `scripts/bench` on {} at commit `{commit}` (working tree {dirty}), on {} \
         (load average {} at the start of the run, {} at the end); {}, node {}, wrangler {}. \
         The run took {:.1} minutes{}.\n\n",
        now_utc(),
        machine(),
        f.load_start,
        load_average(),
        tool_version("rustc", &["--version"], root),
        tool_version("node", &["--version"], root),
        tool_version("node_modules/.bin/wrangler", &["--version"], root),
        f.elapsed.as_secs_f64() / 60.0,
        if options.quick {
            " (**quick mode: smaller sizes, fewer runs**)"
        } else {
            ""
        },
    ));
    md.push_str(
        "Every figure here comes from that run. **Counts** (round trips, statements, rows, \
         calls, operations, bytes) are exact and do not depend on the machine. **Times** do: \
         they are given as median (min–max) of several runs, and read best as ratios. \
         Platform limits are quoted from the providers' documentation, as of writing \
         ([costs](costs.md) lists them). How each figure is measured is said under its table; \
         `bench/src/` holds the code.\n\n",
    );

    // Headline.
    md.push_str("## Headline\n\n");
    let mut head = Vec::new();
    if let Some(case) = f.archive.cases.iter().find(|c| c.key == "refresh-fifteen") {
        head.push(vec![
            "one user's hourly poll (token refreshed, 15 new plays)".to_owned(),
            format!(
                "{} D1 round trips, {} statements, {} rows read, {} rows written; {} Spotify calls; {} KV operations",
                case.round_trips,
                case.statements,
                d1_cell(case.d1.as_ref().map(|d| d.rows_read)),
                d1_cell(case.d1.as_ref().map(|d| d.rows_written)),
                case.spotify_calls,
                case.kv_ops
            ),
        ]);
    }
    if let Some(case) = f.archive.cases.iter().find(|c| c.key == "nothing") {
        head.push(vec![
            format!(
                "one user's poll with a valid token, nothing new (CI target: 2 round trips, {} statements)",
                1 + archive_cost::BATCH_STATEMENTS
            ),
            format!(
                "{} D1 round trips, {} statements (write batch {}), {} rows read, {} rows written",
                case.round_trips,
                case.statements,
                case.batch_statements.unwrap_or(0),
                d1_cell(case.d1.as_ref().map(|d| d.rows_read)),
                d1_cell(case.d1.as_ref().map(|d| d.rows_written)),
            ),
        ]);
    }
    for run in &f.rows {
        let (warm, warm_whole) = run.per_play(&run.warm);
        let (cold, cold_whole) = run.per_play(&run.cold);
        head.push(vec![
            format!(
                "D1 rows written per new play, hourly poll of {} new plays (CI target, warm: {})",
                run.plays,
                num(check::MAX_ROWS_PER_NEW_PLAY_WARM)
            ),
            format!(
                "every track already stored: **{}** (the whole poll: {}); every track new: **{}** ({}); marginal over a poll that finds nothing, which writes **{}** rows (CI target: {})",
                num(warm),
                num(warm_whole),
                num(cold),
                num(cold_whole),
                run.nothing.rows_written(),
                check::MAX_ROWS_NOTHING_NEW
            ),
        ]);
    }
    head.push(vec![
        format!(
            "D1 bytes per stored play, with every index (CI target: {})",
            num(check::MAX_BYTES_PER_PLAY)
        ),
        format!(
            "**{}** with keys at a deployment's scale, {} with keys from 1 ({} plays of {} users); the catalogue: {} bytes per track ({})",
            num(f.storage.bytes_per_play()),
            num(f.storage_small.bytes_per_play()),
            int(f.storage.plays),
            f.storage.users,
            num(f.storage.catalogue_bytes_per_track()),
            num(f.storage_small.catalogue_bytes_per_track())
        ),
    ]);
    head.push(vec![
        "user-years of a typical listener in one D1 database, the catalogue's share included"
            .to_owned(),
        format!(
            "10 GB (paid): **{}**; 500 MB (free): **{}** ({} MB per user-year; section 9)",
            int(inputs.user_years(model::PAID_D1_DATABASE_BYTES).floor() as i64),
            int(inputs.user_years(model::FREE_D1_DATABASE_BYTES).floor() as i64),
            num(inputs.bytes_per_user_year() / 1e6)
        ),
    ]);
    for run in f.sweeps.iter().filter(|run| run.cap == run.due) {
        head.push(vec![
            format!("sweep of {} due users (native twin)", int(run.due as i64)),
            format!(
                "{} ms; D1 rows read {} (claim); index `users_due`",
                run.native_ms.show(),
                d1_cell(run.d1_claim.as_ref().map(|d| d.rows_read)),
            ),
        ]);
    }
    for run in f
        .shard_sweeps
        .iter()
        .filter(|run| run.shards == 16 && run.due >= 100_000 && run.whole_backlog)
    {
        head.push(vec![
            format!(
                "sweep of {} due users over {} shards (native twins)",
                int(run.due as i64),
                run.shards
            ),
            format!(
                "{} D1 round trips ({} per shard), {} Queue sends, {} subrequests; {} ms one shard after another, the slowest shard {} ms; D1 rows read {} (claims); every user sent with its shard: {}",
                run.round_trips(),
                num(run.round_trips() as f64 / run.shards as f64),
                run.queue_sends,
                run.subrequests(),
                run.wall_ms.show(),
                num(run.slowest_ms.median),
                d1_cell(run.d1_totals().map(|totals| totals.0)),
                if run.delivery.is_ok() { "yes" } else { "**no**" }
            ),
        ]);
    }
    if let Ok(throughput) = &f.throughput {
        for phase in &throughput.phases {
            head.push(vec![
                format!(
                    "throughput, {} users, local runtime",
                    int(phase.users as i64)
                ),
                format!(
                    "{} users archived per minute, median (min–max) of {} sweeps; a sweep of all {} done in {} s",
                    phase.per_minute().show(),
                    phase.sweeps.len(),
                    int(phase.users as i64),
                    num(phase.seconds().median)
                ),
            ]);
        }
    }
    if let Some(inv) = invocation(f, "queue batch: 1 message of 10 users, tokens refreshed") {
        head.push(vec![
            "one queue message of 10 users (hourly poll)".to_owned(),
            format!(
                "{} subrequests (free plan: 50); core work {} ms natively, about {} ms of CPU on workerd (estimate from the fastest run; free plan: 10)",
                inv.subrequests(),
                inv.core_ms.show(),
                num(inv.core_ms.min * cpu_factor(f).0)
            ),
        ]);
    }
    if let Ok(bundle) = &f.bundle {
        head.push(vec![
            "release bundle".to_owned(),
            format!(
                "{} KiB, {} KiB gzip (free plan: 3 MB, paid: 10 MB compressed)",
                num(bundle.total_kib),
                num(bundle.total_gzip_kib)
            ),
        ]);
    }
    if let Some(adaptive) = f.week.as_ref().ok().and_then(|w| w.table("adaptive")) {
        let hourly = f.week.as_ref().ok().and_then(|w| w.table("fixed hourly"));
        for row in &adaptive.rows {
            let fixed = hourly
                .and_then(|t| t.rows.iter().find(|r| r[0] == row[0]))
                .map_or("n/a".to_owned(), |r| r[4].clone());
            head.push(vec![
                format!("capture over a week, {}", row[0]),
                format!("adaptive {} vs hourly {}", row[4], fixed),
            ]);
        }
    }
    md.push_str(&table(&["what", "measured"], &head));
    md.push('\n');

    // 1. Archiving one user.
    md.push_str("## 1. Archiving one user\n\n");
    let rows: Vec<Vec<String>> = f
        .archive
        .cases
        .iter()
        .map(|case| {
            vec![
                case.label.to_owned(),
                case.round_trips.to_string(),
                format!(
                    "{} ({})",
                    case.statements,
                    case.batch_statements.unwrap_or(0)
                ),
                d1_cell(case.d1.as_ref().map(|d| d.rows_read)),
                d1_cell(case.d1.as_ref().map(|d| d.rows_written)),
                case.native_written.total().to_string(),
                case.spotify_calls.to_string(),
                case.kv_ops.to_string(),
                format!(
                    "{}{}",
                    case.plays_inserted,
                    if case.gap { ", gap recorded" } else { "" }
                ),
            ]
        })
        .collect();
    md.push_str(&table(
        &[
            "archive",
            "D1 round trips",
            "statements (write batch)",
            "D1 rows read",
            "D1 rows written",
            "rows written (native count)",
            "Spotify calls",
            "KV ops",
            "plays inserted",
        ],
        &rows,
    ));
    md.push_str(
        "\nThe archive runs through `Archiver::archive_user` on the twins: the native SQLite \
         twin of D1 (`src/testing.rs`; round trips and statements counted by a recording \
         wrapper), KV's twin (operations: the slot's read and write), and the Spotify \
         simulator in-process (`support/src/lib.rs`; every request counted). **D1 rows \
         read and written** are D1's own counters: every recorded round trip, with its \
         parameters, was replayed in order through the local runtime's D1 (Miniflare, \
         workerd's SQLite, `bench/d1-meter.mjs`) and its result meta summed; D1 counts an \
         index entry written as a row, and every row a query steps over (`json_each`'s \
         elements included) as read. *Rows written (native count)* is what `bench check` \
         counts on the twin with no D1 (`bench/src/written.rs`): table rows changed \
         (SQLite's `total_changes()`, and AUTOINCREMENT's `sqlite_sequence`) plus the \
         index entries present after the archive and not before, read from the indexes' \
         columns; it should equal D1's.\n",
    );
    if let Err(error) = &f.archive_meter {
        md.push_str(&format!("\n**D1's counters could not be read:** {error}\n"));
    }
    md.push('\n');

    // 1b. Rows written per new play.
    md.push_str(
        "### Rows written per new play
\n",
    );
    let mut rows = Vec::new();
    for run in &f.rows {
        for (poll, what) in [
            (&run.cold, "every track new to the catalogue (cold)"),
            (
                &run.warm,
                "the same plays, every track already stored (warm)",
            ),
            (&run.nothing, "nothing new, an hour later"),
        ] {
            let (marginal, whole) = run.per_play(poll);
            let per_play = poll.key != "nothing";
            rows.push(vec![
                format!("{} new plays: {what}", if per_play { run.plays } else { 0 }),
                format!(
                    "{}{}",
                    poll.plays_inserted,
                    if poll.gap { ", gap recorded" } else { "" }
                ),
                format!("{} / {}", poll.round_trips, poll.statements),
                d1_cell(poll.d1.as_ref().map(|d| d.rows_read)),
                d1_cell(poll.d1.as_ref().map(|d| d.rows_written)),
                poll.native.total().to_string(),
                if per_play {
                    format!("**{}**", num(marginal))
                } else {
                    String::new()
                },
                if per_play { num(whole) } else { String::new() },
                poll.native.breakdown(),
            ]);
        }
    }
    md.push_str(&table(
        &[
            "hourly poll (token refreshed)",
            "plays inserted",
            "D1 round trips / statements",
            "D1 rows read",
            "D1 rows written",
            "rows written (native count)",
            "per new play: marginal",
            "per new play: whole poll",
            "where the rows went (native: table rows changed, index entries added)",
        ],
        &rows,
    ));
    md.push_str(&format!(
        "\nEach size is a fresh database (`bench/src/rows.rs`): a listener logs in and is \
         polled once with nothing to find; an hour later N plays have been made and the \
         hourly poll (its access token refreshed first) archives them on a catalogue that \
         holds none of their tracks, albums, artists or contexts (**cold**; a row the page \
         repeats is written once). The plays and any gap are then deleted and the user's \
         cursor and poll times put back, and the next hourly poll archives the same N plays \
         again on a catalogue that holds every row they need (**warm**); an hour later a \
         poll finds nothing new (the overlap behind its cursor brings a few plays back, read \
         and not written). **Per new play, marginal** is (rows written by the poll with N \
         new plays − rows written by the poll that finds nothing) / N: what one more play \
         costs. **Whole poll** is the poll's rows / N, the user's own row shared among the \
         plays. Both from D1's counters (the recorded round trips replayed as in section 1). \
         50 new plays fill Spotify's page, so that poll also records a possible gap (a row \
         in `data_gaps` and its index entry). `bench check` holds the warm marginal figure \
         to {} and a poll that finds nothing to {} rows, counted natively.\n\n",
        num(check::MAX_ROWS_PER_NEW_PLAY_WARM),
        check::MAX_ROWS_NOTHING_NEW
    ));

    // 2. The sweep.
    md.push_str("## 2. The sweep\n\n");
    md.push_str(
        "On the native twin (one `run_sweep`: the claim, the Queue sends, the summary):\n\n",
    );
    let rows: Vec<Vec<String>> = f
        .sweeps
        .iter()
        .map(|run| {
            vec![
                int(run.due as i64),
                int(run.users as i64),
                int(run.cap as i64),
                int(run.claimed as i64),
                format!("{} / {}", int(run.messages as i64), run.queue_sends),
                format!("{} / {}", run.round_trips, run.statements),
                run.native_ms.show(),
                d1_cell(run.d1_claim.as_ref().map(|d| d.rows_read)),
                d1_cell(run.d1_claim.as_ref().map(|d| d.rows_written)),
                format!(
                    "{} / {}",
                    d1_cell(run.d1_record.as_ref().map(|d| d.rows_read)),
                    d1_cell(run.d1_record.as_ref().map(|d| d.rows_written))
                ),
            ]
        })
        .collect();
    md.push_str(&table(
        &[
            "due users",
            "users in D1",
            "cap (SWEEP_MAX_USERS)",
            "claimed",
            "messages / Queue sends",
            "D1 round trips / statements",
            "time, ms (native)",
            "D1 rows read (claim)",
            "D1 rows written (claim)",
            "summary batch: rows read / written",
        ],
        &rows,
    ));
    md.push_str(&format!(
        "\nUsers are seeded with one `INSERT … SELECT` from a recursive CTE: every second \
         user due in the last hour, the others due in the next hour. Time: median (min–max) \
         of {} runs, each on a fresh in-memory database, of the whole `run_sweep` (claim, \
         building the messages, `send_batch` into the Queue's twin, the summary). D1's \
         counters: the same round trips replayed through the local runtime's D1 on the same \
         seed.{}\n\n",
        f.sweeps.first().map_or(0, |run| run.native_ms.runs),
        f.sweeps
            .iter()
            .find(|run| run.due == 10_000)
            .and_then(|run| {
                let claim = run.d1_claim.as_ref()?;
                let per = |rows: u64| num(rows as f64 / run.claimed.max(1) as f64);
                Some(format!(
                    " Per claimed user the claim reads {} rows (the due index's entry, the \
                     user's row, the update's own lookups) and writes {} (the row, and its \
                     entry in `users_due`, which moves with `next_due_at`).",
                    per(claim.rows_read),
                    per(claim.rows_written)
                ))
            })
            .unwrap_or_default()
    ));
    if let Some(run) = f.sweeps.first() {
        md.push_str("The claim's query plan (`EXPLAIN QUERY PLAN` on the twin):\n\n```\n");
        for line in &run.plan {
            md.push_str(line);
            md.push('\n');
        }
        md.push_str("```\n\n");
    }
    if let Err(error) = &f.sweep_meter {
        md.push_str(&format!("**D1's counters could not be read:** {error}\n\n"));
    }
    // Between markers, so that `bench shards --write` can replace it alone.
    md.push_str(&format!(
        "<!-- bench:{SHARD_SWEEP_MARKER} -->\n{}<!-- /bench:{SHARD_SWEEP_MARKER} -->\n\n",
        shard_sweep::section(&f.shard_sweeps, &f.sweep_meter, None)
    ));
    md.push_str("On the local runtime (`wrangler dev --local`, `POST /api/admin/sweep`, the deployment's cap of 10,000):\n\n");
    if f.local_sweeps.is_empty() {
        md.push_str("Not run (`--skip-local`).\n\n");
    } else {
        let rows: Vec<Vec<String>> = f
            .local_sweeps
            .iter()
            .map(|(due, result)| match result {
                Ok(sweep) => vec![
                    int(*due as i64),
                    int(sweep.seeded as i64),
                    sweep
                        .runs
                        .iter()
                        .map(|run| {
                            format!(
                                "{} / {} / {}",
                                uint(run.users_due),
                                uint(run.enqueued),
                                uint(run.messages)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    sweep.http_ms().show(),
                    sweep.worker_ms().show(),
                ],
                Err(error) => vec![
                    int(*due as i64),
                    "failed".into(),
                    error.replace('\n', " "),
                    String::new(),
                    String::new(),
                ],
            })
            .collect();
        md.push_str(&table(
            &[
                "due users",
                "users in D1",
                "due / enqueued / messages, per sweep",
                "request, ms",
                "the Worker's duration_ms",
            ],
            &rows,
        ));
        md.push_str(
            "\nEvery run in a fresh stack: the users seeded with the same `INSERT … SELECT` \
             through `wrangler d1 execute --local` (as many due as not), then one sweep with \
             the deployment's settings (at 100,000 due users it claims its cap of 10,000). \
             *Request* is the whole HTTP exchange as the client saw it; *duration_ms* is the \
             Worker's own summary (workerd's clock moves only across I/O, so this is the time \
             spent waiting on D1 and the Queue). A stack of its own per run: the consumer \
             starts on the claimed users at once (they have no tokens and are marked as \
             needing a login), and at 10,000 users the local runtime runs out of file \
             descriptors working through them; a second sweep would be timed under that \
             load.\n\n",
        );
    }

    // 3. Throughput.
    md.push_str("## 3. Throughput end to end\n\n");
    match &f.throughput {
        Ok(throughput) => {
            let rows: Vec<Vec<String>> = throughput
                .phases
                .iter()
                .map(|phase| {
                    vec![
                        int(phase.users as i64),
                        format!(
                            "{} more: {} ms each, {} s in all",
                            int(phase.logins as i64),
                            phase.login_ms.show(),
                            num(phase.logins_s)
                        ),
                        format!(
                            "{}{}",
                            num(phase.logins_and_backfills_s),
                            if phase.backfills_timed_out {
                                " (timed out)"
                            } else {
                                ""
                            }
                        ),
                        phase
                            .sweeps
                            .iter()
                            .map(|sweep| {
                                format!(
                                    "{} swept: {} archived, {} other, {} confirmed{}",
                                    uint(sweep.enqueued),
                                    int(sweep.archived as i64),
                                    sweep.other_outcomes,
                                    uint(sweep.confirmed),
                                    if sweep.timed_out { " (timed out)" } else { "" }
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                            + &phase
                                .error
                                .as_ref()
                                .map(|error| format!("; then failed: {error}"))
                                .unwrap_or_default(),
                        phase.seconds().show(),
                        format!("**{}**", phase.per_minute().show()),
                    ]
                })
                .collect();
            md.push_str(&table(
                &[
                    "users",
                    "logins (through /login, consent, /callback)",
                    "logins and their backfills, s",
                    "each sweep: outcomes logged by the consumer; users whose last_success_at passed the sweep's start (D1)",
                    "sweep to last archive, s",
                    "users archived per minute",
                ],
                &rows,
            ));
            md.push_str(
                "\nOne stack: the simulator (debug build) and `wrangler dev --local` with the \
                 release Worker. Listeners are created through the simulator's admin API \
                 (about 15 plays an hour, two hours of history) and each logs in through the \
                 real flow over HTTP (`e2e::Browser::login`: `/login`, the simulator's consent, \
                 `/callback`, which exchanges the code, reads `/me`, stores the user and queues \
                 the backfill), one after another: seeding sealed tokens straight into D1 would \
                 be faster, but a real login per user is affordable (the second column) and \
                 tests what users do. Once every backfill has been logged by the \
                 consumer, every user is made due and one sweep (`POST /api/admin/sweep`) sends \
                 them all; the time runs from that request until the consumer has logged an \
                 outcome for each (read from wrangler's log, polled every 100 ms). That is \
                 repeated, each sweep in a later minute (a second poll in the same minute would \
                 find its idempotency slot taken); the figures are median (min–max) over the \
                 sweeps. Local queues \
                 deliver batches of up to 10 messages after at most 5 s; production's \
                 consumer concurrency is not reproduced, so this is a floor for one consumer, \
                 not a platform figure.\n\n",
            );
        }
        Err(error) => md.push_str(&format!("Not measured: {error}\n\n")),
    }

    // 4. Per invocation.
    md.push_str("## 4. Per invocation: subrequests and CPU\n\n");
    let (factor, low, high, measured) = cpu_factor(f);
    let rows: Vec<Vec<String>> = f
        .invocations
        .iter()
        .map(|inv| {
            let estimate = inv.core_ms.min * factor;
            vec![
                inv.handler.to_owned(),
                inv.what.clone(),
                inv.d1.to_string(),
                inv.kv.to_string(),
                inv.fetches.to_string(),
                inv.queue_sends.to_string(),
                format!(
                    "{}{}",
                    inv.subrequests(),
                    if inv.subrequests() as f64 > model::FREE_SUBREQUESTS {
                        " **over 50**"
                    } else {
                        ""
                    }
                ),
                inv.core_ms.show(),
                format!(
                    "{}{}",
                    num(estimate),
                    if estimate > model::FREE_CPU_MS_PER_INVOCATION {
                        " **over 10**"
                    } else {
                        ""
                    }
                ),
                inv.replay_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    md.push_str(&table(
        &[
            "handler",
            "invocation",
            "D1",
            "KV",
            "fetch",
            "Queue sends",
            "subrequests (free: 50)",
            "core work natively, ms",
            &format!("CPU estimate, ms (fastest × {}; free: 10)", num(factor)),
            "replay",
        ],
        &rows,
    ));
    let factor_text = if measured {
        format!(
            "the **wasm factor measured below**: {}, the larger of the factors of the kernels \
             that make up the bulk of the work (JSON in and out, planning; all kernels range \
             from {} to {}, the top being AES-GCM, which has no hardware instructions in wasm \
             but takes microseconds per archive)",
            num(factor),
            num(low),
            num(high)
        )
    } else {
        format!(
            "a **stated factor of {}** for running as WebAssembly (an assumption, in a range of \
             {}–{}: the wasm probe could not be measured, see below)",
            num(factor),
            num(low),
            num(high)
        )
    };
    md.push_str(&format!(
        "\n**Subrequests** are counted by the twins: D1 round trips (a batch is one), KV \
         operations, `fetch`es to Spotify and Queue `send_batch` calls, the calls the \
         platform counts against {} (free) or {} (paid) per invocation. **CPU is an \
         estimate.** Each invocation ran once against the twins, recording every D1 round \
         trip and HTTP exchange with its answer; it then ran again, several times, against \
         twins that answer from the recording instantly, and only that was timed (median \
         (min–max)): the Worker's own work (routing, JSON in and out, opening and sealing \
         tokens, planning, encoding the batch's parameters), natively, in the release profile \
         (opt-level z, as the Worker ships). The estimate multiplies the fastest replay (other \
         work on this shared machine only ever adds time, so the fastest run is the closest to \
         the work itself) by {factor_text}. \
         It leaves out what the runtime adds around the Rust code: turning D1's and KV's \
         JavaScript results into Rust values and back, `fetch`'s own work, the isolate's \
         start. Each replay is checked to have asked exactly what the recording holds; the \
         last column says when one did not. The cron rows replay the native sweeps of \
         section 2.\n\n",
        int(model::FREE_SUBREQUESTS as i64),
        int(model::PAID_SUBREQUESTS as i64),
    ));
    md.push_str("### The wasm factor\n\n");
    match &f.wasm {
        Ok(probe) => {
            let rows: Vec<Vec<String>> = probe
                .kernels
                .iter()
                .map(|kernel| {
                    vec![
                        kernel.what.to_owned(),
                        kernel.native.show(),
                        kernel.wasm.show(),
                        format!(
                            "**{}**{}",
                            num(kernel.factor()),
                            if kernel.bulk {
                                ""
                            } else {
                                " (not applied: microseconds per archive)"
                            }
                        ),
                    ]
                })
                .collect();
            md.push_str(&table(
                &[
                    "kernel (`bench/src/work.rs`)",
                    "native, ms",
                    "WebAssembly in Node's V8, ms",
                    "factor",
                ],
                &rows,
            ));
            md.push_str(&format!(
                "\nThe same Rust functions built twice with the Worker's release profile \
                 (opt-level z, LTO): natively, and for `wasm32-unknown-unknown` as a bare \
                 module (`bench/wasm-probe`, {} KiB after `wasm-opt -Oz`, as worker-build \
                 optimises the Worker), run in Node {} (V8, the engine workerd embeds) by \
                 `bench/wasm-probe/run.mjs`. Milliseconds per call, median (min–max) of several \
                 runs after a warm-up; the factor is the ratio of the fastest runs. workerd's V8 and \
                 its flags are not Node's, so this is an estimate of the platform's factor.\n\n",
                int((probe.wasm_bytes / 1024) as i64),
                tool_version("node", &["--version"], root)
            ));
        }
        Err(error) => md.push_str(&format!("Not measured: {error}\n\n")),
    }

    // 5. Bundle.
    md.push_str("## 5. The release bundle\n\n");
    match &f.bundle {
        Ok(bundle) => {
            let mut rows: Vec<Vec<String>> = bundle
                .files
                .iter()
                .map(|file| {
                    vec![
                        file.name.clone(),
                        format!("{} KiB", num(file.bytes as f64 / 1024.0)),
                        format!("{} KiB", num(file.gzip_bytes as f64 / 1024.0)),
                    ]
                })
                .collect();
            rows.push(vec![
                "**Total Upload** (wrangler)".into(),
                format!("{} KiB", num(bundle.total_kib)),
                format!(
                    "{} KiB: {}% of the free plan's 3 MB, {}% of the paid plan's 10 MB",
                    num(bundle.total_gzip_kib),
                    num(100.0 * bundle.total_gzip_kib * 1024.0 / 3e6),
                    num(100.0 * bundle.total_gzip_kib * 1024.0 / 10e6)
                ),
            ]);
            md.push_str(&table(&["file", "raw", "gzip"], &rows));
            md.push_str(
                "\n`node_modules/.bin/wrangler deploy --dry-run --outdir DIR` \
                 (`WRANGLER_SEND_METRICS=false`), which runs `scripts/build` (release, \
                 opt-level z, `wasm-opt -Oz`). *Total Upload* is wrangler's own line; the \
                 per-file gzip sizes are `gzip -9`. The limits apply to the compressed size.\n\n",
            );
        }
        Err(error) => md.push_str(&format!("Not measured: {error}\n\n")),
    }

    // 6. The core natively.
    md.push_str("## 6. The core natively\n\n");
    let c = &f.core;
    let rows = vec![
        vec![
            format!(
                "read a recently-played page ({} items, {} KiB)",
                c.page_items,
                num(c.page_bytes as f64 / 1024.0)
            ),
            c.page_parse.show(),
            String::new(),
        ],
        vec![
            "read it and plan its write".into(),
            c.page_parse_plan.show(),
            String::new(),
        ],
        vec![
            "read, plan, and encode the write batch's JSON parameters".into(),
            c.page_parse_plan_encode.show(),
            String::new(),
        ],
        vec![
            format!(
                "read {} export records ({} chunks, {} MB)",
                int(c.export_records as i64),
                c.export_chunks,
                num(c.export_bytes as f64 / 1e6)
            ),
            c.export_read.show(),
            format!(
                "{} records/s; {} ms a chunk",
                int((c.export_records as f64 / (c.export_read.median / 1_000.0)) as i64),
                num(c.export_read.median / c.export_chunks.max(1) as f64)
            ),
        ],
        vec![
            format!(
                "read and plan {} export records",
                int(c.export_records as i64)
            ),
            c.export_read_plan.show(),
            format!(
                "{} records/s; {} ms a chunk",
                int((c.export_records as f64 / (c.export_read_plan.median / 1_000.0)) as i64),
                num(c.export_read_plan.median / c.export_chunks.max(1) as f64)
            ),
        ],
    ];
    md.push_str(&table(&["work", "ms, median (min–max)", "rate"], &rows));
    md.push_str(&format!(
        "\nRelease profile (opt-level z). The page is the simulator's answer of 50 items from \
         section 1 (`parse_recently_played`, `plan_archive`, then `serde_json` of the plan's \
         rows as the store binds them), timed as the mean of 200 repetitions, {} runs. The \
         export is generated (extended streaming history over ten years, ten files, the \
         fields the import page sends; 22% under 30 s, 1.5% podcast episodes) and cut as the \
         page cuts it (250 records or 128 KiB); `read_chunk` and `plan_chunk` \
         (`src/import/plan.rs`) over every chunk, {} runs.\n\n",
        c.page_parse.runs, c.export_read.runs
    ));

    // 7. Week.
    md.push_str("## 7. Capture completeness over a simulated week\n\n");
    match &f.week {
        Ok(week) => {
            let adaptive = week.table("adaptive");
            let hourly = week.table("fixed hourly");
            let mut rows = Vec::new();
            if let (Some(adaptive), Some(hourly)) = (adaptive, hourly) {
                for row in &adaptive.rows {
                    let fixed = hourly.rows.iter().find(|r| r[0] == row[0]);
                    let cell = |i: usize| fixed.map_or("n/a".to_owned(), |r| r[i].clone());
                    rows.push(vec![
                        row[0].clone(),
                        row[1].clone(),
                        row[2].clone(),
                        format!("{} / {}", row[4], cell(4)),
                        format!("adaptive {}; hourly {}", row[5], cell(5)),
                        format!("{} / {}", row[6], cell(6)),
                        format!("{} / {}", row[7], cell(7)),
                        format!("{} / {}", row[8], cell(8)),
                    ]);
                }
                md.push_str(&table(
                    &[
                        "listeners",
                        "n",
                        "plays made",
                        "captured: adaptive / hourly",
                        "lost at wake-up / in stride",
                        "gaps recorded: adaptive / hourly",
                        "recently-played calls per user-hour: adaptive / hourly",
                        "token calls per user-hour: adaptive / hourly",
                    ],
                    &rows,
                ));
                md.push_str(&format!(
                    "\nArchives in the week: {} adaptive, {} hourly. From `{}` (its \
                     assertions {}): six listeners over 7 days on a simulated clock, a cron \
                     every five minutes into the sweep and the queue, archived against the \
                     in-process simulator, every archive compared with the simulator's \
                     truth. Deterministic: these figures do not depend on the machine.\n\n",
                    int(adaptive.archives as i64),
                    int(hourly.archives as i64),
                    week.command,
                    if week.passed { "passed" } else { "**failed**" }
                ));
            }
        }
        Err(error) => md.push_str(&format!("Not measured: {error}\n\n")),
    }

    // 8. Storage.
    md.push_str("## 8. Storage\n\n");
    let s = &f.storage;
    let mut rows = Vec::new();
    for (run, keys) in [
        (&f.storage, "keys at a deployment's scale"),
        (&f.storage_small, "keys from 1"),
    ] {
        rows.push(vec![
            format!(
                "{} plays of {} users ({keys}), with every index on them",
                int(run.plays),
                run.users
            ),
            format!(
                "{} (**{} per play**)",
                int(run.play_bytes),
                num(run.bytes_per_play())
            ),
            storage::Storage::describe(&run.play_objects),
        ]);
        rows.push(vec![
            format!(
                "the catalogue ({keys}): {} tracks, {} albums, {} artists, {} contexts, with every index on them",
                int(run.tracks),
                int(run.albums),
                int(run.artists),
                int(run.contexts)
            ),
            format!(
                "{} (**{} per track**)",
                int(run.catalogue_bytes),
                num(run.catalogue_bytes_per_track())
            ),
            storage::Storage::describe(&run.catalogue_objects),
        ]);
    }
    rows.push(vec![
        "the whole database (keys at a deployment's scale)".into(),
        int(s.total_bytes),
        String::new(),
    ]);
    md.push_str(&table(
        &["what", "bytes", "objects counted (dbstat)"],
        &rows,
    ));
    md.push_str(&format!(
        "\n{} listeners, each archived {} times in turn (45 new plays each time, the users \
         interleaved as the queue interleaves them), through the real write path (the \
         simulator's pages, the archive batch) into the native twin; SQLite's `dbstat` gives \
         the bytes of every page of each table and index (4 KiB pages, as D1's): interior, \
         leaf and overflow pages, free space within them included. A play's bytes are \
         `play_events` (WITHOUT ROWID: the table is its primary key's B-tree) and every index \
         whose table it is in `sqlite_schema`; the catalogue's are `tracks`, `albums`, \
         `artists`, `track_artists` and `contexts` with theirs (`sqlite_autoindex_*` of their \
         UNIQUE constraints included). Each listener draws from a catalogue of its own (a \
         simulator of its own, seeded apart): no track, album, artist or context is shared, \
         the worst case the model assumes; the simulator's catalogues have about 5 tracks an \
         album and an artist. Covers are `https://i.scdn.co/image/` and 44 hexadecimal \
         characters (Spotify's hashes have 40), which the catalogue stores as the hash.\n\n\
         **Keys.** SQLite stores an integer in 1 to 8 bytes by its size, and a play holds \
         three keys (user, track, context). With keys from 1, a run of {} users and {} \
         tracks stores keys smaller than a real deployment's; the run at a \
         deployment's scale starts every key where a deployment half-way to one database's \
         target of 3,000 user-years has it (users at {}, tracks at {}, albums and artists \
         at {}, contexts at {}: a user's key takes 2 bytes, a track's and a context's 3), and \
         is the one the model and `bench check` take. `bench check` runs {} users × {} \
         archives at that scale and holds bytes per play to {}.\n\n",
        s.users,
        s.archives,
        s.users,
        int(s.tracks),
        int(storage::KEY_OFFSETS[0].1),
        int(storage::KEY_OFFSETS[1].1),
        int(storage::KEY_OFFSETS[2].1),
        int(storage::KEY_OFFSETS[4].1),
        check::CHECK_STORAGE.0,
        check::CHECK_STORAGE.1,
        num(check::MAX_BYTES_PER_PLAY)
    ));

    // 9. Derived.
    md.push_str("## 9. Derived: a typical user-day, and N users\n\n");
    md.push_str(&format!(
        "The arithmetic behind [scaling](scaling.md) and [costs](costs.md), from the figures \
         above: a typical listener (the week simulation's: about 15 plays an hour for {} \
         waking hours) is polled {} times an hour (the week's *typical* row), each poll \
         refreshing the access token first (it lives an hour); a poll in a waking hour is \
         the hourly poll of 15 new plays of section 1's *rows written per new play*: every \
         track new to the catalogue (the cold end) or every track already stored (the warm \
         end); the others are its poll that finds nothing; each poll also costs its share of \
         the sweep's claim (section 2, 10,000 users). CPU is section 4's full batch of \
         refreshed users (its fastest replay), per user, times the wasm factor. Storage is a \
         year of plays at section 8's bytes per play, and the catalogue's share: **an \
         assumption**, {} new tracks a user adds to the catalogue in a year, none shared with \
         another user (the worst case; `CATALOGUE_TRACKS_PER_USER_YEAR` in \
         `bench/src/model.rs`), at section 8's bytes per catalogue track.\n\n",
        num(inputs.awake_hours),
        num(inputs.polls_per_hour),
        int(inputs.catalogue_tracks_per_user_year as i64)
    ));
    md.push_str(&model::user_day_table(inputs));
    md.push('\n');
    md.push_str(&model::free_table(inputs));
    md.push('\n');
    md.push_str(&model::paid_table(inputs));
    md.push('\n');
    md.push_str(&model::bindings_table(inputs, 2.0));
    md.push('\n');

    md.push_str("## What was not measured\n\n");
    md.push_str(
        "- **CPU time on the platform.** workerd reports none locally; section 4 times the \
         core's work natively and scales it by the wasm factor measured in Node's V8.\n\
         - **D1's latency and write throughput in production.** The local D1 runs in-process; \
         its durations (a fraction of a millisecond) say nothing about a replicated, durable \
         D1. The scaling page assumes Cloudflare's own example of 1 ms per query.\n\
         - **Spotify's rate limit.** It is not published; the simulator has none unless a \
         fault is installed.\n\
         - **Queue consumer concurrency in production.** The local runtime delivers batches \
         one consumer at a time; the platform scales consumers up.\n",
    );
    if f.local_sweeps.iter().any(|(_, r)| r.is_err()) || f.throughput.is_err() {
        md.push_str(
            "- Some local-runtime measurements failed in this run; their sections say why.\n",
        );
    }
    md
}
