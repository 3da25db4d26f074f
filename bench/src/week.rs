//! Capture completeness over a simulated week, adaptive polling against a fixed hourly
//! poll: `tests/week_simulation.rs` runs (its assertions included) and its printed tables
//! are read back. The simulation is deterministic, so its figures do not depend on the
//! machine.

use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, Clone)]
pub struct WeekTable {
    pub policy: String,
    pub archives: u64,
    /// The table's cells: listeners, n, plays made, captured, capture %, lost at
    /// wake-up / in stride, gaps, recently-played calls per user-hour, token calls per
    /// user-hour.
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Week {
    pub tables: Vec<WeekTable>,
    /// Whether the test's own assertions passed.
    pub passed: bool,
    pub command: String,
}

impl Week {
    pub fn table(&self, policy_starts: &str) -> Option<&WeekTable> {
        self.tables
            .iter()
            .find(|table| table.policy.starts_with(policy_starts))
    }
}

pub fn parse(output: &str) -> Vec<WeekTable> {
    let mut tables: Vec<WeekTable> = Vec::new();
    for line in output.lines() {
        let line = line.trim();
        if let Some(head) = line.strip_suffix(" archives in the week") {
            if let Some((policy, archives)) = head.rsplit_once(": ") {
                tables.push(WeekTable {
                    policy: policy.trim().to_owned(),
                    archives: archives.trim().parse().unwrap_or(0),
                    rows: Vec::new(),
                });
            }
            continue;
        }
        if !line.starts_with('|') || line.starts_with("| listeners") || line.starts_with("| ---") {
            continue;
        }
        if let Some(table) = tables.last_mut() {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect();
            if cells.len() >= 9 {
                table.rows.push(cells);
            }
        }
    }
    tables
}

pub fn run(root: &Path) -> Result<Week, String> {
    let args = [
        "test",
        "-q",
        "-p",
        "spotify-time-machine",
        "--test",
        "week_simulation",
        "--",
        "--nocapture",
        "--test-threads=1",
    ];
    let output = Command::new("cargo")
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("could not run cargo: {error}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tables = parse(&stdout);
    if tables.len() < 2 {
        return Err(format!(
            "the week simulation printed no tables ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(Week {
        tables,
        passed: output.status.success(),
        command: format!("cargo {}", args.join(" ")),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_printed_tables_are_read() {
        let printed = "\nfixed hourly: 1026 archives in the week\n\
| listeners     | n | plays made | captured | capture % | lost at wake-up / in stride | gaps | recently-played calls per user-hour | token calls per user-hour |\n\
| ------------- | - | ---------- | -------- | --------- | --------------------------- | ---- | ----------------------------------- | ------------------------- |\n\
| typical ~15/h | 3 |       5076 |     5076 |   100.00% |                       0 / 0 |    0 |                                1.00 |                      1.00 |\n";
        let tables = super::parse(printed);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].archives, 1026);
        assert_eq!(tables[0].rows[0][0], "typical ~15/h");
        assert_eq!(tables[0].rows[0][4], "100.00%");
    }
}
