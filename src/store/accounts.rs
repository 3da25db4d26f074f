//! The user's account: the login's upsert, the status page's row, pause and resume, and
//! the deletion of an account with everything it owns (one transaction).

use serde::Deserialize;
use serde_json::json;

use super::archive::SealedTokens;
use super::sessions::{DELETE_USER_SESSIONS, INSERT_SESSION};
use super::{
    decode, forwarding, history, notifications, review, shares, user_key, Store, StoreError,
};
use crate::ports::{Database, Row, Statement};
use crate::spotify::profile::Profile;
use crate::time::UnixMillis;

/// The user a Spotify account already is: by our id for it, or by its Spotify user id,
/// which stays when `/me` starts to send an `account_id` (the oldest row wins).
pub(super) const LOGIN_USER_ID: &str = "\
SELECT id FROM users WHERE id = ?1 OR spotify_id = ?2 ORDER BY created_at LIMIT 1";

/// A login's user. A new login fixes what was wrong with the old authorization and
/// nothing else: a breaker that Spotify's errors or rate limits opened stays open, so
/// logging in again and again cannot get a user polled past it.
pub(super) const UPSERT_USER_ON_LOGIN: &str = "\
INSERT INTO users (id, spotify_id, display_name, email, country, product, access_token_enc,
                   refresh_token_enc, token_expires_at, authorized_at, created_at, updated_at, next_due_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?10, ?10)
ON CONFLICT (id) DO UPDATE SET
    spotify_id = excluded.spotify_id, display_name = excluded.display_name,
    email = coalesce(excluded.email, users.email), country = coalesce(excluded.country, users.country),
    product = coalesce(excluded.product, users.product),
    access_token_enc = excluded.access_token_enc, refresh_token_enc = excluded.refresh_token_enc,
    token_expires_at = excluded.token_expires_at, authorized_at = excluded.authorized_at,
    updated_at = excluded.updated_at, needs_reauth = 0, is_active = 1 - users.paused,
    next_due_at = excluded.next_due_at,
    consecutive_failures = CASE WHEN users.needs_reauth = 1 OR users.last_failure_type = 'AUTH'
                                THEN 0 ELSE users.consecutive_failures END,
    cooldown_until = CASE WHEN users.needs_reauth = 1 OR users.last_failure_type = 'AUTH'
                          THEN NULL ELSE users.cooldown_until END,
    failing_since = CASE WHEN users.needs_reauth = 1 OR users.last_failure_type = 'AUTH'
                         THEN NULL ELSE users.failing_since END
RETURNING created_at";

pub(super) const USER_STATUS: &str = "\
SELECT id, display_name, email, is_active, needs_reauth, paused, authorized_at, last_polled_at,
       last_success_at, next_due_at, consecutive_failures, last_failure_type, last_failure_at,
       cooldown_until,
       (SELECT count(*) FROM play_events WHERE user_key = users.key) AS plays_archived,
       (SELECT min(played_at) FROM play_events WHERE user_key = users.key) AS first_play_at,
       (SELECT max(played_at) FROM play_events WHERE user_key = users.key) AS last_play_at
  FROM users WHERE id = ?1";

pub(super) const PAUSE_USER: &str = "\
UPDATE users SET paused = 1, is_active = 0, failing_since = NULL, updated_at = ?2 WHERE id = ?1";

pub(super) const RESUME_USER: &str = "\
UPDATE users SET paused = 0, is_active = 1 - needs_reauth, next_due_at = ?2, updated_at = ?2 WHERE id = ?1";

pub(super) const COUNT_USER_PLAYS: &str = concat!(
    "SELECT count(*) AS n FROM play_events WHERE user_key = ",
    user_key!("?1")
);
pub(super) const COUNT_USER_GAPS: &str = "SELECT count(*) AS n FROM data_gaps WHERE user_id = ?1";
pub(super) const COUNT_USER_SESSIONS: &str =
    "SELECT count(*) AS n FROM sessions WHERE user_id = ?1";
pub(super) const DELETE_USER_PLAYS: &str =
    concat!("DELETE FROM play_events WHERE user_key = ", user_key!("?1"));
pub(super) const DELETE_USER_GAPS: &str = "DELETE FROM data_gaps WHERE user_id = ?1";

pub(super) const DELETE_USER: &str = "DELETE FROM users WHERE id = ?1";
/// The user's own catalogue rows (what their imports named) lose every name. They are
/// emptied rather than deleted: deleting a parent row makes SQLite look for its children,
/// and `play_events` has no index on `track_key` (its key begins with the user), so each
/// deleted track would scan every play of every user. Emptied and unowned (`''`), a row is never shown, matched or
/// reused again.
pub(super) const FORGET_USER_TRACKS: &str = "\
UPDATE tracks SET name = '', uri = 'spotify:deleted', import_artist_name = NULL, owner_user_id = ''
 WHERE owner_user_id = ?1";
pub(super) const FORGET_USER_ALBUMS: &str = "\
UPDATE albums SET name = '', owner_user_id = '' WHERE owner_user_id = ?1";

/// What the status page and API show about a user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct UserStatus {
    pub id: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub is_active: i64,
    pub needs_reauth: i64,
    pub paused: i64,
    pub authorized_at: UnixMillis,
    pub last_polled_at: Option<UnixMillis>,
    pub last_success_at: Option<UnixMillis>,
    pub next_due_at: UnixMillis,
    pub consecutive_failures: i64,
    pub last_failure_type: Option<String>,
    pub last_failure_at: Option<UnixMillis>,
    pub cooldown_until: Option<UnixMillis>,
    pub plays_archived: i64,
    pub first_play_at: Option<UnixMillis>,
    pub last_play_at: Option<UnixMillis>,
}

/// What a finished login writes.
#[derive(Debug, Clone)]
pub struct LoginWrite<'a> {
    pub user_id: &'a str,
    pub profile: &'a Profile,
    pub tokens: &'a SealedTokens,
    pub session_hash: &'a str,
    pub session_expires_at: UnixMillis,
    pub backfill_interval_ms: i64,
    pub now: UnixMillis,
}

/// What a finished login did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginOutcome {
    pub new_user: bool,
    /// The backfill may be queued: no archive was asked for in the interval.
    pub backfill_claimed: bool,
}

/// What deleting an account removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeletedAccount {
    pub plays: usize,
    pub gaps: usize,
    pub sessions: usize,
}

fn upsert_user_statement(
    user_id: &str,
    profile: &Profile,
    tokens: &SealedTokens,
    now: UnixMillis,
) -> Statement {
    Statement::new(
        UPSERT_USER_ON_LOGIN,
        vec![
            json!(user_id),
            json!(profile.id),
            json!(profile.display_name),
            json!(profile.email),
            json!(profile.country),
            json!(profile.product),
            json!(tokens.access_token_enc),
            json!(tokens.refresh_token_enc),
            json!(tokens.expires_at),
            json!(now),
        ],
    )
}

/// Whether the upsert's returned row was created by this login.
fn created_now(row: Option<&Row>, now: UnixMillis) -> Result<bool, StoreError> {
    #[derive(Deserialize)]
    struct Created {
        created_at: UnixMillis,
    }
    let created = row.cloned().map(decode::<Created>).transpose()?;
    Ok(created.is_some_and(|row| row.created_at == now))
}

impl<D: Database> Store<'_, D> {
    /// The id of the user this Spotify account already is, if any.
    pub async fn login_user_id(&self, profile: &Profile) -> Result<Option<String>, StoreError> {
        #[derive(Deserialize)]
        struct Found {
            id: String,
        }
        let rows = self
            .db
            .query(Statement::new(
                LOGIN_USER_ID,
                vec![json!(profile.stable_id()), json!(profile.id)],
            ))
            .await?;
        Ok(rows
            .into_iter()
            .next()
            .map(decode::<Found>)
            .transpose()?
            .map(|found| found.id))
    }

    /// Creates or refreshes the user of a login (due at once), without a session: for
    /// tools and tests. Returns whether the user is new.
    pub async fn upsert_user_on_login(
        &self,
        profile: &Profile,
        tokens: &SealedTokens,
        now: UnixMillis,
    ) -> Result<bool, StoreError> {
        let user_id = self
            .login_user_id(profile)
            .await?
            .unwrap_or_else(|| profile.stable_id().to_owned());
        let rows = self
            .db
            .query(upsert_user_statement(&user_id, profile, tokens, now))
            .await?;
        created_now(rows.first(), now)
    }

    /// A login's writes, in one batch: the user created or refreshed (due at once), the
    /// session, and the backfill's claim, under the same once-in-`backfill_interval_ms`
    /// rule as "Archive now" (logging in again and again queues no more archives).
    pub async fn complete_login(&self, login: &LoginWrite<'_>) -> Result<LoginOutcome, StoreError> {
        let now = login.now;
        let results = self
            .db
            .batch(vec![
                upsert_user_statement(login.user_id, login.profile, login.tokens, now),
                Statement::new(
                    INSERT_SESSION,
                    vec![
                        json!(login.session_hash),
                        json!(login.user_id),
                        json!(now),
                        json!(login.session_expires_at),
                    ],
                ),
                Statement::new(
                    history::CLAIM_ARCHIVE_REQUEST,
                    vec![
                        json!(login.user_id),
                        json!(now),
                        json!(now - login.backfill_interval_ms),
                    ],
                ),
            ])
            .await?;
        Ok(LoginOutcome {
            new_user: created_now(results.first().and_then(|rows| rows.first()), now)?,
            backfill_claimed: results.get(2).is_some_and(|rows| !rows.is_empty()),
        })
    }

    pub async fn user_status(&self, user_id: &str) -> Result<Option<UserStatus>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(USER_STATUS, vec![json!(user_id)]))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }

    /// Stops polling the user until they resume.
    pub async fn pause(&self, user_id: &str, now: UnixMillis) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(PAUSE_USER, vec![json!(user_id), json!(now)]))
            .await?;
        Ok(())
    }

    /// Polls the user again at once (unless they need to log in again).
    pub async fn resume(&self, user_id: &str, now: UnixMillis) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RESUME_USER,
                vec![json!(user_id), json!(now)],
            ))
            .await?;
        Ok(())
    }

    /// Deletes the user with their plays (and first hearings), gaps and sessions in one
    /// transaction, counting first, and empties the catalogue rows their imports made;
    /// Spotify's catalogue rows stay, since other users share them.
    pub async fn delete_account(&self, user_id: &str) -> Result<DeletedAccount, StoreError> {
        let id = || vec![json!(user_id)];
        let results = self
            .db
            .batch(vec![
                Statement::new(COUNT_USER_PLAYS, id()),
                Statement::new(COUNT_USER_GAPS, id()),
                Statement::new(COUNT_USER_SESSIONS, id()),
                Statement::new(DELETE_USER_PLAYS, id()),
                Statement::new(review::DELETE_USER_TRACK_FIRSTS, id()),
                Statement::new(DELETE_USER_GAPS, id()),
                Statement::new(DELETE_USER_SESSIONS, id()),
                Statement::new(FORGET_USER_TRACKS, id()),
                Statement::new(FORGET_USER_ALBUMS, id()),
                Statement::new(notifications::DELETE_USER_OUTBOX, id()),
                Statement::new(notifications::DELETE_USER_CHANNELS, id()),
                Statement::new(forwarding::DELETE_USER_OUTBOX, id()),
                Statement::new(forwarding::DELETE_USER_DESTINATIONS, id()),
                Statement::new(shares::DELETE_USER_SHARE_LINKS, id()),
                Statement::new(DELETE_USER, id()),
            ])
            .await?;
        #[derive(Deserialize)]
        struct Count {
            n: usize,
        }
        let count = |index: usize| -> Result<usize, StoreError> {
            let row = results.get(index).and_then(|rows| rows.first()).cloned();
            Ok(row
                .map(decode::<Count>)
                .transpose()?
                .map_or(0, |count| count.n))
        };
        Ok(DeletedAccount {
            plays: count(0)?,
            gaps: count(1)?,
            sessions: count(2)?,
        })
    }
}
