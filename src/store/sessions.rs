//! Sessions (`sessions`): the signed-in browser's cookie, by its hash.

use serde::Deserialize;
use serde_json::json;

use super::{decode, Store, StoreError};
use crate::ports::{Database, Statement};
use crate::time::UnixMillis;

pub(super) const INSERT_SESSION: &str = "\
INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";

pub(super) const SESSION_USER: &str = "\
SELECT user_id FROM sessions WHERE id_hash = ?1 AND expires_at > ?2";

pub(super) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = ?1";

pub(super) const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = ?1";

pub(super) const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= ?1";

impl<D: Database> Store<'_, D> {
    /// Ends every session of the user ("log out everywhere").
    pub async fn delete_user_sessions(&self, user_id: &str) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(DELETE_USER_SESSIONS, vec![json!(user_id)]))
            .await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        now: UnixMillis,
        expires_at: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                INSERT_SESSION,
                vec![
                    json!(id_hash),
                    json!(user_id),
                    json!(now),
                    json!(expires_at),
                ],
            ))
            .await?;
        Ok(())
    }

    pub async fn session_user(
        &self,
        id_hash: &str,
        now: UnixMillis,
    ) -> Result<Option<String>, StoreError> {
        #[derive(Deserialize)]
        struct SessionUser {
            user_id: String,
        }
        let rows = self
            .db
            .query(Statement::new(
                SESSION_USER,
                vec![json!(id_hash), json!(now)],
            ))
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(decode::<SessionUser>)
            .transpose()?
            .map(|row| row.user_id))
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(DELETE_SESSION, vec![json!(id_hash)]))
            .await?;
        Ok(())
    }
}
