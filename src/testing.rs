//! Native twins of the Worker's bindings, for tests and benchmarks.
//!
//! [`SqliteDatabase`] runs the very SQL of [`crate::store`] on SQLite, the engine behind
//! D1, with the migrations applied; the others keep their state in memory and record
//! what they were asked, so tests can count D1 round trips, KV operations and Spotify
//! calls instead of guessing them; [`MemoryLog`] keeps the log lines for tests to read.
// The twins are test equipment: a twin that cannot do its job fails the test there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod web;
pub mod zones;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};

use rusqlite::types::{Value as SqlValue, ValueRef};
use serde_json::{Map, Number, Value};

use crate::engine::job::ArchiveJob;
use crate::notify::NotifyMessage;
use crate::ports::{
    Database, DatabaseError, HttpClient, HttpRequest, HttpResponse, JobQueue, KeyValueError,
    KeyValueStore, Log, LogLine, QueueError, Row, Statement, TransportError,
};

/// Every migration, in order.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_history.sql"),
    include_str!("../migrations/0003_imports.sql"),
    include_str!("../migrations/0004_dead_letters.sql"),
    include_str!("../migrations/0005_review_fixes.sql"),
    include_str!("../migrations/0006_notifications.sql"),
    include_str!("../migrations/0007_compact.sql"),
    include_str!("../migrations/0008_shards.sql"),
    include_str!("../migrations/0009_forwarding.sql"),
    include_str!("../migrations/0010_year_review.sql"),
    include_str!("../migrations/0011_share_links.sql"),
];

/// D1's twin: an in-memory SQLite database with the migrations applied.
pub struct SqliteDatabase {
    connection: RefCell<rusqlite::Connection>,
    round_trips: Cell<usize>,
    statements: Cell<usize>,
    fail_writes: Cell<bool>,
    /// Queries whose SQL holds this text fail, as a D1 outage would.
    failing_queries: Cell<Option<&'static str>>,
}

fn database_error(error: impl std::fmt::Display) -> DatabaseError {
    DatabaseError {
        message: error.to_string(),
    }
}

fn to_sql(value: &Value) -> SqlValue {
    match value {
        Value::Null => SqlValue::Null,
        // D1 receives every number as a JavaScript double and binds it as REAL (booleans
        // too, as 1.0 and 0.0: see the edge's binding); so does its twin, so that SQL
        // which would print `14.0` or compare a REAL to text fails here first.
        Value::Bool(flag) => SqlValue::Real(if *flag { 1.0 } else { 0.0 }),
        Value::Number(number) => SqlValue::Real(number.as_f64().unwrap_or(0.0)),
        Value::String(text) => SqlValue::Text(text.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

fn from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(integer) => Value::Number(integer.into()),
        ValueRef::Real(real) => Number::from_f64(real).map_or(Value::Null, Value::Number),
        ValueRef::Text(text) => Value::String(String::from_utf8_lossy(text).into_owned()),
        ValueRef::Blob(blob) => Value::String(String::from_utf8_lossy(blob).into_owned()),
    }
}

fn run(
    connection: &rusqlite::Connection,
    statement: &Statement,
) -> Result<Vec<Row>, DatabaseError> {
    let mut prepared = connection.prepare(statement.sql).map_err(database_error)?;
    let names: Vec<String> = prepared
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let params: Vec<SqlValue> = statement.params.iter().map(to_sql).collect();
    let mut rows = prepared
        .query(rusqlite::params_from_iter(params))
        .map_err(database_error)?;
    let mut result = Vec::new();
    while let Some(row) = rows.next().map_err(database_error)? {
        let mut map = Map::new();
        for (index, name) in names.iter().enumerate() {
            map.insert(
                name.clone(),
                from_sql(row.get_ref(index).map_err(database_error)?),
            );
        }
        result.push(map);
    }
    Ok(result)
}

impl SqliteDatabase {
    pub fn new() -> Self {
        Self::with_migrations(MIGRATIONS)
    }

    /// A database with only `migrations` applied: a deployment of an older version, for
    /// the tests that migrate one.
    pub fn with_migrations(migrations: &[&str]) -> Self {
        let connection = rusqlite::Connection::open_in_memory().expect("in-memory SQLite opens");
        // D1 enforces foreign keys; so must its twin.
        connection
            .execute_batch("PRAGMA foreign_keys = ON;")
            .expect("pragma");
        for migration in migrations {
            connection
                .execute_batch(migration)
                .expect("migrations apply");
        }
        Self {
            connection: RefCell::new(connection),
            round_trips: Cell::new(0),
            statements: Cell::new(0),
            fail_writes: Cell::new(false),
            failing_queries: Cell::new(None),
        }
    }

    /// Round trips (a query or a batch each) since the last reset.
    pub fn round_trips(&self) -> usize {
        self.round_trips.get()
    }

    /// Statements run since the last reset.
    pub fn statements(&self) -> usize {
        self.statements.get()
    }

    pub fn reset_counts(&self) {
        self.round_trips.set(0);
        self.statements.set(0);
    }

    /// Makes every batch fail, as a D1 outage would.
    pub fn fail_batches(&self, fail: bool) {
        self.fail_writes.set(fail);
    }

    /// Makes every query whose SQL holds `sql_fragment` fail, as a D1 outage would
    /// (`None`: none fails).
    pub fn fail_queries_matching(&self, sql_fragment: Option<&'static str>) {
        self.failing_queries.set(sql_fragment);
    }

    /// Runs SQL directly, for a test's own setup and checks.
    pub fn sql(&self, sql: &str, params: Vec<Value>) -> Vec<Row> {
        let statement = Statement {
            sql: Box::leak(sql.to_owned().into_boxed_str()),
            params,
        };
        run(&self.connection.borrow(), &statement).expect("test SQL runs")
    }

    /// Runs a whole SQL script (a migration), statement after statement.
    pub fn execute_batch(&self, sql: &str) {
        self.connection
            .borrow()
            .execute_batch(sql)
            .expect("the script runs");
    }

    /// The query plan of `sql`, one line per step.
    pub fn query_plan(&self, sql: &str) -> Vec<String> {
        let connection = self.connection.borrow();
        let mut prepared = connection
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan");
        let params = prepared.parameter_count();
        let nulls = vec![SqlValue::Null; params];
        let rows = prepared
            .query_map(rusqlite::params_from_iter(nulls), |row| {
                row.get::<_, String>(3)
            })
            .expect("plan rows");
        rows.map(|row| row.expect("plan row")).collect()
    }
}

impl Default for SqliteDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Database for SqliteDatabase {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, DatabaseError> {
        self.round_trips.set(self.round_trips.get() + 1);
        self.statements.set(self.statements.get() + 1);
        if self
            .failing_queries
            .get()
            .is_some_and(|fragment| statement.sql.contains(fragment))
        {
            return Err(database_error("D1_ERROR: simulated outage"));
        }
        run(&self.connection.borrow(), &statement)
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<Row>>, DatabaseError> {
        self.round_trips.set(self.round_trips.get() + 1);
        self.statements
            .set(self.statements.get() + statements.len());
        if self.fail_writes.get() {
            return Err(database_error("D1_ERROR: simulated outage"));
        }
        let mut connection = self.connection.borrow_mut();
        // D1 runs a batch as one transaction: all statements or none.
        let transaction = connection.transaction().map_err(database_error)?;
        let results = statements
            .iter()
            .map(|statement| run(&transaction, statement))
            .collect::<Result<Vec<_>, _>>()?;
        transaction.commit().map_err(database_error)?;
        Ok(results)
    }
}

/// KV's twin; TTLs are recorded, not enforced.
#[derive(Default)]
pub struct MemoryKv {
    entries: RefCell<HashMap<String, (String, u64)>>,
    operations: Cell<usize>,
    /// A KV that answers reads and refuses writes (a namespace over its write limit).
    refuses_writes: Cell<bool>,
}

impl MemoryKv {
    pub fn operations(&self) -> usize {
        self.operations.get()
    }

    pub fn reset_counts(&self) {
        self.operations.set(0);
    }

    pub fn ttl(&self, key: &str) -> Option<u64> {
        self.entries.borrow().get(key).map(|(_, ttl)| *ttl)
    }

    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.entries.borrow().keys().cloned().collect();
        keys.sort();
        keys
    }

    pub fn clear(&self) {
        self.entries.borrow_mut().clear();
    }

    pub fn refuse_writes(&self, refuse: bool) {
        self.refuses_writes.set(refuse);
    }
}

impl KeyValueStore for MemoryKv {
    async fn get(&self, key: &str) -> Result<Option<String>, KeyValueError> {
        self.operations.set(self.operations.get() + 1);
        Ok(self
            .entries
            .borrow()
            .get(key)
            .map(|(value, _)| value.clone()))
    }

    async fn put(&self, key: &str, value: &str, ttl_seconds: u64) -> Result<(), KeyValueError> {
        self.operations.set(self.operations.get() + 1);
        if ttl_seconds < 60 {
            return Err(KeyValueError {
                message: "expiration_ttl must be at least 60".into(),
            });
        }
        if self.refuses_writes.get() {
            return Err(KeyValueError {
                message: "KV put() limit exceeded for the day".into(),
            });
        }
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), (value.to_owned(), ttl_seconds));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), KeyValueError> {
        self.operations.set(self.operations.get() + 1);
        self.entries.borrow_mut().remove(key);
        Ok(())
    }

    async fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, KeyValueError> {
        self.operations.set(self.operations.get() + 1);
        let mut keys: Vec<String> = self
            .entries
            .borrow()
            .keys()
            .filter(|key| key.starts_with(prefix))
            .cloned()
            .collect();
        keys.sort();
        Ok(keys)
    }
}

/// An HTTP client that answers from a script, in order, and records the requests.
pub struct ScriptedHttp {
    script: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    requests: RefCell<Vec<HttpRequest>>,
}

impl ScriptedHttp {
    pub fn new(script: Vec<Result<HttpResponse, TransportError>>) -> Self {
        Self {
            script: RefCell::new(script.into()),
            requests: RefCell::new(Vec::new()),
        }
    }

    pub fn ok(body: &str) -> HttpResponse {
        Self::status(200, body)
    }

    pub fn status(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests.borrow().clone()
    }
}

impl HttpClient for ScriptedHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests.borrow_mut().push(request);
        self.script
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(TransportError::Failed("script exhausted".into())))
    }
}

/// The Queue producers' twin.
#[derive(Default)]
pub struct MemoryQueue {
    pub sent: RefCell<Vec<Vec<ArchiveJob>>>,
    pub notifications: RefCell<Vec<NotifyMessage>>,
    pub fail: Cell<bool>,
}

impl MemoryQueue {
    pub fn messages(&self) -> Vec<ArchiveJob> {
        self.sent.borrow().iter().flatten().cloned().collect()
    }

    pub fn take(&self) -> Vec<ArchiveJob> {
        self.sent.borrow_mut().drain(..).flatten().collect()
    }

    /// The notification messages sent since the last take.
    pub fn take_notifications(&self) -> Vec<NotifyMessage> {
        self.notifications.borrow_mut().drain(..).collect()
    }

    fn refuse_when_failing(&self) -> Result<(), QueueError> {
        if self.fail.get() {
            return Err(QueueError {
                message: "queue unavailable".into(),
            });
        }
        Ok(())
    }
}

impl JobQueue for MemoryQueue {
    async fn send_batch(&self, messages: Vec<ArchiveJob>) -> Result<(), QueueError> {
        self.refuse_when_failing()?;
        self.sent.borrow_mut().push(messages);
        Ok(())
    }

    async fn send_notifications(&self, messages: Vec<NotifyMessage>) -> Result<(), QueueError> {
        self.refuse_when_failing()?;
        // The platform's `send_batch` takes at most 100 messages: so does its twin.
        if messages.len() > 100 {
            return Err(QueueError {
                message: format!(
                    "{} messages in one send_batch (at most 100)",
                    messages.len()
                ),
            });
        }
        self.notifications.borrow_mut().extend(messages);
        Ok(())
    }
}

/// The log's twin: keeps each line as the JSON it is written as.
#[derive(Default)]
pub struct MemoryLog {
    lines: RefCell<Vec<Value>>,
}

impl MemoryLog {
    /// Every line written so far, oldest first.
    pub fn lines(&self) -> Vec<Value> {
        self.lines.borrow().clone()
    }

    /// The lines of `event`.
    pub fn events(&self, event: &str) -> Vec<Value> {
        self.lines
            .borrow()
            .iter()
            .filter(|line| line["event"] == event)
            .cloned()
            .collect()
    }
}

impl Log for MemoryLog {
    fn write(&self, line: LogLine) {
        // Through the text, as the console gets it: what a test reads is one JSON line.
        let text = line.to_string();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        self.lines.borrow_mut().push(value);
    }
}

/// A log that keeps nothing: for the bench, whose measured requests must not grow a
/// list of lines.
pub struct SilentLog;

impl Log for SilentLog {
    fn write(&self, _line: LogLine) {}
}
