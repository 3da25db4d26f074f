//! A Last.fm scrobble, as the common export tools save one.
//!
//! - The JSON backups save the API's `user.getRecentTracks` pages; the page takes each
//!   page's `track` array apart and sends its tracks as they are: `artist` (`{"#text"}`,
//!   or `{"name"}` in extended mode), `name`, `album` (`{"#text"}`), `date` (`{"uts",
//!   "#text"}`) and, for the track playing as the export was made, `@attr.nowplaying`
//!   without a date.
//! - The CSV tools write one row a scrobble, which the page sends as an object of its
//!   cells: headed `uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid`,
//!   or headerless `artist,album,track,date` (named so by the page).
//!
//! A scrobble is filed under the time the track *started* to the second (`uts`), or to
//! the minute when only a written date (`31 Jan 2021 14:05`) is there. It carries no
//! duration: Last.fm scrobbles a track once at least 30 seconds or half of it were
//! played, so every scrobble already met a play's rule and none is judged too short.

use serde_json::Value;

use super::{field, name_in, named, scrobbled, shorten, ExportRecord, Format, Kind, RawRecord};
use crate::time::{parse_date_minute, parse_day_month_minute, parse_rfc3339, UnixMillis, SECOND_MS};

/// A scrobble's time, to the second or to the minute.
enum Time {
    Second(UnixMillis),
    Minute(UnixMillis),
}

/// The format of a Last.fm record: to the second when it has a Unix time.
pub(super) fn format(record: &RawRecord) -> Format {
    if unix_time(record).is_some() {
        Format::Lastfm
    } else {
        Format::LastfmMinute
    }
}

/// `uts` (a CSV column) or `date.uts` (the API's), as the raw value.
fn unix_time(record: &RawRecord) -> Option<&Value> {
    record
        .get(field::UTS)
        .filter(|uts| !uts.is_null())
        .or_else(|| record.get(field::DATE)?.get("uts"))
}

/// `@attr.nowplaying`: `"true"` in the API's pages.
fn now_playing(record: &RawRecord) -> bool {
    record
        .get(field::ATTR)
        .and_then(|attr| attr.get("nowplaying"))
        .is_some_and(|flag| matches!(flag, Value::Bool(true)) || flag.as_str() == Some("true"))
}

fn seconds(value: &Value) -> Result<UnixMillis, String> {
    let seconds = match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    };
    seconds
        .and_then(|seconds| seconds.checked_mul(SECOND_MS))
        .ok_or_else(|| format!("`uts` is not a Unix time: {}", shorten(&value.to_string())))
}

/// A written date: Last.fm's own (`31 Jan 2021 14:05`, `31 Jan 2021, 14:05`), or the
/// ISO forms some tools rewrite it to.
fn written(text: &str) -> Result<Time, String> {
    let text = text.trim();
    parse_day_month_minute(text)
        .or_else(|| parse_date_minute(text))
        .map(Time::Minute)
        .or_else(|| parse_rfc3339(text).map(Time::Second))
        .ok_or_else(|| format!("`date` is not a time: {}", shorten(text)))
}

fn time(record: &RawRecord) -> Result<Time, String> {
    if let Some(uts) = unix_time(record) {
        return seconds(uts).map(Time::Second);
    }
    let date = record
        .get(field::DATE)
        .filter(|date| !date.is_null())
        .or_else(|| record.get(field::UTC_TIME).filter(|date| !date.is_null()));
    match date {
        Some(Value::String(text)) => written(text),
        Some(Value::Object(object)) => match object.get("#text") {
            Some(Value::String(text)) => written(text),
            _ => Err("`date` must hold `uts` or `#text`".into()),
        },
        Some(_) => Err("`date` must be a time like 31 Jan 2021 14:05".into()),
        None => Err("the scrobble has no time: neither `uts` nor `date`".into()),
    }
}

pub(super) fn parse(record: &RawRecord, now: UnixMillis) -> Result<ExportRecord, String> {
    let title = match name_in(record.get(field::NAME), "name")? {
        Some(title) => Some(title),
        None => name_in(record.get(field::TRACK), "track")?,
    };
    let artist = name_in(record.get(field::ARTIST), "artist")?;
    let album = name_in(record.get(field::ALBUM), "album")?;
    let content = title.map(|title| named(Kind::Track, title, artist, album));
    if now_playing(record) {
        // Playing as the export was made: Last.fm had not scrobbled it, and gave no date.
        let mut record = scrobbled(Format::Lastfm, now, content);
        record.now_playing = true;
        return Ok(record);
    }
    Ok(match time(record)? {
        Time::Second(at) => scrobbled(Format::Lastfm, at, content),
        Time::Minute(at) => scrobbled(Format::LastfmMinute, at, content),
    })
}
