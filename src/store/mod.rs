//! Every SQL statement the Worker runs, and the typed rows they return.
//!
//! The statements run on D1 in production and on SQLite natively ([`crate::testing`]), the
//! same text on both. Each one is served by an index in `migrations/` (a test checks the
//! query plans); writes that belong together go out as one batch, which D1 runs as one
//! transaction.
//!
//! One public module per concept, each with its statements, the rows they return (named
//! through the module, `store::imports::ImportReport`) and its part of [`Store`]'s methods:
//!
//! - [`accounts`]: the login's upsert, the status row, pause and resume, account deletion;
//! - [`sessions`]: the session cookies;
//! - [`archive`]: the user as a poll reads them, their tokens, a poll's one write;
//! - [`gaps`]: the stretches the archive missed;
//! - [`sweeps`]: the sweep's claim, its record, each shard's housekeeping, its health;
//! - [`app_rest`]: Spotify's rest of the whole app;
//! - [`history`]: the history API, its stats and export, "Archive now";
//! - [`review`]: the year in review's own statements and its one batch;
//! - [`imports`]: the import of a Spotify data export;
//! - [`notifications`]: the outbox and the channels;
//! - [`directory`]: which shard each user lives in;
//! - [`dead_letters`]: the archive jobs that failed every retry;
//! - [`forwarding`]: the destinations plays are forwarded to, and what each has yet to take;
//! - [`shares`]: the public links users make to a recap or their latest plays.
//!
//! Here: [`Store`], [`StoreError`], the decoding and encoding every file shares, and
//! [`ALL_STATEMENTS`], the list the query-plan test reads.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ports::{Database, DatabaseError, Row};

pub mod accounts;
pub mod app_rest;
pub mod archive;
pub mod dead_letters;
pub mod directory;
pub mod forwarding;
pub mod gaps;
pub mod history;
pub mod imports;
pub mod notifications;
pub mod review;
pub mod sessions;
pub mod shares;
pub mod sweeps;

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

pub struct Store<'a, D> {
    db: &'a D,
}

impl<'a, D: Database> Store<'a, D> {
    pub fn new(db: &'a D) -> Self {
        Self { db }
    }
}

/// Every statement, for the test that checks each one's query plan uses an index.
pub const ALL_STATEMENTS: &[&str] = &[
    sweeps::CLAIM_DUE_USERS,
    sweeps::COUNT_COOLING_DOWN,
    sweeps::INSERT_SWEEP,
    sessions::DELETE_EXPIRED_SESSIONS,
    sweeps::PROBE,
    archive::SELECT_ARCHIVE_USER,
    archive::UPDATE_TOKENS,
    archive::UPSERT_ARTISTS,
    archive::UPSERT_ALBUMS,
    archive::UPSERT_TRACKS,
    archive::INSERT_TRACK_ARTISTS,
    archive::INSERT_CONTEXTS,
    archive::INSERT_PLAYS,
    gaps::INSERT_GAPS,
    archive::RECORD_SUCCESS,
    archive::RECORD_FAILURE,
    archive::MARK_NEEDS_REAUTH,
    app_rest::RECORD_APP_REST,
    app_rest::APP_REST,
    accounts::LOGIN_USER_ID,
    accounts::UPSERT_USER_ON_LOGIN,
    sessions::INSERT_SESSION,
    sessions::SESSION_USER,
    sessions::DELETE_SESSION,
    accounts::USER_STATUS,
    gaps::USER_GAPS,
    sweeps::LAST_SWEEP,
    accounts::PAUSE_USER,
    accounts::RESUME_USER,
    accounts::COUNT_USER_PLAYS,
    accounts::COUNT_USER_GAPS,
    accounts::COUNT_USER_SESSIONS,
    accounts::DELETE_USER_PLAYS,
    accounts::DELETE_USER_GAPS,
    sessions::DELETE_USER_SESSIONS,
    accounts::DELETE_USER,
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
    accounts::FORGET_USER_TRACKS,
    accounts::FORGET_USER_ALBUMS,
    notifications::RAISE_NEEDS_LOGIN,
    notifications::RAISE_FAILING,
    notifications::RAISE_EXPIRING,
    notifications::RAISE_GAP,
    notifications::RAISE_IMPORT_FINISHED,
    notifications::RAISE_FORWARDING_STOPPED,
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
    forwarding::CONNECT_DESTINATION,
    forwarding::QUEUE_ARCHIVE_SINCE,
    forwarding::COUNT_ARCHIVE_QUEUED,
    forwarding::SET_DESTINATION_ENABLED,
    forwarding::DELETE_DESTINATION_OUTBOX,
    forwarding::DELETE_DESTINATION,
    forwarding::DELETE_USER_OUTBOX,
    forwarding::DELETE_USER_DESTINATIONS,
    forwarding::USER_DESTINATIONS,
    forwarding::DUE_DESTINATIONS,
    forwarding::CLAIM_DESTINATION,
    forwarding::WAITING_PLAYS,
    forwarding::DELETE_SENT,
    forwarding::RECORD_SENT,
    forwarding::RECOUNT_PENDING,
    forwarding::RECORD_FAILURE,
    forwarding::RECORD_REFUSED_BATCH,
    forwarding::RECORD_REFUSED_PLAY,
    forwarding::RECORD_REVOKED,
    forwarding::RESEAL_CREDENTIAL,
    shares::INSERT_SHARE_LINK,
    shares::USER_SHARE_LINKS,
    shares::REVOKE_SHARE_LINK,
    shares::LIVE_SHARE_LINK,
    shares::DELETE_USER_SHARE_LINKS,
    review::REVIEW_DISCOVERIES,
    review::REVIEW_REPEAT,
    review::REVIEW_OTHER,
    review::DELETE_USER_TRACK_FIRSTS,
];

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
