//! The SQL of the year in review ([`crate::history::review`]): what the stats statements
//! do not already give. A review is one batch, one D1 round trip, of six statements:
//!
//! 1. [`STATS_BUCKETS`] of the range: plays and milliseconds per local day and per local
//!    weekday × hour (totals, listening days, streaks, the busiest day, the months, the
//!    listening clock);
//! 2. [`STATS_TOP`] of the range: top tracks, artists and albums, distinct tracks;
//! 3. [`STATS_BUCKETS`] of the range before: the comparison;
//! 4. [`REVIEW_DISCOVERIES`]: tracks and artists first heard in the range;
//! 5. [`REVIEW_REPEAT`]: the track played most often within one local day;
//! 6. [`REVIEW_OTHER`]: episodes and audiobooks, apart from the music.
//!
//! Each reads the range's plays through the primary key of `play_events` (a prefix range
//! of the user and `played_at`); discoveries read `track_firsts` (migration 0010), kept by
//! a trigger as plays are inserted, so no statement reads the user's whole archive.

use serde::Deserialize;
use serde_json::json;

use super::history::{artists_json, stats_buckets, DayRow, StatsRows, STATS_BUCKETS, STATS_TOP};
use super::{decode_all, to_json_text, user_key, Store, StoreError};
use crate::catalogue::cover_url;
use crate::history::zone::Segment;
use crate::ports::{Database, Row, Statement};
use crate::time::UnixMillis;

/// The tracks first heard in `[?2, ?3)` (`kind` `tracks`: their count in `plays`; `track`:
/// the `?4` of them played most in the range, ties to the one played last), and the
/// artists first heard in it (`artists`: the count; `artist`: the `?4` played most).
///
/// An artist is known by name, as the stats' top artists are (every credited artist, or
/// an imported track's artist name when it has no links). An artist is first heard in the
/// range when one of the range's tracks credits them and no track first heard before the
/// range does. The artists heard before come from the user's first hearings before `?2`
/// (the index `track_firsts_first_at`, a prefix range) with each track's credits: the cost
/// grows with the distinct tracks the user heard before the range (a probe of
/// `track_artists` and `artists` each), never with their plays.
pub(super) const REVIEW_DISCOVERIES: &str = concat!(
    "WITH per_track AS MATERIALIZED (
  SELECT track_key, count(*) AS plays, max(played_at) AS last_played,
         coalesce(sum(ms_played), 0) AS timed_ms, count(ms_played) AS timed_plays FROM play_events
   WHERE user_key = ",
    user_key!("?1"),
    " AND played_at >= ?2 AND played_at < ?3 AND kind = 0
   GROUP BY track_key),
firsts AS MATERIALIZED (
  SELECT track_key FROM track_firsts
   WHERE user_key = ",
    user_key!("?1"),
    " AND first_at >= ?2 AND first_at < ?3),
known AS MATERIALIZED (
  SELECT a.name FROM track_firsts f
   CROSS JOIN track_artists ta ON ta.track_key = f.track_key
   JOIN artists a ON a.key = ta.artist_key
   WHERE f.user_key = ",
    user_key!("?1"),
    " AND f.first_at < ?2
  UNION
  SELECT t.import_artist_name FROM track_firsts f
   JOIN tracks t ON t.key = f.track_key
   WHERE f.user_key = ",
    user_key!("?1"),
    " AND f.first_at < ?2 AND t.import_artist_name IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM track_artists ta WHERE ta.track_key = t.key)),
heard AS MATERIALIZED (
  SELECT max(id) AS id, name, sum(plays) AS plays, sum(ms) AS ms, max(last_played) AS last_played
    FROM (SELECT a.id, a.name, pt.plays, pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms AS ms,
                 pt.last_played
            FROM per_track pt
            CROSS JOIN track_artists ta ON ta.track_key = pt.track_key
            JOIN artists a ON a.key = ta.artist_key
            JOIN tracks t ON t.key = pt.track_key
          UNION ALL
          SELECT NULL, t.import_artist_name, pt.plays,
                 pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms, pt.last_played
            FROM per_track pt
            JOIN tracks t ON t.key = pt.track_key
           WHERE t.import_artist_name IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM track_artists ta WHERE ta.track_key = t.key))
   GROUP BY name),
new_artists AS MATERIALIZED (
  SELECT * FROM heard WHERE name NOT IN (SELECT name FROM known))
SELECT 'tracks' AS kind, NULL AS id, NULL AS name, NULL AS album_name, NULL AS image,
       count(*) AS plays, NULL AS ms, NULL AS artists FROM firsts
UNION ALL
SELECT * FROM (
  SELECT 'track', t.id, t.name, al.name, al.image, pt.plays,
         pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms, ",
    artists_json!(),
    "
    FROM firsts f
    JOIN per_track pt ON pt.track_key = f.track_key
    JOIN tracks t ON t.key = f.track_key
    LEFT JOIN albums al ON al.key = t.album_key
   ORDER BY pt.plays DESC, pt.last_played DESC
   LIMIT ?4)
UNION ALL
SELECT 'artists', NULL, NULL, NULL, NULL, count(*), NULL, NULL FROM new_artists
UNION ALL
SELECT * FROM (
  SELECT 'artist', id, name, NULL, NULL, plays, ms, NULL FROM new_artists
   ORDER BY plays DESC, last_played DESC
   LIMIT ?4)"
);

/// The track played most often within one local day of the range (`?2`: the zone's offset
/// segments, as [`STATS_BUCKETS`] takes them): the most plays of one track on one local
/// day; of equal counts, the one whose first play that day came first (so the earlier
/// day), then the lower track key (imports can hold two tracks at one instant). `day` is
/// the local day number.
pub(super) const REVIEW_REPEAT: &str = concat!(
    "WITH seg AS (SELECT value ->> 's' AS s, value ->> 'e' AS e, value ->> 'o' AS o FROM json_each(?2)),
per_day AS MATERIALIZED (
  SELECT (p.played_at + seg.o) / 86400000 AS day, p.track_key AS track_key, count(*) AS plays,
         min(p.played_at) AS first_played
    FROM seg CROSS JOIN play_events p
   WHERE p.user_key = ",
    user_key!("?1"),
    " AND p.played_at >= seg.s AND p.played_at < seg.e AND p.kind = 0
   GROUP BY 1, 2
   ORDER BY plays DESC, first_played, track_key
   LIMIT 1)
SELECT r.day, r.plays, t.id, t.name, al.name AS album_name, al.image, ",
    artists_json!(),
    " AS artists
  FROM per_day r
  JOIN tracks t ON t.key = r.track_key
  LEFT JOIN albums al ON al.key = t.album_key"
);

/// Episodes (`kind` 1) and audiobook chapters (2) of `[?2, ?3)`, never counted with the
/// music: `total` rows (plays and milliseconds per kind), then the `?4` shows and books
/// played most (`show`: an imported episode's show, or a chapter's book, is its track's
/// `import_artist_name`; the title when there is none), ties to the one played last.
pub(super) const REVIEW_OTHER: &str = concat!(
    "WITH per_track AS MATERIALIZED (
  SELECT track_key, kind, count(*) AS plays, max(played_at) AS last_played,
         coalesce(sum(ms_played), 0) AS timed_ms, count(ms_played) AS timed_plays FROM play_events
   WHERE user_key = ",
    user_key!("?1"),
    " AND played_at >= ?2 AND played_at < ?3 AND kind > 0
   GROUP BY track_key, kind),
per_show AS MATERIALIZED (
  SELECT pt.kind AS kind, coalesce(t.import_artist_name, t.name) AS name, sum(pt.plays) AS plays,
         sum(pt.timed_ms + (pt.plays - pt.timed_plays) * t.duration_ms) AS ms,
         max(pt.last_played) AS last_played
    FROM per_track pt
    JOIN tracks t ON t.key = pt.track_key
   GROUP BY 1, 2)
SELECT 'total' AS row, kind, NULL AS name, sum(plays) AS plays, sum(ms) AS ms FROM per_show GROUP BY kind
UNION ALL
SELECT * FROM (
  SELECT 'show', kind, name, plays, ms FROM per_show
   ORDER BY plays DESC, last_played DESC
   LIMIT ?4)"
);

/// A user's first hearings go with the account, in the deletion's batch.
pub(super) const DELETE_USER_TRACK_FIRSTS: &str = concat!(
    "DELETE FROM track_firsts WHERE user_key = ",
    user_key!("?1")
);

/// Statements in one review's batch.
pub const REVIEW_STATEMENTS: usize = 6;

/// A track as the review shows it (a discovery, the one on repeat).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReviewTrackRow {
    pub id: Option<String>,
    pub name: Option<String>,
    pub album_name: Option<String>,
    /// The cover's URL ([`crate::catalogue::cover_url`]).
    #[serde(rename = "image")]
    pub image_url: Option<String>,
    pub plays: i64,
    pub ms: Option<i64>,
    /// JSON `[{id, name}]`, parsed by the core.
    pub artists: Option<String>,
}

/// An artist first heard in the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredArtistRow {
    pub id: Option<String>,
    pub name: String,
    pub plays: i64,
    pub ms: i64,
}

/// What [`REVIEW_DISCOVERIES`] returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiscoveryRows {
    pub tracks: i64,
    pub top_tracks: Vec<ReviewTrackRow>,
    pub artists: i64,
    pub top_artists: Vec<DiscoveredArtistRow>,
}

/// The track on repeat: `plays` of it on local day `day`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatRow {
    pub day: i64,
    pub track: ReviewTrackRow,
}

/// One kind of the other listening: totals (`name` `None`) or a show or book.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OtherRow {
    /// `total` or `show`.
    pub row: String,
    /// 1 episode, 2 audiobook chapter.
    pub kind: i64,
    pub name: Option<String>,
    pub plays: i64,
    pub ms: Option<i64>,
}

/// Everything a review reads, before [`crate::history::review`] shapes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReviewRows {
    pub range: StatsRows,
    /// Only the day buckets of the range before (its totals and listening days).
    pub previous_days: Vec<DayRow>,
    pub discoveries: DiscoveryRows,
    pub repeat: Option<RepeatRow>,
    pub other: Vec<OtherRow>,
}

/// A range and its zone's offset segments, as one statement takes them.
#[derive(Debug, Clone, Copy)]
pub struct ReviewSpan<'s> {
    pub from: UnixMillis,
    pub to: UnixMillis,
    pub segments: &'s [Segment],
}

#[derive(Deserialize)]
struct DiscoveryRow {
    kind: String,
    #[serde(flatten)]
    track: ReviewTrackRow,
}

fn discoveries(rows: Vec<Row>) -> Result<DiscoveryRows, StoreError> {
    let mut found = DiscoveryRows::default();
    for row in decode_all::<DiscoveryRow>(rows)? {
        let track = row.track;
        match row.kind.as_str() {
            "tracks" => found.tracks = track.plays,
            "artists" => found.artists = track.plays,
            "track" => found.top_tracks.push(with_cover(track)),
            _ => found.top_artists.push(DiscoveredArtistRow {
                id: track.id,
                name: track.name.unwrap_or_default(),
                plays: track.plays,
                ms: track.ms.unwrap_or(0),
            }),
        }
    }
    Ok(found)
}

/// The row's cover hash as the URL the API shows.
fn with_cover(mut track: ReviewTrackRow) -> ReviewTrackRow {
    track.image_url = track.image_url.as_deref().map(cover_url);
    track
}

fn repeat(rows: Vec<Row>) -> Result<Option<RepeatRow>, StoreError> {
    #[derive(Deserialize)]
    struct Repeat {
        day: i64,
        #[serde(flatten)]
        track: ReviewTrackRow,
    }
    Ok(decode_all::<Repeat>(rows)?
        .into_iter()
        .next()
        .map(|row| RepeatRow {
            day: row.day,
            track: with_cover(row.track),
        }))
}

impl<D: Database> Store<'_, D> {
    /// Everything a review of `range` shows, with `previous` for the comparison, in one
    /// round trip of [`REVIEW_STATEMENTS`] statements.
    pub async fn review(
        &self,
        user_id: &str,
        range: ReviewSpan<'_>,
        previous: ReviewSpan<'_>,
        top: usize,
    ) -> Result<ReviewRows, StoreError> {
        let user = || json!(user_id);
        let within = || vec![user(), json!(range.from), json!(range.to), json!(top)];
        let segments = to_json_text(&range.segments)?;
        let mut results = self
            .db
            .batch(vec![
                Statement::new(STATS_BUCKETS, vec![user(), segments.clone()]),
                Statement::new(STATS_TOP, within()),
                Statement::new(
                    STATS_BUCKETS,
                    vec![user(), to_json_text(&previous.segments)?],
                ),
                Statement::new(REVIEW_DISCOVERIES, within()),
                Statement::new(REVIEW_REPEAT, vec![user(), segments]),
                Statement::new(REVIEW_OTHER, within()),
            ])
            .await?
            .into_iter();
        let mut next = || results.next().unwrap_or_default();
        let (days, week_hours) = stats_buckets(next())?;
        let top = super::history::top_rows(next())?;
        let (previous_days, _) = stats_buckets(next())?;
        let discoveries = discoveries(next())?;
        let repeat = repeat(next())?;
        let other = decode_all::<OtherRow>(next())?;
        Ok(ReviewRows {
            range: StatsRows {
                days,
                week_hours,
                top,
            },
            previous_days,
            discoveries,
            repeat,
            other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SqliteDatabase;

    /// Discoveries read the user's first hearings through their index, never the table
    /// whole; every review statement is listed for the plan test.
    #[test]
    fn review_statements_read_through_indexes() {
        let db = SqliteDatabase::new();
        for sql in [
            REVIEW_DISCOVERIES,
            REVIEW_REPEAT,
            REVIEW_OTHER,
            DELETE_USER_TRACK_FIRSTS,
        ] {
            assert!(super::super::ALL_STATEMENTS.contains(&sql), "listed: {sql}");
            let plan = db.query_plan(sql);
            println!(
                "{}\n  {}",
                sql.lines().next().unwrap_or(""),
                plan.join("\n  ")
            );
            for line in &plan {
                assert!(
                    !line.starts_with("SCAN play_events")
                        && !line.starts_with("SCAN p ")
                        && !line.starts_with("SCAN track_firsts")
                        && !line.starts_with("SCAN f ")
                        && !line.starts_with("SCAN t ")
                        && !line.starts_with("SCAN ta"),
                    "{line} in\n{sql}"
                );
            }
        }
        let discoveries = db.query_plan(REVIEW_DISCOVERIES).join("\n");
        assert!(
            discoveries.contains("track_firsts_first_at"),
            "{discoveries}"
        );
    }
}
