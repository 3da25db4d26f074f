//! The write plan of one chunk: what a chunk of export records writes, computed before
//! anything is written.
//!
//! Records are read and judged here; [`crate::store`] turns the plan into one D1 batch
//! with a fixed number of statements, whatever the chunk holds, where the catalogue rows
//! are created, the plays matched against the archive and inserted, and the import's
//! report counted.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::{parse_raw, ExportRecord, RawRecord};
use super::rules::{covered_span, judge, merge_window, skipped, SkipReason, Source};
use crate::catalogue::stored_track_uri;
use crate::ids::{local_album_id, named_album_id, private_id};
use crate::time::UnixMillis;

/// The most records one chunk may hold (the page sends 250).
pub const MAX_CHUNK_RECORDS: usize = 1_000;
/// Malformed records kept with their message, per import (all are counted).
pub const MAX_STORED_ERRORS: usize = 100;
/// The longest file name a chunk may carry, in bytes. The page names a zip's entry by the
/// zip's name and the entry's path (Spotify's is about 75 bytes), and a zip's name may be
/// long and not ASCII: 1,000 leaves it room, and a name is stored once per chunk.
pub const MAX_FILE_NAME: usize = 1_000;

/// A catalogue album an import creates (never changes an existing one). It is the
/// importing user's own row: exports carry no album ids, so nothing ties it to Spotify's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportAlbumRow {
    /// [`crate::ids::private_id`] of the id derived from the names.
    pub id: String,
    pub name: String,
}

/// A catalogue track an import creates when Spotify's catalogue does not have it: the
/// importing user's own row, under [`crate::ids::private_id`], never seen by another user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportTrackRow {
    /// The id the export gives (or one derived from its names): the Spotify row it is,
    /// when a poll has put that row in the catalogue.
    pub id: String,
    /// The user's own row for it otherwise.
    pub private: String,
    /// The title shown; a placeholder when the export has none.
    pub name: String,
    /// `None`: `spotify:track:<id>` ([`crate::catalogue::stored_track_uri`]).
    pub uri: Option<String>,
    pub album_id: Option<String>,
    pub artist_name: Option<String>,
    pub is_local: bool,
    /// Filed under an id derived from its names: created only when no catalogue track
    /// has these names.
    pub by_name: bool,
}

/// A play to insert unless the archive has it already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPlayRow {
    /// The track's id when the export gives one.
    pub id: Option<String>,
    /// The user's own catalogue row for the track, used when Spotify's catalogue has no
    /// row of that id (or, for a record without an id, of these names).
    pub private: String,
    /// Names to recognise the same track under another id (`None`: unknown).
    pub name: Option<String>,
    pub artist: Option<String>,
    pub at: UnixMillis,
    /// [`Source::code`].
    pub src: u8,
    /// [`crate::import::record::Kind::code`].
    pub kind: u8,
    /// `None`: the export does not say (a scrobble).
    pub ms: Option<i64>,
    pub skipped: Option<bool>,
    /// The widest span any merge window reaches: the index range looked at.
    pub lo: UnixMillis,
    pub hi: UnixMillis,
    /// Where a play of each source (indexed by [`Source::code`]) must end to be this
    /// listen, `[from, to]`; `None`: only this very instant (the same source).
    #[serde(rename = "w")]
    pub windows: [Option<(UnixMillis, UnixMillis)>; Source::ALL.len()],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordError {
    pub file: String,
    /// The record's index in its file (0-based).
    pub position: i64,
    pub message: String,
}

/// What the chunk's records were, before the archive is asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub read: usize,
    pub short: usize,
    pub incognito: usize,
    pub unidentified: usize,
    /// Last.fm tracks playing as the export was made (not scrobbled yet).
    pub now_playing: usize,
    /// The same record twice in this chunk.
    pub duplicate: usize,
    pub errors: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkPlan {
    pub file: String,
    pub first_index: i64,
    pub end_index: i64,
    pub albums: Vec<ImportAlbumRow>,
    pub tracks: Vec<ImportTrackRow>,
    pub plays: Vec<ImportPlayRow>,
    /// The first [`MAX_STORED_ERRORS`] malformed records.
    pub errors: Vec<RecordError>,
    pub tally: Tally,
    /// The earliest and latest listen the chunk's readable records show.
    pub span: Option<(UnixMillis, UnixMillis)>,
}

/// A chunk the page sent: `{"file": name, "offset": index, "records": [...]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub file: String,
    pub offset: i64,
    pub records: Vec<RawRecord>,
}

/// Why a chunk as a whole is refused (its records are not looked at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkRefused(pub String);

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    file: Option<Value>,
    #[serde(default)]
    offset: Option<Value>,
    #[serde(default)]
    records: Option<Vec<RawRecord>>,
}

/// Reads a chunk's envelope. Each record is judged on its own later.
pub fn read_chunk(body: &str) -> Result<Chunk, ChunkRefused> {
    let envelope: Envelope = serde_json::from_str(body).map_err(|error| {
        ChunkRefused(format!(
            "The chunk must be {{\"file\", \"offset\", \"records\": [...]}} in JSON ({error})."
        ))
    })?;
    let file = match envelope.file {
        Some(Value::String(file)) if !file.trim().is_empty() && file.len() <= MAX_FILE_NAME => {
            file.trim().to_owned()
        }
        _ => {
            return Err(ChunkRefused(format!(
                "`file` must name the file (at most {MAX_FILE_NAME} bytes)."
            )))
        }
    };
    let offset = envelope
        .offset
        .as_ref()
        .and_then(Value::as_i64)
        .filter(|offset| (0..=100_000_000).contains(offset))
        .ok_or_else(|| {
            ChunkRefused("`offset` must be the index of the chunk's first record.".into())
        })?;
    let records = match envelope.records {
        Some(records) if records.len() <= MAX_CHUNK_RECORDS => records,
        Some(_) => {
            return Err(ChunkRefused(format!(
                "A chunk holds at most {MAX_CHUNK_RECORDS} records."
            )))
        }
        None => return Err(ChunkRefused("`records` must be an array.".into())),
    };
    Ok(Chunk {
        file,
        offset,
        records,
    })
}

/// What a track is called when the export does not say.
fn placeholder(record: &ExportRecord) -> &'static str {
    match record.content.as_ref().map(|content| content.kind) {
        Some(super::record::Kind::Episode) => "Unknown episode",
        Some(super::record::Kind::Audiobook) => "Unknown audiobook",
        _ => "Unknown track",
    }
}

/// A chunk's plan for the user whose [`crate::ids::owner_key`] is `owner`.
pub fn plan_chunk(chunk: &Chunk, owner: &str, now: UnixMillis) -> ChunkPlan {
    let mut plan = ChunkPlan {
        file: chunk.file.clone(),
        first_index: chunk.offset,
        end_index: chunk.offset + chunk.records.len() as i64,
        albums: Vec::new(),
        tracks: Vec::new(),
        plays: Vec::new(),
        errors: Vec::new(),
        tally: Tally::default(),
        span: None,
    };
    let (mut seen_albums, mut seen_tracks, mut seen_plays) =
        (HashSet::new(), HashSet::new(), HashSet::new());
    for (index, value) in chunk.records.iter().enumerate() {
        plan.tally.read += 1;
        let record = match parse_raw(value, now) {
            Ok(record) => record,
            Err(message) => {
                plan.tally.errors += 1;
                if plan.errors.len() < MAX_STORED_ERRORS {
                    plan.errors.push(RecordError {
                        file: chunk.file.clone(),
                        position: chunk.offset + index as i64,
                        message,
                    });
                }
                continue;
            }
        };
        // Every readable record, played or not, shows the export covers its time; a track
        // playing as the export was made has none.
        if !record.now_playing {
            let (from, to) = covered_span(&record);
            plan.span = Some(match plan.span {
                Some((first, last)) => (first.min(from), last.max(to)),
                None => (from, to),
            });
        }
        match judge(&record) {
            Err(SkipReason::Short) => plan.tally.short += 1,
            Err(SkipReason::Incognito) => plan.tally.incognito += 1,
            Err(SkipReason::Unidentified) => plan.tally.unidentified += 1,
            Err(SkipReason::NowPlaying) => plan.tally.now_playing += 1,
            Ok(()) => add_play(
                &mut plan,
                &record,
                owner,
                &mut seen_albums,
                &mut seen_tracks,
                &mut seen_plays,
            ),
        }
    }
    plan
}

fn add_play(
    plan: &mut ChunkPlan,
    record: &ExportRecord,
    owner: &str,
    seen_albums: &mut HashSet<String>,
    seen_tracks: &mut HashSet<String>,
    seen_plays: &mut HashSet<(String, UnixMillis)>,
) {
    let Some(content) = &record.content else {
        return;
    };
    let track_id = content.id.clone().unwrap_or_else(|| content.named_id());
    if !seen_plays.insert((track_id.clone(), record.ended_at)) {
        plan.tally.duplicate += 1;
        return;
    }
    if seen_tracks.insert(track_id.clone()) {
        let album_id = content.album.as_ref().map(|album| {
            let artist = content.artist.as_deref().unwrap_or("");
            let id = private_id(
                &if content.is_local {
                    local_album_id(artist, album)
                } else {
                    named_album_id(artist, album)
                },
                owner,
            );
            if seen_albums.insert(id.clone()) {
                plan.albums.push(ImportAlbumRow {
                    id: id.clone(),
                    name: album.clone(),
                });
            }
            id
        });
        plan.tracks.push(ImportTrackRow {
            name: content
                .name
                .clone()
                .unwrap_or_else(|| placeholder(record).to_owned()),
            uri: stored_track_uri(
                &track_id,
                &content
                    .uri
                    .clone()
                    .unwrap_or_else(|| format!("spotify:import:{track_id}")),
            ),
            private: private_id(&track_id, owner),
            id: track_id.clone(),
            album_id,
            artist_name: content.artist.clone(),
            is_local: content.is_local,
            by_name: content.id.is_none(),
        });
    }
    let source = Source::of(record.format);
    let at = record.ended_at;
    let windows = Source::ALL.map(|existing| merge_window(source, at, existing));
    let widest = windows
        .iter()
        .flatten()
        .fold((at, at), |(lo, hi), (from, to)| {
            (lo.min(*from), hi.max(*to))
        });
    plan.plays.push(ImportPlayRow {
        private: private_id(&track_id, owner),
        id: content.id.clone(),
        name: content.name.clone(),
        artist: content.artist.clone(),
        at,
        src: source.code(),
        kind: content.kind.code(),
        ms: record.ms_played,
        skipped: skipped(record),
        lo: widest.0,
        hi: widest.1,
        windows,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: UnixMillis = 1_800_000_000_000;
    const OWNER: &str = "0123456789abcdef";

    fn extended(ts: &str, uri: &str, ms: i64) -> Value {
        json!({"ts": ts, "ms_played": ms, "spotify_track_uri": uri,
               "master_metadata_track_name": "Song", "master_metadata_album_artist_name": "Artist",
               "master_metadata_album_album_name": "Album", "reason_end": "trackdone",
               "skipped": null, "incognito_mode": false})
    }

    fn chunk(records: Vec<Value>) -> Chunk {
        Chunk {
            file: "Streaming_History_Audio_2019_1.json".into(),
            offset: 1_000,
            records: records
                .iter()
                .map(|record| RawRecord::deserialize(record).expect("any JSON"))
                .collect(),
        }
    }

    #[test]
    fn a_chunk_envelope_is_checked_before_its_records() {
        assert!(read_chunk("[]").is_err());
        assert!(read_chunk(r#"{"file": "", "offset": 0, "records": []}"#).is_err());
        assert!(read_chunk(r#"{"file": "a.json", "offset": -1, "records": []}"#).is_err());
        assert!(read_chunk(r#"{"file": "a.json", "offset": 0, "records": {}}"#).is_err());
        let too_many = json!({"file": "a.json", "offset": 0, "records": vec![json!({}); MAX_CHUNK_RECORDS + 1]});
        assert!(read_chunk(&too_many.to_string()).is_err());
        let chunk = read_chunk(r#"{"file": "a.json", "offset": 500, "records": [{"ts": 1}, 2]}"#)
            .expect("chunk");
        assert_eq!(
            (chunk.file.as_str(), chunk.offset, chunk.records.len()),
            ("a.json", 500, 2)
        );
    }

    #[test]
    fn records_are_judged_and_counted_one_by_one() {
        let plan = plan_chunk(
            &chunk(vec![
                extended("2019-06-01T12:00:00Z", "spotify:track:aaa", 200_000),
                extended("2019-06-01T12:01:00Z", "spotify:track:bbb", 10_000),
                json!({"ts": "2019-06-01T12:02:00Z", "ms_played": 90_000, "incognito_mode": true,
                       "spotify_track_uri": "spotify:track:ccc"}),
                json!({"ts": "2019-06-01T12:03:00Z", "ms_played": 90_000, "spotify_track_uri": null}),
                json!({"ts": "nonsense", "ms_played": 90_000}),
                extended("2019-06-01T12:00:00Z", "spotify:track:aaa", 200_000),
            ]),
            OWNER,
            NOW,
        );
        assert_eq!(
            plan.tally,
            Tally {
                read: 6,
                short: 1,
                incognito: 1,
                unidentified: 1,
                now_playing: 0,
                duplicate: 1,
                errors: 1
            }
        );
        assert_eq!(plan.plays.len(), 1);
        assert_eq!(plan.tracks.len(), 1);
        assert_eq!(plan.albums.len(), 1);
        assert_eq!(
            plan.errors,
            vec![RecordError {
                file: "Streaming_History_Audio_2019_1.json".into(),
                position: 1_004,
                message: "`ts` is not a time: nonsense".into()
            }]
        );
        // The span covers every readable record, played or not.
        assert_eq!(plan.span, Some((1_559_390_400_000, 1_559_390_580_000)));
        assert_eq!((plan.first_index, plan.end_index), (1_000, 1_006));
    }

    #[test]
    fn a_play_carries_its_merge_windows_by_source() {
        let plan = plan_chunk(
            &chunk(vec![extended(
                "2019-06-01T12:00:00Z",
                "spotify:track:aaa",
                200_000,
            )]),
            OWNER,
            NOW,
        );
        let play = &plan.plays[0];
        assert_eq!(play.src, Source::Import.code());
        assert_eq!(play.kind, crate::import::record::Kind::Track.code());
        // A scrobble is filed under the start of the listen: up to the longest listen
        // before this end, give or take the clocks' slack.
        let longest = crate::import::rules::LONGEST_LISTEN_MS;
        let at = play.at;
        assert_eq!(
            play.windows,
            [
                Some((at - 120_000, at + 120_000)),           // a poll
                None,                                         // extended history: this instant only
                Some((at - 120_000, at + 60_000)),            // account data's minute
                Some((at - 120_000 - longest, at + 120_000)), // a Last.fm start
                Some((at - 120_000 - longest, at + 60_000)),  // its minute
                Some((at - 120_000 - longest, at + 120_000)), // a ListenBrainz start
            ]
        );
        assert_eq!(
            (play.lo, play.hi),
            (play.at - 120_000 - longest, play.at + 120_000)
        );
        assert_eq!(play.skipped, Some(false));
    }

    #[test]
    fn account_records_are_filed_by_name() {
        let plan = plan_chunk(
            &chunk(vec![
                json!({"endTime": "2021-03-04 05:06", "artistName": "Artist",
                               "trackName": "Song", "msPlayed": 61_000}),
            ]),
            OWNER,
            NOW,
        );
        let (play, track) = (&plan.plays[0], &plan.tracks[0]);
        assert_eq!(play.id, None);
        assert_eq!(play.private, track.private);
        assert_eq!(track.private, format!("{}~{OWNER}", track.id));
        assert!(track.by_name && track.id.starts_with("import:"));
        assert_eq!(play.src, Source::ImportAccount.code());
        assert_eq!(
            play.windows[usize::from(Source::Poll.code())],
            Some((play.at - 60_000, play.at + 120_000))
        );
        assert_eq!(
            play.windows[usize::from(Source::ImportAccount.code())],
            None
        );
        assert_eq!(plan.span, Some((play.at, play.at + 59_999)));
    }

    #[test]
    fn a_chunk_stores_at_most_a_hundred_error_messages_and_counts_them_all() {
        let plan = plan_chunk(&chunk(vec![json!(1); 150]), OWNER, NOW);
        assert_eq!(plan.tally.errors, 150);
        assert_eq!(plan.errors.len(), MAX_STORED_ERRORS);
        assert_eq!(plan.span, None);
    }
}
