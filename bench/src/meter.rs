//! D1's row counters, from the local runtime.
//!
//! D1 bills rows read and rows written as its SQLite counts them (workerd's SQLite counts
//! every row a cursor steps over or seeks to, and every table and index entry written).
//! The native twin runs the same SQL on stock SQLite, which has no such counters, so the
//! statements a scenario recorded ([`crate::twins::Recorder`]) are replayed, with their
//! parameters, through Miniflare's D1 (`bench/d1-meter.mjs`, the D1 of `wrangler dev`),
//! and its result meta is read: `rows_read`, `rows_written`, `changes`, `duration`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use time_machine::testing::MIGRATIONS;

use crate::twins::RoundTrip;

/// A fresh D1 database: what runs first (not metered), then the round trips to meter.
pub struct MeterDb {
    pub setup: Vec<String>,
    pub steps: Vec<RoundTrip>,
}

/// What D1's meta said of one round trip (summed over its statements).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metered {
    pub label: String,
    pub rows_read: u64,
    pub rows_written: u64,
    pub changes: u64,
    pub duration_ms: f64,
    pub size_after: u64,
    pub round_trips: usize,
    pub error: Option<String>,
}

impl Metered {
    fn add(&mut self, other: &Metered) {
        self.rows_read += other.rows_read;
        self.rows_written += other.rows_written;
        self.changes += other.changes;
        self.duration_ms += other.duration_ms;
        self.size_after = other.size_after;
        self.round_trips += other.round_trips;
        if self.error.is_none() {
            self.error.clone_from(&other.error);
        }
    }
}

/// The migrations as single statements (D1's `prepare` takes one at a time).
pub fn migration_statements() -> Vec<String> {
    MIGRATIONS.iter().flat_map(|file| split_sql(file)).collect()
}

/// Splits a migration file into statements: comments dropped, `;` outside quotes ends one.
/// A `CREATE TRIGGER` stays whole: inside it, `;` ends the trigger only after the `END`
/// that closes its body (an `END` that directly follows a `;`, as SQLite's own
/// `sqlite3_complete` reads it: a `CASE … END;` inside the body does not close it).
pub fn split_sql(text: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    // Where the trigger's body statement now being read starts, inside a trigger.
    let mut body_from: Option<usize> = None;
    let mut in_quote = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_quote = !in_quote;
                current.push(c);
            }
            '-' if !in_quote && chars.peek() == Some(&'-') => {
                // A comment runs to the end of the line.
                for next in chars.by_ref() {
                    if next == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            ';' if !in_quote => {
                if body_from.is_none() && is_create_trigger(&current) {
                    body_from = Some(0);
                }
                if let Some(from) = body_from {
                    if !current[from..].trim().eq_ignore_ascii_case("END") {
                        // A statement of the trigger's body: the trigger goes on.
                        current.push(';');
                        body_from = Some(current.len());
                        continue;
                    }
                }
                let statement = current.trim().to_owned();
                if !statement.is_empty() {
                    statements.push(statement);
                }
                current.clear();
                body_from = None;
            }
            _ => current.push(c),
        }
    }
    let rest = current.trim();
    if !rest.is_empty() {
        statements.push(rest.to_owned());
    }
    statements
}

/// Whether a statement is `CREATE [TEMP|TEMPORARY] TRIGGER …`.
fn is_create_trigger(statement: &str) -> bool {
    let words: Vec<String> = statement
        .split_whitespace()
        .take(3)
        .map(str::to_ascii_uppercase)
        .collect();
    match words.as_slice() {
        [create, trigger, ..] if create == "CREATE" && trigger == "TRIGGER" => true,
        [create, temp, trigger] => {
            create == "CREATE" && (temp == "TEMP" || temp == "TEMPORARY") && trigger == "TRIGGER"
        }
        _ => false,
    }
}

/// A parameter as the edge binds it (`src/edge/bindings.rs`): numbers, text and null as
/// they are, booleans as 0 or 1, anything else as its JSON text.
fn bindable(value: &Value) -> Value {
    match value {
        Value::Bool(flag) => json!(i64::from(*flag)),
        Value::Array(_) | Value::Object(_) => Value::String(value.to_string()),
        other => other.clone(),
    }
}

fn plan_json(databases: &[MeterDb]) -> Value {
    json!({
        "databases": databases.iter().map(|db| json!({
            "setup": db.setup,
            "steps": db.steps.iter().map(|trip| json!({
                "label": trip.label,
                "batch": trip.batch,
                "statements": trip.statements.iter().map(|statement| json!({
                    "sql": statement.sql,
                    "params": statement.params.iter().map(bindable).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// Replays the databases' round trips through Miniflare's D1; one list per database,
/// one entry per round trip.
pub fn run(root: &Path, databases: &[MeterDb]) -> Result<Vec<Vec<Metered>>, String> {
    let dir = std::env::temp_dir().join(format!("stm-bench-meter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|error| format!("temp dir: {error}"))?;
    let plan_path = dir.join("plan.json");
    std::fs::write(&plan_path, plan_json(databases).to_string())
        .map_err(|error| format!("writing the meter's plan: {error}"))?;
    let output = Command::new("node")
        .arg(root.join("bench/d1-meter.mjs"))
        .arg(&plan_path)
        .current_dir(root)
        .output()
        .map_err(|error| format!("could not run node: {error}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    if !output.status.success() {
        return Err(format!(
            "bench/d1-meter.mjs failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let parsed: Value = serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("the meter's output is not JSON: {error}"))?;
    let databases = parsed
        .as_array()
        .ok_or("the meter's output is not a list")?;
    Ok(databases
        .iter()
        .map(|steps| {
            steps
                .as_array()
                .map(|steps| {
                    steps
                        .iter()
                        .map(|step| Metered {
                            label: step["label"].as_str().unwrap_or_default().to_owned(),
                            rows_read: step["rows_read"].as_u64().unwrap_or(0),
                            rows_written: step["rows_written"].as_u64().unwrap_or(0),
                            changes: step["changes"].as_u64().unwrap_or(0),
                            duration_ms: step["duration_ms"].as_f64().unwrap_or(0.0),
                            size_after: step["size_after"].as_u64().unwrap_or(0),
                            round_trips: 1,
                            error: step["error"].as_str().map(str::to_owned),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect())
}

/// The round trips of one database summed by label.
pub fn by_label(steps: &[Metered]) -> BTreeMap<String, Metered> {
    let mut totals: BTreeMap<String, Metered> = BTreeMap::new();
    for step in steps {
        let total = totals.entry(step.label.clone()).or_insert_with(|| Metered {
            label: step.label.clone(),
            ..Metered::default()
        });
        total.add(step);
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_split_into_statements() {
        let statements = split_sql(
            "-- a; comment\nCREATE TABLE t (a TEXT DEFAULT 'x;y'); -- trailing; note\nCREATE INDEX i ON t (a);\n",
        );
        assert_eq!(
            statements,
            [
                "CREATE TABLE t (a TEXT DEFAULT 'x;y')",
                "CREATE INDEX i ON t (a)"
            ]
        );
        assert!(migration_statements().len() > 20);
    }

    #[test]
    fn a_trigger_stays_one_statement() {
        let statements = split_sql(
            "CREATE TABLE t (a INTEGER, b TEXT);\n\
             CREATE TRIGGER t_on_insert AFTER INSERT ON t WHEN NEW.a IS NULL\n\
             BEGIN\n\
                 UPDATE t SET a = (SELECT coalesce(max(a), 0) + 1 FROM t); -- a; comment\n\
                 UPDATE t SET b = CASE WHEN b IS NULL THEN 'x;' ELSE b END;\n\
             end;\n\
             create temp trigger u after delete on t begin select 1; END;\n\
             CREATE INDEX t_a ON t (a);\n",
        );
        assert_eq!(statements.len(), 4, "{statements:#?}");
        assert!(statements[1].starts_with("CREATE TRIGGER t_on_insert"));
        assert!(statements[1].ends_with("end"));
        assert!(statements[1].contains("ELSE b END;"));
        assert!(statements[2].starts_with("create temp trigger u"));
        assert_eq!(statements[3], "CREATE INDEX t_a ON t (a)");
        // The migrations' own triggers are one statement each, and each statement runs
        // alone.
        let triggers: Vec<String> = migration_statements()
            .into_iter()
            .filter(|statement| statement.contains("TRIGGER"))
            .collect();
        assert!(!triggers.is_empty());
        assert!(triggers
            .iter()
            .all(|trigger| trigger.trim_end().ends_with("END")));
        let db = time_machine::testing::SqliteDatabase::with_migrations(&[]);
        for statement in migration_statements() {
            db.sql(&statement, vec![]);
        }
        assert_eq!(
            db.sql(
                "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger'",
                vec![]
            )[0]["n"],
            triggers.len()
        );
    }
}
