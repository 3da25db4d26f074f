//! The Worker's handlers. Each reads its bindings and settings, takes the clock, hands
//! plain data to the core and turns the answer back into the platform's types. None of
//! them returns an error to the runtime for something a user or Spotify did.
//!
//! A deployment runs them as four Workers, one build each (see `crate::web::routes::Part`
//! and docs/operations.md, "The Workers"): the web handler in three parts, the front
//! also holding the cron's, and the queue consumers in the background Worker. The Cargo
//! features `part-*` choose what a build holds; all of them is the whole service in one.

mod bindings;
#[cfg(feature = "part-front")]
mod cron;
#[cfg(feature = "part-background")]
mod queues;
#[cfg(any(
    feature = "part-front",
    feature = "part-review",
    feature = "part-history"
))]
mod web;
pub mod zones;

use self::bindings::{ConsoleLog, D1};
use crate::config::{self, ConfigError, Settings};
use crate::crypto::TokenCipher;
use crate::forward::ForwardConfig;
use crate::notify::delivery::NotifyConfig;
use crate::ports::{Log, LogLine};
use crate::shards::Shards;
use crate::time::UnixMillis;

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

/// The notifications' settings, and forwarding's, which build on them: each read once.
fn notify_and_forward_config(
    settings: &impl Settings,
) -> Result<(NotifyConfig, ForwardConfig), config::ConfigError> {
    let notify = config::notify_config(settings)?;
    let forward = config::forward_config(settings, &notify)?;
    Ok((notify, forward))
}
