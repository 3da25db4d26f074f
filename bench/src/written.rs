//! Rows written, counted natively: what D1 would bill for a write, with no D1.
//!
//! D1's `rows_written` is workerd's SQLite counting every B-tree entry a statement
//! writes (its patch counts `OP_Insert`, `OP_IdxInsert` and the deletes that count as a
//! change): a table row inserted, updated or deleted is one, and so is every index entry
//! inserted; a WITHOUT ROWID table is its primary key's B-tree, one entry a row; an index
//! entry deleted is not counted. Stock SQLite has no such counter, so the twin counts:
//!
//! - **table rows**: SQLite's `total_changes()` before and after (every row an `INSERT`,
//!   `UPDATE` or `DELETE` changed, triggers' included; an upsert whose `WHERE` is false
//!   and `DO NOTHING` change none), plus the rows of `sqlite_sequence` that changed
//!   (AUTOINCREMENT's counter, which `total_changes()` leaves out and D1 counts);
//! - **index entries**: every entry of every index (`sqlite_autoindex_*` of UNIQUE
//!   constraints included, partial indexes by their `WHERE`) present after and not
//!   before, from the tables' contents (the index's key columns and the row's key).
//!
//! What it cannot see is an index entry deleted and put back unchanged (an `UPDATE` that
//! sets an indexed column to the value it had), which D1 may count: the full report
//! prints both counts side by side (section 1 of docs/benchmarks.md).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Value};
use time_machine::testing::SqliteDatabase;

/// The contents of every table and index of a database, at one moment.
pub struct Snapshot {
    total_changes: i64,
    /// Table → its rows by key (rowid or primary key), as JSON text.
    tables: BTreeMap<String, HashMap<String, String>>,
    /// Index → (its table, its entries as JSON text).
    indexes: BTreeMap<String, (String, HashSet<String>)>,
}

/// Rows written between two snapshots.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    /// Table rows inserted, updated or deleted (`total_changes()`, `sqlite_sequence`).
    pub table_rows: i64,
    /// Index entries inserted.
    pub index_entries: i64,
    /// Per table and index: rows changed (as the contents show them) or entries inserted.
    pub by_object: BTreeMap<String, i64>,
}

impl Written {
    pub fn total(&self) -> i64 {
        self.table_rows + self.index_entries
    }

    /// "play_events 15, users 1, users_due 1": where the rows went.
    pub fn breakdown(&self) -> String {
        self.by_object
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The `WHERE` of a partial index (`None`: every row has an entry).
fn partial_where(sql: &str) -> Option<String> {
    let close = sql.rfind(')')?;
    let tail = &sql[close + 1..];
    let at = tail.to_ascii_uppercase().find("WHERE")?;
    Some(tail[at + "WHERE".len()..].trim().to_owned())
}

pub fn snapshot(db: &SqliteDatabase) -> Snapshot {
    let total_changes = db.sql("SELECT total_changes() AS n", vec![])[0]["n"]
        .as_i64()
        .unwrap_or(0);
    let mut tables = BTreeMap::new();
    let mut without_rowid = HashSet::new();
    for table in db.sql(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND (name NOT LIKE 'sqlite_%' OR name = 'sqlite_sequence')",
        vec![],
    ) {
        let name = text(&table["name"]);
        let sql = text(&table["sql"]).to_ascii_uppercase();
        let key_columns: Vec<String> = if sql.contains("WITHOUT ROWID") {
            without_rowid.insert(name.clone());
            db.sql(
                "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
                vec![json!(name)],
            )
            .iter()
            .map(|row| quote(&text(&row["name"])))
            .collect()
        } else {
            vec!["rowid".to_owned()]
        };
        let rows = db.sql(
            &format!(
                "SELECT json_array({}) AS \"bench key\", * FROM {}",
                key_columns.join(", "),
                quote(&name)
            ),
            vec![],
        );
        let rows: HashMap<String, String> = rows
            .into_iter()
            .map(|row| {
                let key = text(&row["bench key"]);
                (key, serde_json::to_string(&row).unwrap_or_default())
            })
            .collect();
        tables.insert(name, rows);
    }
    let mut indexes = BTreeMap::new();
    for index in db.sql(
        "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'index'",
        vec![],
    ) {
        let (name, table) = (text(&index["name"]), text(&index["tbl_name"]));
        // The index's key columns, then the row's key (rowid, or a WITHOUT ROWID table's
        // primary key columns): an entry is unique.
        let columns: Vec<String> = db
            .sql(
                "SELECT cid, name FROM pragma_index_xinfo(?1) ORDER BY seqno",
                vec![json!(name)],
            )
            .iter()
            .map(|column| match column["cid"].as_i64() {
                Some(-1) => "rowid".to_owned(),
                Some(-2) => panic!("{name}: an index on an expression is not counted"),
                _ => quote(&text(&column["name"])),
            })
            .collect();
        let filter = index["sql"]
            .as_str()
            .and_then(partial_where)
            .map_or(String::new(), |w| format!(" WHERE {w}"));
        let entries: HashSet<String> = db
            .sql(
                &format!(
                    "SELECT json_array({}) AS entry FROM {}{filter}",
                    columns.join(", "),
                    quote(&table)
                ),
                vec![],
            )
            .iter()
            .map(|row| text(&row["entry"]))
            .collect();
        indexes.insert(name, (table, entries));
    }
    Snapshot {
        total_changes,
        tables,
        indexes,
    }
}

/// What was written between `before` and `after`.
pub fn written(before: &Snapshot, after: &Snapshot) -> Written {
    let mut by_object = BTreeMap::new();
    let empty = HashMap::new();
    for (name, rows) in &after.tables {
        let old = before.tables.get(name).unwrap_or(&empty);
        let changed = rows
            .iter()
            .filter(|(key, row)| old.get(*key) != Some(row))
            .count()
            + old.keys().filter(|key| !rows.contains_key(*key)).count();
        by_object.insert(name.clone(), changed as i64);
    }
    let mut index_entries = 0;
    for (name, (_, entries)) in &after.indexes {
        let new = before
            .indexes
            .get(name)
            .map_or(entries.len(), |(_, old)| entries.difference(old).count());
        index_entries += new as i64;
        by_object.insert(name.clone(), new as i64);
    }
    let sequence = by_object.get("sqlite_sequence").copied().unwrap_or(0);
    Written {
        table_rows: after.total_changes - before.total_changes + sequence,
        index_entries,
        by_object,
    }
}

/// The secondary indexes of `table` (its B-tree aside): `sqlite_autoindex_*` of its
/// UNIQUE constraints, and every `CREATE INDEX` on it.
pub fn indexes_of(db: &SqliteDatabase, table: &str) -> Vec<String> {
    db.sql(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 ORDER BY name",
        vec![json!(table)],
    )
    .iter()
    .map(|row| text(&row["name"]))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_and_new_index_entries_are_counted() {
        let db = SqliteDatabase::with_migrations(&[]);
        db.execute_batch(
            "CREATE TABLE t (key INTEGER PRIMARY KEY, a TEXT UNIQUE, b INTEGER, c INTEGER);
             CREATE INDEX t_b ON t (b);
             CREATE INDEX t_c ON t (c) WHERE c IS NOT NULL;
             CREATE TABLE w (k INTEGER, j INTEGER, v TEXT, PRIMARY KEY (k, j)) WITHOUT ROWID;
             INSERT INTO t (a, b) VALUES ('x', 1);",
        );
        let before = snapshot(&db);
        db.execute_batch(
            "INSERT INTO t (a, b) VALUES ('y', 2);             -- 1 row, 2 entries (t_c: NULL)
             UPDATE t SET b = 5 WHERE a = 'x';                 -- 1 row, 1 entry (t_b)
             UPDATE t SET b = 5 WHERE a = 'x';                 -- 1 row, nothing new to see
             INSERT INTO w VALUES (1, 1, 'v'), (1, 2, 'v');    -- 2 rows
             INSERT INTO w VALUES (1, 1, 'v') ON CONFLICT DO NOTHING;",
        );
        let after = snapshot(&db);
        let counted = written(&before, &after);
        assert_eq!(counted.table_rows, 5);
        assert_eq!(counted.index_entries, 3);
        assert_eq!(counted.total(), 8);
        assert_eq!(counted.by_object["w"], 2);
        // The contents show the insert and the update that changed a value.
        assert_eq!(counted.by_object["t"], 2);
        assert_eq!(counted.by_object["t_c"], 0);
        assert_eq!(indexes_of(&db, "w"), Vec::<String>::new());
        assert_eq!(indexes_of(&db, "t"), ["sqlite_autoindex_t_1", "t_b", "t_c"]);
        assert_eq!(
            partial_where("CREATE INDEX i ON t (c) where c > 0").as_deref(),
            Some("c > 0")
        );
        assert_eq!(partial_where("CREATE INDEX i ON t (c)"), None);
    }
}
