//! The queue consumers: archive jobs, notifications and forwards, and both dead-letter
//! queues.

use serde_json::json;
use worker::{event, Context, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder};

use super::bindings::{
    bind_shards, ConsoleLog, EnvSettings, Kv, Queues, WorkerFetch, D1, IDEMPOTENCY_KV,
};
use super::{cipher, log, log_error, notify_and_forward_config, now, shards};
use crate::config;
use crate::engine::archive::{Archiver, MessageDecision, UNRECORDED_RETRY_SECONDS};
use crate::engine::job::ArchiveJob;
use crate::forward::{self, sender::Forwarder, ForwardConfig};
use crate::notify::delivery::{Deliverer, NotifyConfig};
use crate::notify::{alert_operator, relay, NotifyMessage};
use crate::shards::{ShardIndex, Shards, DIRECTORY};
use crate::store::dead_letters::DeadLetter;
use crate::store::notifications::OperatorAlert;
use crate::store::Store;

/// The queues, as in wrangler.toml.
const ARCHIVE_DEAD_LETTER_QUEUE: &str = "stm-archive-dlq";
const NOTIFY_QUEUE_NAME: &str = "stm-notify";
const NOTIFY_DEAD_LETTER_QUEUE: &str = "stm-notify-dlq";

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

/// The shards of the databases the Worker binds, or why there are none.
fn bound_shards<'a>(
    databases: &'a Result<Vec<D1>, String>,
    settings: &EnvSettings<'_>,
) -> Result<Shards<'a, D1>, String> {
    let databases = databases.as_ref().map_err(Clone::clone)?;
    shards(databases, settings)
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

/// The notification queue: one delivery attempt per message, all of them concurrently.
async fn deliver_notifications(messages: &[worker::Message<serde_json::Value>], env: &Env) {
    let settings = EnvSettings(env);
    let databases = bind_shards(env);
    let bound = (
        bound_shards(&databases, &settings),
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
        bound_shards(&databases, &settings),
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
