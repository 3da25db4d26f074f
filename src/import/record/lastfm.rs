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
use crate::time::{parse_rfc2822, UnixMillis, SECOND_MS};

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
        .ok_or_else(|| "`uts` must be a Unix time in seconds".into())
}

/// A written date, Last.fm's own (`31 Jan 2021 14:05`, `31 Jan 2021, 14:05`): `date` (the
/// headerless CSV's column, or the API's `date.#text`) or the headed CSV's `utc_time`.
fn written(record: &RawRecord) -> Result<UnixMillis, String> {
    let date = record
        .get(field::DATE)
        .filter(|date| !date.is_null())
        .or_else(|| record.get(field::UTC_TIME).filter(|date| !date.is_null()))
        .ok_or("the scrobble has no time: neither `uts` nor `date`")?;
    let text = match date {
        Value::Object(object) => object.get("#text"),
        text => Some(text),
    };
    match text {
        Some(Value::String(text)) => day_month_minute(text)
            .ok_or_else(|| format!("`date` is not a time: {}", shorten(text.trim()))),
        _ => Err("`date` must be a time like 31 Jan 2021 14:05".into()),
    }
}

/// `31 Jan 2021 14:05` or `31 Jan 2021, 14:05` (UTC): RFC 2822's date and time, read by
/// its parser once the comma is gone and the zone, which Last.fm leaves out, is said.
fn day_month_minute(text: &str) -> Option<UnixMillis> {
    let text = text.trim();
    let text = match text.split_once(',') {
        Some((date, time)) => format!("{date}{time} +0000"),
        None => format!("{text} +0000"),
    };
    parse_rfc2822(&text)
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
    Ok(match unix_time(record) {
        Some(uts) => scrobbled(Format::Lastfm, seconds(uts)?, content),
        None => scrobbled(Format::LastfmMinute, written(record)?, content),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::day_month_minute;
    use crate::import::record::{parse_record, Format, Kind};
    use crate::import::rules::{judge, SkipReason};
    use crate::time::UnixMillis;

    const NOW: UnixMillis = 1_800_000_000_000;
    /// 31 Jan 2021 14:05:09 UTC.
    const UTS: i64 = 1_612_101_909;
    const MINUTE: UnixMillis = 1_612_101_900_000;

    /// A track of a saved `user.getRecentTracks` page, as the API writes it.
    fn api_track() -> Value {
        json!({
            "artist": {"mbid": "", "#text": "Radiohead"},
            "streamable": "0",
            "image": [{"size": "small", "#text": "https://example.org/a.png"}],
            "mbid": "", "album": {"mbid": "", "#text": "OK Computer"},
            "name": "Airbag", "url": "https://www.last.fm/music/Radiohead/_/Airbag",
            "date": {"uts": UTS.to_string(), "#text": "31 Jan 2021, 14:05"}
        })
    }

    #[test]
    fn a_saved_api_track_is_a_scrobble_to_the_second() {
        let record = parse_record(&api_track(), NOW).expect("record");
        assert_eq!(record.format, Format::Lastfm);
        assert_eq!(record.ended_at, UTS * 1_000);
        assert_eq!(record.ms_played, None);
        let content = record.content.expect("content");
        assert_eq!(content.kind, Kind::Track);
        assert_eq!(content.id, None, "matched by name");
        assert_eq!(content.name.as_deref(), Some("Airbag"));
        assert_eq!(content.artist.as_deref(), Some("Radiohead"));
        assert_eq!(content.album.as_deref(), Some("OK Computer"));
    }

    #[test]
    fn the_extended_api_form_names_the_artist_under_name() {
        let mut track = api_track();
        track["artist"] = json!({"url": "https://www.last.fm/music/Radiohead", "name": "Radiohead",
                                  "image": [], "mbid": ""});
        track["loved"] = json!("0");
        let content = parse_record(&track, NOW)
            .expect("record")
            .content
            .expect("content");
        assert_eq!(content.artist.as_deref(), Some("Radiohead"));
    }

    #[test]
    fn a_headed_csv_row_reads_its_unix_time() {
        // uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid
        let row = json!({"uts": UTS.to_string(), "utc_time": "31 Jan 2021, 14:05",
                         "artist": "Radiohead", "artist_mbid": "a74b1b7f-71a5-4011-9441-d0b5e4122711",
                         "album": "OK Computer", "track": "Airbag"});
        let record = parse_record(&row, NOW).expect("record");
        assert_eq!(record.format, Format::Lastfm);
        assert_eq!(record.ended_at, UTS * 1_000);
        let content = record.content.expect("content");
        assert_eq!(content.name.as_deref(), Some("Airbag"));
        assert_eq!(content.album.as_deref(), Some("OK Computer"));
    }

    #[test]
    fn a_headerless_csv_row_is_a_scrobble_to_the_minute() {
        // artist,album,track,date
        let row = json!({"artist": "Radiohead", "album": "OK Computer", "track": "Airbag",
                         "date": "31 Jan 2021 14:05"});
        let record = parse_record(&row, NOW).expect("record");
        assert_eq!(record.format, Format::LastfmMinute);
        assert_eq!(record.ended_at, MINUTE);
        // A row without its album (the cell was empty) is still a scrobble.
        let bare = json!({"artist": "Radiohead", "track": "Airbag", "date": "31 Jan 2021, 14:05"});
        let record = parse_record(&bare, NOW).expect("record");
        assert_eq!(record.ended_at, MINUTE);
        assert_eq!(record.content.expect("content").album, None);
    }

    #[test]
    fn a_headed_row_without_its_unix_time_falls_back_to_the_written_one() {
        let row =
            json!({"utc_time": "31 Jan 2021, 14:05", "artist": "Radiohead", "track": "Airbag"});
        let record = parse_record(&row, NOW).expect("record");
        assert_eq!(
            (record.format, record.ended_at),
            (Format::LastfmMinute, MINUTE)
        );
    }

    #[test]
    fn a_track_playing_as_the_export_was_made_is_not_a_play() {
        let mut track = api_track();
        track.as_object_mut().expect("object").remove("date");
        track["@attr"] = json!({"nowplaying": "true"});
        let record = parse_record(&track, NOW).expect("record");
        assert!(record.now_playing);
        assert_eq!(judge(&record), Err(SkipReason::NowPlaying));
    }

    #[test]
    fn written_dates_are_read_to_the_minute_in_utc() {
        let minute = Some(MINUTE);
        assert_eq!(day_month_minute("31 Jan 2021 14:05"), minute);
        assert_eq!(day_month_minute("31 Jan 2021, 14:05"), minute);
        assert_eq!(day_month_minute(" 31 jan 2021 14:05 "), minute);
        assert_eq!(
            day_month_minute("1 Feb 2021 9:07"),
            None,
            "hours have two digits"
        );
        assert_eq!(
            day_month_minute("01 Feb 2021 09:07"),
            Some(1_612_170_420_000)
        );
        for bad in [
            "31 Feb 2021 14:05",
            "31 Jan 2021 24:00",
            "31 January 2021 14:05",
            "2021-01-31 14:05",
            "",
        ] {
            assert_eq!(day_month_minute(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_scrobble_is_never_too_short() {
        let record = parse_record(&api_track(), NOW).expect("record");
        assert_eq!(judge(&record), Ok(()));
    }

    #[test]
    fn malformed_scrobbles_say_what_is_wrong() {
        let cases = [
            (
                json!({"artist": "A", "track": "T", "date": "yesterday"}),
                "`date` is not a time: yesterday",
            ),
            (
                json!({"artist": "A", "track": "T"}),
                "neither `uts` nor `date`",
            ),
            (
                json!({"artist": "A", "track": "T", "uts": "soon"}),
                "`uts` must be a Unix time in seconds",
            ),
            (
                json!({"artist": ["A"], "name": "T", "date": {"uts": "1612101909"}}),
                "`artist` must be text",
            ),
            (
                json!({"artist": "A", "track": "T", "uts": 12}),
                "outside the years",
            ),
        ];
        for (value, expected) in cases {
            let error = parse_record(&value, NOW).expect_err(&value.to_string());
            assert!(error.contains(expected), "{value}: {error}");
        }
    }
}
