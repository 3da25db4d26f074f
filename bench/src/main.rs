//! Measurements of Spotify Time Machine: cost, scale and size.
//!
//! ```sh
//! scripts/bench         # everything; writes docs/benchmarks.md (and the generated tables
//!                       # of docs/scaling.md and docs/costs.md)
//! scripts/bench-check   # the CI guard: per-user D1 round trips and statements, rows
//!                       # written per play and bytes per play, counted
//! ```
//!
//! `bench bundle-check LOG...` is scripts/test's guard of the Workers' sizes, over the logs
//! of the `wrangler deploy --dry-run` it ran for each (`front.log`, …).
//!
//! `bench report [--quick] [--skip-local]` is what `scripts/bench` runs (release build);
//! `bench check` is what `scripts/bench-check` runs; `bench shards [--write]` measures
//! the sweep over shards and the scaling model over shards alone (`scripts/bench
//! shards`), and with `--write` replaces only their parts of docs/. Counts come from the twins
//! (`src/testing.rs`, the in-process simulator of `support/src/lib.rs`), D1's row
//! counters from the local runtime's D1 (`bench/d1-meter.mjs`), end-to-end figures from
//! `wrangler dev --local` against the simulator (`e2e::Stack`).

mod archive_cost;
mod bundle;
mod check;
mod core_speed;
mod invocations;
mod local;
mod meter;
mod model;
mod report;
mod review_cost;
mod rows;
mod shard_model;
mod shard_sweep;
mod stats;
mod storage;
mod sweep;
mod twins;
mod wasm;
mod week;
mod work;
mod written;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => {
            let failures = check::run();
            if failures.is_empty() {
                println!("bench-check: every count is within its target");
                ExitCode::SUCCESS
            } else {
                for failure in &failures {
                    eprintln!("bench-check: FAILED: {failure}");
                }
                ExitCode::FAILURE
            }
        }
        // The CI guard of the Workers' sizes, over the logs of dry runs made before: one
        // `NAME.log` per Worker, every one checked, the failures all reported.
        Some("bundle-check") => {
            let logs = &args[1..];
            if logs.is_empty() {
                eprintln!("usage: bench bundle-check <wrangler deploy --dry-run log>...");
                return ExitCode::FAILURE;
            }
            let mut failed = false;
            for path in logs {
                let name = std::path::Path::new(path)
                    .file_stem()
                    .map_or_else(|| path.clone(), |stem| stem.to_string_lossy().into_owned());
                match std::fs::read_to_string(path)
                    .map_err(|error| format!("{path}: {error}"))
                    .and_then(|log| bundle::check_log(&name, &log))
                {
                    Ok(line) => println!("{line}"),
                    Err(failure) => {
                        eprintln!("bundle-check: FAILED: {failure}");
                        failed = true;
                    }
                }
            }
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        // Development aids: one local-runtime measurement on its own.
        Some("local-sweep") => {
            let due = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1_000);
            if let Err(error) = local::snapshot_worker(&e2e::workspace_root()) {
                eprintln!("{error}");
            }
            match local::guarded("local sweep", || local::sweep(due, 3)) {
                Ok(sweep) => println!("{sweep:#?}"),
                Err(error) => eprintln!("{error}"),
            }
            ExitCode::SUCCESS
        }
        // The archive's cases and the rows-per-play polls with D1's own rows read and
        // written (the meter only, no wrangler): what a change to the archive's SQL costs.
        Some("archive-rows") => {
            let mut archive = archive_cost::run();
            let mut runs: Vec<rows::RowsRun> = rows::PLAY_COUNTS
                .iter()
                .map(|n| rows::measure(*n))
                .collect();
            let mut databases = vec![meter::MeterDb {
                setup: meter::migration_statements(),
                steps: archive.trips.clone(),
            }];
            databases.extend(runs.iter().map(rows::meter_db));
            match meter::run(&e2e::workspace_root(), &databases) {
                Ok(results) => {
                    archive_cost::attach(&mut archive, &results[0]);
                    for (run, metered) in runs.iter_mut().zip(&results[1..]) {
                        rows::attach(run, metered);
                    }
                    println!("| archive | D1 rows read | D1 rows written | rows written (native) | plays inserted | where (native) |");
                    for case in &archive.cases {
                        let (read, written) = case
                            .d1
                            .as_ref()
                            .map_or((0, 0), |d1| (d1.rows_read, d1.rows_written));
                        println!(
                            "| {} | {read} | {written} | {} | {} | {} |",
                            case.label,
                            case.native_written.total(),
                            case.plays_inserted,
                            case.native_written.breakdown()
                        );
                    }
                    println!("\n| new plays | poll | D1 rows read | D1 rows written | rows written (native) | per new play: marginal / whole (D1) |");
                    for run in &runs {
                        for poll in [&run.cold, &run.warm, &run.nothing] {
                            let (marginal, whole) = run.per_play(poll);
                            println!(
                                "| {} | {} | {} | {} | {} | {} / {} |",
                                run.plays,
                                poll.key,
                                poll.d1.as_ref().map_or(0, |d1| d1.rows_read),
                                poll.d1.as_ref().map_or(0, |d1| d1.rows_written),
                                poll.native.total(),
                                stats::num(marginal),
                                stats::num(whole)
                            );
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("bench: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        // What one year in review of 40,000 plays costs D1 (the local runtime's meter).
        Some("review-rows") => {
            match review_cost::run() {
                Ok(cost) => {
                    let d1 = &cost.batch;
                    println!(
                    "year in review of 40,000 plays (40,000 the year before, 100,000 earlier): \
                     {} D1 round trip, {} statements; D1 rows read {}, rows written {}, \
                     {:.1} ms in D1{}",
                    cost.round_trips,
                    cost.statements,
                    d1.rows_read,
                    d1.rows_written,
                    d1.duration_ms,
                    d1.error.as_deref().map(|error| format!(" (error: {error})")).unwrap_or_default()
                );
                    println!("| statement (first line) | D1 rows read | ms in D1 |");
                    for (label, each) in &cost.each {
                        println!(
                            "| `{label}` | {} | {:.1} |",
                            each.rows_read, each.duration_ms
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("bench: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        // Storage on its own: `bench storage USERS ARCHIVES [small]` (small: keys from 1).
        Some("storage") => {
            let users = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);
            let archives = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10);
            let at_scale = args.get(3).map(String::as_str) != Some("small");
            let storage = storage::measure(users, archives, at_scale);
            println!(
                "{} plays of {users} users (keys {}): {} bytes per play ({}); catalogue: {} tracks, {} albums, {} artists, {} contexts: {} bytes per track ({}); whole database {} bytes",
                storage.plays,
                if storage.at_scale { "at a deployment's scale" } else { "from 1" },
                stats::num(storage.bytes_per_play()),
                storage::Storage::describe(&storage.play_objects),
                storage.tracks,
                storage.albums,
                storage.artists,
                storage.contexts,
                stats::num(storage.catalogue_bytes_per_track()),
                storage::Storage::describe(&storage.catalogue_objects),
                storage.total_bytes
            );
            ExitCode::SUCCESS
        }
        Some("wasm-factor") => {
            let root = e2e::workspace_root();
            let page = archive_cost::run().full_page;
            let chunk = core_speed::export_chunks(2_500)
                .into_iter()
                .next()
                .unwrap_or_default();
            match wasm::measure(&root, &page, &chunk, 5) {
                Ok(factor) => println!("{factor:#?}\nfactor {}", factor.factor()),
                Err(error) => eprintln!("{error}"),
            }
            ExitCode::SUCCESS
        }
        Some("local-throughput") => {
            let phases: Vec<usize> = args
                .get(1)
                .map(|list| list.split(',').filter_map(|n| n.parse().ok()).collect())
                .unwrap_or_else(|| vec![100]);
            if let Err(error) = local::snapshot_worker(&e2e::workspace_root()) {
                eprintln!("{error}");
            }
            let deadline = std::time::Duration::from_secs(1_200);
            match local::guarded("throughput", || local::throughput(&phases, 3, deadline)) {
                Ok(throughput) => println!("{throughput:#?}"),
                Err(error) => eprintln!("{error}"),
            }
            ExitCode::SUCCESS
        }
        // The sweep over shards and the scaling model over shards on their own:
        // `bench shards [--quick] [--write]` (`--write`: only their parts of docs/).
        Some("shards") => match report::run_shards(&e2e::workspace_root(), &args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("bench: {error}");
                ExitCode::FAILURE
            }
        },
        Some("report") => {
            let root = e2e::workspace_root();
            let options = match report::Options::parse(&args[1..], &root) {
                Ok(options) => options,
                Err(error) => {
                    eprintln!("bench: {error}");
                    return ExitCode::from(2);
                }
            };
            match report::run(&root, &options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("bench: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!(
                "usage: bench check | bench report [--quick] [--skip-local] [--out PATH]\n\
                 the sweep over shards alone: bench shards [--quick] [--write]\n\
                 development aids: bench local-sweep DUE | bench local-throughput 100,900 | bench wasm-factor | bench archive-rows | bench review-rows | bench storage USERS ARCHIVES [small]"
            );
            ExitCode::from(2)
        }
    }
}
