//! The archive of a poll: the user as the archive reads them, their refreshed tokens, and
//! the one write of a poll's page (catalogue, contexts, plays, gap and the user's new
//! state), or of its failure.

use serde::Deserialize;
use serde_json::{json, Value};

use super::gaps::INSERT_GAPS;
use super::{decode, imports, notifications, to_json_text, Store, StoreError};
use crate::engine::breaker::{Cooldown, FailureKind};
use crate::engine::write_plan::ArchivePlan;
use crate::ports::{Database, Statement};
use crate::time::UnixMillis;

pub(super) const SELECT_ARCHIVE_USER: &str = "\
SELECT id, access_token_enc, refresh_token_enc, token_expires_at, is_active, cursor_after,
       last_success_at, consecutive_failures, cooldown_until, authorized_at, notify_gaps,
       (SELECT count(*) FROM notification_channels c WHERE c.user_id = ?1 AND c.enabled = 1) AS notify_channels,
       (SELECT until FROM app_rests WHERE name = 'spotify_quota') AS app_rest_until
  FROM users WHERE id = ?1";

pub(super) const UPDATE_TOKENS: &str = "\
UPDATE users SET access_token_enc = ?2, refresh_token_enc = coalesce(?3, refresh_token_enc),
                 token_expires_at = ?4, updated_at = ?5
 WHERE id = ?1";

// The catalogue's upserts write a row only when it is new or one of its fields changed:
// a conflict whose `WHERE` is false writes nothing (nor does `DO NOTHING`).
pub(super) const UPSERT_ARTISTS: &str = "\
INSERT INTO artists (id, name)
SELECT value ->> 'id', value ->> 'name' FROM json_each(?1) WHERE true
ON CONFLICT (id) DO UPDATE SET name = excluded.name
 WHERE artists.name IS NOT excluded.name";

pub(super) const UPSERT_ALBUMS: &str = "\
INSERT INTO albums (id, name, image, release_date)
SELECT value ->> 'id', value ->> 'name', value ->> 'image', value ->> 'release_date'
  FROM json_each(?1) WHERE true
ON CONFLICT (id) DO UPDATE SET name = excluded.name, image = coalesce(excluded.image, albums.image),
                               release_date = coalesce(excluded.release_date, albums.release_date)
 WHERE albums.name IS NOT excluded.name
    OR (excluded.image IS NOT NULL AND albums.image IS NOT excluded.image)
    OR (excluded.release_date IS NOT NULL AND albums.release_date IS NOT excluded.release_date)";

pub(super) const UPSERT_TRACKS: &str = "\
INSERT INTO tracks (id, name, uri, duration_ms, album_key, is_local, explicit)
SELECT value ->> 'id', value ->> 'name', value ->> 'uri', value ->> 'duration_ms',
       (SELECT key FROM albums WHERE id = value ->> 'album_id'), value ->> 'is_local', value ->> 'explicit'
  FROM json_each(?1) WHERE true
ON CONFLICT (id) DO UPDATE SET name = excluded.name, duration_ms = excluded.duration_ms,
                               album_key = coalesce(excluded.album_key, tracks.album_key),
                               explicit = excluded.explicit
 WHERE tracks.name IS NOT excluded.name OR tracks.duration_ms IS NOT excluded.duration_ms
    OR tracks.explicit IS NOT excluded.explicit
    OR (excluded.album_key IS NOT NULL AND tracks.album_key IS NOT excluded.album_key)";

pub(super) const INSERT_TRACK_ARTISTS: &str = "\
INSERT INTO track_artists (track_key, artist_key, position)
SELECT t.key, a.key, r.value ->> 'position'
  FROM json_each(?1) AS r
  JOIN tracks t ON t.id = r.value ->> 'track_id'
  JOIN artists a ON a.id = r.value ->> 'artist_id'
 WHERE true
ON CONFLICT DO NOTHING";

/// The page's contexts, each stored once for every play and user.
pub(super) const INSERT_CONTEXTS: &str = "\
INSERT INTO contexts (uri)
SELECT DISTINCT value ->> 'context_uri' FROM json_each(?1) WHERE value ->> 'context_uri' IS NOT NULL
ON CONFLICT DO NOTHING";

/// A polled play that an imported play of the same track already covers (within the
/// windows of [`crate::import::rules`], passed as ?3 and ?4) is not inserted again. The
/// imported play may be filed under the user's own row of the track (its id and ?5, the
/// user's [`crate::ids::owner_key`]) or be of the same names.
pub(super) const INSERT_PLAYS: &str = "\
INSERT INTO play_events (user_key, played_at, track_key, context_key)
SELECT u.key, r.value ->> 'played_at', t.key, c.key
  FROM users u
  CROSS JOIN json_each(?2) AS r
  JOIN tracks t ON t.id = r.value ->> 'track_id'
  LEFT JOIN contexts c ON c.uri = r.value ->> 'context_uri'
 WHERE u.id = ?1
   AND NOT EXISTS (
    -- A play the archive has already (the poll's overlap behind the cursor brings some
    -- back every time): one probe of the primary key, before the wider merge check below
    -- reads every play around it.
    SELECT 1 FROM play_events x
     WHERE x.user_key = u.key AND x.played_at = r.value ->> 'played_at' AND x.track_key = t.key)
   AND NOT EXISTS (
    SELECT 1 FROM play_events i JOIN tracks it ON it.key = i.track_key
     WHERE i.user_key = u.key AND i.source <> 0
       AND i.played_at BETWEEN (r.value ->> 'played_at') - ?3 AND (r.value ->> 'played_at') + ?3
       -- The window of the imported play's source: ?4, indexed by its code.
       AND i.played_at BETWEEN (r.value ->> 'played_at') - (?4 ->> ('$[' || i.source || '][0]'))
                           AND (r.value ->> 'played_at') + (?4 ->> ('$[' || i.source || '][1]'))
       AND (it.id IN (t.id, t.id || '~' || ?5)
            OR (it.name = t.name
                AND EXISTS (SELECT 1 FROM track_artists pa JOIN artists pn ON pn.key = pa.artist_key
                             WHERE pa.track_key = t.key
                               AND (pn.name = it.import_artist_name
                                    OR EXISTS (SELECT 1 FROM track_artists ia JOIN artists an ON an.key = ia.artist_key
                                                WHERE ia.track_key = it.key AND an.name = pn.name))))))
ON CONFLICT DO NOTHING
RETURNING played_at";

pub(super) const RECORD_SUCCESS: &str = "\
UPDATE users SET
    cursor_after = CASE WHEN ?2 IS NOT NULL AND (cursor_after IS NULL OR ?2 > cursor_after) THEN ?2
                        ELSE cursor_after END,
    last_polled_at = ?3, last_success_at = ?3, next_due_at = ?4, last_page_size = ?5,
    consecutive_failures = 0, cooldown_until = NULL, failing_since = NULL,
    access_token_enc = coalesce(?6, access_token_enc), token_expires_at = coalesce(?7, token_expires_at),
    updated_at = ?3
 WHERE id = ?1";

pub(super) const RECORD_FAILURE: &str = "\
UPDATE users SET last_polled_at = ?2, consecutive_failures = ?3, last_failure_type = ?4,
                 last_failure_at = ?2, cooldown_until = ?5, next_due_at = max(next_due_at, ?5),
                 failing_since = CASE WHEN ?4 = 'RATE_LIMITED' THEN failing_since
                                      ELSE coalesce(failing_since, ?2) END,
                 updated_at = ?2
 WHERE id = ?1";

pub(super) const MARK_NEEDS_REAUTH: &str = "\
UPDATE users SET needs_reauth = 1, is_active = 0, last_polled_at = ?2, last_failure_type = 'AUTH',
                 last_failure_at = ?2, consecutive_failures = consecutive_failures + 1, updated_at = ?2
 WHERE id = ?1";

/// A user as the archive needs them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ArchiveUser {
    pub id: String,
    pub access_token_enc: Option<String>,
    pub refresh_token_enc: Option<String>,
    pub token_expires_at: Option<UnixMillis>,
    pub is_active: i64,
    pub cursor_after: Option<UnixMillis>,
    pub last_success_at: Option<UnixMillis>,
    pub consecutive_failures: i64,
    /// The circuit breaker: scheduled polls wait until then.
    pub cooldown_until: Option<UnixMillis>,
    /// Spotify rests the whole app (quota) until then: nobody is polled.
    pub app_rest_until: Option<UnixMillis>,
    /// The last login: the refresh token dies six months later.
    pub authorized_at: UnixMillis,
    /// Whether the user wants to hear of each gap.
    pub notify_gaps: i64,
    /// The user's enabled notification channels: with none, a success raises nothing and
    /// its batch carries no event statement.
    pub notify_channels: i64,
}

impl ArchiveUser {
    pub fn is_active(&self) -> bool {
        self.is_active != 0
    }

    /// The events a successful archive of `plan` at `now` raises, given what the user
    /// wants to hear and the channels they have.
    pub fn archive_events(&self, plan: &ArchivePlan, now: UnixMillis) -> ArchiveEvents {
        if self.notify_channels == 0 {
            return ArchiveEvents::default();
        }
        ArchiveEvents {
            gap: plan.gap.is_some() && self.notify_gaps != 0,
            expiry_stage: crate::account::expiry_warning_stage(self.authorized_at, now),
        }
    }
}

/// The events an archive's write raises in its batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArchiveEvents {
    /// The plan's gap.
    pub gap: bool,
    /// The refresh token's warning of this many days.
    pub expiry_stage: Option<i64>,
}

/// Sealed tokens for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedTokens {
    pub access_token_enc: String,
    /// `None` keeps the stored refresh token (Spotify did not rotate it).
    pub refresh_token_enc: Option<String>,
    pub expires_at: UnixMillis,
}

/// What one archive's write batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveWrite {
    pub plays_inserted: usize,
    pub statements: usize,
}

impl<D: Database> Store<'_, D> {
    pub async fn archive_user(&self, user_id: &str) -> Result<Option<ArchiveUser>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(SELECT_ARCHIVE_USER, vec![json!(user_id)]))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }

    /// Stores refreshed tokens at once: a rotated refresh token must be safe in D1
    /// before the access token that came with it is used.
    pub async fn store_tokens(
        &self,
        user_id: &str,
        tokens: &SealedTokens,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                UPDATE_TOKENS,
                vec![
                    json!(user_id),
                    json!(tokens.access_token_enc),
                    json!(tokens.refresh_token_enc),
                    json!(tokens.expires_at),
                    json!(now),
                ],
            ))
            .await?;
        Ok(())
    }

    /// The archive's one write: catalogue, plays, gap and the user's new state, atomically,
    /// with the `events` they raise (the gap, the refresh token's expiry warning).
    /// `fresh_access` is a refreshed access token that has not been stored yet.
    pub async fn write_archive(
        &self,
        user_id: &str,
        plan: &ArchivePlan,
        fresh_access: Option<(&str, UnixMillis)>,
        events: ArchiveEvents,
    ) -> Result<ArchiveWrite, StoreError> {
        let now = plan.polled_at;
        let gaps: Vec<Value> = plan
            .gap
            .iter()
            .map(|gap| json!({"from": gap.from, "to": gap.to, "reason": gap.reason.as_str()}))
            .collect();
        let plays = to_json_text(&plan.plays)?;
        let mut statements = vec![
            Statement::new(UPSERT_ARTISTS, vec![to_json_text(&plan.artists)?]),
            Statement::new(UPSERT_ALBUMS, vec![to_json_text(&plan.albums)?]),
            Statement::new(UPSERT_TRACKS, vec![to_json_text(&plan.tracks)?]),
            Statement::new(
                INSERT_TRACK_ARTISTS,
                vec![to_json_text(&plan.track_artists)?],
            ),
            Statement::new(INSERT_CONTEXTS, vec![plays.clone()]),
            Statement::new(
                INSERT_PLAYS,
                [json!(user_id), plays]
                    .into_iter()
                    .chain(imports::poll_merge_params())
                    .chain([json!(crate::ids::owner_key(user_id))])
                    .collect(),
            ),
            Statement::new(
                INSERT_GAPS,
                vec![json!(user_id), to_json_text(&gaps)?, json!(now)],
            ),
            Statement::new(
                RECORD_SUCCESS,
                vec![
                    json!(user_id),
                    json!(plan.cursor_after),
                    json!(now),
                    json!(plan.next_due_at),
                    json!(plan.page_size),
                    json!(fresh_access.map(|(sealed, _)| sealed)),
                    json!(fresh_access.map(|(_, expires_at)| expires_at)),
                ],
            ),
        ];
        if let Some(gap) = plan.gap.as_ref().filter(|_| events.gap) {
            statements.push(notifications::gap(
                user_id,
                gap.from,
                gap.to,
                gap.reason.as_str(),
                now,
            ));
        }
        if let Some(stage_days) = events.expiry_stage {
            statements.push(notifications::expiring(user_id, stage_days, now));
        }
        let count = statements.len();
        let results = self.db.batch(statements).await?;
        let plays_inserted = results.get(5).map_or(0, Vec::len);
        Ok(ArchiveWrite {
            plays_inserted,
            statements: count,
        })
    }

    /// Records a failure and opens the breaker until `cooldown.until`; a streak of
    /// failures past the user's threshold raises `archiving_failing`.
    pub async fn record_failure(
        &self,
        user_id: &str,
        kind: FailureKind,
        cooldown: Cooldown,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .batch(vec![
                Statement::new(
                    RECORD_FAILURE,
                    vec![
                        json!(user_id),
                        json!(now),
                        json!(cooldown.consecutive_failures),
                        json!(kind.as_str()),
                        json!(cooldown.until),
                    ],
                ),
                notifications::failing(user_id, now),
            ])
            .await?;
        Ok(())
    }

    /// Spotify refused the refresh token: stop polling until the user logs in again,
    /// and tell them (`needs_login`, or `refresh_token_expired` past its six months).
    /// The tokens stay, since an outage can look like a revocation.
    pub async fn mark_needs_reauth(
        &self,
        user_id: &str,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .batch(vec![
                Statement::new(MARK_NEEDS_REAUTH, vec![json!(user_id), json!(now)]),
                notifications::needs_login(user_id, now),
            ])
            .await?;
        Ok(())
    }
}
