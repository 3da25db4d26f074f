//! One record of a listening history export, read from the JSON its maker wrote (or, for
//! a CSV, the object the page made of a row: its cells under the header's names).
//!
//! The formats are told apart by their fields, never by the file's name:
//!
//! - *extended streaming history* (`Streaming_History_Audio_*.json`, older `endsong_*.json`):
//!   `ts` (UTC, the end of the stream, to the second), `ms_played`, the track's names and
//!   `spotify_track_uri`, or an episode's (`episode_name`, `episode_show_name`,
//!   `spotify_episode_uri`) or an audiobook's (`audiobook_title`, `audiobook_uri`,
//!   `audiobook_chapter_title`, `audiobook_chapter_uri`), and how the stream went
//!   (`reason_start`, `reason_end`, `skipped`, `shuffle`, `offline`, `offline_timestamp`,
//!   `incognito_mode`);
//! - *account data* (`StreamingHistory_music_*.json`, older `StreamingHistory*.json`):
//!   `endTime` ("YYYY-MM-DD HH:MM", UTC, to the minute), `msPlayed` and names only:
//!   `artistName` and `trackName`, or `podcastName` and `episodeName`;
//! - a *Last.fm scrobble* ([`lastfm`]): `artist` and `name` or `track`, with `uts` or a
//!   written `date`;
//! - a *ListenBrainz listen* ([`listenbrainz`]): `listened_at` and `track_metadata`.
//!
//! Unknown fields are ignored; a field of the wrong type, a time that cannot be read or a
//! URI that is not Spotify's makes the record malformed, with a message saying which.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::ids::{local_track_id, named_item_id};
use crate::time::{parse_date_minute, parse_rfc3339, UnixMillis, DAY_MS};

mod lastfm;
mod listenbrainz;

/// The export a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Extended streaming history: ids, end time to the second.
    Extended,
    /// Account data: names only, end time to the minute.
    Account,
    /// A Last.fm scrobble with its Unix time: names only, start time to the second.
    Lastfm,
    /// A Last.fm scrobble with a written date: names only, start time to the minute.
    LastfmMinute,
    /// A ListenBrainz listen: a Spotify id when it came from Spotify, else names; start
    /// time to the second.
    ListenBrainz,
}

/// What was streamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Track,
    Episode,
    Audiobook,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Track => "track",
            Self::Episode => "episode",
            Self::Audiobook => "audiobook",
        }
    }

    /// The value of `play_events.kind` (0, the common case, costs no byte).
    pub const fn code(self) -> u8 {
        match self {
            Self::Track => 0,
            Self::Episode => 1,
            Self::Audiobook => 2,
        }
    }

    /// The prefix of an id derived from names, by kind.
    const fn named_prefix(self) -> &'static str {
        match self {
            Self::Track => "import",
            Self::Episode => "import-episode",
            Self::Audiobook => "import-audiobook",
        }
    }
}

/// The track, episode or chapter a record names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub kind: Kind,
    /// Our id for it when the export gives one: a Spotify track id (as polls file it),
    /// `local:…` for a local file, `episode:…`, `audiobook:…`.
    pub id: Option<String>,
    pub uri: Option<String>,
    /// The title: track, episode or chapter. `None` when the export has none.
    pub name: Option<String>,
    /// Who: the (album) artist, the show, the audiobook.
    pub artist: Option<String>,
    pub album: Option<String>,
    pub is_local: bool,
}

impl Content {
    /// The id a record without one is filed under, derived from its names.
    pub fn named_id(&self) -> String {
        named_item_id(
            self.kind.named_prefix(),
            self.artist.as_deref().unwrap_or(""),
            self.name.as_deref().unwrap_or(""),
        )
    }
}

/// A record as the import rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRecord {
    pub format: Format,
    /// When the stream ended, Unix ms. Account data: the start of the minute it ended in.
    /// A scrobble or a listen: when it started (see [`super::rules::window_offsets`]).
    pub ended_at: UnixMillis,
    /// How long the stream lasted; `None` when the export does not say (a scrobble).
    pub ms_played: Option<i64>,
    /// A Last.fm track playing as the export was made: not scrobbled (yet), no time.
    pub now_playing: bool,
    /// `None`: the record names nothing we could file the play under.
    pub content: Option<Content>,
    /// The export's own `skipped` flag (extended history only; null in older files).
    pub skipped: Option<bool>,
    pub reason_start: Option<String>,
    pub reason_end: Option<String>,
    pub shuffle: Option<bool>,
    pub incognito: bool,
    pub offline: Option<bool>,
    /// When offline mode was used, normalised to ms (older files write ms, newer seconds).
    pub offline_at: Option<UnixMillis>,
}

/// Spotify launched in 2008; nothing in an export ends before 2006.
const EARLIEST: UnixMillis = 1_136_073_600_000;
/// Names longer than this are not names.
const MAX_NAME_BYTES: usize = 1_000;
/// No single stream lasts longer than a day: a larger `ms_played` is not a duration (it
/// would also overflow the stats' sums of minutes).
pub const MAX_MS_PLAYED: i64 = DAY_MS;
/// `offline_timestamp` below this is in seconds (10^11 s is the year 5138; 10^11 ms is 1973).
const SECONDS_BELOW: i64 = 100_000_000_000;

/// The fields a record may have that we read (the rest are skipped unread), each with the
/// constant in [`field`] that indexes it in [`FIELDS`] and in a [`RawRecord`]: one list,
/// so that a name and its index cannot drift apart.
macro_rules! known_fields {
    ($($index:ident = $name:literal,)+) => {
        pub(crate) const FIELDS: &[&str] = &[$($name),+];

        /// The index of each field in [`FIELDS`].
        mod field {
            known_fields!(@number 0; $($index)+);
        }
    };
    (@number $at:expr; $first:ident $($rest:ident)*) => {
        pub const $first: usize = $at;
        known_fields!(@number $at + 1; $($rest)*);
    };
    (@number $at:expr;) => {};
}

known_fields! {
    TS = "ts",
    MS_PLAYED = "ms_played",
    MASTER_METADATA_TRACK_NAME = "master_metadata_track_name",
    MASTER_METADATA_ALBUM_ARTIST_NAME = "master_metadata_album_artist_name",
    MASTER_METADATA_ALBUM_ALBUM_NAME = "master_metadata_album_album_name",
    SPOTIFY_TRACK_URI = "spotify_track_uri",
    EPISODE_NAME = "episode_name",
    EPISODE_SHOW_NAME = "episode_show_name",
    SPOTIFY_EPISODE_URI = "spotify_episode_uri",
    AUDIOBOOK_TITLE = "audiobook_title",
    AUDIOBOOK_URI = "audiobook_uri",
    AUDIOBOOK_CHAPTER_URI = "audiobook_chapter_uri",
    AUDIOBOOK_CHAPTER_TITLE = "audiobook_chapter_title",
    REASON_START = "reason_start",
    REASON_END = "reason_end",
    SHUFFLE = "shuffle",
    SKIPPED = "skipped",
    OFFLINE = "offline",
    OFFLINE_TIMESTAMP = "offline_timestamp",
    INCOGNITO_MODE = "incognito_mode",
    END_TIME = "endTime",
    ARTIST_NAME = "artistName",
    TRACK_NAME = "trackName",
    PODCAST_NAME = "podcastName",
    ACCOUNT_EPISODE_NAME = "episodeName",
    ACCOUNT_MS_PLAYED = "msPlayed",
    LISTENED_AT = "listened_at",
    TRACK_METADATA = "track_metadata",
    ARTIST = "artist",
    NAME = "name",
    TRACK = "track",
    ALBUM = "album",
    DATE = "date",
    UTS = "uts",
    UTC_TIME = "utc_time",
    ATTR = "@attr",
}

/// One element of a chunk's records as sent: an object (its known fields, each holding
/// whatever JSON it holds, null as absent), or anything else, which is malformed.
///
/// Read straight from the request's JSON without building a map per record: the
/// Worker's CPU time per chunk is what the free plan limits.
#[derive(Debug, Clone, PartialEq)]
pub enum RawRecord {
    Object(Box<[Option<Value>; FIELDS.len()]>),
    NotAnObject,
}

impl RawRecord {
    fn get(&self, field: usize) -> Option<&Value> {
        match self {
            Self::Object(values) => values[field].as_ref(),
            Self::NotAnObject => None,
        }
    }
}

/// A field name: the index of a known field, or `None` for one we skip.
struct FieldName(Option<usize>);

impl<'de> Deserialize<'de> for FieldName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = FieldName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<FieldName, E> {
                Ok(FieldName(FIELDS.iter().position(|known| *known == name)))
            }
        }
        deserializer.deserialize_identifier(NameVisitor)
    }
}

impl<'de> Deserialize<'de> for RawRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecordVisitor;
        impl<'de> Visitor<'de> for RecordVisitor {
            type Value = RawRecord;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a record")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRecord, A::Error> {
                let mut values: Box<[Option<Value>; FIELDS.len()]> =
                    Box::new(std::array::from_fn(|_| None));
                while let Some(FieldName(index)) = map.next_key()? {
                    match index {
                        // A repeated field: the last one counts, as in JavaScript.
                        Some(index) => values[index] = map.next_value()?,
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawRecord::Object(values))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawRecord, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(RawRecord::NotAnObject)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawRecord, E> {
                Ok(RawRecord::NotAnObject)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<RawRecord, E> {
                Ok(RawRecord::NotAnObject)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<RawRecord, E> {
                Ok(RawRecord::NotAnObject)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<RawRecord, E> {
                Ok(RawRecord::NotAnObject)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<RawRecord, E> {
                Ok(RawRecord::NotAnObject)
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawRecord, E> {
                Ok(RawRecord::NotAnObject)
            }
        }
        deserializer.deserialize_any(RecordVisitor)
    }
}

/// The export a record comes from, by its fields.
pub fn detect(value: &Value) -> Option<Format> {
    detect_raw(&RawRecord::deserialize(value).ok()?)
}

fn detect_raw(record: &RawRecord) -> Option<Format> {
    if record.get(field::TS).is_some() {
        Some(Format::Extended)
    } else if record.get(field::END_TIME).is_some() {
        Some(Format::Account)
    } else if record.get(field::LISTENED_AT).is_some() {
        Some(Format::ListenBrainz)
    } else if record.get(field::ARTIST).is_some()
        && (record.get(field::NAME).is_some() || record.get(field::TRACK).is_some())
    {
        Some(lastfm::format(record))
    } else {
        None
    }
}

/// Reads one record; `now` bounds its time (nothing ends more than a day ahead).
pub fn parse_record(value: &Value, now: UnixMillis) -> Result<ExportRecord, String> {
    let raw = RawRecord::deserialize(value).map_err(|error| error.to_string())?;
    parse_raw(&raw, now)
}

/// Reads one record as it came in a chunk.
pub fn parse_raw(raw: &RawRecord, now: UnixMillis) -> Result<ExportRecord, String> {
    if *raw == RawRecord::NotAnObject {
        return Err("a record must be a JSON object".into());
    }
    let record = match detect_raw(raw) {
        Some(Format::Extended) => parse_extended(raw)?,
        Some(Format::Account) => parse_account(raw)?,
        Some(Format::Lastfm | Format::LastfmMinute) => lastfm::parse(raw, now)?,
        Some(Format::ListenBrainz) => listenbrainz::parse(raw)?,
        None => return Err(
            "not a listening history record: it has neither `ts` (extended streaming history), \
                 `endTime` (account data), `listened_at` (ListenBrainz) nor `artist` (Last.fm)"
                .into(),
        ),
    };
    if !record.now_playing && (record.ended_at < EARLIEST || record.ended_at > now + DAY_MS) {
        return Err("the end time is outside the years Spotify has existed".into());
    }
    Ok(record)
}

fn text(object: &RawRecord, index: usize) -> Result<Option<&str>, String> {
    let field = FIELDS[index];
    match object.get(index) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.len() > MAX_NAME_BYTES => {
            Err(format!("`{field}` is too long"))
        }
        Some(Value::String(text)) => Ok(Some(text.trim()).filter(|text| !text.is_empty())),
        Some(_) => Err(format!("`{field}` must be text or null")),
    }
}

/// A flag: `true`/`false`, or 1/0 as some tools rewrite them; anything else is unknown.
fn flag(object: &RawRecord, index: usize) -> Option<bool> {
    match object.get(index)? {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => number.as_i64().map(|n| n != 0),
        _ => None,
    }
}

fn milliseconds(object: &RawRecord, index: usize) -> Result<i64, String> {
    let field = FIELDS[index];
    let number = match object.get(index) {
        Some(Value::Number(number)) => number,
        None | Some(Value::Null) => return Err(format!("`{field}` is missing")),
        Some(_) => return Err(format!("`{field}` must be a number")),
    };
    let ms = number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|ms| ms.is_finite())
                .map(|ms| ms as i64)
        })
        .ok_or_else(|| format!("`{field}` must be a number"))?;
    if ms < 0 {
        return Err(format!("`{field}` must not be negative"));
    }
    if ms > MAX_MS_PLAYED {
        return Err(format!("`{field}` is longer than a day"));
    }
    Ok(ms)
}

/// `offline_timestamp`: seconds or milliseconds; 0 or null mean none.
pub fn offline_millis(value: Option<&Value>) -> Option<UnixMillis> {
    let raw = match value? {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|n| n as i64))?,
        _ => return None,
    };
    match raw {
        n if n <= 0 => None,
        n if n < SECONDS_BELOW => Some(n * 1_000),
        n => Some(n),
    }
}

/// A record naming only what was played, by title and artist: no stream details.
fn scrobbled(format: Format, at: UnixMillis, content: Option<Content>) -> ExportRecord {
    ExportRecord {
        format,
        ended_at: at,
        ms_played: None,
        now_playing: false,
        content,
        skipped: None,
        reason_start: None,
        reason_end: None,
        shuffle: None,
        incognito: false,
        offline: None,
        offline_at: None,
    }
}

/// A name held as text, or in an object under `#text` or `name` (Last.fm's pages write
/// `{"#text": …}`, and `{"name": …}` in their extended form); `None` when empty.
fn name_in<'a>(value: Option<&'a Value>, field: &str) -> Result<Option<&'a str>, String> {
    let value = match value {
        Some(Value::Object(object)) => object.get("#text").or_else(|| object.get("name")),
        value => value,
    };
    let text = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text,
        Some(_) => return Err(format!("`{field}` must be text")),
    };
    if text.len() > MAX_NAME_BYTES {
        return Err(format!("`{field}` is too long"));
    }
    Ok(Some(text.trim()).filter(|text| !text.is_empty()))
}

fn is_base62(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The id at the end of `spotify:<kind>:<id>`, if the URI is one of `kinds`.
fn uri_id<'a>(uri: &'a str, kinds: &[&str]) -> Option<&'a str> {
    let rest = uri.strip_prefix("spotify:")?;
    let (kind, id) = rest.split_once(':')?;
    (kinds.contains(&kind) && is_base62(id)).then_some(id)
}

fn parse_extended(object: &RawRecord) -> Result<ExportRecord, String> {
    let ts = match object.get(field::TS) {
        Some(Value::String(ts)) => ts,
        _ => return Err("`ts` must be a time like 2020-01-31T12:34:56Z".into()),
    };
    let ended_at =
        parse_rfc3339(ts).ok_or_else(|| format!("`ts` is not a time: {}", shorten(ts)))?;
    let ms_played = milliseconds(object, field::MS_PLAYED)?;
    let track_uri = text(object, field::SPOTIFY_TRACK_URI)?;
    let track_name = text(object, field::MASTER_METADATA_TRACK_NAME)?;
    let album_artist = text(object, field::MASTER_METADATA_ALBUM_ARTIST_NAME)?;
    let album = text(object, field::MASTER_METADATA_ALBUM_ALBUM_NAME)?;
    let episode_uri = text(object, field::SPOTIFY_EPISODE_URI)?;
    let episode_name = text(object, field::EPISODE_NAME)?;
    let show = text(object, field::EPISODE_SHOW_NAME)?;
    let book_uri = text(object, field::AUDIOBOOK_URI)?;
    let book_title = text(object, field::AUDIOBOOK_TITLE)?;
    let chapter_uri = text(object, field::AUDIOBOOK_CHAPTER_URI)?;
    let chapter_title = text(object, field::AUDIOBOOK_CHAPTER_TITLE)?;
    let owned = |text: Option<&str>| text.map(str::to_owned);

    let content = if let Some(uri) = track_uri {
        let (id, is_local) = if uri.starts_with("spotify:local:") {
            (local_track_id(uri), true)
        } else {
            let id = uri_id(uri, &["track"]).ok_or_else(|| {
                format!("`spotify_track_uri` is not a track URI: {}", shorten(uri))
            })?;
            (id.to_owned(), false)
        };
        Some(Content {
            kind: Kind::Track,
            id: Some(id),
            uri: Some(uri.to_owned()),
            name: owned(track_name),
            artist: owned(album_artist),
            album: owned(album),
            is_local,
        })
    } else if let Some(uri) = episode_uri {
        let id = uri_id(uri, &["episode"]).ok_or_else(|| {
            format!(
                "`spotify_episode_uri` is not an episode URI: {}",
                shorten(uri)
            )
        })?;
        Some(Content {
            kind: Kind::Episode,
            id: Some(format!("episode:{id}")),
            uri: Some(uri.to_owned()),
            name: owned(episode_name),
            artist: owned(show),
            album: None,
            is_local: false,
        })
    } else if let Some(uri) = chapter_uri.or(book_uri) {
        // Chapters and audiobooks have their own URI kinds; any Spotify URI will do.
        let id = uri
            .strip_prefix("spotify:")
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, id)| id)
            .filter(|id| is_base62(id))
            .ok_or_else(|| format!("the audiobook URI is not a Spotify URI: {}", shorten(uri)))?;
        Some(Content {
            kind: Kind::Audiobook,
            id: Some(format!("audiobook:{id}")),
            uri: Some(uri.to_owned()),
            name: owned(chapter_title.or(book_title)),
            artist: owned(book_title),
            album: None,
            is_local: false,
        })
    } else if let Some(name) = track_name {
        // No URI but names (some local files): matched by name like account data.
        Some(named(Kind::Track, name, album_artist, album))
    } else if let Some(name) = episode_name {
        Some(named(Kind::Episode, name, show, None))
    } else {
        chapter_title
            .or(book_title)
            .map(|name| named(Kind::Audiobook, name, book_title, None))
    };

    Ok(ExportRecord {
        format: Format::Extended,
        ended_at,
        ms_played: Some(ms_played),
        now_playing: false,
        content,
        skipped: match object.get(field::SKIPPED) {
            Some(Value::Bool(skipped)) => Some(*skipped),
            Some(Value::Number(n)) => n.as_i64().map(|n| n != 0),
            _ => None,
        },
        reason_start: owned(text(object, field::REASON_START)?),
        reason_end: owned(text(object, field::REASON_END)?),
        shuffle: flag(object, field::SHUFFLE),
        incognito: flag(object, field::INCOGNITO_MODE).unwrap_or(false),
        offline: flag(object, field::OFFLINE),
        offline_at: offline_millis(object.get(field::OFFLINE_TIMESTAMP)),
    })
}

fn named(kind: Kind, name: &str, artist: Option<&str>, album: Option<&str>) -> Content {
    Content {
        kind,
        id: None,
        uri: None,
        name: Some(name.to_owned()),
        artist: artist.map(str::to_owned),
        album: album.map(str::to_owned),
        is_local: false,
    }
}

fn parse_account(object: &RawRecord) -> Result<ExportRecord, String> {
    let end_time = match object.get(field::END_TIME) {
        Some(Value::String(end_time)) => end_time,
        _ => return Err("`endTime` must be a time like 2020-01-31 12:34".into()),
    };
    let ended_at = parse_date_minute(end_time.trim())
        .ok_or_else(|| format!("`endTime` is not a time: {}", shorten(end_time)))?;
    let ms_played = milliseconds(object, field::ACCOUNT_MS_PLAYED)?;
    let content = if let Some(name) = text(object, field::TRACK_NAME)? {
        Some(named(
            Kind::Track,
            name,
            text(object, field::ARTIST_NAME)?,
            None,
        ))
    } else if let Some(name) = text(object, field::ACCOUNT_EPISODE_NAME)? {
        Some(named(
            Kind::Episode,
            name,
            text(object, field::PODCAST_NAME)?,
            None,
        ))
    } else {
        None
    };
    Ok(ExportRecord {
        format: Format::Account,
        ended_at,
        ms_played: Some(ms_played),
        now_playing: false,
        content,
        skipped: None,
        reason_start: None,
        reason_end: None,
        shuffle: None,
        incognito: false,
        offline: None,
        offline_at: None,
    })
}

/// A value quoted in a message, cut short.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: UnixMillis = 1_800_000_000_000;

    fn extended(overrides: Value) -> Value {
        let mut record = json!({
            "ts": "2019-06-01T12:34:56Z", "platform": "Android OS 9 API 28 (samsung, SM-G960F)",
            "ms_played": 215_000, "conn_country": "DE", "ip_addr": "192.0.2.1",
            "master_metadata_track_name": "Song", "master_metadata_album_artist_name": "Artist",
            "master_metadata_album_album_name": "Album",
            "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
            "episode_name": null, "episode_show_name": null, "spotify_episode_uri": null,
            "audiobook_title": null, "audiobook_uri": null, "audiobook_chapter_uri": null,
            "audiobook_chapter_title": null,
            "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": false,
            "skipped": false, "offline": false, "offline_timestamp": 1_559_392_000,
            "incognito_mode": false
        });
        let object = record.as_object_mut().expect("object");
        for (key, value) in overrides.as_object().expect("object") {
            object.insert(key.clone(), value.clone());
        }
        record
    }

    #[test]
    fn formats_are_told_apart_by_their_fields() {
        assert_eq!(detect(&extended(json!({}))), Some(Format::Extended));
        assert_eq!(
            detect(
                &json!({"endTime": "2020-01-01 00:00", "artistName": "A", "trackName": "T", "msPlayed": 1})
            ),
            Some(Format::Account)
        );
        assert_eq!(detect(&json!({"name": "Playlist"})), None);
        assert_eq!(detect(&json!([1])), None);
    }

    #[test]
    fn an_extended_record_reads_its_track_time_and_flags() {
        let record = parse_record(&extended(json!({})), NOW).expect("record");
        assert_eq!(record.format, Format::Extended);
        assert_eq!(record.ended_at, 1_559_392_496_000);
        assert_eq!(record.ms_played, Some(215_000));
        let content = record.content.expect("content");
        assert_eq!(content.kind, Kind::Track);
        assert_eq!(content.id.as_deref(), Some("4uLU6hMCjMI75M1A2tKUQC"));
        assert_eq!(content.name.as_deref(), Some("Song"));
        assert_eq!(content.artist.as_deref(), Some("Artist"));
        assert_eq!(content.album.as_deref(), Some("Album"));
        assert_eq!(record.reason_end.as_deref(), Some("trackdone"));
        assert_eq!(record.skipped, Some(false));
        assert!(!record.incognito);
    }

    #[test]
    fn offline_timestamps_in_seconds_and_in_milliseconds_mean_the_same_instant() {
        let seconds = parse_record(&extended(json!({"offline_timestamp": 1_559_392_000})), NOW)
            .expect("seconds");
        let millis = parse_record(
            &extended(json!({"offline_timestamp": 1_559_392_000_000_i64})),
            NOW,
        )
        .expect("millis");
        assert_eq!(seconds.offline_at, Some(1_559_392_000_000));
        assert_eq!(millis.offline_at, seconds.offline_at);
        for none in [json!(0), json!(null)] {
            let record =
                parse_record(&extended(json!({"offline_timestamp": none})), NOW).expect("record");
            assert_eq!(record.offline_at, None);
        }
        assert_eq!(offline_millis(None), None);
    }

    #[test]
    fn an_episode_with_null_track_names_is_an_episode() {
        let record = parse_record(
            &extended(json!({
                "master_metadata_track_name": null, "master_metadata_album_artist_name": null,
                "master_metadata_album_album_name": null, "spotify_track_uri": null,
                "episode_name": "Episode 12", "episode_show_name": "The Show",
                "spotify_episode_uri": "spotify:episode:0Q86acNRm6V9GYx55SXKwf"
            })),
            NOW,
        )
        .expect("record");
        let content = record.content.expect("content");
        assert_eq!(content.kind, Kind::Episode);
        assert_eq!(
            content.id.as_deref(),
            Some("episode:0Q86acNRm6V9GYx55SXKwf")
        );
        assert_eq!(content.name.as_deref(), Some("Episode 12"));
        assert_eq!(content.artist.as_deref(), Some("The Show"));

        // Episode names can be null too: the URI is enough.
        let nameless = parse_record(
            &extended(json!({
                "master_metadata_track_name": null, "spotify_track_uri": null,
                "spotify_episode_uri": "spotify:episode:0Q86acNRm6V9GYx55SXKwf"
            })),
            NOW,
        )
        .expect("record")
        .content
        .expect("content");
        assert_eq!(nameless.kind, Kind::Episode);
        assert_eq!(nameless.name, None);
    }

    #[test]
    fn an_audiobook_chapter_is_an_audiobook() {
        let content = parse_record(
            &extended(json!({
                "master_metadata_track_name": null, "spotify_track_uri": null,
                "audiobook_title": "The Book", "audiobook_uri": "spotify:show:7iHfbu1YPACw6oZPAFJtqe",
                "audiobook_chapter_title": "Chapter 3",
                "audiobook_chapter_uri": "spotify:episode:5B2aYkZcvHxEDsy3MTR4aN"
            })),
            NOW,
        )
        .expect("record")
        .content
        .expect("content");
        assert_eq!(content.kind, Kind::Audiobook);
        assert_eq!(
            content.id.as_deref(),
            Some("audiobook:5B2aYkZcvHxEDsy3MTR4aN")
        );
        assert_eq!(content.name.as_deref(), Some("Chapter 3"));
        assert_eq!(content.artist.as_deref(), Some("The Book"));
    }

    #[test]
    fn a_record_naming_nothing_has_no_content() {
        let record = parse_record(
            &extended(json!({
                "master_metadata_track_name": null, "master_metadata_album_artist_name": null,
                "master_metadata_album_album_name": null, "spotify_track_uri": null
            })),
            NOW,
        )
        .expect("record");
        assert_eq!(record.content, None);
    }

    #[test]
    fn a_local_file_gets_the_id_polls_give_it() {
        let uri = "spotify:local:Artist:Album:Title:215";
        let content = parse_record(&extended(json!({"spotify_track_uri": uri})), NOW)
            .expect("record")
            .content
            .expect("content");
        assert_eq!(content.id, Some(local_track_id(uri)));
        assert!(content.is_local);
    }

    #[test]
    fn older_endsong_records_read_the_same() {
        // endsong_*.json: ip_addr_decrypted, skipped null, offline_timestamp in ms.
        let record = parse_record(
            &json!({
                "ts": "2014-02-03T04:05:06Z", "username": "u", "platform": "iOS",
                "ms_played": 45_000, "conn_country": "SE", "ip_addr_decrypted": "192.0.2.1",
                "user_agent_decrypted": "unknown", "master_metadata_track_name": "Old",
                "master_metadata_album_artist_name": "Band", "master_metadata_album_album_name": "LP",
                "spotify_track_uri": "spotify:track:0aBcDeFgHiJkLmNoPqRsTu", "episode_name": null,
                "episode_show_name": null, "spotify_episode_uri": null, "reason_start": "fwdbtn",
                "reason_end": "fwdbtn", "shuffle": true, "skipped": null, "offline": false,
                "offline_timestamp": 1_391_400_306_000_i64, "incognito_mode": false
            }),
            NOW,
        )
        .expect("record");
        assert_eq!(record.skipped, None);
        assert_eq!(record.reason_end.as_deref(), Some("fwdbtn"));
        assert_eq!(record.offline_at, Some(1_391_400_306_000));
    }

    #[test]
    fn account_data_is_read_to_the_minute_without_ids() {
        let record = parse_record(
            &json!({"endTime": "2021-03-04 05:06", "artistName": "Artist", "trackName": "Song", "msPlayed": 61_000}),
            NOW,
        )
        .expect("record");
        assert_eq!(record.format, Format::Account);
        assert_eq!(record.ended_at, 1_614_834_360_000);
        assert_eq!(record.ended_at % 60_000, 0);
        let content = record.content.expect("content");
        assert_eq!(content.id, None);
        assert_eq!(content.kind, Kind::Track);
        assert_eq!(content.name.as_deref(), Some("Song"));
        assert_eq!(content.artist.as_deref(), Some("Artist"));
        assert!(content.named_id().starts_with("import:"));

        let podcast = parse_record(
            &json!({"endTime": "2021-03-04 05:06", "podcastName": "Show", "episodeName": "Ep 1", "msPlayed": 900_000}),
            NOW,
        )
        .expect("record")
        .content
        .expect("content");
        assert_eq!(podcast.kind, Kind::Episode);
        assert!(podcast.named_id().starts_with("import-episode:"));
    }

    #[test]
    fn malformed_records_say_what_is_wrong() {
        let cases = [
            (json!("text"), "JSON object"),
            (json!({"name": "x"}), "neither `ts`"),
            (extended(json!({"ts": "yesterday"})), "`ts` is not a time"),
            (extended(json!({"ts": 5})), "`ts` must be"),
            (
                extended(json!({"ms_played": "long"})),
                "`ms_played` must be a number",
            ),
            (
                extended(json!({"ms_played": null})),
                "`ms_played` is missing",
            ),
            (extended(json!({"ms_played": -1})), "negative"),
            (
                extended(json!({"spotify_track_uri": "https://open.spotify.com/track/x"})),
                "not a track URI",
            ),
            (
                extended(json!({"master_metadata_track_name": 7})),
                "must be text",
            ),
            (
                extended(json!({"ts": "1999-01-01T00:00:00Z"})),
                "outside the years",
            ),
            (
                json!({"endTime": "2021-03-04T05:06", "trackName": "T", "msPlayed": 1}),
                "`endTime` is not a time",
            ),
            (
                json!({"endTime": "2021-03-04 05:06", "trackName": "T"}),
                "`msPlayed` is missing",
            ),
        ];
        for (value, expected) in cases {
            let error = parse_record(&value, NOW).expect_err(&value.to_string());
            assert!(error.contains(expected), "{value}: {error}");
        }
    }
}
