//! The directory (shard 0's `user_shards`): which shard each user lives in. It is read at
//! login and by the operators' routes; a request of a signed-in user never needs it (the
//! session cookie names the shard).

use serde::Deserialize;
use serde_json::json;

use super::{decode, decode_all, Store, StoreError};
use crate::ports::{Database, Statement};
use crate::shards::{ShardIndex, ShardUsers, UserShard, MAX_SHARDS};
use crate::spotify::profile::Profile;
use crate::time::UnixMillis;

/// The user this Spotify account already is, as `LOGIN_USER_ID` finds it in a shard: by
/// the account's stable id, or by the Spotify id a user was filed under before.
pub(super) const DIRECTORY_LOGIN_USER: &str = "\
SELECT user_id, shard FROM user_shards WHERE user_id = ?1 OR spotify_id = ?2
 ORDER BY created_at LIMIT 1";

pub(super) const DIRECTORY_USER_SHARD: &str = "\
SELECT user_id, shard FROM user_shards WHERE user_id = ?1";

/// One row per shard: the range on the key reads them all, and says so in the plan.
pub(super) const SHARD_USER_COUNTS: &str = "\
SELECT shard, users FROM shard_users WHERE shard BETWEEN 0 AND ?1 ORDER BY shard";

/// A new user's place; a user already filed keeps theirs (two logins of one new account
/// at once both land where the first put it: the caller reads the row back).
pub(super) const FILE_USER: &str = "\
INSERT INTO user_shards (user_id, spotify_id, shard, created_at) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (user_id) DO NOTHING";

pub(super) const FORGET_USER: &str = "\
DELETE FROM user_shards WHERE user_id = ?1 RETURNING user_id, spotify_id, shard, created_at";

/// A user's record in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DirectoryEntry {
    pub user_id: String,
    pub spotify_id: String,
    pub shard: ShardIndex,
    pub created_at: UnixMillis,
}

impl<D: Database> Store<'_, D> {
    /// Where the user of this Spotify account lives, if they are filed.
    pub async fn directory_login_user(
        &self,
        profile: &Profile,
    ) -> Result<Option<UserShard>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                DIRECTORY_LOGIN_USER,
                vec![json!(profile.stable_id()), json!(profile.id)],
            ))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }

    /// The shard of `user_id`, if the directory files them.
    pub async fn user_shard(&self, user_id: &str) -> Result<Option<ShardIndex>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(DIRECTORY_USER_SHARD, vec![json!(user_id)]))
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(decode::<UserShard>)
            .transpose()?
            .map(|filed| filed.shard))
    }

    /// The users filed under each shard (shards with none may be absent).
    pub async fn shard_user_counts(&self) -> Result<Vec<ShardUsers>, StoreError> {
        decode_all(
            self.db
                .query(Statement::new(SHARD_USER_COUNTS, vec![json!(MAX_SHARDS)]))
                .await?,
        )
    }

    /// Files a new user under `shard`, and answers where they are filed: `shard`, or the
    /// place a concurrent login of the same account gave them first. One round trip.
    pub async fn file_user(
        &self,
        user_id: &str,
        spotify_id: &str,
        shard: ShardIndex,
        now: UnixMillis,
    ) -> Result<ShardIndex, StoreError> {
        let results = self
            .db
            .batch(vec![
                Statement::new(
                    FILE_USER,
                    vec![json!(user_id), json!(spotify_id), json!(shard), json!(now)],
                ),
                Statement::new(DIRECTORY_USER_SHARD, vec![json!(user_id)]),
            ])
            .await?;
        let filed = results
            .into_iter()
            .nth(1)
            .and_then(|rows| rows.into_iter().next())
            .map(decode::<UserShard>)
            .transpose()?
            .ok_or_else(|| StoreError::Decode(format!("{user_id} was not filed")))?;
        Ok(filed.shard)
    }

    /// Takes a user out of the directory; answers the record it held, if any.
    pub async fn forget_user(&self, user_id: &str) -> Result<Option<DirectoryEntry>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(FORGET_USER, vec![json!(user_id)]))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }
}
