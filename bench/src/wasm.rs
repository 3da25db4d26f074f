//! The wasm factor, measured: the kernels of `work.rs` timed natively and as WebAssembly
//! in Node's V8 (the engine workerd embeds), built with the Worker's release profile
//! (opt-level z, LTO, then `wasm-opt -Oz` as worker-build does). The ratio is what the
//! CPU estimates multiply the native replays by.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

use crate::stats::{ms, Spread};
use crate::work;

#[derive(Debug, Clone)]
pub struct Kernel {
    pub what: &'static str,
    /// Whether the kernel is of the kind that makes up the bulk of an invocation's work
    /// (JSON in and out, planning); token cryptography is microseconds per archive.
    pub bulk: bool,
    /// Milliseconds per iteration.
    pub native: Spread,
    pub wasm: Spread,
}

impl Kernel {
    /// The ratio of the fastest runs: other work on the machine only ever adds time, so
    /// the fastest run is the closest to the work itself.
    pub fn factor(&self) -> f64 {
        self.wasm.min / self.native.min
    }
}

#[derive(Debug, Clone)]
pub struct WasmFactor {
    pub kernels: Vec<Kernel>,
    pub wasm_bytes: u64,
}

impl WasmFactor {
    /// The factor the CPU estimates use: the largest of the bulk kernels' factors (so the
    /// estimates err on the high side).
    pub fn factor(&self) -> f64 {
        self.kernels
            .iter()
            .filter(|kernel| kernel.bulk)
            .map(Kernel::factor)
            .fold(f64::NAN, f64::max)
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("{what}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .rev()
                .take(15)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}

/// Builds the probe for wasm32 and returns the optimised module's path.
fn build(root: &Path) -> Result<std::path::PathBuf, String> {
    let probe = root.join("bench/wasm-probe");
    std::fs::copy(root.join("Cargo.lock"), probe.join("Cargo.lock"))
        .map_err(|error| format!("copying Cargo.lock: {error}"))?;
    let target_dir = root.join("target/wasm-probe");
    let cargo = |offline: bool| {
        let mut command = Command::new("cargo");
        command
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "--manifest-path",
            ])
            .arg(probe.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(root);
        if offline {
            command.arg("--offline");
        }
        command
    };
    run(&mut cargo(true), "building the wasm probe (offline)")
        .or_else(|_| run(&mut cargo(false), "building the wasm probe"))?;
    let built = target_dir.join("wasm32-unknown-unknown/release/stm_wasm_probe.wasm");
    let optimised = target_dir.join("probe.wasm");
    run(
        Command::new(root.join("node_modules/.bin/wasm-opt"))
            .arg("-Oz")
            .arg(&built)
            .arg("-o")
            .arg(&optimised),
        "wasm-opt -Oz on the probe",
    )?;
    Ok(optimised)
}

fn native(runs: usize, iterations: u32, kernel: impl Fn(u32) -> usize) -> Spread {
    kernel(iterations);
    let values: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            kernel(iterations);
            ms(started.elapsed()) / f64::from(iterations)
        })
        .collect();
    Spread::of(&values)
}

pub fn measure(root: &Path, page: &str, chunk: &str, runs: usize) -> Result<WasmFactor, String> {
    let wasm = build(root)?;
    let key = support::TOKEN_KEY;
    let user = "bench-user";
    let cipher = time_machine::crypto::TokenCipher::new(key, None)
        .map_err(|error| format!("the token key: {error:?}"))?;
    let sealed = cipher
        .seal(
            "BQDx3bench-access-token-of-a-typical-length-0123456789abcdefghijklmnopqrstuvwxyz",
            user,
        )
        .map_err(|error| format!("sealing: {error:?}"))?;
    let chunk_now = work::NOW + 400 * 86_400_000;
    let iterations = json!({ "page": 50, "open": 2_000, "chunk": 5 });
    let input = json!({
        "page": page, "key": key, "sealed": sealed, "user": user,
        "chunk": chunk, "chunk_now": chunk_now, "runs": runs, "iterations": iterations,
    });
    let input_path = root.join("target/wasm-probe/input.json");
    std::fs::write(&input_path, input.to_string()).map_err(|error| format!("{error}"))?;
    let output = Command::new("node")
        .arg(root.join("bench/wasm-probe/run.mjs"))
        .arg(&wasm)
        .arg(&input_path)
        .current_dir(root)
        .output()
        .map_err(|error| format!("could not run node: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "the wasm probe failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let times: Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("the probe's output is not JSON: {error}"))?;
    let wasm_spread = |name: &str| {
        let values: Vec<f64> = times[name]
            .as_array()
            .map(|values| values.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        Spread::of(&values)
    };
    let n = |name: &str| iterations[name].as_u64().unwrap_or(1) as u32;
    let kernels = vec![
        Kernel {
            what: "read a page of 50, plan its write, encode the batch's parameters",
            bulk: true,
            native: native(runs, n("page"), |i| work::page(page, i)),
            wasm: wasm_spread("page"),
        },
        Kernel {
            what: "open a sealed access token (AES-256-GCM)",
            bulk: false,
            native: native(runs, n("open"), |i| work::open(key, &sealed, user, i)),
            wasm: wasm_spread("open"),
        },
        Kernel {
            what: "read and plan an import chunk",
            bulk: true,
            native: native(runs, n("chunk"), |i| work::chunk(chunk, chunk_now, i)),
            wasm: wasm_spread("chunk"),
        },
    ];
    Ok(WasmFactor {
        kernels,
        wasm_bytes: std::fs::metadata(&wasm).map_or(0, |meta| meta.len()),
    })
}
