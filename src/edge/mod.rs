//! The Worker's three handlers. Each reads its bindings and settings, takes the clock,
//! hands plain data to the core and turns the answer back into the platform's types.
//! None of them returns an error to the runtime for something a user or Spotify did.

mod bindings;
pub mod zones;

use serde_json::json;
use worker::{
    event, Context, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder, Request, Response,
    ScheduleContext, ScheduledEvent,
};

use self::bindings::{
    bind_shards, ConsoleLog, EnvSettings, Kv, Queues, WorkerFetch, D1, IDEMPOTENCY_KV,
};
use crate::config::{self, ConfigError, Settings};
use crate::crypto::TokenCipher;
use crate::engine::archive::{Archiver, MessageDecision, UNRECORDED_RETRY_SECONDS};
use crate::engine::job::ArchiveJob;
use crate::engine::sweep::run_sweep;
use crate::forward::{self, sender::Forwarder, ForwardConfig};
use crate::history::export::ExportPlan;
use crate::notify::delivery::{Deliverer, NotifyConfig};
use crate::notify::{alert_operator, relay, NotifyMessage};
use crate::ports::{Log, LogLine, Method};
use crate::shards::{ShardIndex, Shards, DIRECTORY};
use crate::store::dead_letters::DeadLetter;
use crate::store::notifications::OperatorAlert;
use crate::store::Store;
use crate::time::UnixMillis;
use crate::web::body::{read_capped, BodyError};
use crate::web::error::HttpError;
use crate::web::routes::RequestUrl;
use crate::web::{App, WebRequest, WebResponse};

fn now() -> UnixMillis {
    worker::Date::now().as_millis() as UnixMillis
}

/// One structured log line of what a handler did (Workers Logs indexes JSON fields).
fn log(event: &'static str, fields: serde_json::Value) {
    write_log(LogLine::info(event), fields);
}

/// A failure's line: Workers Logs shows it as an error, and the operator filters on that.
fn log_error(event: &'static str, fields: serde_json::Value) {
    write_log(LogLine::error(event), fields);
}

fn write_log(mut line: LogLine, fields: serde_json::Value) {
    if let serde_json::Value::Object(fields) = fields {
        line.fields = fields;
    }
    ConsoleLog.write(line);
}

/// The answer that the service's own configuration refuses (its cause is logged apart).
fn misconfigured(message: &str) -> worker::Result<Response> {
    into_response(HttpError::new(503, "misconfigured", message).to_response())
}

/// The queues, as in wrangler.toml.
const ARCHIVE_DEAD_LETTER_QUEUE: &str = "stm-archive-dlq";
const NOTIFY_QUEUE_NAME: &str = "stm-notify";
const NOTIFY_DEAD_LETTER_QUEUE: &str = "stm-notify-dlq";

/// Moves dead letters into D1, where operators see them and can replay them; archive
/// jobs there are also an operator alert.
async fn keep_dead_letters(
    messages: &[worker::Message<serde_json::Value>],
    env: &Env,
    archive_jobs: bool,
) {
    // Dead letters belong to no user: they are kept in the directory, shard 0.
    let databases = match bind_shards(env) {
        Ok(databases) => databases,
        Err(error) => {
            log_error("dead_letters_unbound", json!({ "error": error }));
            for message in messages {
                message.retry();
            }
            return;
        }
    };
    let db = &databases[0];
    let store = Store::new(db);
    if let (true, Some(first)) = (archive_jobs, messages.first()) {
        let alert = OperatorAlert {
            key: format!("dead_letters:{}", first.id()),
            event: "dead_letters".to_owned(),
            data: json!({ "queue": ARCHIVE_DEAD_LETTER_QUEUE, "messages": messages.len(),
                          "first_message_id": first.id() }),
        };
        let sent = match Queues::bind(env) {
            Ok(queues) => alert_operator(db, &queues, &[alert], now())
                .await
                .map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = sent {
            // Raised but not relayed, the sweep relays it; the log says what happened.
            log_error(
                "operator_alert_unsent",
                json!({ "event": "dead_letters", "error": error }),
            );
        }
    }
    for message in messages {
        let letter = DeadLetter {
            message_id: message.id(),
            body: message.body().to_string(),
            received_at: now(),
        };
        match store.record_dead_letter(&letter).await {
            Ok(()) => {
                log_error(
                    "dead_letter",
                    json!({ "id": letter.message_id, "body": message.body() }),
                );
                message.ack();
            }
            Err(error) => {
                log_error(
                    "dead_letter_unrecorded",
                    json!({ "id": letter.message_id, "error": error.to_string() }),
                );
                message.retry();
            }
        }
    }
}

/// The bound databases as the core's shards, spread for new users by `SHARD_WEIGHTS`.
fn shards<'a>(databases: &'a [D1], settings: &impl Settings) -> Result<Shards<'a, D1>, String> {
    let weights =
        config::shard_weights(settings, databases.len()).map_err(|error| error.to_string())?;
    Shards::new(databases.iter().collect())
        .map(|shards| shards.with_weights(&weights))
        .ok_or_else(|| "no D1 database is bound".to_owned())
}

fn cipher(settings: &impl Settings) -> Result<TokenCipher, ConfigError> {
    let key = settings
        .get("TOKEN_ENCRYPTION_KEY")
        .ok_or(ConfigError::Missing("TOKEN_ENCRYPTION_KEY"))?;
    let previous = settings.get("TOKEN_ENCRYPTION_KEY_PREVIOUS");
    TokenCipher::new(&key, previous.as_deref())
        .map_err(|_| ConfigError::Invalid("TOKEN_ENCRYPTION_KEY"))
}

#[event(fetch)]
async fn fetch(mut request: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = now();
    let Some(method) = known_method(&request) else {
        return into_response(crate::web::refuse_unknown_method(&request_path(&request)));
    };
    let web_request = match read_request(&mut request, method).await {
        Ok(web_request) => web_request,
        Err(error) => {
            if let Some(line) = error.log_line(&request_path(&request)) {
                ConsoleLog.write(line);
            }
            return into_response(error.to_response());
        }
    };
    let settings = EnvSettings(&env);
    let (databases, kv, queue) = match (
        bind_shards(&env),
        env.kv(IDEMPOTENCY_KV),
        Queues::bind(&env),
    ) {
        (Ok(databases), Ok(kv), Ok(queue)) => (databases, Kv(kv), queue),
        (databases, _, _) => {
            log_error(
                "binding_missing",
                json!({ "path": web_request.path, "error": databases.err() }),
            );
            return misconfigured("The service is missing a binding.");
        }
    };
    let shards = match shards(&databases, &settings) {
        Ok(shards) => shards,
        Err(error) => {
            log_error("config_invalid", json!({ "error": error }));
            return misconfigured("The service is misconfigured.");
        }
    };
    let endpoints = config::endpoints(&settings);
    let credentials = config::credentials(&settings);
    let cipher = cipher(&settings);
    let cron_secret = settings
        .get("CRON_SECRET")
        .filter(|secret| !secret.is_empty());
    let (sweep, policy, (notify, forward)) = match (
        config::sweep_config(&settings),
        config::polling_policy(&settings),
        notify_and_forward_config(&settings),
    ) {
        (Ok(sweep), Ok(policy), Ok(notify_and_forward)) => (sweep, policy, notify_and_forward),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            log_error("config_invalid", json!({ "error": error.to_string() }));
            return misconfigured("The service is misconfigured.");
        }
    };
    let app = App::<(_, _, _, _)> {
        shards,
        kv: &kv,
        http: &WorkerFetch,
        queue: &queue,
        endpoints: &endpoints,
        credentials: credentials.as_ref().map_err(|error| *error),
        cipher: cipher.as_ref().map_err(|error| *error),
        cron_secret: cron_secret.as_deref(),
        sweep,
        policy,
        notify: &notify,
        forward,
        zones: &zones::IntlZones,
        log: &ConsoleLog,
    };
    let mut response = app.handle(&web_request, started, now).await;
    log(
        "request",
        json!({ "method": web_request.method.as_str(), "path": web_request.path,
                "status": response.status, "ms": now() - started }),
    );
    if let Some(plan) = response.stream.take() {
        drop(app);
        // The export reads its user's shard, page by page, after this handler returns.
        let Some(db) = databases.into_iter().nth(plan.shard as usize) else {
            return misconfigured("The service is missing a binding.");
        };
        return into_streamed_response(response, plan, db);
    }
    into_response(response)
}

/// The largest request body we read: login and admin forms are tiny.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The method as sent: `worker::Method` reads any method it does not know (PROPFIND,
/// MKCOL, …) as GET. `None`: none the Worker takes.
fn known_method(request: &Request) -> Option<Method> {
    match request.inner().method().to_ascii_uppercase().as_str() {
        "GET" | "HEAD" => Some(Method::Get),
        "POST" => Some(Method::Post),
        "DELETE" => Some(Method::Delete),
        _ => None,
    }
}

/// The request's path, for the answers given before the request is read (a wrong method,
/// an unreadable body); `/` if the runtime's URL could not be cut, which it always can.
fn request_path(request: &Request) -> String {
    let url = request.inner().url();
    RequestUrl::split(&url)
        .map_or("/", |url| url.path)
        .to_owned()
}

async fn read_request(request: &mut Request, method: Method) -> Result<WebRequest, HttpError> {
    let url_text = request.inner().url();
    let url = RequestUrl::split(&url_text).ok_or_else(|| {
        HttpError::new(400, "bad_request", "The URL is not valid.")
            // Not the URL itself: a query may carry a login's code, a user name a
            // password.
            .with_cause("the runtime's URL has no scheme or carries a user name")
    })?;
    // The import's chunks are larger (crate::web::imports::MAX_CHUNK_BYTES).
    let max_body = crate::web::imports::body_limit(url.path).unwrap_or(MAX_BODY_BYTES);
    let declared = request
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|length| length.parse::<usize>().ok());
    if declared.is_some_and(|length| length > max_body) {
        return Err(BodyError::TooLarge.into());
    }
    // Read piece by piece with the cap: a chunked body has no Content-Length to check
    // first, and must not be held whole before it is refused.
    let body = if method != Method::Get && request.inner().body().is_some() {
        let pieces = request
            .stream()
            .map_err(|error| HttpError::from(BodyError::Unreadable).with_cause(error))?;
        read_capped(pieces, max_body).await?
    } else {
        String::new()
    };
    Ok(WebRequest {
        method,
        origin: url.origin.to_owned(),
        path: url.path.to_owned(),
        query: url.query.to_owned(),
        headers: request.headers().entries().collect(),
        body,
    })
}

fn into_response(response: WebResponse) -> worker::Result<Response> {
    let headers = worker::Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    Ok(Response::ok(response.body)?
        .with_status(response.status)
        .with_headers(headers))
}

/// An export, streamed: the core reads one D1 page per chunk, when the client wants more.
fn into_streamed_response(
    response: WebResponse,
    plan: ExportPlan,
    db: D1,
) -> worker::Result<Response> {
    let headers = worker::Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let chunks = futures::stream::unfold(Some((plan, db)), |state| async move {
        let (mut plan, db) = state?;
        match plan.next_chunk(&db).await {
            Ok(Some(chunk)) => Some((Ok(chunk.into_bytes()), Some((plan, db)))),
            Ok(None) => None,
            Err(error) => {
                log_error(
                    "export_failed",
                    json!({ "user": plan.user_id, "rows": plan.rows_written(), "error": error.to_string() }),
                );
                let failure = worker::Error::RustError("the export could not be read".into());
                Some((Err(failure), None))
            }
        }
    });
    Ok(Response::from_stream(chunks)?
        .with_status(response.status)
        .with_headers(headers))
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let started = now();
    let settings = EnvSettings(&env);
    let (databases, queue) = match (bind_shards(&env), Queues::bind(&env)) {
        (Ok(databases), Ok(queue)) => (databases, queue),
        (databases, _) => {
            let error = databases
                .err()
                .unwrap_or_else(|| "a queue is not bound".to_owned());
            return log_error("sweep_failed", json!({ "error": error }));
        }
    };
    let (shards, config) = match (
        shards(&databases, &settings),
        config::sweep_config(&settings),
    ) {
        (Ok(shards), Ok(config)) => (shards, config),
        (shards, config) => {
            let error = shards.err().or(config.err().map(|error| error.to_string()));
            return log_error("sweep_failed", json!({ "error": error }));
        }
    };
    let summary = run_sweep(&shards, &queue, &config, "cron", started, now).await;
    log(
        "sweep",
        json!({ "cron": event.cron(), "users_due": summary.users_due, "skipped_cooldown": summary.skipped_cooldown,
                "enqueued": summary.enqueued, "messages": summary.messages, "duration_ms": summary.duration_ms,
                "notifications_relayed": summary.notifications_relayed, "forwards_relayed": summary.forwards_relayed, "error": summary.error,
                "shards": summary.shards }),
    );
}

#[event(queue)]
async fn queue(
    batch: MessageBatch<serde_json::Value>,
    env: Env,
    _ctx: Context,
) -> worker::Result<()> {
    // Returning Err would redeliver the whole batch: every message is acked or retried
    // on its own instead, and the handler always returns Ok.
    let messages = match batch.messages() {
        Ok(messages) => messages,
        Err(error) => {
            log_error(
                "queue_batch_unreadable",
                json!({ "error": error.to_string() }),
            );
            batch.retry_all();
            return Ok(());
        }
    };
    match batch.queue().as_str() {
        ARCHIVE_DEAD_LETTER_QUEUE => keep_dead_letters(&messages, &env, true).await,
        NOTIFY_DEAD_LETTER_QUEUE => keep_dead_letters(&messages, &env, false).await,
        NOTIFY_QUEUE_NAME => deliver_notifications(&messages, &env).await,
        _ => archive_messages(&batch, &messages, &env).await,
    }
    Ok(())
}

/// Sets a message's fate.
fn settle(message: &worker::Message<serde_json::Value>, decision: MessageDecision) {
    match decision {
        MessageDecision::Ack => message.ack(),
        MessageDecision::Retry { delay_seconds } => message.retry_with_options(
            &QueueRetryOptionsBuilder::new()
                .with_delay_seconds(u32::try_from(delay_seconds).unwrap_or(u32::MAX))
                .build(),
        ),
    }
}

/// The notifications' settings, and forwarding's, which build on them: each read once.
fn notify_and_forward_config(
    settings: &EnvSettings<'_>,
) -> Result<(NotifyConfig, ForwardConfig), config::ConfigError> {
    let notify = config::notify_config(settings)?;
    let forward = config::forward_config(settings, &notify)?;
    Ok((notify, forward))
}

/// The notification queue: one delivery attempt per message, all of them concurrently.
async fn deliver_notifications(messages: &[worker::Message<serde_json::Value>], env: &Env) {
    let settings = EnvSettings(env);
    let databases = bind_shards(env);
    let bound = (
        databases
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|databases| shards(databases, &settings)),
        env.kv(IDEMPOTENCY_KV),
        cipher(&settings),
        notify_and_forward_config(&settings),
        Queues::bind(env),
    );
    let (shards, kv, cipher, (config, forward_config), queues): (
        Shards<'_, D1>,
        Kv,
        _,
        (NotifyConfig, ForwardConfig),
        Queues,
    ) = match bound {
        (Ok(shards), Ok(kv), Ok(cipher), Ok(configs), Ok(queues)) => {
            (shards, Kv(kv), cipher, configs, queues)
        }
        (shards, _, cipher, configs, queues) => {
            let error = shards
                .err()
                .or(cipher.err().map(|error| error.to_string()))
                .or(configs.err().map(|error| error.to_string()))
                .or(queues.err().map(|error| error.to_string()));
            log_error(
                "notify_misconfigured",
                json!({ "messages": messages.len(), "error": error }),
            );
            // Not at once: a fix of the settings takes a deploy.
            for message in messages {
                settle(
                    message,
                    MessageDecision::Retry {
                        delay_seconds: UNRECORDED_RETRY_SECONDS,
                    },
                );
            }
            return;
        }
    };
    let forwarder = Forwarder {
        shards: shards.clone(),
        kv: &kv,
        http: &WorkerFetch,
        queue: &queues,
        cipher: &cipher,
        config: &forward_config,
        log: &ConsoleLog,
    };
    let deliverer = Deliverer {
        shards,
        kv: &kv,
        http: &WorkerFetch,
        cipher: &cipher,
        config: &config,
        log: &ConsoleLog,
    };
    let started = now();
    let attempts = messages.iter().map(|message| {
        let (deliverer, forwarder) = (&deliverer, &forwarder);
        async move {
            match serde_json::from_value::<NotifyMessage>(message.body().clone()) {
                Ok(NotifyMessage::Forward { shard, destination }) => {
                    let outcome = forwarder.forward(shard, destination, started).await;
                    log(
                        "forward",
                        json!({ "id": message.id(), "shard": shard, "destination": destination,
                                "outcome": outcome.label(), "detail": format!("{outcome:?}") }),
                    );
                    settle(message, outcome.decision());
                }
                Ok(notification) => {
                    let outcome = deliverer.deliver(&notification, started).await;
                    log(
                        "notification",
                        json!({ "id": message.id(), "message": message.body(), "outcome": outcome.label(),
                                "detail": format!("{outcome:?}") }),
                    );
                    settle(message, outcome.decision());
                }
                Err(error) => {
                    // It can never succeed; retried, it reaches the dead-letter queue.
                    log_error(
                        "queue_message_unreadable",
                        json!({ "id": message.id(), "error": error.to_string() }),
                    );
                    message.retry();
                }
            }
        }
    });
    futures::future::join_all(attempts).await;
}

/// The archive queue: every user of every message, then the notifications they raised.
async fn archive_messages(
    batch: &MessageBatch<serde_json::Value>,
    messages: &[worker::Message<serde_json::Value>],
    env: &Env,
) {
    let settings = EnvSettings(env);
    let databases = bind_shards(env);
    let bound = (
        databases
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|databases| shards(databases, &settings)),
        env.kv(IDEMPOTENCY_KV),
        config::credentials(&settings),
        cipher(&settings),
        config::polling_policy(&settings),
    );
    let (shards, kv, credentials, cipher, policy) = match bound {
        (Ok(shards), Ok(kv), Ok(credentials), Ok(cipher), Ok(policy)) => {
            (shards, Kv(kv), credentials, cipher, policy)
        }
        (shards, ..) => {
            log_error(
                "queue_misconfigured",
                json!({ "messages": messages.len(), "error": shards.err() }),
            );
            batch.retry_all();
            return;
        }
    };
    let endpoints = config::endpoints(&settings);
    let archiver = Archiver {
        shards: shards.clone(),
        kv: &kv,
        http: &WorkerFetch,
        endpoints: &endpoints,
        credentials: &credentials,
        cipher: &cipher,
        policy,
        log: &ConsoleLog,
    };
    let mut readable = Vec::with_capacity(messages.len());
    for message in messages {
        match serde_json::from_value::<ArchiveJob>(message.body().clone()) {
            Ok(job) => readable.push((message, job)),
            Err(error) => {
                // It can never succeed; retried, it reaches the dead-letter queue for an operator.
                log_error(
                    "queue_message_unreadable",
                    json!({ "id": message.id(), "error": error.to_string() }),
                );
                message.retry();
            }
        }
    }
    let jobs: Vec<ArchiveJob> = readable.iter().map(|(_, job)| job.clone()).collect();
    let started = now();
    let reports = archiver.archive_batch(&jobs, started).await;
    let finished = now();
    for ((message, job), report) in readable.iter().zip(reports) {
        // `batch_ms`: the consumer's time for the whole batch (its users run
        // concurrently); `lag_ms`: from the job's making (the sweep, a manual request)
        // to this outcome.
        for (user_id, outcome) in &report.outcomes {
            log(
                "archive",
                json!({ "user": user_id, "outcome": outcome.label(), "detail": format!("{outcome:?}"),
                        "batch_ms": finished - started, "lag_ms": finished.saturating_sub(job.enqueued_at) }),
            );
        }
        settle(message, report.decision);
        let mut fields = json!({ "id": message.id(), "users": job.users.len(), "decision": "ack" });
        if let MessageDecision::Retry { delay_seconds } = report.decision {
            fields["decision"] = json!("retry");
            fields["delay_seconds"] = json!(delay_seconds);
        }
        log("message", fields);
    }
    // The events this batch raised (a needed login, failures past a threshold, a gap, an
    // expiry warning) go to the notification queue now; what fails here, the sweep relays.
    // Only the shards this batch's users live in can have raised any, and the directory
    // (the operator's alerts, e.g. Spotify's rest of the whole app).
    let mut touched: Vec<ShardIndex> = jobs.iter().map(|job| job.shard).collect();
    touched.push(DIRECTORY);
    touched.sort_unstable();
    touched.dedup();
    let queues = match Queues::bind(env) {
        Ok(queues) => queues,
        Err(error) => {
            return log_error(
                "notifications_unrelayed",
                json!({ "error": error.to_string() }),
            )
        }
    };
    for shard in touched {
        let Ok(db) = shards.get(shard) else { continue };
        match relay(shard, db, &queues, now()).await {
            Ok(0) => {}
            Ok(relayed) => log(
                "notifications_relayed",
                json!({ "shard": shard, "count": relayed }),
            ),
            Err(error) => log_error(
                "notifications_unrelayed",
                json!({ "shard": shard, "error": error.to_string() }),
            ),
        }
        // The plays this batch archived, on to the users' destinations now; what fails
        // here, the sweep relays.
        match forward::relay(shard, db, &queues, now()).await {
            Ok(0) => {}
            Ok(relayed) => log(
                "forwards_relayed",
                json!({ "shard": shard, "count": relayed }),
            ),
            Err(error) => log_error(
                "forwards_unrelayed",
                json!({ "shard": shard, "error": error.to_string() }),
            ),
        }
    }
}
