//! The report rendered from findings measured small (the twins, natively) and from
//! findings made up for what needs the local runtime, Node or wrangler.

use super::*;
use crate::bundle::BundleFile;
use crate::local::{LocalSweepRun, Phase, PhaseSweep};
use crate::stats::Spread;
use crate::wasm::Kernel;
use crate::week::WeekTable;

fn spread(median: f64) -> Spread {
    Spread {
        min: median * 0.9,
        median,
        max: median * 1.2,
        runs: 3,
    }
}

fn week_row(listeners: &str) -> Vec<String> {
    [
        listeners, "2", "100", "90", "90%", "1 / 2", "3", "4.0", "1.0",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Findings with every measurement present: the twins' own, small, and the rest made up.
fn findings() -> Findings {
    let archive = archive_cost::run();
    let rows = rows::PLAY_COUNTS
        .iter()
        .map(|n| rows::measure(*n))
        .collect();
    let sweeps = vec![sweep::measure(1_000, 1_000, 1)];
    let shard_sweeps = shard_sweep::measure_all(&[(1, 1_000, 0, 1), (4, 1_000, 0, 1)]);
    let cron: Vec<&SweepRun> = sweeps.iter().collect();
    let chunk = core_speed::export_chunks(300)
        .into_iter()
        .next()
        .unwrap_or_default();
    let invocations = invocations::measure(&cron, &chunk, 1);
    let core = core_speed::measure(&archive.full_page, 300, 1);
    Findings {
        archive,
        archive_meter: Err("the meter was not run".into()),
        rows,
        sweeps,
        sweep_meter: Ok(()),
        shard_sweeps,
        directory_bytes_per_user: 12.5,
        core,
        wasm: Ok(WasmFactor {
            kernels: vec![
                Kernel {
                    what: "JSON in and out",
                    bulk: true,
                    native: spread(1.0),
                    wasm: spread(2.1),
                },
                Kernel {
                    what: "AES-GCM",
                    bulk: false,
                    native: spread(0.01),
                    wasm: spread(0.05),
                },
            ],
            wasm_bytes: 300_000,
        }),
        invocations,
        storage: storage::measure(2, 2, true),
        storage_small: storage::measure(2, 2, false),
        bundle: Ok(vec![Bundle {
            worker: "front".into(),
            total_kib: 900.0,
            total_gzip_kib: 290.0,
            files: vec![BundleFile {
                name: "index_bg.wasm".into(),
                bytes: 800_000,
                gzip_bytes: 290_000,
            }],
        }]),
        week: Ok(Week {
            tables: vec![
                WeekTable {
                    policy: "adaptive (the deployment's)".into(),
                    archives: 700,
                    rows: vec![week_row("typical"), week_row("night owl")],
                },
                WeekTable {
                    policy: "fixed hourly".into(),
                    archives: 1_000,
                    rows: vec![week_row("typical")],
                },
            ],
            passed: true,
            command: "cargo test --test week".into(),
        }),
        local_sweeps: vec![
            (
                1_000,
                Ok(LocalSweep {
                    seeded: 1_000,
                    runs: vec![LocalSweepRun {
                        users_due: 500,
                        enqueued: 500,
                        messages: 50,
                        http_ms: 120.0,
                        worker_ms: 80.0,
                    }],
                }),
            ),
            (10_000, Err("out of file\ndescriptors".into())),
        ],
        throughput: Ok(Throughput {
            phases: vec![Phase {
                users: 100,
                login_ms: spread(50.0),
                logins: 100,
                logins_s: 5.0,
                logins_and_backfills_s: 9.0,
                backfills_timed_out: false,
                sweeps: vec![PhaseSweep {
                    enqueued: 100,
                    seconds: 12.0,
                    archived: 100,
                    other_outcomes: 0,
                    confirmed: 100,
                    timed_out: false,
                }],
                error: None,
            }],
        }),
        elapsed: Duration::from_secs(600),
        load_start: "0.50".into(),
    }
}

/// Where `heading` starts in `md`, after `from`.
fn position(md: &str, from: usize, heading: &str) -> usize {
    from + md[from..]
        .find(heading)
        .unwrap_or_else(|| panic!("{heading:?} missing, or out of order, in:\n{md}"))
}

/// Every section, in the order docs/benchmarks.md has them.
const SECTIONS: [&str; 17] = [
    "# Benchmarks\n",
    "\n## Headline\n",
    "\n## 1. Archiving one user\n",
    "\n### Rows written per new play\n",
    "\n## 2. The sweep\n",
    "\n<!-- bench:shard-sweep -->\n",
    "\n<!-- /bench:shard-sweep -->\n",
    "\nOn the local runtime (`wrangler dev --local`",
    "\n## 3. Throughput end to end\n",
    "\n## 4. Per invocation: subrequests and CPU\n",
    "\n### The wasm factor\n",
    "\n## 5. The release bundles\n",
    "\n## 6. The core natively\n",
    "\n## 7. Capture completeness over a simulated week\n",
    "\n## 8. Storage\n",
    "\n## 9. Derived: a typical user-day, and N users\n",
    "\n## What was not measured\n",
];

#[test]
fn the_report_has_every_section_in_order() {
    let root = e2e::workspace_root();
    let options = Options {
        quick: false,
        skip_local: false,
        out: root.join("target/benchmarks-test.md"),
    };
    let mut f = findings();
    let md = render(&root, &options, &f, &model_inputs(&f));
    SECTIONS
        .iter()
        .fold(0, |from, heading| position(&md, from, heading));
    assert!(md.contains("| capture over a week, typical | adaptive 90% vs hourly 90% |"));
    assert!(md.contains("**D1's counters could not be read:** the meter was not run"));
    assert!(md.contains("out of file descriptors"));

    // Every measurement that can fail, failed: each section says so, none goes missing.
    f.wasm = Err("no wasm-opt".into());
    f.bundle = Err("no wrangler".into());
    f.week = Err("the week failed".into());
    f.throughput = Err("no stack".into());
    f.local_sweeps = Vec::new();
    f.archive_meter = Ok(());
    f.sweep_meter = Err("no node".into());
    let options = Options {
        quick: true,
        ..options
    };
    let md = render(&root, &options, &f, &model_inputs(&f));
    SECTIONS
        .iter()
        .fold(0, |from, heading| position(&md, from, heading));
    for said in [
        "quick mode",
        "Not measured: no wasm-opt",
        "Not measured: no wrangler",
        "Not measured: the week failed",
        "Not measured: no stack",
        "Not run (`--skip-local`)",
        "**D1's counters could not be read:** no node",
        "a **stated factor of 2.00**",
        "Some local-runtime measurements failed",
    ] {
        assert!(md.contains(said), "{said:?} missing");
    }
}
