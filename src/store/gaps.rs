//! Gaps (`data_gaps`): the stretches of listening the archive knows it missed.

use serde::Deserialize;
use serde_json::json;

use super::{decode_all, Store, StoreError};
use crate::ports::{Database, Statement};
use crate::time::UnixMillis;

pub(super) const INSERT_GAPS: &str = "\
INSERT INTO data_gaps (user_id, gap_from, gap_to, reason, detected_at)
SELECT ?1, value ->> 'from', value ->> 'to', value ->> 'reason', ?3 FROM json_each(?2) WHERE true
ON CONFLICT DO NOTHING";

pub(super) const USER_GAPS: &str = "\
SELECT gap_from, gap_to, reason, detected_at, filled_at FROM data_gaps
 WHERE user_id = ?1 ORDER BY gap_from DESC LIMIT ?2";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct GapView {
    pub gap_from: UnixMillis,
    pub gap_to: UnixMillis,
    pub reason: String,
    pub detected_at: UnixMillis,
    pub filled_at: Option<UnixMillis>,
}

impl<D: Database> Store<'_, D> {
    pub async fn gaps(&self, user_id: &str, limit: usize) -> Result<Vec<GapView>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                USER_GAPS,
                vec![json!(user_id), json!(limit)],
            ))
            .await?;
        decode_all(rows)
    }
}
