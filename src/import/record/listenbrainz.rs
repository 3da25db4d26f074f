//! A ListenBrainz listen, as its export writes one (a line of `listens/<year>/<month>.jsonl`
//! in the zip, of an older export's `listens.jsonl`, or an element of its JSON array):
//! `listened_at` (Unix seconds) and `track_metadata` with `artist_name`, `track_name`,
//! `release_name` and `additional_info`.
//!
//! A listen from Spotify names its track in `additional_info.spotify_id` (or
//! `origin_url`), `https://open.spotify.com/track/<id>`: it is filed under that id, as
//! extended history is under its URIs. Any other listen is matched by its names, as
//! account data is. Like a scrobble, a listen is filed under the time it started, and its
//! service counted it a listen by the scrobbling rule (30 seconds or half the track): it
//! carries no duration of its own (`duration_ms` is the track's) and is never too short.

use serde_json::{Map, Value};

use super::{
    field, name_in, named, scrobbled, shorten, uri_id, Content, ExportRecord, Format, Kind,
    RawRecord,
};
use crate::time::{parse_rfc3339, UnixMillis, SECOND_MS};

/// The track id of a Spotify track link (`https://open.spotify.com/track/<id>`, with a
/// language segment such as `intl-de/` or a query) or URI (`spotify:track:<id>`).
pub(crate) fn spotify_track_id(link: &str) -> Option<&str> {
    if let Some(id) = uri_id(link, &["track"]) {
        return Some(id);
    }
    let path = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"))?
        .strip_prefix("open.spotify.com/")?;
    let path = match path.split_once('/') {
        Some((segment, rest)) if segment.starts_with("intl-") => rest,
        _ => path,
    };
    let id = path.strip_prefix("track/")?;
    let id = id.split(['?', '#', '/']).next()?;
    super::is_base62(id).then_some(id)
}

fn listened_at(value: Option<&Value>) -> Result<UnixMillis, String> {
    let at = match value {
        Some(Value::Number(number)) => number
            .as_i64()
            .or_else(|| number.as_f64().filter(|n| n.is_finite()).map(|n| n as i64))
            .and_then(|seconds| seconds.checked_mul(SECOND_MS)),
        Some(Value::String(text)) => parse_rfc3339(text.trim()),
        _ => None,
    };
    at.ok_or_else(|| match value {
        Some(value) => format!(
            "`listened_at` is not a Unix time: {}",
            shorten(&value.to_string())
        ),
        None => "`listened_at` is missing".into(),
    })
}

/// The Spotify track the listen names, if any: `spotify_id`, else `origin_url`.
fn spotify_track(info: Option<&Map<String, Value>>) -> Option<&str> {
    let info = info?;
    ["spotify_id", "origin_url"]
        .into_iter()
        .filter_map(|key| info.get(key)?.as_str())
        .find_map(spotify_track_id)
}

pub(super) fn parse(record: &RawRecord) -> Result<ExportRecord, String> {
    let at = listened_at(record.get(field::LISTENED_AT))?;
    let metadata = match record.get(field::TRACK_METADATA) {
        Some(Value::Object(metadata)) => metadata,
        _ => return Err("`track_metadata` must be an object".into()),
    };
    let title = name_in(metadata.get("track_name"), "track_name")?;
    let artist = name_in(metadata.get("artist_name"), "artist_name")?;
    let album = name_in(metadata.get("release_name"), "release_name")?;
    let info = match metadata.get("additional_info") {
        Some(Value::Object(info)) => Some(info),
        _ => None,
    };
    let content = match spotify_track(info) {
        Some(id) => Some(Content {
            kind: Kind::Track,
            id: Some(id.to_owned()),
            uri: Some(format!("spotify:track:{id}")),
            name: title.map(str::to_owned),
            artist: artist.map(str::to_owned),
            album: album.map(str::to_owned),
            is_local: false,
        }),
        None => title.map(|title| named(Kind::Track, title, artist, album)),
    };
    Ok(scrobbled(Format::ListenBrainz, at, content))
}
