//! The SQL of the history API: plays by keyset, the stats buckets, the export's pages,
//! "Archive now" and the user's time zone. Every statement is listed in
//! [`super::ALL_STATEMENTS`], so the query-plan test covers it.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::accounts::{UserStatus, USER_STATUS};
use super::{decode, decode_all, to_json_text, Store, StoreError};
use crate::catalogue::{cover_url, track_uri};
use crate::history::zone::Segment;
use crate::ids::public_id;
use crate::import::rules::Source;
use crate::ports::{Database, Row, Statement};
use crate::time::UnixMillis;

/// The artists of track `t`, in credit order, as a JSON array of `{id, name}`.
macro_rules! artists_json {
    () => {
        "(SELECT CASE WHEN count(*) > 0 THEN json_group_array(json_object('id', id, 'name', name))
                     WHEN t.import_artist_name IS NOT NULL
                       THEN json_array(json_object('id', NULL, 'name', t.import_artist_name))
                     ELSE json_array() END FROM
           (SELECT a.id, a.name FROM track_artists ta JOIN artists a ON a.key = ta.artist_key
             WHERE ta.track_key = t.key ORDER BY ta.position))"
    };
}
pub(super) use artists_json;

macro_rules! play_columns {
    () => {
        concat!(
            "SELECT p.track_key, p.played_at, c.uri AS context_uri, p.source, t.id AS track_id,
       t.name AS track_name, t.uri AS track_uri, t.duration_ms, t.is_local, al.id AS album_id,
       al.name AS album_name, al.image, ",
            $crate::store::history::artists_json!(),
            " AS artists
  FROM play_events p
  JOIN tracks t ON t.key = p.track_key
  LEFT JOIN albums al ON al.key = t.album_key
  LEFT JOIN contexts c ON c.key = p.context_key"
        )
    };
}
pub(super) use play_columns;

/// A page of plays, newest first, in the primary key's order. The key is `(played_at,
/// track_key)`: plays of the same instant (imports have second precision) come in track
/// key order, so a page boundary can fall between them without losing one. `?3` is the
/// track key of the last play of the previous page (0 for none: then everything at `?2`
/// itself is excluded).
pub(super) const PLAYS_PAGE: &str = concat!(
    play_columns!(),
    "
 WHERE p.user_key = ",
    super::user_key!("?1"),
    " AND p.played_at <= ?2 AND (p.played_at < ?2 OR p.track_key < ?3)
 ORDER BY p.played_at DESC, p.track_key DESC
 LIMIT ?4"
);

/// A page of the export, oldest first, up to `?4` (exclusive), in the primary key's
/// order; `?3` is the track key of the last play written (0 at the start, which takes
/// every play at `?2`).
pub(super) const EXPORT_PAGE: &str = concat!(
    play_columns!(),
    "
 WHERE p.user_key = ",
    super::user_key!("?1"),
    " AND p.played_at >= ?2 AND (p.played_at > ?2 OR p.track_key > ?3) AND p.played_at < ?4
 ORDER BY p.played_at, p.track_key
 LIMIT ?5"
);

// Music statistics count tracks only: `kind = 0` ([`crate::import::record::Kind::code`]).

/// Plays and milliseconds per local day (`kind` `day`, `bucket` = days since 1970-01-01
/// on the local calendar) and per local weekday and hour (`week_hour`, `bucket` =
/// weekday × 24 + hour, Monday = 0; 1970-01-01 was a Thursday), from one pass over the
/// range: the plays are first counted per local hour, then folded both ways. `?2` holds
/// the zone's offset segments of the range (`[{"s","e","o"}]`): each play is bucketed by
/// its local time, `played_at + o` of the segment it falls in.
pub(super) const STATS_BUCKETS: &str = concat!(
    "WITH seg AS (SELECT value ->> 's' AS s, value ->> 'e' AS e, value ->> 'o' AS o FROM json_each(?2)),
hours AS MATERIALIZED (
  SELECT (p.played_at + seg.o) / 3600000 AS h, count(*) AS plays,
         sum(coalesce(p.ms_played, t.duration_ms)) AS ms
    FROM seg CROSS JOIN play_events p
    JOIN tracks t ON t.key = p.track_key
   WHERE p.user_key = ",
    super::user_key!("?1"),
    " AND p.played_at >= seg.s AND p.played_at < seg.e AND p.kind = 0
   GROUP BY h)
SELECT 'day' AS kind, h / 24 AS bucket, sum(plays) AS plays, sum(ms) AS ms FROM hours GROUP BY h / 24
UNION ALL
SELECT 'week_hour', (h / 24 + 3) % 7 * 24 + h % 24, sum(plays), sum(ms) FROM hours GROUP BY 2"
);

/// The top tracks, artists (every credited artist counts) and albums of `[?2, ?3)`, `?4`
/// of each, and the number of distinct tracks, from one pass over the range. Ties go to
/// the one played last.
pub(super) const STATS_TOP: &str = concat!(
    "WITH per_track AS MATERIALIZED (
  SELECT track_key, count(*) AS plays, max(played_at) AS last_played,
         -- Imports know how long each stream lasted; polls do not: those count the track's length.
         coalesce(sum(ms_played), 0) AS timed_ms, count(ms_played) AS timed_plays FROM play_events
   WHERE user_key = ",
    super::user_key!("?1"),
    " AND played_at >= ?2 AND played_at < ?3 AND kind = 0
   GROUP BY track_key)
SELECT * FROM (
  SELECT 'track' AS kind, t.id, t.name, al.name AS album_name, al.image, pt.plays,
         pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms AS ms, ",
    artists_json!(),
    " AS artists
    FROM (SELECT * FROM per_track ORDER BY plays DESC, last_played DESC LIMIT ?4) pt
    JOIN tracks t ON t.key = pt.track_key
    LEFT JOIN albums al ON al.key = t.album_key
   ORDER BY pt.plays DESC, pt.last_played DESC)
UNION ALL
SELECT * FROM (
  SELECT 'artist' AS kind, max(id) AS id, name, NULL AS album_name, NULL AS image, sum(plays) AS plays,
         sum(ms) AS ms, NULL AS artists
    FROM (SELECT a.id, a.name, x.plays, x.ms, x.last_played
            FROM (SELECT ta.artist_key, sum(pt.plays) AS plays,
                         sum(pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms) AS ms,
                         max(pt.last_played) AS last_played
                    FROM per_track pt
                    CROSS JOIN track_artists ta ON ta.track_key = pt.track_key
                    JOIN tracks t ON t.key = pt.track_key
                   GROUP BY ta.artist_key) x
            JOIN artists a ON a.key = x.artist_key
          UNION ALL
          -- Tracks an import created have no artist links, only the export's artist name.
          SELECT NULL, t.import_artist_name, sum(pt.plays),
                 sum(pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms), max(pt.last_played)
            FROM per_track pt
            JOIN tracks t ON t.key = pt.track_key
           WHERE t.import_artist_name IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM track_artists ta WHERE ta.track_key = t.key)
           GROUP BY t.import_artist_name)
   GROUP BY name
   ORDER BY sum(plays) DESC, max(last_played) DESC
   LIMIT ?4)
UNION ALL
SELECT * FROM (
  SELECT 'album' AS kind, al.id, al.name, al.name AS album_name, al.image, x.plays, x.ms, NULL AS artists
    FROM (SELECT t.album_key, sum(pt.plays) AS plays, sum(pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms) AS ms,
                 max(pt.last_played) AS last_played
            FROM per_track pt
            JOIN tracks t ON t.key = pt.track_key
           WHERE t.album_key IS NOT NULL
           GROUP BY t.album_key ORDER BY plays DESC, last_played DESC LIMIT ?4) x
    JOIN albums al ON al.key = x.album_key
   ORDER BY x.plays DESC, x.last_played DESC)
UNION ALL
SELECT 'distinct_tracks', NULL, NULL, NULL, NULL, count(*), NULL, NULL FROM per_track"
);

/// The history settings, read with the status in one batch.
pub(super) const HISTORY_SETTINGS: &str = "\
SELECT time_zone, archive_requested_at FROM users WHERE id = ?1";

/// Where "Archive now" stands, read just before the request is claimed.
pub(super) const SELECT_ARCHIVE_REQUEST: &str = "\
SELECT archive_requested_at, paused, needs_reauth FROM users WHERE id = ?1";

/// Claims an archive request: only an active user, only once per interval (`?3` is the
/// latest earlier request that still allows one).
pub(super) const CLAIM_ARCHIVE_REQUEST: &str = "\
UPDATE users SET archive_requested_at = ?2
 WHERE id = ?1 AND paused = 0 AND needs_reauth = 0 AND coalesce(archive_requested_at, 0) <= ?3
RETURNING archive_requested_at";

/// Gives a claimed request back (the queue refused the job), unless another came since.
pub(super) const RESTORE_ARCHIVE_REQUEST: &str = "\
UPDATE users SET archive_requested_at = ?3 WHERE id = ?1 AND archive_requested_at = ?2";

pub(super) const SAVE_TIME_ZONE: &str = "\
UPDATE users SET time_zone = ?2, updated_at = ?3 WHERE id = ?1";

/// An artist as credited on a track; an imported track knows only the name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ArtistRef {
    pub id: Option<String>,
    pub name: String,
}

#[derive(Deserialize)]
struct PlayRow {
    track_key: i64,
    played_at: UnixMillis,
    context_uri: Option<String>,
    source: i64,
    track_id: String,
    track_name: String,
    /// `None`: derived from the id ([`crate::catalogue::track_uri`]).
    track_uri: Option<String>,
    duration_ms: i64,
    is_local: i64,
    album_id: Option<String>,
    album_name: Option<String>,
    /// The cover as stored ([`crate::catalogue::cover_url`]).
    image: Option<String>,
    artists: Option<String>,
}

/// One play with everything the history shows and exports of it. The fields of
/// the timeline's first version keep their names. `id` tells apart the plays of one
/// instant (it is the track's catalogue key): `(played_at, id)` is the play's key for
/// pagination, unique in a user's archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryPlay {
    pub id: i64,
    pub played_at: UnixMillis,
    pub track_id: String,
    pub track_name: String,
    pub track_uri: String,
    pub duration_ms: i64,
    pub is_local: i64,
    /// The credited artists' names joined with ", " (`None` when there are none).
    pub artist_names: Option<String>,
    pub artists: Vec<ArtistRef>,
    pub album_id: Option<String>,
    pub album_name: Option<String>,
    pub image_url: Option<String>,
    pub context_uri: Option<String>,
    /// `poll` or `import`.
    pub source: String,
}

fn parse_artists(text: Option<&str>) -> Result<Vec<ArtistRef>, StoreError> {
    match text {
        None => Ok(Vec::new()),
        Some(text) => {
            serde_json::from_str(text).map_err(|error| StoreError::Decode(error.to_string()))
        }
    }
}

impl TryFrom<PlayRow> for HistoryPlay {
    type Error = StoreError;

    fn try_from(row: PlayRow) -> Result<Self, StoreError> {
        let artists = parse_artists(row.artists.as_deref())?;
        let names: Vec<&str> = artists.iter().map(|artist| artist.name.as_str()).collect();
        let source = Source::from_code(row.source)
            .ok_or_else(|| StoreError::Decode(format!("play source {}", row.source)))?;
        let track_id = public_id(&row.track_id).to_owned();
        Ok(Self {
            id: row.track_key,
            played_at: row.played_at,
            track_uri: track_uri(&track_id, row.track_uri),
            track_id,
            track_name: row.track_name,
            duration_ms: row.duration_ms,
            is_local: row.is_local,
            artist_names: (!names.is_empty()).then(|| names.join(", ")),
            artists,
            album_id: row.album_id.as_deref().map(|id| public_id(id).to_owned()),
            album_name: row.album_name,
            image_url: row.image.as_deref().map(cover_url),
            context_uri: row.context_uri,
            source: source.as_str().to_owned(),
        })
    }
}

pub(super) fn plays_from(rows: Vec<Row>) -> Result<Vec<HistoryPlay>, StoreError> {
    decode_all::<PlayRow>(rows)?
        .into_iter()
        .map(HistoryPlay::try_from)
        .collect()
}

/// A page key: the last play of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayKey {
    pub played_at: UnixMillis,
    /// The last play's `id` (its track key); `None`: everything at `played_at` belongs
    /// to the previous page.
    pub id: Option<i64>,
}

impl PlayKey {
    pub fn of(play: &HistoryPlay) -> Self {
        Self {
            played_at: play.played_at,
            id: Some(play.id),
        }
    }
}

/// The user's history settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct HistorySettings {
    /// The saved IANA zone; `None`: UTC.
    pub time_zone: Option<String>,
    pub archive_requested_at: Option<UnixMillis>,
}

/// What the stats queries return, before [`crate::history::stats`] shapes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatsRows {
    pub days: Vec<DayRow>,
    pub week_hours: Vec<WeekHourRow>,
    pub top: Vec<TopRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct DayRow {
    pub day: i64,
    pub plays: i64,
    pub ms: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct WeekHourRow {
    pub weekday: i64,
    pub hour: i64,
    pub plays: i64,
    pub ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct RawTopRow {
    kind: String,
    id: Option<String>,
    name: Option<String>,
    album_name: Option<String>,
    image: Option<String>,
    plays: i64,
    ms: Option<i64>,
    artists: Option<String>,
}

/// One entry of a top list (`kind`: `track`, `artist`, `album`), or the count of
/// distinct tracks (`distinct_tracks`, in `plays`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopRow {
    pub kind: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub album_name: Option<String>,
    pub image_url: Option<String>,
    pub plays: i64,
    pub ms: i64,
    pub artists: Vec<ArtistRef>,
}

/// [`STATS_TOP`]'s rows, their artists parsed and covers as URLs.
pub(super) fn top_rows(rows: Vec<Row>) -> Result<Vec<TopRow>, StoreError> {
    decode_all::<RawTopRow>(rows)?
        .into_iter()
        .map(|row| {
            Ok(TopRow {
                artists: parse_artists(row.artists.as_deref())?,
                kind: row.kind,
                id: row.id,
                name: row.name,
                album_name: row.album_name,
                image_url: row.image.as_deref().map(cover_url),
                plays: row.plays,
                ms: row.ms.unwrap_or(0),
            })
        })
        .collect()
}

/// An artist credit list as the statements give it (`[{id, name}]` JSON).
pub fn parse_artist_list(text: Option<&str>) -> Result<Vec<ArtistRef>, StoreError> {
    parse_artists(text)
}

/// The outcome of asking for an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveClaim {
    /// Recorded at `now`; `previous` is what to restore if the job cannot be sent.
    Claimed {
        previous: Option<UnixMillis>,
    },
    /// Asked too recently: the last request was at this instant.
    TooSoon {
        requested_at: UnixMillis,
    },
    Paused,
    NeedsReauth,
    UnknownUser,
}

impl<D: Database> Store<'_, D> {
    /// The status and the history settings in one round trip.
    pub async fn status_with_settings(
        &self,
        user_id: &str,
    ) -> Result<Option<(UserStatus, HistorySettings)>, StoreError> {
        let mut results = self
            .db
            .batch(vec![
                Statement::new(USER_STATUS, vec![json!(user_id)]),
                Statement::new(HISTORY_SETTINGS, vec![json!(user_id)]),
            ])
            .await?
            .into_iter();
        let status = results.next().unwrap_or_default().into_iter().next();
        let settings = results.next().unwrap_or_default().into_iter().next();
        match (status, settings) {
            (Some(status), Some(settings)) => Ok(Some((decode(status)?, decode(settings)?))),
            _ => Ok(None),
        }
    }

    /// The history settings alone.
    pub async fn history_settings(
        &self,
        user_id: &str,
    ) -> Result<Option<HistorySettings>, StoreError> {
        let rows = self
            .db
            .query(Statement::new(HISTORY_SETTINGS, vec![json!(user_id)]))
            .await?;
        rows.into_iter().next().map(decode).transpose()
    }

    /// Up to `limit` plays after `key` (or the newest), newest first.
    pub async fn plays_page(
        &self,
        user_id: &str,
        key: Option<PlayKey>,
        limit: usize,
    ) -> Result<Vec<HistoryPlay>, StoreError> {
        let (before, id) = key.map_or((i64::MAX, i64::MAX), |key| {
            (key.played_at, key.id.unwrap_or(0))
        });
        let rows = self
            .db
            .query(Statement::new(
                PLAYS_PAGE,
                vec![json!(user_id), json!(before), json!(id), json!(limit)],
            ))
            .await?;
        plays_from(rows)
    }

    /// Up to `limit` plays of `[from, to)` after `key` (or from `from`), oldest first.
    pub async fn export_page(
        &self,
        user_id: &str,
        from: UnixMillis,
        key: Option<PlayKey>,
        to: UnixMillis,
        limit: usize,
    ) -> Result<Vec<HistoryPlay>, StoreError> {
        let (after, id) = key.map_or((from, 0), |key| (key.played_at, key.id.unwrap_or(0)));
        let rows = self
            .db
            .query(Statement::new(
                EXPORT_PAGE,
                vec![
                    json!(user_id),
                    json!(after),
                    json!(id),
                    json!(to),
                    json!(limit),
                ],
            ))
            .await?;
        plays_from(rows)
    }

    /// The buckets and top lists of `[from, to)`, given the zone's offset segments of the
    /// range, in one round trip.
    pub async fn stats(
        &self,
        user_id: &str,
        from: UnixMillis,
        to: UnixMillis,
        segments: &[Segment],
        top: usize,
    ) -> Result<StatsRows, StoreError> {
        let segments = to_json_text(&segments)?;
        let mut results = self
            .db
            .batch(vec![
                Statement::new(STATS_BUCKETS, vec![json!(user_id), segments]),
                Statement::new(
                    STATS_TOP,
                    vec![json!(user_id), json!(from), json!(to), json!(top)],
                ),
            ])
            .await?
            .into_iter();
        let (days, week_hours) = stats_buckets(results.next().unwrap_or_default())?;
        let top = top_rows(results.next().unwrap_or_default())?;
        Ok(StatsRows {
            days,
            week_hours,
            top,
        })
    }

    /// Records an "Archive now" at `now` unless the user asked within `interval_ms`, is
    /// paused or must log in again. One round trip.
    pub async fn claim_archive_request(
        &self,
        user_id: &str,
        now: UnixMillis,
        interval_ms: i64,
    ) -> Result<ArchiveClaim, StoreError> {
        let mut results = self
            .db
            .batch(vec![
                Statement::new(SELECT_ARCHIVE_REQUEST, vec![json!(user_id)]),
                Statement::new(
                    CLAIM_ARCHIVE_REQUEST,
                    vec![json!(user_id), json!(now), json!(now - interval_ms)],
                ),
            ])
            .await?
            .into_iter();
        #[derive(Deserialize)]
        struct Before {
            archive_requested_at: Option<UnixMillis>,
            paused: i64,
            needs_reauth: i64,
        }
        let before = results.next().unwrap_or_default().into_iter().next();
        let claimed = !results.next().unwrap_or_default().is_empty();
        let Some(before) = before.map(decode::<Before>).transpose()? else {
            return Ok(ArchiveClaim::UnknownUser);
        };
        Ok(if claimed {
            ArchiveClaim::Claimed {
                previous: before.archive_requested_at,
            }
        } else if before.needs_reauth != 0 {
            ArchiveClaim::NeedsReauth
        } else if before.paused != 0 {
            ArchiveClaim::Paused
        } else {
            ArchiveClaim::TooSoon {
                requested_at: before.archive_requested_at.unwrap_or(now),
            }
        })
    }

    /// Undoes a claim made at `claimed_at` (the job could not be queued).
    pub async fn restore_archive_request(
        &self,
        user_id: &str,
        claimed_at: UnixMillis,
        previous: Option<UnixMillis>,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                RESTORE_ARCHIVE_REQUEST,
                vec![json!(user_id), json!(claimed_at), json!(previous)],
            ))
            .await?;
        Ok(())
    }

    /// Saves the user's default zone (`None`: UTC).
    pub async fn save_time_zone(
        &self,
        user_id: &str,
        zone: Option<&str>,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        self.db
            .query(Statement::new(
                SAVE_TIME_ZONE,
                vec![json!(user_id), json!(zone), json!(now)],
            ))
            .await?;
        Ok(())
    }
}

/// Splits [`STATS_BUCKETS`]' rows into local days and weekday-hours.
pub(super) fn stats_buckets(rows: Vec<Row>) -> Result<(Vec<DayRow>, Vec<WeekHourRow>), StoreError> {
    #[derive(Deserialize)]
    struct Bucket {
        kind: String,
        bucket: i64,
        plays: i64,
        ms: Option<i64>,
    }
    let (mut days, mut week_hours) = (Vec::new(), Vec::new());
    for bucket in decode_all::<Bucket>(rows)? {
        match bucket.kind.as_str() {
            "day" => days.push(DayRow {
                day: bucket.bucket,
                plays: bucket.plays,
                ms: bucket.ms,
            }),
            _ => week_hours.push(WeekHourRow {
                weekday: bucket.bucket.div_euclid(24),
                hour: bucket.bucket.rem_euclid(24),
                plays: bucket.plays,
                ms: bucket.ms,
            }),
        }
    }
    Ok((days, week_hours))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SqliteDatabase;

    const STATEMENTS: &[&str] = &[
        PLAYS_PAGE,
        EXPORT_PAGE,
        STATS_BUCKETS,
        STATS_TOP,
        HISTORY_SETTINGS,
        SELECT_ARCHIVE_REQUEST,
        CLAIM_ARCHIVE_REQUEST,
        RESTORE_ARCHIVE_REQUEST,
        SAVE_TIME_ZONE,
    ];

    /// Tables (and their aliases here) that must never be read whole.
    const TABLES: &[&str] = &[
        "play_events",
        "p",
        "users",
        "tracks",
        "t",
        "artists",
        "a",
        "albums",
        "al",
        "track_artists",
        "ta",
    ];

    #[test]
    fn every_history_statement_is_served_by_an_index() {
        let db = SqliteDatabase::new();
        for sql in STATEMENTS {
            assert!(super::super::ALL_STATEMENTS.contains(sql), "listed: {sql}");
            let plan = db.query_plan(sql);
            println!("{sql}\n  {}", plan.join("\n  "));
            for line in &plan {
                let scanned = line
                    .strip_prefix("SCAN ")
                    .map(|rest| rest.split_whitespace().next().unwrap_or(""));
                // A scan of a table, even of one of its indexes, reads it whole.
                if let Some(table) = scanned {
                    assert!(!TABLES.contains(&table), "{line} in\n{sql}");
                }
            }
        }
    }
}
