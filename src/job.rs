//! The archive queue's message: a few users to archive, each with the idempotency slot
//! it was sent for, so that a redelivered message is recognised by the key it carries.

use serde::{Deserialize, Serialize};

use crate::slot::{slot_key, SlotKind};
use crate::time::UnixMillis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveJob {
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
