//! The cron's handler: the sweep.

use serde_json::json;
use worker::{event, Env, ScheduleContext, ScheduledEvent};

use super::bindings::{bind_shards, EnvSettings, Queues};
use super::{log, log_error, now, shards};
use crate::config;
use crate::engine::sweep::run_sweep;

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
