//! Imports of Spotify's data exports: the import's report, and one chunk's write as one
//! D1 batch with a fixed number of statements.
//!
//! The rules of [`crate::import::rules`] are applied here in SQL, against the archive as
//! it is inside the batch's transaction: a record is
//!
//! - a *duplicate* when a play of the same track from the same source ends at the very
//!   same instant (the same file imported again, overlapping files);
//! - *merged* when a play of the same track from another source (a poll, the other
//!   export) ends within the record's window for that source;
//! - *imported* otherwise.
//!
//! "The same track" is the same id, or the same title by an artist of the same name
//! (account data has no ids; a track may be relinked under another id). The chunk's
//! counts are taken before its plays are inserted, with the same predicates, so the
//! report says exactly what the insert did.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{decode, decode_all, to_json_text, Store, StoreError};
use crate::import::plan::{ChunkPlan, MAX_STORED_ERRORS};
use crate::import::rules::{window_offsets, Source, MERGE_WINDOW_MS, WIDEST_OFFSET_MS};
use crate::ports::{Database, Statement};
use crate::time::UnixMillis;

/// `t` (a tracks row) has the title `name` by an artist named `artist`: linked, or as
/// the export named it.
macro_rules! named_like {
    ($t:literal, $name:literal, $artist:literal) => {
        concat!(
            $t,
            ".name = ",
            $name,
            " AND (",
            $t,
            ".import_artist_name = ",
            $artist,
            " OR EXISTS (SELECT 1 FROM track_artists ta JOIN artists a ON a.key = ta.artist_key",
            " WHERE ta.track_key = ",
            $t,
            ".key AND a.name = ",
            $artist,
            "))"
        )
    };
}

/// The existing play `p` (of track `pt`) is of the record `r`'s track: the export's id,
/// the user's own row for it, or the same names.
macro_rules! same_track {
    () => {
        concat!(
            "(pt.id IN (r.value ->> 'id', r.value ->> 'private') OR (",
            named_like!("pt", "r.value ->> 'name'", "r.value ->> 'artist'"),
            "))"
        )
    };
}

/// The archive has exactly this record already (same source, same instant).
macro_rules! duplicate {
    () => {
        concat!(
            "EXISTS (SELECT 1 FROM play_events p JOIN tracks pt ON pt.key = p.track_key",
            " WHERE p.user_key = ",
            super::user_key!("?1"),
            " AND p.played_at = r.value ->> 'at'",
            " AND p.source = r.value ->> 'src' AND ",
            same_track!(),
            ")"
        )
    };
}

/// The archive has this listen from another source, within the record's window for it.
macro_rules! merged {
    () => {
        concat!(
            "EXISTS (SELECT 1 FROM play_events p JOIN tracks pt ON pt.key = p.track_key",
            " WHERE p.user_key = ",
            super::user_key!("?1"),
            " AND p.played_at BETWEEN r.value ->> 'lo' AND r.value ->> 'hi'",
            // Its window for the existing play's source: `w`, indexed by
            // crate::import::rules::Source::code (null: the same source).
            " AND p.played_at BETWEEN r.value ->> ('$.w[' || p.source || '][0]')",
            " AND r.value ->> ('$.w[' || p.source || '][1]') AND ",
            same_track!(),
            ")"
        )
    };
}

/// Where the unbroken run of chunks ending with this one starts: the run of the chunk
/// just before it in the same file, or this chunk's own first listen.
macro_rules! run_from {
    ($import:literal, $file:literal, $first:literal, $span_from:literal) => {
        concat!(
            "coalesce((SELECT prev.run_from FROM import_chunks prev WHERE prev.import_id = ",
            $import,
            " AND prev.file = ",
            $file,
            " AND prev.end_index = ",
            $first,
            "), ",
            $span_from,
            ")"
        )
    };
}

/// An open gap of the user that the run of chunks covers, give or take the merge window
/// (the plays at a gap's two ends are in the export too, at about the same instants).
macro_rules! gap_covered {
    ($g:literal, $user:literal, $import:literal, $file:literal, $first:literal,
     $span_from:literal, $span_to:literal, $tolerance:literal) => {
        concat!(
            $g,
            "user_id = ",
            $user,
            " AND ",
            $g,
            "filled_at IS NULL AND ",
            $g,
            "gap_from >= ",
            run_from!($import, $file, $first, $span_from),
            " - ",
            $tolerance,
            " AND ",
            $g,
            "gap_to <= ",
            $span_to,
            " + ",
            $tolerance
        )
    };
}

pub(super) const INSERT_IMPORT: &str = "\
INSERT INTO imports (user_id, created_at, updated_at) VALUES (?1, ?2, ?2) RETURNING id";

pub(super) const SELECT_IMPORT: &str = "\
SELECT id, created_at, updated_at, finished_at, chunks, records_read, imported, merged,
       skipped_duplicate, skipped_short, skipped_incognito, skipped_unidentified, errors, gaps_filled
  FROM imports WHERE id = ?1 AND user_id = ?2";

pub(super) const SELECT_IMPORT_ERRORS: &str = "\
SELECT file, position, message FROM import_errors
 WHERE import_id = ?1 AND EXISTS (SELECT 1 FROM imports WHERE id = ?1 AND user_id = ?2)
 ORDER BY file, position LIMIT ?3";

pub(super) const FINISH_IMPORT: &str = "\
UPDATE imports SET finished_at = coalesce(finished_at, ?3), updated_at = ?3
 WHERE id = ?1 AND user_id = ?2";

/// The user's own albums (`?2`): what an export names is never shown to anyone else.
pub(super) const INSERT_IMPORT_ALBUMS: &str = "\
INSERT INTO albums (id, name, owner_user_id)
SELECT value ->> 'id', value ->> 'name', ?2 FROM json_each(?1) WHERE true
ON CONFLICT DO NOTHING";

/// The user's own rows (`?2`) for the tracks the export names, unless Spotify's catalogue
/// has the track: by its id, or (a record without one) by its names. An import never
/// writes a row another user sees, nor changes one.
pub(super) const INSERT_IMPORT_TRACKS: &str = concat!(
    "INSERT INTO tracks (id, name, uri, duration_ms, album_key, is_local, explicit, import_artist_name,
                    owner_user_id)
SELECT r.value ->> 'private', r.value ->> 'name', r.value ->> 'uri', 0,
       (SELECT key FROM albums WHERE id = r.value ->> 'album_id'), r.value ->> 'is_local', 0,
       r.value ->> 'artist_name', ?2
  FROM json_each(?1) AS r
 WHERE CASE WHEN r.value ->> 'by_name'
       THEN NOT EXISTS (SELECT 1 FROM tracks t WHERE ",
    named_like!("t", "r.value ->> 'name'", "r.value ->> 'artist_name'"),
    " AND (t.owner_user_id IS NULL OR t.owner_user_id = ?2))
       ELSE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.id = r.value ->> 'id' AND t.owner_user_id IS NULL) END
ON CONFLICT DO NOTHING"
);

/// The import's counters, unless this chunk was received before (a resent chunk).
pub(super) const COUNT_IMPORT_CHUNK: &str = concat!(
    "WITH outcomes AS MATERIALIZED (SELECT CASE WHEN ",
    duplicate!(),
    " THEN 'duplicate' WHEN ",
    merged!(),
    " THEN 'merged' ELSE 'fresh' END AS outcome FROM json_each(?5) AS r)
UPDATE imports SET
    chunks = chunks + 1,
    records_read = records_read + ?6,
    imported = imported + c.n_fresh,
    merged = merged + c.n_merged,
    skipped_duplicate = skipped_duplicate + ?7 + c.n_duplicate,
    skipped_short = skipped_short + ?8,
    skipped_incognito = skipped_incognito + ?9,
    skipped_unidentified = skipped_unidentified + ?10,
    errors = errors + ?11,
    gaps_filled = gaps_filled + (SELECT count(*) FROM data_gaps g WHERE ",
    gap_covered!("g.", "?1", "?2", "?3", "?4", "?12", "?13", "?14"),
    "),
    updated_at = ?15
  FROM (SELECT coalesce(sum(outcome = 'duplicate'), 0) AS n_duplicate,
               coalesce(sum(outcome = 'merged'), 0) AS n_merged,
               coalesce(sum(outcome = 'fresh'), 0) AS n_fresh
          FROM outcomes) AS c
 WHERE imports.id = ?2 AND imports.user_id = ?1
   AND NOT EXISTS (SELECT 1 FROM import_chunks WHERE import_id = ?2 AND file = ?3 AND first_index = ?4)"
);

/// The first malformed records' messages; an import keeps at most ?3.
pub(super) const INSERT_IMPORT_ERRORS: &str = "\
INSERT INTO import_errors (import_id, file, position, message)
SELECT ?1, value ->> 'file', value ->> 'position', value ->> 'message' FROM json_each(?2) WHERE true
 LIMIT max(0, ?3 - (SELECT count(*) FROM import_errors WHERE import_id = ?1))
ON CONFLICT DO NOTHING";

pub(super) const FILL_GAPS: &str = concat!(
    "UPDATE data_gaps SET filled_at = ?8 WHERE ",
    gap_covered!("", "?1", "?2", "?3", "?4", "?5", "?6", "?7")
);

/// The plays, each filed under Spotify's row of the export's id, or (a record without
/// one) Spotify's or the user's own row of its names (Spotify's first), else the user's
/// own row. Another user's rows are never reached.
pub(super) const INSERT_IMPORT_PLAYS: &str = concat!(
    "INSERT INTO play_events (user_key, track_key, played_at, source, kind, ms_played, skipped)
SELECT ",
    super::user_key!("?1"),
    ",
       coalesce(CASE WHEN r.value ->> 'id' IS NOT NULL
                THEN (SELECT t.key FROM tracks t WHERE t.id = r.value ->> 'id' AND t.owner_user_id IS NULL)
                ELSE (SELECT t.key FROM tracks t WHERE ",
    named_like!("t", "r.value ->> 'name'", "r.value ->> 'artist'"),
    " AND (t.owner_user_id IS NULL OR t.owner_user_id = ?1)
                       ORDER BY t.owner_user_id IS NOT NULL, t.id GLOB 'import*', t.id LIMIT 1) END,
                (SELECT t.key FROM tracks t WHERE t.id = r.value ->> 'private')),
       r.value ->> 'at', r.value ->> 'src', r.value ->> 'kind', r.value ->> 'ms', r.value ->> 'skipped'
  FROM json_each(?2) AS r
 WHERE NOT ",
    duplicate!(),
    " AND NOT ",
    merged!(),
    "
ON CONFLICT DO NOTHING"
);

pub(super) const INSERT_IMPORT_CHUNK: &str = concat!(
    "INSERT INTO import_chunks (import_id, file, first_index, end_index, span_from, span_to, run_from, received_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?5 IS NOT NULL THEN ",
    run_from!("?1", "?2", "?3", "?5"),
    " END, ?7)
ON CONFLICT DO NOTHING
RETURNING first_index"
);

/// A user's imports touched since ?2: how many were started since, and the records
/// they read (an import still receiving chunks counts whole).
pub(super) const IMPORT_USAGE: &str = "\
SELECT coalesce(sum(created_at > ?2), 0) AS imports, coalesce(sum(records_read), 0) AS records,
       min(CASE WHEN created_at > ?2 THEN created_at END) AS oldest_created, min(updated_at) AS oldest_updated
  FROM imports WHERE user_id = ?1 AND updated_at > ?2";

/// What a user imported in the last day, against the quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct ImportUsage {
    pub imports: i64,
    pub records: i64,
    pub oldest_created: Option<UnixMillis>,
    pub oldest_updated: Option<UnixMillis>,
}

/// An import's report so far.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ImportReport {
    pub id: i64,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
    pub finished_at: Option<UnixMillis>,
    pub chunks: i64,
    pub records_read: i64,
    pub imported: i64,
    pub merged: i64,
    pub skipped_duplicate: i64,
    pub skipped_short: i64,
    pub skipped_incognito: i64,
    pub skipped_unidentified: i64,
    pub errors: i64,
    pub gaps_filled: i64,
}

/// A malformed record, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ImportErrorView {
    pub file: String,
    pub position: i64,
    pub message: String,
}

/// What one chunk's batch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkWrite {
    /// The import after the chunk; `None` if it is not the user's.
    pub report: Option<ImportReport>,
    /// The chunk had been received before: nothing was counted again.
    pub resent: bool,
    pub statements: usize,
}

impl<D: Database> Store<'_, D> {
    /// Starts an import for the user; answers its id.
    pub async fn create_import(&self, user_id: &str, now: UnixMillis) -> Result<i64, StoreError> {
        #[derive(Deserialize)]
        struct Created {
            id: i64,
        }
        let rows = self
            .db
            .query(Statement::new(
                INSERT_IMPORT,
                vec![json!(user_id), json!(now)],
            ))
            .await?;
        rows.into_iter()
            .next()
            .map(decode::<Created>)
            .transpose()?
            .map(|created| created.id)
            .ok_or_else(|| StoreError::Decode("no id for the new import".into()))
    }

    /// What the user imported since `since` (the quotas' day).
    pub async fn import_usage(
        &self,
        user_id: &str,
        since: UnixMillis,
    ) -> Result<ImportUsage, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                IMPORT_USAGE,
                vec![json!(user_id), json!(since)],
            ))
            .await?;
        rows.into_iter()
            .next()
            .map(decode)
            .transpose()?
            .ok_or_else(|| StoreError::Decode("no row for the import usage".into()))
    }

    /// The user's import, or `None` when there is no such import of theirs.
    pub async fn import(
        &self,
        user_id: &str,
        import_id: i64,
    ) -> Result<Option<ImportReport>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(
                SELECT_IMPORT,
                vec![json!(import_id), json!(user_id)],
            ))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }

    /// The report with the stored errors, in one round trip.
    pub async fn import_with_errors(
        &self,
        user_id: &str,
        import_id: i64,
    ) -> Result<Option<(ImportReport, Vec<ImportErrorView>)>, StoreError> {
        let mut results = self
            .db
            .batch(vec![
                Statement::new(SELECT_IMPORT, vec![json!(import_id), json!(user_id)]),
                Statement::new(
                    SELECT_IMPORT_ERRORS,
                    vec![json!(import_id), json!(user_id), json!(MAX_STORED_ERRORS)],
                ),
            ])
            .await?
            .into_iter();
        let report = results.next().unwrap_or_default().into_iter().next();
        let errors = decode_all(results.next().unwrap_or_default())?;
        Ok(report
            .map(decode::<ImportReport>)
            .transpose()?
            .map(|report| (report, errors)))
    }

    /// Marks the import finished and raises `import_finished` (once, whoever asks again);
    /// answers the report, or `None` if it is not the user's.
    pub async fn finish_import(
        &self,
        user_id: &str,
        import_id: i64,
        now: UnixMillis,
    ) -> Result<Option<(ImportReport, Vec<ImportErrorView>)>, StoreError> {
        self.db
            .batch(vec![
                Statement::new(
                    FINISH_IMPORT,
                    vec![json!(import_id), json!(user_id), json!(now)],
                ),
                super::notifications::import_finished(user_id, import_id, now),
            ])
            .await?;
        self.import_with_errors(user_id, import_id).await
    }

    /// One chunk's write: the catalogue rows it needs, its counts, errors, the gaps it
    /// fills and its plays, atomically, in a batch of a fixed number of statements.
    /// The caller has checked the import is the user's and open.
    pub async fn write_import_chunk(
        &self,
        user_id: &str,
        import_id: i64,
        plan: &ChunkPlan,
        now: UnixMillis,
    ) -> Result<ChunkWrite, StoreError> {
        let (span_from, span_to) = match plan.span {
            Some((from, to)) => (json!(from), json!(to)),
            None => (Value::Null, Value::Null),
        };
        let plays = to_json_text(&plan.plays)?;
        let statements = vec![
            Statement::new(
                INSERT_IMPORT_ALBUMS,
                vec![to_json_text(&plan.albums)?, json!(user_id)],
            ),
            Statement::new(
                INSERT_IMPORT_TRACKS,
                vec![to_json_text(&plan.tracks)?, json!(user_id)],
            ),
            Statement::new(
                COUNT_IMPORT_CHUNK,
                vec![
                    json!(user_id),
                    json!(import_id),
                    json!(plan.file),
                    json!(plan.first_index),
                    plays.clone(),
                    json!(plan.tally.read),
                    json!(plan.tally.duplicate),
                    // A track playing as a Last.fm export was made is not a play either.
                    json!(plan.tally.short + plan.tally.now_playing),
                    json!(plan.tally.incognito),
                    json!(plan.tally.unidentified),
                    json!(plan.tally.errors),
                    span_from.clone(),
                    span_to.clone(),
                    json!(MERGE_WINDOW_MS),
                    json!(now),
                ],
            ),
            Statement::new(
                INSERT_IMPORT_ERRORS,
                vec![
                    json!(import_id),
                    to_json_text(&plan.errors)?,
                    json!(MAX_STORED_ERRORS),
                ],
            ),
            Statement::new(
                FILL_GAPS,
                vec![
                    json!(user_id),
                    json!(import_id),
                    json!(plan.file),
                    json!(plan.first_index),
                    span_from.clone(),
                    span_to.clone(),
                    json!(MERGE_WINDOW_MS),
                    json!(now),
                ],
            ),
            Statement::new(INSERT_IMPORT_PLAYS, vec![json!(user_id), plays]),
            Statement::new(
                INSERT_IMPORT_CHUNK,
                vec![
                    json!(import_id),
                    json!(plan.file),
                    json!(plan.first_index),
                    json!(plan.end_index),
                    span_from,
                    span_to,
                    json!(now),
                ],
            ),
            Statement::new(SELECT_IMPORT, vec![json!(import_id), json!(user_id)]),
        ];
        let count = statements.len();
        let results = self.db.batch(statements).await?;
        let report = results
            .get(7)
            .and_then(|rows| rows.first())
            .cloned()
            .map(decode::<ImportReport>)
            .transpose()?;
        Ok(ChunkWrite {
            report,
            resent: results.get(6).is_some_and(Vec::is_empty),
            statements: count,
        })
    }
}

/// ?3 and ?4 of the poll's play insert: the widest offset, then the window of a polled
/// play against each source, indexed by its code, as `[before, after]` (JSON).
pub(super) fn poll_merge_params() -> [Value; 2] {
    let windows = Source::ALL.map(|existing| window_offsets(Source::Poll, existing));
    // Numbers and nulls only: writing them cannot fail.
    let windows = serde_json::to_string(&windows).unwrap_or_default();
    [json!(WIDEST_OFFSET_MS), Value::String(windows)]
}
