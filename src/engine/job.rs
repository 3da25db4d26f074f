//! The archive queue's message: a few users to archive, each with the idempotency slot
//! it was sent for, so that a redelivered message is recognised by the key it carries.

use serde::{Deserialize, Serialize};

use crate::engine::slot::{slot_key, SlotKind};
use crate::shards::{is_directory, ShardIndex};
use crate::time::UnixMillis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveJob {
    /// The shard every user of the job lives in (a sweep claims per shard). Absent in the
    /// messages of shard 0, as in those sent before there were shards.
    #[serde(default, skip_serializing_if = "is_directory")]
    pub shard: ShardIndex,
    pub users: Vec<JobUser>,
    /// When the job was made, for the logs and the sweep's lag.
    pub enqueued_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobUser {
    pub user_id: String,
    /// The KV idempotency key of this poll.
    pub slot: String,
    /// Scheduled polls respect the user's state; manual ones run whatever their due time.
    pub manual: bool,
}

impl JobUser {
    pub fn new(user_id: &str, kind: SlotKind, at: UnixMillis) -> Self {
        Self {
            user_id: user_id.to_owned(),
            slot: slot_key(user_id, kind, at),
            manual: kind == SlotKind::Manual,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_job_names_its_shard_unless_it_is_the_first() {
        let job = |shard| ArchiveJob {
            shard,
            users: vec![],
            enqueued_at: 1,
        };
        assert_eq!(
            serde_json::to_value(job(0)).expect("json"),
            json!({"users": [], "enqueued_at": 1})
        );
        assert_eq!(
            serde_json::to_value(job(2)).expect("json"),
            json!({"shard": 2, "users": [], "enqueued_at": 1})
        );
        // A message sent before there were shards is shard 0's.
        let old: ArchiveJob =
            serde_json::from_value(json!({"users": [], "enqueued_at": 1})).expect("reads");
        assert_eq!(old, job(0));
    }
}
