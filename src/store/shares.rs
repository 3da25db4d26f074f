//! Public links (`share_links`, migration 0011): a user's list, a new link under the cap,
//! a revocation, and the one read a visitor's request makes, by the token's hash.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{decode, decode_all, user_key, Store, StoreError};
use crate::ports::{Database, Statement};
use crate::share::NewShare;
use crate::time::UnixMillis;

/// A new link, unless the user already has `?10` live ones (neither revoked nor expired
/// at `?8`).
pub(super) const INSERT_SHARE_LINK: &str = concat!(
    "INSERT INTO share_links (user_key, kind, range_year, range_from, range_to, show_name, token_hash, created_at, expires_at)
SELECT u.key, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM users u
 WHERE u.id = ?1
   AND (SELECT count(*) FROM share_links
         WHERE user_key = ",
    user_key!("?1"),
    " AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?8)) < ?10
RETURNING id"
);

/// The user's links, newest first; never the hash.
pub(super) const USER_SHARE_LINKS: &str = concat!(
    "SELECT id, kind, range_year, range_from, range_to, show_name, created_at, expires_at, revoked_at
  FROM share_links WHERE user_key = ",
    user_key!("?1"),
    " ORDER BY id DESC"
);

/// Revokes the user's link (again is a no-op that still names it); nobody else's.
pub(super) const REVOKE_SHARE_LINK: &str = concat!(
    "UPDATE share_links SET revoked_at = coalesce(revoked_at, ?3)
 WHERE user_key = ",
    user_key!("?1"),
    " AND id = ?2 RETURNING id"
);

/// The live link a token's hash names, with what its page needs of its owner.
pub(super) const LIVE_SHARE_LINK: &str = "\
SELECT l.kind, l.range_year, l.range_from, l.range_to, l.show_name, u.id AS user_id,
       u.display_name, u.time_zone
  FROM share_links l JOIN users u ON u.key = l.user_key
 WHERE l.token_hash = ?1 AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > ?2)";

/// In the account's deletion batch.
pub(super) const DELETE_USER_SHARE_LINKS: &str =
    concat!("DELETE FROM share_links WHERE user_key = ", user_key!("?1"));

/// A link as its maker's list shows it (the API's `GET /api/shares`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ShareLinkView {
    pub id: i64,
    pub kind: String,
    pub range_year: Option<i64>,
    pub range_from: Option<String>,
    pub range_to: Option<String>,
    pub show_name: i64,
    pub created_at: UnixMillis,
    pub expires_at: Option<UnixMillis>,
    pub revoked_at: Option<UnixMillis>,
}

/// A live link as its public page reads it. `user_id` is for the page's own reads and
/// never shown.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LiveShareLink {
    pub kind: String,
    pub range_year: Option<i64>,
    pub range_from: Option<String>,
    pub range_to: Option<String>,
    pub show_name: i64,
    pub user_id: String,
    pub display_name: Option<String>,
    pub time_zone: Option<String>,
}

impl<D: Database> Store<'_, D> {
    /// Files a new link; `None` when the user has `max_live` live links already (or no
    /// longer exists).
    pub async fn create_share_link(
        &self,
        user_id: &str,
        link: &NewShare,
        token_hash: &str,
        now: UnixMillis,
        max_live: usize,
    ) -> Result<Option<i64>, StoreError> {
        #[derive(Deserialize)]
        struct Created {
            id: i64,
        }
        let range = link.range;
        let rows = self
            .db
            .query(Statement::new(
                INSERT_SHARE_LINK,
                vec![
                    json!(user_id),
                    json!(link.kind.as_str()),
                    json!(range.and_then(|range| range.year)),
                    json!(range.map(|range| range.first_day.to_string())),
                    json!(range.map(|range| range.last_day.to_string())),
                    json!(i64::from(link.show_name)),
                    json!(token_hash),
                    json!(now),
                    json!(link.expiry.expires_at(now)),
                    json!(max_live),
                ],
            ))
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(decode::<Created>)
            .transpose()?
            .map(|created| created.id))
    }

    pub async fn share_links(&self, user_id: &str) -> Result<Vec<ShareLinkView>, StoreError> {
        decode_all(
            self.db
                .query(Statement::new(USER_SHARE_LINKS, vec![json!(user_id)]))
                .await?,
        )
    }

    /// Revokes the user's link `id`; `false` when they have no such link.
    pub async fn revoke_share_link(
        &self,
        user_id: &str,
        id: i64,
        now: UnixMillis,
    ) -> Result<bool, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                REVOKE_SHARE_LINK,
                vec![json!(user_id), json!(id), json!(now)],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    /// The live link whose token hashes to `token_hash`, if any: unknown, revoked and
    /// expired are all `None`, from the same one read.
    pub async fn live_share_link(
        &self,
        token_hash: &str,
        now: UnixMillis,
    ) -> Result<Option<LiveShareLink>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                LIVE_SHARE_LINK,
                vec![json!(token_hash), json!(now)],
            ))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }
}
