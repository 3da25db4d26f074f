//! The doors from the core to the outside world, each as small as the core needs: a SQL
//! database (D1), a key-value store (KV), an HTTP client (`fetch`), the queues, the
//! time zone rules (`Intl`) and the log (the console). The edge implements them on the Workers runtime;
//! [`crate::testing`] implements them natively.
//!
//! The traits use `async fn` without `Send` bounds on purpose: the Workers runtime is
//! single-threaded and its futures are not `Send`.
#![allow(async_fn_in_trait)]

use std::fmt;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::time::UnixMillis;

/// One SQL statement with its positional parameters (`?1`, `?2`, …).
///
/// Parameters are JSON values because that is what D1 binds (null, number, text) and
/// because a whole page of plays travels as one JSON text for `json_each` to fan out.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: &'static str,
    pub params: Vec<Value>,
}

impl Statement {
    pub fn new(sql: &'static str, params: Vec<Value>) -> Self {
        Self { sql, params }
    }
}

/// A result row, column name to value. Integers arrive as JSON integers.
pub type Row = Map<String, Value>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseError {
    /// What failed, for logs; never shown to users.
    pub message: String,
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "database error: {}", self.message)
    }
}

impl std::error::Error for DatabaseError {}

impl DatabaseError {
    /// The error from the runtime's text of it: its first line. A JavaScript error's
    /// text goes on with its stack trace, the runtime's internals, which must reach
    /// neither the sweep's record nor an answer.
    pub fn from_runtime(text: &str) -> Self {
        let message = text.lines().next().unwrap_or_default().trim_end();
        Self {
            message: message.to_owned(),
        }
    }
}

pub trait Database {
    /// Runs one statement and returns its rows.
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, DatabaseError>;

    /// Runs the statements in one round trip, atomically: all of them or none.
    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<Row>>, DatabaseError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValueError {
    pub message: String,
}

impl fmt::Display for KeyValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key-value store error: {}", self.message)
    }
}

impl std::error::Error for KeyValueError {}

pub trait KeyValueStore {
    async fn get(&self, key: &str) -> Result<Option<String>, KeyValueError>;
    /// Stores `value` under `key` for `ttl_seconds` (KV needs at least 60).
    async fn put(&self, key: &str, value: &str, ttl_seconds: u64) -> Result<(), KeyValueError>;
    async fn delete(&self, key: &str) -> Result<(), KeyValueError>;
    /// The keys that start with `prefix` (at most 1,000: one page of KV's list).
    async fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, KeyValueError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Whether a redirect is followed (Spotify's calls) or answered as it is (a
    /// notification: the URL we checked must not lead somewhere we did not).
    pub follow_redirects: bool,
    /// The most of the answer's body that is read; the rest is dropped unread (a
    /// receiver's answer is not ours to hold whole). `None`: all of it.
    pub max_response_bytes: Option<usize>,
}

impl HttpRequest {
    /// The first header of that name, compared without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::pairs::header(&self.headers, name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// The first header of that name, compared without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::pairs::header(&self.headers, name)
    }
}

/// A request that got no HTTP answer at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No answer within the client's deadline.
    Timeout,
    /// The connection failed or broke; the text is for logs.
    Failed(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => write!(f, "request timed out"),
            Self::Failed(message) => write!(f, "request failed: {message}"),
        }
    }
}

impl std::error::Error for TransportError {}

pub trait HttpClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueError {
    pub message: String,
}

impl fmt::Display for QueueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "queue error: {}", self.message)
    }
}

impl std::error::Error for QueueError {}

/// The producer sides of the Worker's queues: archive jobs and notification deliveries.
pub trait JobQueue {
    /// Sends archive jobs in one call; the caller keeps each call inside the Queue limits.
    async fn send_batch(
        &self,
        messages: Vec<crate::engine::job::ArchiveJob>,
    ) -> Result<(), QueueError>;

    /// Sends notification messages in one call (at most 100, each a few bytes).
    async fn send_notifications(
        &self,
        messages: Vec<crate::notify::NotifyMessage>,
    ) -> Result<(), QueueError>;
}

/// One zone's offsets from UTC, by the platform's rules.
pub trait UtcOffsets {
    /// The offset in force at `at`, in milliseconds, east positive.
    fn offset_ms(&self, at: UnixMillis) -> i64;
}

/// The platform's time zone rules: the Workers runtime's `Intl` (its ICU tz data), or
/// natively the tz database compiled into chrono-tz. The bundle carries no tz tables.
pub trait TimeZones {
    /// The offsets of the zone `name` (one of [`crate::history::zone::ZONE_NAMES`]), or
    /// `None` when the platform has no rules for it.
    fn offsets(&self, name: &'static str) -> Option<Rc<dyn UtcOffsets>>;
}

/// How much a log line matters: Workers Logs filters on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// One structured log record: a level, an event name and its fields, written as one
/// JSON line (Workers Logs indexes the fields). Fields never hold a secret: no token,
/// cookie or client secret is given to a log line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub level: Level,
    pub event: &'static str,
    pub fields: Map<String, Value>,
}

impl LogLine {
    pub fn new(level: Level, event: &'static str) -> Self {
        Self {
            level,
            event,
            fields: Map::new(),
        }
    }

    pub fn info(event: &'static str) -> Self {
        Self::new(Level::Info, event)
    }

    pub fn warn(event: &'static str) -> Self {
        Self::new(Level::Warn, event)
    }

    pub fn error(event: &'static str) -> Self {
        Self::new(Level::Error, event)
    }

    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }

    /// `{"level", "event", ...fields}`; a field cannot take the place of either.
    pub fn to_json(&self) -> Value {
        let mut line = self.fields.clone();
        line.insert("level".to_owned(), Value::from(self.level.as_str()));
        line.insert("event".to_owned(), Value::from(self.event));
        Value::Object(line)
    }
}

impl fmt::Display for LogLine {
    /// The one JSON line the record is written as.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

/// Where the core writes what it cannot answer with: the causes of failures it answers
/// without (a 503's database message) or swallows (a best-effort write that failed).
pub trait Log {
    fn write(&self, line: LogLine);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_error_keeps_its_message_and_drops_its_stack_trace() {
        let text =
            "D1_ERROR: shard full: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_TRIGGER)\n    \
                    at D1Database._sendOrThrow (cloudflare-internal:d1-api:125:19)\n    \
                    at async D1PreparedStatement.all (cloudflare-internal:d1-api:316:37)";
        let error = DatabaseError::from_runtime(text);
        assert_eq!(
            error.message,
            "D1_ERROR: shard full: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_TRIGGER)"
        );
    }

    #[test]
    fn a_one_line_runtime_error_is_kept_whole() {
        let error = DatabaseError::from_runtime("D1_ERROR: no such table: users");
        assert_eq!(error.message, "D1_ERROR: no such table: users");
    }
}
