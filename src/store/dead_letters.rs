//! Dead letters: archive jobs that failed every retry, kept for operators.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{decode_all, Store, StoreError};
use crate::ports::{Database, Statement};
use crate::time::UnixMillis;

pub(super) const INSERT_DEAD_LETTER: &str = "\
INSERT INTO dead_letters (message_id, body, received_at) VALUES (?1, ?2, ?3)
ON CONFLICT (message_id) DO NOTHING";

pub(super) const RECENT_DEAD_LETTERS: &str = "\
SELECT message_id, body, received_at FROM dead_letters ORDER BY received_at DESC LIMIT ?1";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct DeadLetter {
    pub message_id: String,
    /// The message body, as JSON text.
    pub body: String,
    pub received_at: UnixMillis,
}

impl<D: Database> Store<'_, D> {
    pub async fn record_dead_letter(&self, letter: &DeadLetter) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                INSERT_DEAD_LETTER,
                vec![
                    json!(letter.message_id),
                    json!(letter.body),
                    json!(letter.received_at),
                ],
            ))
            .await?;
        Ok(())
    }

    pub async fn recent_dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        decode_all(
            self.db
                .query(Statement::new(RECENT_DEAD_LETTERS, vec![json!(limit)]))
                .await?,
        )
    }
}
