//! Every SQL statement the Worker runs, and the typed rows they return.
//!
//! The statements run on D1 in production and on SQLite natively ([`crate::testing`]), the
//! same text on both. Each one is served by an index in `migrations/` (a test checks the
//! query plans); writes that belong together go out as one batch, which D1 runs as one
//! transaction.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::breaker::{Cooldown, FailureKind};
use crate::engine::write_plan::ArchivePlan;
use crate::ports::{Database, DatabaseError, Row, Statement};
use crate::spotify::profile::Profile;
use crate::time::UnixMillis;

mod dead_letters;
mod directory;
pub mod history;
mod imports;
pub mod notifications;

pub use dead_letters::DeadLetter;
pub use directory::DirectoryEntry;
pub use imports::{ChunkWrite, ImportErrorView, ImportReport, ImportUsage};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    Database(DatabaseError),
    /// A row that does not have the shape its query promises.
    Decode(String),
    /// A parameter that could not be encoded: nothing was written.
    Encode(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Database(error) => write!(f, "{error}"),
            Self::Decode(what) => write!(f, "unexpected row: {what}"),
            Self::Encode(what) => write!(f, "parameter not encodable: {what}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<DatabaseError> for StoreError {
    fn from(error: DatabaseError) -> Self {
        Self::Database(error)
    }
}

fn decode<T: DeserializeOwned>(row: Row) -> Result<T, StoreError> {
    serde_json::from_value(Value::Object(row))
        .map_err(|error| StoreError::Decode(error.to_string()))
}

fn decode_all<T: DeserializeOwned>(rows: Vec<Row>) -> Result<Vec<T>, StoreError> {
    rows.into_iter().map(decode).collect()
}

/// Rows as one JSON text parameter, for `json_each` to fan out. An encoding failure is
/// an error of the whole write: a fallback such as `[]` would let the batch move the
/// cursor past plays it never wrote.
fn to_json_text<T: serde::Serialize>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_string(value)
        .map(Value::String)
        .map_err(|error| StoreError::Encode(error.to_string()))
}

/// The integer key of the user whose id is the parameter `$id`: the plays are filed
/// under it. SQLite runs this uncorrelated subquery once per statement.
macro_rules! user_key {
    ($id:literal) => {
        concat!("(SELECT key FROM users WHERE id = ", $id, ")")
    };
}
pub(crate) use user_key;

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

/// A user the sweep claimed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DueUser {
    pub id: String,
    pub last_polled_at: Option<UnixMillis>,
}

/// What the sweep saw and did, as stored in `sweeps`: the totals of every shard, and
/// each shard's part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepSummary {
    pub started_at: UnixMillis,
    pub trigger: &'static str,
    pub users_due: usize,
    pub skipped_cooldown: usize,
    pub enqueued: usize,
    pub messages: usize,
    pub duration_ms: i64,
    /// The first shard's error, named by its shard.
    pub error: Option<String>,
    /// Notification deliveries sent to their queue (logged, not stored).
    pub notifications_relayed: usize,
    pub shards: Vec<ShardSweep>,
}

/// What one shard contributed to a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct ShardSweep {
    pub shard: crate::shards::ShardIndex,
    pub users_due: usize,
    pub skipped_cooldown: usize,
    pub enqueued: usize,
    pub messages: usize,
    #[serde(default)]
    pub notifications_relayed: usize,
    pub error: Option<String>,
}

impl ShardSweep {
    pub fn new(shard: crate::shards::ShardIndex) -> Self {
        Self {
            shard,
            users_due: 0,
            skipped_cooldown: 0,
            enqueued: 0,
            messages: 0,
            notifications_relayed: 0,
            error: None,
        }
    }
}

impl SweepSummary {
    /// The sweep of these shards' parts: their totals, and the first error by its shard.
    pub fn of_shards(
        trigger: &'static str,
        started_at: UnixMillis,
        shards: Vec<ShardSweep>,
    ) -> Self {
        let total = |count: fn(&ShardSweep) -> usize| shards.iter().map(count).sum();
        Self {
            started_at,
            trigger,
            users_due: total(|part| part.users_due),
            skipped_cooldown: total(|part| part.skipped_cooldown),
            enqueued: total(|part| part.enqueued),
            messages: total(|part| part.messages),
            duration_ms: 0,
            error: shards.iter().find_map(|part| {
                part.error
                    .as_ref()
                    .map(|error| format!("shard {}: {error}", part.shard))
            }),
            notifications_relayed: total(|part| part.notifications_relayed),
            shards,
        }
    }
}

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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct GapView {
    pub gap_from: UnixMillis,
    pub gap_to: UnixMillis,
    pub reason: String,
    pub detected_at: UnixMillis,
    pub filled_at: Option<UnixMillis>,
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

/// Sealed tokens for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedTokens {
    pub access_token_enc: String,
    /// `None` keeps the stored refresh token (Spotify did not rotate it).
    pub refresh_token_enc: Option<String>,
    pub expires_at: UnixMillis,
}

const CLAIM_DUE_USERS: &str = "\
UPDATE users SET next_due_at = ?2
 WHERE id IN (SELECT id FROM users
               WHERE is_active = 1 AND next_due_at <= ?1 AND coalesce(cooldown_until, 0) <= ?1
                 AND NOT EXISTS (SELECT 1 FROM app_rests WHERE name = 'spotify_quota' AND until > ?1)
               ORDER BY next_due_at LIMIT ?3)
RETURNING id, last_polled_at";

const COUNT_COOLING_DOWN: &str = "\
SELECT count(*) AS n FROM users WHERE cooldown_until > ?1 AND is_active = 1";

const INSERT_SWEEP: &str = "\
INSERT INTO sweeps (started_at, trigger, users_due, skipped_cooldown, enqueued, messages, duration_ms, error, shards)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// The newest user key: one index entry (`users_key`), and only in a migrated database.
const PROBE: &str = "SELECT max(key) AS top FROM users";

const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= ?1";

const SELECT_ARCHIVE_USER: &str = "\
SELECT id, access_token_enc, refresh_token_enc, token_expires_at, is_active, cursor_after,
       last_success_at, consecutive_failures, cooldown_until, authorized_at, notify_gaps,
       (SELECT count(*) FROM notification_channels c WHERE c.user_id = ?1 AND c.enabled = 1) AS notify_channels,
       (SELECT until FROM app_rests WHERE name = 'spotify_quota') AS app_rest_until
  FROM users WHERE id = ?1";

/// Spotify rests the whole app until ?1: recorded once, however many users hear it
/// (a later 429 only moves the end further out).
const RECORD_APP_REST: &str = "\
INSERT INTO app_rests (name, until, recorded_at) VALUES ('spotify_quota', ?1, ?2)
ON CONFLICT (name) DO UPDATE SET until = excluded.until, recorded_at = excluded.recorded_at
 WHERE excluded.until > app_rests.until";

const APP_REST: &str = "\
SELECT until, recorded_at FROM app_rests WHERE name = 'spotify_quota'";

const UPDATE_TOKENS: &str = "\
UPDATE users SET access_token_enc = ?2, refresh_token_enc = coalesce(?3, refresh_token_enc),
                 token_expires_at = ?4, updated_at = ?5
 WHERE id = ?1";

// The catalogue's upserts write a row only when it is new or one of its fields changed:
// a conflict whose `WHERE` is false writes nothing (nor does `DO NOTHING`).
const UPSERT_ARTISTS: &str = "\
INSERT INTO artists (id, name)
SELECT value ->> 'id', value ->> 'name' FROM json_each(?1) WHERE true
ON CONFLICT (id) DO UPDATE SET name = excluded.name
 WHERE artists.name IS NOT excluded.name";

const UPSERT_ALBUMS: &str = "\
INSERT INTO albums (id, name, image, release_date)
SELECT value ->> 'id', value ->> 'name', value ->> 'image', value ->> 'release_date'
  FROM json_each(?1) WHERE true
ON CONFLICT (id) DO UPDATE SET name = excluded.name, image = coalesce(excluded.image, albums.image),
                               release_date = coalesce(excluded.release_date, albums.release_date)
 WHERE albums.name IS NOT excluded.name
    OR (excluded.image IS NOT NULL AND albums.image IS NOT excluded.image)
    OR (excluded.release_date IS NOT NULL AND albums.release_date IS NOT excluded.release_date)";

const UPSERT_TRACKS: &str = "\
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

const INSERT_TRACK_ARTISTS: &str = "\
INSERT INTO track_artists (track_key, artist_key, position)
SELECT t.key, a.key, r.value ->> 'position'
  FROM json_each(?1) AS r
  JOIN tracks t ON t.id = r.value ->> 'track_id'
  JOIN artists a ON a.id = r.value ->> 'artist_id'
 WHERE true
ON CONFLICT DO NOTHING";

/// The page's contexts, each stored once for every play and user.
const INSERT_CONTEXTS: &str = "\
INSERT INTO contexts (uri)
SELECT DISTINCT value ->> 'context_uri' FROM json_each(?1) WHERE value ->> 'context_uri' IS NOT NULL
ON CONFLICT DO NOTHING";

/// A polled play that an imported play of the same track already covers (within the
/// windows of [`crate::import::rules`], passed as ?4..?8) is not inserted again. The
/// imported play may be filed under the user's own row of the track (its id and ?9, the
/// user's [`crate::ids::owner_key`]) or be of the same names.
const INSERT_PLAYS: &str = "\
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
       AND CASE i.source
           WHEN 2 THEN i.played_at BETWEEN (r.value ->> 'played_at') - ?4 AND (r.value ->> 'played_at') + ?5
           ELSE i.played_at BETWEEN (r.value ->> 'played_at') - ?6 AND (r.value ->> 'played_at') + ?7 END
       AND (it.id IN (t.id, t.id || '~' || ?8)
            OR (it.name = t.name
                AND EXISTS (SELECT 1 FROM track_artists pa JOIN artists pn ON pn.key = pa.artist_key
                             WHERE pa.track_key = t.key
                               AND (pn.name = it.import_artist_name
                                    OR EXISTS (SELECT 1 FROM track_artists ia JOIN artists an ON an.key = ia.artist_key
                                                WHERE ia.track_key = it.key AND an.name = pn.name))))))
ON CONFLICT DO NOTHING
RETURNING played_at";

const INSERT_GAPS: &str = "\
INSERT INTO data_gaps (user_id, gap_from, gap_to, reason, detected_at)
SELECT ?1, value ->> 'from', value ->> 'to', value ->> 'reason', ?3 FROM json_each(?2) WHERE true
ON CONFLICT DO NOTHING";

const RECORD_SUCCESS: &str = "\
UPDATE users SET
    cursor_after = CASE WHEN ?2 IS NOT NULL AND (cursor_after IS NULL OR ?2 > cursor_after) THEN ?2
                        ELSE cursor_after END,
    last_polled_at = ?3, last_success_at = ?3, next_due_at = ?4, last_page_size = ?5,
    consecutive_failures = 0, cooldown_until = NULL, failing_since = NULL,
    access_token_enc = coalesce(?6, access_token_enc), token_expires_at = coalesce(?7, token_expires_at),
    updated_at = ?3
 WHERE id = ?1";

const RECORD_FAILURE: &str = "\
UPDATE users SET last_polled_at = ?2, consecutive_failures = ?3, last_failure_type = ?4,
                 last_failure_at = ?2, cooldown_until = ?5, next_due_at = max(next_due_at, ?5),
                 failing_since = CASE WHEN ?4 = 'RATE_LIMITED' THEN failing_since
                                      ELSE coalesce(failing_since, ?2) END,
                 updated_at = ?2
 WHERE id = ?1";

const MARK_NEEDS_REAUTH: &str = "\
UPDATE users SET needs_reauth = 1, is_active = 0, last_polled_at = ?2, last_failure_type = 'AUTH',
                 last_failure_at = ?2, consecutive_failures = consecutive_failures + 1, updated_at = ?2
 WHERE id = ?1";

/// The user a Spotify account already is: by our id for it, or by its Spotify user id,
/// which stays when `/me` starts to send an `account_id` (the oldest row wins).
const LOGIN_USER_ID: &str = "\
SELECT id FROM users WHERE id = ?1 OR spotify_id = ?2 ORDER BY created_at LIMIT 1";

/// A login's user. A new login fixes what was wrong with the old authorization and
/// nothing else: a breaker that Spotify's errors or rate limits opened stays open, so
/// logging in again and again cannot get a user polled past it.
const UPSERT_USER_ON_LOGIN: &str = "\
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

const INSERT_SESSION: &str = "\
INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)";

const SESSION_USER: &str = "\
SELECT user_id FROM sessions WHERE id_hash = ?1 AND expires_at > ?2";

const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = ?1";

const USER_STATUS: &str = "\
SELECT id, display_name, email, is_active, needs_reauth, paused, authorized_at, last_polled_at,
       last_success_at, next_due_at, consecutive_failures, last_failure_type, last_failure_at,
       cooldown_until,
       (SELECT count(*) FROM play_events WHERE user_key = users.key) AS plays_archived,
       (SELECT min(played_at) FROM play_events WHERE user_key = users.key) AS first_play_at,
       (SELECT max(played_at) FROM play_events WHERE user_key = users.key) AS last_play_at
  FROM users WHERE id = ?1";

const USER_GAPS: &str = "\
SELECT gap_from, gap_to, reason, detected_at, filled_at FROM data_gaps
 WHERE user_id = ?1 ORDER BY gap_from DESC LIMIT ?2";

const PAUSE_USER: &str = "\
UPDATE users SET paused = 1, is_active = 0, failing_since = NULL, updated_at = ?2 WHERE id = ?1";

const RESUME_USER: &str = "\
UPDATE users SET paused = 0, is_active = 1 - needs_reauth, next_due_at = ?2, updated_at = ?2 WHERE id = ?1";

const COUNT_USER_PLAYS: &str = concat!(
    "SELECT count(*) AS n FROM play_events WHERE user_key = ",
    user_key!("?1")
);
const COUNT_USER_GAPS: &str = "SELECT count(*) AS n FROM data_gaps WHERE user_id = ?1";
const COUNT_USER_SESSIONS: &str = "SELECT count(*) AS n FROM sessions WHERE user_id = ?1";
const DELETE_USER_PLAYS: &str =
    concat!("DELETE FROM play_events WHERE user_key = ", user_key!("?1"));
const DELETE_USER_GAPS: &str = "DELETE FROM data_gaps WHERE user_id = ?1";
const DELETE_USER_SESSIONS: &str = "DELETE FROM sessions WHERE user_id = ?1";
const DELETE_USER: &str = "DELETE FROM users WHERE id = ?1";
/// The user's own catalogue rows (what their imports named) lose every name. They are
/// emptied rather than deleted: deleting a parent row makes SQLite look for its children,
/// and `play_events` has no index on `track_key` (its key begins with the user), so each
/// deleted track would scan every play of every user. Emptied and unowned (`''`), a row is never shown, matched or
/// reused again.
const FORGET_USER_TRACKS: &str = "\
UPDATE tracks SET name = '', uri = 'spotify:deleted', import_artist_name = NULL, owner_user_id = ''
 WHERE owner_user_id = ?1";
const FORGET_USER_ALBUMS: &str = "\
UPDATE albums SET name = '', owner_user_id = '' WHERE owner_user_id = ?1";

const LAST_SWEEP: &str = "\
SELECT started_at, users_due, enqueued, error, shards FROM sweeps ORDER BY started_at DESC LIMIT 1";

/// Every statement, for the test that checks each one's query plan uses an index.
pub const ALL_STATEMENTS: &[&str] = &[
    CLAIM_DUE_USERS,
    COUNT_COOLING_DOWN,
    INSERT_SWEEP,
    DELETE_EXPIRED_SESSIONS,
    PROBE,
    SELECT_ARCHIVE_USER,
    UPDATE_TOKENS,
    UPSERT_ARTISTS,
    UPSERT_ALBUMS,
    UPSERT_TRACKS,
    INSERT_TRACK_ARTISTS,
    INSERT_CONTEXTS,
    INSERT_PLAYS,
    INSERT_GAPS,
    RECORD_SUCCESS,
    RECORD_FAILURE,
    MARK_NEEDS_REAUTH,
    RECORD_APP_REST,
    APP_REST,
    LOGIN_USER_ID,
    UPSERT_USER_ON_LOGIN,
    INSERT_SESSION,
    SESSION_USER,
    DELETE_SESSION,
    USER_STATUS,
    USER_GAPS,
    LAST_SWEEP,
    PAUSE_USER,
    RESUME_USER,
    COUNT_USER_PLAYS,
    COUNT_USER_GAPS,
    COUNT_USER_SESSIONS,
    DELETE_USER_PLAYS,
    DELETE_USER_GAPS,
    DELETE_USER_SESSIONS,
    DELETE_USER,
    history::PLAYS_PAGE,
    history::EXPORT_PAGE,
    history::STATS_BUCKETS,
    history::STATS_TOP,
    history::HISTORY_SETTINGS,
    history::SELECT_ARCHIVE_REQUEST,
    history::CLAIM_ARCHIVE_REQUEST,
    history::RESTORE_ARCHIVE_REQUEST,
    history::SAVE_TIME_ZONE,
    dead_letters::INSERT_DEAD_LETTER,
    dead_letters::RECENT_DEAD_LETTERS,
    directory::DIRECTORY_LOGIN_USER,
    directory::DIRECTORY_USER_SHARD,
    directory::SHARD_USER_COUNTS,
    directory::FILE_USER,
    directory::FORGET_USER,
    imports::INSERT_IMPORT,
    imports::SELECT_IMPORT,
    imports::SELECT_IMPORT_ERRORS,
    imports::FINISH_IMPORT,
    imports::INSERT_IMPORT_ALBUMS,
    imports::INSERT_IMPORT_TRACKS,
    imports::COUNT_IMPORT_CHUNK,
    imports::INSERT_IMPORT_ERRORS,
    imports::FILL_GAPS,
    imports::INSERT_IMPORT_PLAYS,
    imports::INSERT_IMPORT_CHUNK,
    imports::IMPORT_USAGE,
    FORGET_USER_TRACKS,
    FORGET_USER_ALBUMS,
    notifications::RAISE_NEEDS_LOGIN,
    notifications::RAISE_FAILING,
    notifications::RAISE_EXPIRING,
    notifications::RAISE_GAP,
    notifications::RAISE_IMPORT_FINISHED,
    notifications::RAISE_TEST,
    notifications::RAISE_OPERATOR,
    notifications::RAISE_OPERATOR_APP_REST,
    notifications::RELAY_DUE,
    notifications::CLAIM_DELIVERY,
    notifications::SELECT_DELIVERY,
    notifications::DELIVERED,
    notifications::CHANNEL_DELIVERED,
    notifications::RETRY_LATER,
    notifications::SETTLE_FAILED,
    notifications::DISABLE_CHANNEL,
    notifications::CANCEL_CHANNEL_PENDING,
    notifications::RESEAL_CHANNEL,
    notifications::INSERT_CHANNEL,
    notifications::USER_CHANNELS,
    notifications::DELETE_CHANNEL_PENDING,
    notifications::DELETE_CHANNEL,
    notifications::NOTIFY_SETTINGS,
    notifications::SAVE_NOTIFY_SETTINGS,
    notifications::RECENT_DELIVERIES,
    notifications::DELETE_USER_OUTBOX,
    notifications::DELETE_USER_CHANNELS,
    notifications::FORGET_OLD_DELIVERIES,
];

/// A sweep's housekeeping of one shard; the deliveries due come last.
fn tidy_statements(now: UnixMillis, relay_limit: usize) -> Vec<Statement> {
    vec![
        Statement::new(DELETE_EXPIRED_SESSIONS, vec![json!(now)]),
        Statement::new(
            notifications::FORGET_OLD_DELIVERIES,
            vec![json!(now - notifications::OUTBOX_RETENTION_MS)],
        ),
        notifications::relay_due(now, relay_limit),
    ]
}

/// What deleting an account removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DeletedAccount {
    pub plays: usize,
    pub gaps: usize,
    pub sessions: usize,
}

/// The last sweep, for the health route.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct LastSweep {
    pub started_at: UnixMillis,
    pub users_due: i64,
    pub enqueued: i64,
    pub error: Option<String>,
    /// Each shard's part (none for the sweeps recorded before there were shards).
    #[serde(default, deserialize_with = "shard_parts")]
    pub shards: Vec<ShardSweep>,
}

/// `sweeps.shards`: JSON text, or null.
fn shard_parts<'de, De: serde::Deserializer<'de>>(
    deserializer: De,
) -> Result<Vec<ShardSweep>, De::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(text) => serde_json::from_str(&text).map_err(serde::de::Error::custom),
        None => Ok(Vec::new()),
    }
}

/// Spotify's rest of the whole app, for the health route.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct AppRest {
    pub until: UnixMillis,
    pub recorded_at: UnixMillis,
}

/// What one archive's write batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveWrite {
    pub plays_inserted: usize,
    pub statements: usize,
}

pub struct Store<'a, D> {
    db: &'a D,
}

impl<'a, D: Database> Store<'a, D> {
    pub fn new(db: &'a D) -> Self {
        Self { db }
    }

    /// Claims up to `limit` due users not in a cooldown, moving their due time to
    /// `lease_until` so the next sweep does not send them again while the queue drains
    /// (if the archive never runs, they come back when the lease ends). Also counts the
    /// users resting in a cooldown. One round trip.
    pub async fn claim_due_users(
        &self,
        now: UnixMillis,
        lease_until: UnixMillis,
        limit: usize,
    ) -> Result<(Vec<DueUser>, usize), StoreError> {
        let mut results = self
            .db
            .batch(vec![
                Statement::new(
                    CLAIM_DUE_USERS,
                    vec![json!(now), json!(lease_until), json!(limit)],
                ),
                Statement::new(COUNT_COOLING_DOWN, vec![json!(now)]),
            ])
            .await?
            .into_iter();
        let claimed = decode_all(results.next().unwrap_or_default())?;
        #[derive(Deserialize)]
        struct Count {
            n: usize,
        }
        let cooling = results
            .next()
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(decode::<Count>)
            .transpose()?
            .map_or(0, |count| count.n);
        Ok((claimed, cooling))
    }

    /// Records a sweep (in the directory), and does what [`Store::tidy`] does, in one
    /// round trip. Answers the ids of the deliveries taken.
    pub async fn record_sweep(
        &self,
        summary: &SweepSummary,
        relay_limit: usize,
    ) -> Result<Vec<i64>, StoreError> {
        let mut statements = vec![Statement::new(
            INSERT_SWEEP,
            vec![
                json!(summary.started_at),
                json!(summary.trigger),
                json!(summary.users_due),
                json!(summary.skipped_cooldown),
                json!(summary.enqueued),
                json!(summary.messages),
                json!(summary.duration_ms),
                json!(summary.error),
                to_json_text(&summary.shards)?,
            ],
        )];
        statements.extend(tidy_statements(summary.started_at, relay_limit));
        let results = self.db.batch(statements).await?;
        notifications::relayed_ids(results.into_iter().last().unwrap_or_default())
    }

    /// A shard's housekeeping at each sweep: clears expired sessions, forgets old
    /// deliveries and takes the notification deliveries due (at most `relay_limit`) for
    /// the queue, in one round trip. Answers the ids of the deliveries taken.
    pub async fn tidy(&self, now: UnixMillis, relay_limit: usize) -> Result<Vec<i64>, StoreError> {
        let results = self.db.batch(tidy_statements(now, relay_limit)).await?;
        notifications::relayed_ids(results.into_iter().last().unwrap_or_default())
    }

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

    /// One cheap read that needs this database's migrations (a shard's health).
    pub async fn probe(&self) -> Result<(), StoreError> {
        self.db.query(Statement::new(PROBE, vec![])).await?;
        Ok(())
    }

    pub async fn last_sweep(&self) -> Result<Option<LastSweep>, StoreError> {
        let rows = self.db.query(Statement::new(LAST_SWEEP, vec![])).await?;
        rows.into_iter().next().map(decode).transpose()
    }

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

    /// Deletes the user with their plays, gaps and sessions in one transaction, counting
    /// first, and empties the catalogue rows their imports made; Spotify's catalogue rows
    /// stay, since other users share them.
    pub async fn delete_account(&self, user_id: &str) -> Result<DeletedAccount, StoreError> {
        let id = || vec![json!(user_id)];
        let results = self
            .db
            .batch(vec![
                Statement::new(COUNT_USER_PLAYS, id()),
                Statement::new(COUNT_USER_GAPS, id()),
                Statement::new(COUNT_USER_SESSIONS, id()),
                Statement::new(DELETE_USER_PLAYS, id()),
                Statement::new(DELETE_USER_GAPS, id()),
                Statement::new(DELETE_USER_SESSIONS, id()),
                Statement::new(FORGET_USER_TRACKS, id()),
                Statement::new(FORGET_USER_ALBUMS, id()),
                Statement::new(notifications::DELETE_USER_OUTBOX, id()),
                Statement::new(notifications::DELETE_USER_CHANNELS, id()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Serialises to an error, like a map with non-text keys would.
    struct Unencodable;

    impl serde::Serialize for Unencodable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no JSON for this"))
        }
    }

    #[test]
    fn rows_that_cannot_be_encoded_are_an_error_not_an_empty_list() {
        let encoded = to_json_text(&vec![Unencodable]);
        assert!(
            matches!(encoded, Err(StoreError::Encode(_))),
            "{encoded:?}: an empty array would let the cursor pass unwritten plays"
        );
        assert_eq!(to_json_text(&vec![1, 2]), Ok(Value::String("[1,2]".into())));
    }
}
