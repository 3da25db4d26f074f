//! Telling users (and the operator) when archiving breaks, or is about to.
//!
//! The path of an event: a statement in the batch that changes the state raises it into
//! the outbox ([`crate::store::notifications`]); [`relay`] sends due deliveries to the
//! notification queue; the queue's consumer runs [`delivery::Deliverer`], which makes the
//! channel's request ([`message`]), classifies the answer and settles the delivery:
//! delivered, retried later (backoff, or the receiver's `Retry-After`), or failed for
//! good, which disables the channel (and, after every retry, keeps a dead letter).

pub mod delivery;
pub mod endpoint;
pub mod event;
pub mod message;
mod punycode;
pub mod target;

use serde::{Deserialize, Serialize};

use crate::ports::{Database, JobQueue, QueueError};
use crate::shards::{ShardIndex, Shards, DIRECTORY};
use crate::store::notifications::OperatorAlert;
use crate::store::{Store, StoreError};
use crate::time::UnixMillis;

/// A message of the notification queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyMessage {
    /// Attempt the outbox row with this id in shard 0 (the directory): every delivery of
    /// a single-database deployment, as before there were shards.
    Delivery(i64),
    /// Attempt the outbox row `id` of shard `shard`.
    ShardDelivery { shard: ShardIndex, id: i64 },
    /// An operator alert that could not be stored (the database is what failed): sent
    /// as it is, at most once an hour per key (the KV holds the key).
    OperatorAlert(OperatorAlert),
    /// Submit the waiting plays of forwarding destination `destination` of `shard`
    /// ([`crate::forward`]): the queue carries every request the Worker makes on a user's
    /// behalf to a service of theirs.
    Forward { shard: ShardIndex, destination: i64 },
}

impl NotifyMessage {
    /// The message that attempts outbox row `id` of `shard`.
    pub fn delivery(shard: ShardIndex, id: i64) -> Self {
        if shard == DIRECTORY {
            Self::Delivery(id)
        } else {
            Self::ShardDelivery { shard, id }
        }
    }
}

/// Deliveries sent to the queue per relay, at most (one `send_batch`).
pub const RELAY_BATCH: usize = 100;

#[derive(Debug)]
pub enum RelayError {
    Store(StoreError),
    Queue(QueueError),
}

impl std::fmt::Display for RelayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Store(error) => write!(f, "{error}"),
            Self::Queue(error) => write!(f, "{error}"),
        }
    }
}

/// Sends the deliveries due at `now` to the notification queue; answers how many.
///
/// Runs after every write that may raise an event (the archive consumer's batch, an
/// import's end, a test) and in every sweep, which also catches what a lost message left
/// behind: a relayed delivery that is still pending is relayed again after
/// [`crate::store::notifications::RELAY_AGAIN_AFTER_MS`]. With nothing due it reads no
/// row and sends nothing.
pub async fn relay<D: Database, Q: JobQueue>(
    shard: ShardIndex,
    db: &D,
    queue: &Q,
    now: UnixMillis,
) -> Result<usize, RelayError> {
    let due = Store::new(db)
        .relay_due(now, RELAY_BATCH)
        .await
        .map_err(RelayError::Store)?;
    if due.is_empty() {
        return Ok(0);
    }
    let count = due.len();
    queue
        .send_notifications(
            due.into_iter()
                .map(|id| NotifyMessage::delivery(shard, id))
                .collect(),
        )
        .await
        .map_err(RelayError::Queue)?;
    Ok(count)
}

/// [`relay`] in every shard, concurrently; answers how many deliveries went to the queue
/// and the first failure (a shard that fails does not keep the others' from the queue).
pub async fn relay_all<D: Database, Q: JobQueue>(
    shards: &Shards<'_, D>,
    queue: &Q,
    now: UnixMillis,
) -> (usize, Option<RelayError>) {
    let outcomes = futures::future::join_all(
        shards
            .iter()
            .map(|(shard, db)| relay(shard, db, queue, now)),
    )
    .await;
    let mut relayed = 0;
    let mut failure = None;
    for outcome in outcomes {
        match outcome {
            Ok(count) => relayed += count,
            Err(error) => {
                failure.get_or_insert(error);
            }
        }
    }
    (relayed, failure)
}

/// Raises the operator's alerts (each once per key) in the directory, where what belongs
/// to no user lives, and relays them at once; answers how many deliveries went to the
/// queue.
pub async fn alert_operator<D: Database, Q: JobQueue>(
    db: &D,
    queue: &Q,
    alerts: &[OperatorAlert],
    now: UnixMillis,
) -> Result<usize, RelayError> {
    let store = Store::new(db);
    for alert in alerts {
        store
            .raise_operator_alert(alert, now)
            .await
            .map_err(RelayError::Store)?;
    }
    relay(DIRECTORY, db, queue, now).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queue_messages_are_small_tagged_json() {
        assert_eq!(
            serde_json::to_value(NotifyMessage::Delivery(7)).expect("json"),
            json!({"delivery": 7})
        );
        assert_eq!(
            serde_json::to_value(NotifyMessage::delivery(3, 7)).expect("json"),
            json!({"shard_delivery": {"shard": 3, "id": 7}})
        );
        assert_eq!(NotifyMessage::delivery(0, 7), NotifyMessage::Delivery(7));
        let alert = NotifyMessage::OperatorAlert(OperatorAlert {
            key: "binding_unhealthy:database:1".into(),
            event: "binding_unhealthy".into(),
            data: json!({"binding": "database"}),
        });
        let text = serde_json::to_string(&alert).expect("json");
        assert_eq!(
            serde_json::from_str::<NotifyMessage>(&text).expect("reads"),
            alert
        );
    }
}
