//! The ports, bound to the Workers runtime: D1, KV, the Queue producer, `fetch` and the
//! console.
//! Nothing here decides anything; it only moves data across.

use std::time::Duration;

use futures::future::{select, Either};
use futures::StreamExt;
use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::{
    AbortController, D1Database, Delay, Env, Fetch, Headers, KvStore, Queue, Request, RequestInit,
    RequestRedirect,
};

use crate::config::Settings;
use crate::engine::job::ArchiveJob;
use crate::notify::NotifyMessage;
use crate::ports::{
    Database, DatabaseError, HttpClient, HttpRequest, HttpResponse, JobQueue, KeyValueError,
    KeyValueStore, Level, Log, LogLine, Method, QueueError, Row, Statement, TransportError,
};
use crate::shards::{binding_name, ShardIndex, DIRECTORY, MAX_SHARDS};

/// Binding names, as in wrangler.toml (the D1 shards' are [`binding_name`]).
pub const IDEMPOTENCY_KV: &str = "IDEMPOTENCY_KV";
pub const ARCHIVE_QUEUE: &str = "ARCHIVE_QUEUE";
pub const NOTIFY_QUEUE: &str = "NOTIFY_QUEUE";

/// Spotify answers in well under a second; a call that hangs this long is a failure.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

pub struct D1(pub D1Database);

/// The log on the console, one JSON line a record (Workers Logs indexes its fields); an
/// error goes to `console.error`, so the dashboard shows it as one.
pub struct ConsoleLog;

impl Log for ConsoleLog {
    fn write(&self, line: LogLine) {
        match line.level {
            Level::Error => worker::console_error!("{line}"),
            Level::Warn => worker::console_warn!("{line}"),
            Level::Info => worker::console_log!("{line}"),
        }
    }
}

/// The D1 databases bound as shards, in order: `ARCHIVE_DB`, then `ARCHIVE_DB_1`,
/// `ARCHIVE_DB_2`, … up to the first that is missing. A shard bound past a hole is an
/// error, not ignored: its users would be unreachable, or found under another number.
pub fn bind_shards(env: &Env) -> Result<Vec<D1>, String> {
    let mut databases = Vec::new();
    let mut hole = None;
    for index in 0..MAX_SHARDS as ShardIndex {
        let name = binding_name(index);
        match (env.d1(&name), hole) {
            (Ok(database), None) => databases.push(D1(database)),
            (Ok(_), Some(missing)) => {
                return Err(format!(
                    "{name} is bound but {} is not: shards are numbered without a hole",
                    binding_name(missing)
                ))
            }
            (Err(_), None) => hole = Some(index),
            (Err(_), Some(_)) => {}
        }
    }
    if databases.is_empty() {
        return Err(format!("{} is not bound", binding_name(DIRECTORY)));
    }
    Ok(databases)
}

fn d1_error(error: worker::Error) -> DatabaseError {
    let text = match &error {
        // D1's own error: its message says what failed ("D1_ERROR: …"); the crate's
        // Display of it is the debug form of its cause, stack trace and all.
        worker::Error::D1(d1) => String::from(AsRef::<js_sys::Error>::as_ref(d1).message()),
        other => other.to_string(),
    };
    DatabaseError::from_runtime(&text)
}

fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(flag) => JsValue::from_f64(if *flag { 1.0 } else { 0.0 }),
        Value::Number(number) => JsValue::from_f64(number.as_f64().unwrap_or(0.0)),
        Value::String(text) => JsValue::from_str(text),
        other => JsValue::from_str(&other.to_string()),
    }
}

fn rows(result: &worker::D1Result) -> Result<Vec<Row>, DatabaseError> {
    let values: Vec<Value> = result.results().map_err(d1_error)?;
    Ok(values
        .into_iter()
        .filter_map(|value| match value {
            Value::Object(row) => Some(row),
            _ => None,
        })
        .collect())
}

impl D1 {
    fn prepare(&self, statement: &Statement) -> Result<worker::D1PreparedStatement, DatabaseError> {
        let params: Vec<JsValue> = statement.params.iter().map(to_js).collect();
        self.0
            .prepare(statement.sql)
            .bind(&params)
            .map_err(d1_error)
    }
}

impl Database for D1 {
    async fn query(&self, statement: Statement) -> Result<Vec<Row>, DatabaseError> {
        let result = self.prepare(&statement)?.all().await.map_err(d1_error)?;
        rows(&result)
    }

    async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<Vec<Row>>, DatabaseError> {
        let prepared = statements
            .iter()
            .map(|statement| self.prepare(statement))
            .collect::<Result<Vec<_>, _>>()?;
        let results = self.0.batch(prepared).await.map_err(d1_error)?;
        results.iter().map(rows).collect()
    }
}

pub struct Kv(pub KvStore);

fn kv_error(error: impl std::fmt::Display) -> KeyValueError {
    KeyValueError {
        message: error.to_string(),
    }
}

impl KeyValueStore for Kv {
    async fn get(&self, key: &str) -> Result<Option<String>, KeyValueError> {
        self.0.get(key).text().await.map_err(kv_error)
    }

    async fn put(&self, key: &str, value: &str, ttl_seconds: u64) -> Result<(), KeyValueError> {
        self.0
            .put(key, value)
            .map_err(kv_error)?
            .expiration_ttl(ttl_seconds.max(60))
            .execute()
            .await
            .map_err(kv_error)
    }

    async fn delete(&self, key: &str) -> Result<(), KeyValueError> {
        self.0.delete(key).await.map_err(kv_error)
    }

    async fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<String>, KeyValueError> {
        let listed = self
            .0
            .list()
            .prefix(prefix.to_owned())
            .execute()
            .await
            .map_err(kv_error)?;
        Ok(listed.keys.into_iter().map(|key| key.name).collect())
    }
}

/// The producers of the archive queue and the notification queue.
pub struct Queues {
    pub archive: Queue,
    pub notify: Queue,
}

impl Queues {
    pub fn bind(env: &Env) -> worker::Result<Self> {
        Ok(Self {
            archive: env.queue(ARCHIVE_QUEUE)?,
            notify: env.queue(NOTIFY_QUEUE)?,
        })
    }
}

fn queue_error(error: worker::Error) -> QueueError {
    QueueError {
        message: error.to_string(),
    }
}

impl JobQueue for Queues {
    async fn send_batch(&self, messages: Vec<ArchiveJob>) -> Result<(), QueueError> {
        if messages.is_empty() {
            return Ok(());
        }
        self.archive.send_batch(messages).await.map_err(queue_error)
    }

    async fn send_notifications(&self, messages: Vec<NotifyMessage>) -> Result<(), QueueError> {
        if messages.is_empty() {
            return Ok(());
        }
        self.notify.send_batch(messages).await.map_err(queue_error)
    }
}

/// `fetch`, with a deadline.
pub struct WorkerFetch;

impl HttpClient for WorkerFetch {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let failed = |error: worker::Error| TransportError::Failed(error.to_string());
        let headers = Headers::new();
        for (name, value) in &request.headers {
            headers.set(name, value).map_err(failed)?;
        }
        let mut init = RequestInit::new();
        init.with_method(match request.method {
            Method::Get => worker::Method::Get,
            Method::Post => worker::Method::Post,
            Method::Delete => worker::Method::Delete,
        })
        .with_headers(headers)
        .with_body(request.body.as_deref().map(JsValue::from_str))
        .with_redirect(if request.follow_redirects {
            RequestRedirect::Follow
        } else {
            RequestRedirect::Manual
        });
        let limit = request.max_response_bytes;
        let outgoing = Request::new_with_init(&request.url, &init).map_err(failed)?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(outgoing);
        let call = Box::pin(async move {
            let mut response = fetch.send_with_signal(&signal).await?;
            let body = match limit {
                None => response.text().await?,
                Some(limit) => read_at_most(&mut response, limit).await?,
            };
            Ok::<_, worker::Error>((
                response.status_code(),
                response.headers().entries().collect::<Vec<_>>(),
                body,
            ))
        });
        let outcome = select(call, Delay::from(FETCH_TIMEOUT)).await;
        match outcome {
            Either::Left((result, _)) => {
                let (status, headers, body) = result.map_err(failed)?;
                Ok(HttpResponse {
                    status,
                    headers,
                    body,
                })
            }
            Either::Right(((), _)) => {
                controller.abort();
                Err(TransportError::Timeout)
            }
        }
    }
}

/// The first `limit` bytes of the body (as text, lossily); the rest is never read.
async fn read_at_most(response: &mut worker::Response, limit: usize) -> worker::Result<String> {
    let mut stream = response.stream()?;
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match stream.next().await {
            Some(piece) => bytes.extend(piece?),
            None => break,
        }
    }
    bytes.truncate(limit);
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Vars and secrets, by name.
pub struct EnvSettings<'a>(pub &'a Env);

impl Settings for EnvSettings<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .secret(name)
            .map(|secret| secret.to_string())
            .or_else(|_| self.0.var(name).map(|var| var.to_string()))
            .ok()
    }
}
