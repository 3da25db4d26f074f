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
    field, name_in, named, scrobbled, uri_id, Content, ExportRecord, Format, Kind, RawRecord,
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
    // The id ends at a query, a fragment or a slash.
    let end = id
        .bytes()
        .position(|b| matches!(b, b'?' | b'#' | b'/'))
        .unwrap_or(id.len());
    let id = id.get(..end)?;
    super::is_base62(id).then_some(id)
}

fn listened_at(value: Option<&Value>) -> Result<UnixMillis, String> {
    let at = match value {
        Some(Value::Number(number)) => number
            .as_i64()
            .and_then(|seconds| seconds.checked_mul(SECOND_MS)),
        Some(Value::String(text)) => parse_rfc3339(text.trim()),
        _ => None,
    };
    at.ok_or_else(|| "`listened_at` must be a Unix time in seconds".into())
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::spotify_track_id;
    use crate::import::record::{parse_record, Format};
    use crate::import::rules::judge;
    use crate::time::UnixMillis;

    const NOW: UnixMillis = 1_800_000_000_000;
    const AT: i64 = 1_612_101_909;

    /// A line of an export's `listens/2021/1.jsonl`, as ListenBrainz writes it.
    fn listen(additional_info: Value) -> Value {
        json!({
            "listened_at": AT, "inserted_at": AT + 30, "user_name": "someone",
            "recording_msid": "c7a41965-9f1e-456c-8b1d-27c0f0dde280",
            "track_metadata": {
                "artist_name": "Radiohead", "track_name": "Airbag", "release_name": "OK Computer",
                "additional_info": additional_info,
                "mbid_mapping": {"recording_mbid": "5b0b6e62-0d3c-4b3e-a2d2-7f2d1b3a0c11",
                                 "artists": [{"artist_credit_name": "Radiohead", "join_phrase": ""}]}
            }
        })
    }

    #[test]
    fn a_listen_from_spotify_is_filed_under_its_track_id() {
        let record = parse_record(
            &listen(
                json!({"spotify_id": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
                           "duration_ms": 284_000, "music_service": "spotify.com",
                           "submission_client": "ListenBrainz"}),
            ),
            NOW,
        )
        .expect("record");
        assert_eq!(record.format, Format::ListenBrainz);
        assert_eq!(record.ended_at, AT * 1_000);
        assert_eq!(record.ms_played, None, "duration_ms is the track's");
        assert_eq!(judge(&record), Ok(()));
        let content = record.content.expect("content");
        assert_eq!(content.id.as_deref(), Some("4uLU6hMCjMI75M1A2tKUQC"));
        assert_eq!(
            content.uri.as_deref(),
            Some("spotify:track:4uLU6hMCjMI75M1A2tKUQC")
        );
        assert_eq!(content.name.as_deref(), Some("Airbag"));
    }

    #[test]
    fn origin_url_names_the_track_when_spotify_id_does_not() {
        let content = parse_record(
            &listen(json!({"origin_url": "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=abc"})),
            NOW,
        )
        .expect("record")
        .content
        .expect("content");
        assert_eq!(content.id.as_deref(), Some("4uLU6hMCjMI75M1A2tKUQC"));
    }

    #[test]
    fn a_listen_from_elsewhere_is_matched_by_name() {
        for info in [
            json!({"origin_url": "https://www.youtube.com/watch?v=abc", "music_service": "youtube.com"}),
            json!({"spotify_id": "https://open.spotify.com/album/1DFixLWuPkv3KT3TnV35m3"}),
            json!(null),
        ] {
            let content = parse_record(&listen(info.clone()), NOW)
                .expect("record")
                .content
                .expect("content");
            assert_eq!(content.id, None, "{info}");
            assert_eq!(content.artist.as_deref(), Some("Radiohead"));
            assert!(content.named_id().starts_with("import:"));
        }
    }

    #[test]
    fn spotify_links_and_uris_give_their_track_id() {
        for (link, id) in [
            ("https://open.spotify.com/track/abc123", Some("abc123")),
            ("http://open.spotify.com/track/abc123/", Some("abc123")),
            ("https://open.spotify.com/track/abc123#x", Some("abc123")),
            ("spotify:track:abc123", Some("abc123")),
            ("https://open.spotify.com/episode/abc123", None),
            ("https://example.org/track/abc123", None),
            ("https://open.spotify.com/track/", None),
            ("https://open.spotify.com/track/a-b", None),
        ] {
            assert_eq!(spotify_track_id(link), id, "{link}");
        }
    }

    #[test]
    fn malformed_listens_say_what_is_wrong() {
        let mut no_metadata = listen(json!(null));
        no_metadata["track_metadata"] = json!("Airbag");
        let mut bad_time = listen(json!(null));
        bad_time["listened_at"] = json!("yesterday");
        let mut bad_name = listen(json!(null));
        bad_name["track_metadata"]["track_name"] = json!(7);
        let mut too_old = listen(json!(null));
        too_old["listened_at"] = json!(0);
        for (value, expected) in [
            (no_metadata, "`track_metadata` must be an object"),
            (bad_time, "`listened_at` must be a Unix time in seconds"),
            (bad_name, "`track_name` must be text"),
            (too_old, "outside the years"),
        ] {
            let error = parse_record(&value, NOW).expect_err(&value.to_string());
            assert!(error.contains(expected), "{value}: {error}");
        }
    }
}
