//! The release bundles as `wrangler deploy --dry-run --outdir DIR` builds them, one per
//! Worker of a deployment (the configs from scripts/workers.mjs): the upload's total as
//! wrangler reports it (raw and gzip), and each file raw and gzipped (`gzip -9`).

use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone)]
pub struct BundleFile {
    pub name: String,
    pub bytes: u64,
    pub gzip_bytes: u64,
}

#[derive(Debug, Clone)]
pub struct Bundle {
    /// The Worker: `front`, `review`, `history`, `background`.
    pub worker: String,
    /// Wrangler's "Total Upload: X KiB / gzip: Y KiB".
    pub total_kib: f64,
    pub total_gzip_kib: f64,
    pub files: Vec<BundleFile>,
}

fn gzip_size(path: &Path) -> Result<u64, String> {
    let output = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .stderr(Stdio::null())
        .output()
        .map_err(|error| format!("gzip: {error}"))?;
    Ok(output.stdout.len() as u64)
}

/// The most a Worker's upload may weigh compressed, as wrangler counts it: the target of
/// the lean-and-clear work, held by each of the four Workers a deployment is split into
/// (docs/operations.md, "The Workers"). The whole service in one Worker weighed 489 KiB.
pub const MAX_TOTAL_GZIP_KIB: f64 = 300.0;

/// The guard of [`MAX_TOTAL_GZIP_KIB`] over the `wrangler deploy --dry-run` log of the
/// Worker `name`: the line to print when its upload is within it, the failure otherwise.
pub fn check_log(name: &str, log: &str) -> Result<String, String> {
    let (total, gzip) = parse_total(log)
        .ok_or_else(|| format!("the {name} Worker's dry run has no \"Total Upload\" line"))?;
    if gzip <= MAX_TOTAL_GZIP_KIB {
        Ok(format!(
            "bundle-check: the {name} Worker uploads {total} KiB, {gzip} KiB gzip (at most {MAX_TOTAL_GZIP_KIB})"
        ))
    } else {
        Err(format!(
            "the {name} Worker uploads {gzip} KiB gzip, over its {MAX_TOTAL_GZIP_KIB} KiB ({total} KiB raw)"
        ))
    }
}

/// `Total Upload: 2114.22 KiB / gzip: 605.73 KiB` → (2114.22, 605.73).
pub fn parse_total(log: &str) -> Option<(f64, f64)> {
    let line = log.lines().find(|line| line.contains("Total Upload:"))?;
    let numbers: Vec<f64> = line
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|part| !part.is_empty() && part.chars().any(|c| c.is_ascii_digit()))
        .filter_map(|part| part.parse().ok())
        .collect();
    match numbers.as_slice() {
        [total, gzip, ..] => Some((*total, *gzip)),
        _ => None,
    }
}

/// Each Worker's bundle, the front first.
pub fn measure(root: &Path) -> Result<Vec<Bundle>, String> {
    let scratch = std::env::temp_dir().join(format!("stm-bench-dry-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let split = Command::new("node")
        .arg(root.join("scripts/workers.mjs"))
        .arg(root.join("wrangler.toml"))
        .arg(scratch.join("configs"))
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("could not run node: {error}"))?;
    if !split.status.success() {
        return Err(format!(
            "scripts/workers.mjs failed: {}",
            String::from_utf8_lossy(&split.stderr)
        ));
    }
    let bundles = String::from_utf8_lossy(&split.stdout)
        .lines()
        .map(|config| measure_worker(root, Path::new(config), &scratch))
        .collect();
    let _ = std::fs::remove_dir_all(&scratch);
    bundles
}

fn measure_worker(root: &Path, config: &Path, scratch: &Path) -> Result<Bundle, String> {
    let worker = config
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{} names no Worker", config.display()))?;
    let outdir = scratch.join(&worker);
    let output = Command::new(root.join("node_modules/.bin/wrangler"))
        .args(["deploy", "--dry-run", "-c"])
        .arg(config)
        .arg("--outdir")
        .arg(&outdir)
        .current_dir(root)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("could not run wrangler: {error}"))?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        return Err(format!(
            "wrangler deploy --dry-run of {worker} failed:\n{log}"
        ));
    }
    let (total_kib, total_gzip_kib) =
        parse_total(&log).ok_or_else(|| format!("no \"Total Upload\" line in:\n{log}"))?;
    let mut files = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&outdir)
        .map_err(|error| format!("{}: {error}", outdir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".wasm") || name.ends_with(".js")) {
            continue;
        }
        let bytes = entry.metadata().map(|meta| meta.len()).unwrap_or(0);
        // The wasm's name starts with its content hash; keep the stable part.
        let shown = name.rsplit('-').next().unwrap_or(&name).to_owned();
        files.push(BundleFile {
            name: shown,
            bytes,
            gzip_bytes: gzip_size(&entry.path())?,
        });
    }
    Ok(Bundle {
        worker,
        total_kib,
        total_gzip_kib,
        files,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn wranglers_total_is_read() {
        assert_eq!(
            super::parse_total("x\nTotal Upload: 2114.22 KiB / gzip: 605.73 KiB\n"),
            Some((2114.22, 605.73))
        );
    }

    #[test]
    fn an_upload_over_its_limit_fails_the_check() {
        let over = format!(
            "Total Upload: 1400.00 KiB / gzip: {:.2} KiB\n",
            super::MAX_TOTAL_GZIP_KIB + 0.01
        );
        assert!(super::check_log("front", &over).is_err());
        let within = format!(
            "Total Upload: 1400.00 KiB / gzip: {:.2} KiB\n",
            super::MAX_TOTAL_GZIP_KIB
        );
        assert!(super::check_log("front", &within).is_ok());
        assert!(super::check_log("front", "no total here").is_err());
    }
}
