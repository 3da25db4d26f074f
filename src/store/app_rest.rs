//! Spotify's rest of the whole app (`app_rests`): when its quota is spent, nobody is
//! polled until the rest ends.

use serde::Deserialize;
use serde_json::json;

use super::{decode, notifications, Store, StoreError};
use crate::ports::{Database, Statement};
use crate::time::UnixMillis;

/// Spotify rests the whole app until ?1: recorded once, however many users hear it
/// (a later 429 only moves the end further out).
pub(super) const RECORD_APP_REST: &str = "\
INSERT INTO app_rests (name, until, recorded_at) VALUES ('spotify_quota', ?1, ?2)
ON CONFLICT (name) DO UPDATE SET until = excluded.until, recorded_at = excluded.recorded_at
 WHERE excluded.until > app_rests.until";

pub(super) const APP_REST: &str = "\
SELECT until, recorded_at FROM app_rests WHERE name = 'spotify_quota'";

/// Spotify's rest of the whole app, for the health route.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct AppRest {
    pub until: UnixMillis,
    pub recorded_at: UnixMillis,
}

impl<D: Database> Store<'_, D> {
    /// Spotify rests the whole app until `until` (its quota is spent); a rest that
    /// begins now is an operator alert.
    pub async fn record_app_rest(
        &self,
        until: UnixMillis,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .batch(vec![
                notifications::operator_app_rest(until, now),
                Statement::new(RECORD_APP_REST, vec![json!(until), json!(now)]),
            ])
            .await?;
        Ok(())
    }

    /// Spotify's rest of the whole app, copied into a shard past the directory: the rest
    /// alone, for this shard's sweep claim and its consumer to read (they cannot read
    /// the directory's); the directory's [`Store::record_app_rest`] raises the alert.
    pub async fn copy_app_rest(
        &self,
        until: UnixMillis,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RECORD_APP_REST,
                vec![json!(until), json!(now)],
            ))
            .await?;
        Ok(())
    }

    /// The app's last rest, over or not.
    pub async fn app_rest(&self) -> Result<Option<AppRest>, StoreError> {
        let rows = self.db.query(Statement::new(APP_REST, vec![])).await?;
        rows.into_iter().next().map(decode).transpose()
    }
}
