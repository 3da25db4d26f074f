//! Last.fm: web authentication, the signed calls, the scrobbling of plays, and what its
//! answers mean.
//!
//! The operator registers an API account with Last.fm (an API key and a shared secret,
//! the Worker's secrets). A user connects by web authentication: Last.fm's page asks
//! them, then sends their browser back to us with a token, which `auth.getSession`
//! exchanges for a session key that does not expire. Every call is signed: `api_sig` is
//! the MD5 of the parameters sorted by name, each written name then value, then the
//! shared secret (`format` is not signed). Scrobbles go to `track.scrobble`, 50 at most.
//!
//! Last.fm's rules for a scrobble: a track longer than 30 seconds, music only (episodes
//! and audiobooks never reach the outbox), and Last.fm ignores a scrobble more than 14
//! days old. Plays under 30 seconds are passed over here, never sent.

use md5::{Digest, Md5};
use serde_json::Value;

use super::Answer;
use crate::ports::{HttpRequest, HttpResponse, Method, TransportError};
use crate::spotify::retry_after::parse_retry_after;
use crate::store::history::HistoryPlay;
use crate::time::UnixMillis;

pub const DEFAULT_API_URL: &str = "https://ws.audioscrobbler.com";
pub const DEFAULT_AUTH_URL: &str = "https://www.last.fm";

/// Scrobbles per `track.scrobble`: Last.fm's most.
pub const BATCH_SCROBBLES: usize = 50;

/// Last.fm takes a scrobble only of a track longer than this ("longer than 30 seconds").
pub const MIN_DURATION_MS: i64 = 30_000;

/// The most of an answer that is read: a batch's answer echoes every scrobble.
const MAX_ANSWER_BYTES: usize = 128 * 1024;

/// The operator's Last.fm API account and where Last.fm is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastFmApp {
    pub api_key: String,
    pub shared_secret: String,
    /// The API's root (`LASTFM_API_URL`): calls go to `…/2.0/`.
    pub api_url: String,
    /// The site's root (`LASTFM_AUTH_URL`): the user approves at `…/api/auth/`.
    pub auth_url: String,
}

/// `api_sig` of `params`: MD5, in lowercase hex, of every parameter but `format` and
/// `callback`, sorted by name, each as name then value, followed by the shared secret.
pub fn signature(params: &[(&str, String)], shared_secret: &str) -> String {
    let mut signed: Vec<&(&str, String)> = params
        .iter()
        .filter(|(name, _)| !matches!(*name, "format" | "callback" | "api_sig"))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(b.0));
    let mut hasher = Md5::new();
    for (name, value) in signed {
        hasher.update(name.as_bytes());
        hasher.update(value.as_bytes());
    }
    hasher.update(shared_secret.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A signed `POST …/2.0/` of `method` with `params`.
fn call(app: &LastFmApp, method: &str, mut params: Vec<(&str, String)>) -> HttpRequest {
    params.push(("method", method.to_owned()));
    params.push(("api_key", app.api_key.clone()));
    let api_sig = signature(&params, &app.shared_secret);
    params.push(("api_sig", api_sig));
    params.push(("format", "json".to_owned()));
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in &params {
        body.append_pair(name, value);
    }
    HttpRequest {
        method: Method::Post,
        url: format!("{}/2.0/", app.api_url),
        headers: vec![(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )],
        body: Some(body.finish()),
        // The session key travels in the body: it must not follow a redirect anywhere.
        follow_redirects: false,
        max_response_bytes: Some(MAX_ANSWER_BYTES),
    }
}

/// Where the user approves us: Last.fm's page, which sends them back to `callback` with
/// `token=…` added.
pub fn approval_url(app: &LastFmApp, callback: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("api_key", &app.api_key)
        .append_pair("cb", callback)
        .finish();
    format!("{}/api/auth/?{query}", app.auth_url)
}

/// A token as Last.fm hands it back: 32 letters and digits (at most 64 taken).
pub fn read_token(text: &str) -> Option<&str> {
    (!text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(text)
}

/// `auth.getSession` for an approved token.
pub fn session_request(app: &LastFmApp, token: &str) -> HttpRequest {
    call(app, "auth.getSession", vec![("token", token.to_owned())])
}

/// A Last.fm session: the user's name there, and the key every scrobble is signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub name: String,
    pub key: String,
}

/// Last.fm's error of an answer, `{"error": code, "message"}`, if it is one.
fn error_of(body: &Value) -> Option<(i64, String)> {
    let code = body["error"].as_i64()?;
    let message = body["message"].as_str().unwrap_or_default();
    Some((code, message.chars().take(200).collect()))
}

/// The session `auth.getSession` answered, or why there is none (for the person).
pub fn read_session(result: Result<HttpResponse, TransportError>) -> Result<Session, String> {
    let response = result.map_err(|error| format!("Last.fm could not be reached ({error})"))?;
    let body: Value = serde_json::from_str(&response.body)
        .map_err(|_| format!("Last.fm answered HTTP {} without JSON", response.status))?;
    if let Some((code, message)) = error_of(&body) {
        return Err(format!(
            "Last.fm refused the login (error {code}: {message})"
        ));
    }
    let session = &body["session"];
    match (session["name"].as_str(), session["key"].as_str()) {
        (Some(name), Some(key)) if !name.is_empty() && !key.is_empty() => Ok(Session {
            name: name.to_owned(),
            key: key.to_owned(),
        }),
        _ => Err("Last.fm's answer held no session".to_owned()),
    }
}

/// Whether Last.fm takes a scrobble of this play: a track of more than 30 seconds.
pub fn scrobbles(play: &HistoryPlay) -> bool {
    play.duration_ms > MIN_DURATION_MS
}

/// `track.scrobble` of `plays` (at most 50, each one [`scrobbles`] takes), signed with
/// the session key. The artist is the first credited, as Last.fm files a track under one.
pub fn scrobble_request(app: &LastFmApp, session_key: &str, plays: &[&HistoryPlay]) -> HttpRequest {
    let mut params = vec![("sk", session_key.to_owned())];
    let names: Vec<[String; 5]> = (0..plays.len())
        .map(|i| {
            ["artist", "track", "timestamp", "album", "duration"]
                .map(|field| format!("{field}[{i}]"))
        })
        .collect();
    for (play, [artist, track, timestamp, album, duration]) in plays.iter().zip(&names) {
        let first_artist = play
            .artists
            .first()
            .map_or("[unknown]", |artist| artist.name.as_str());
        params.push((artist, first_artist.to_owned()));
        params.push((track, play.track_name.clone()));
        params.push((timestamp, play.played_at.div_euclid(1_000).to_string()));
        if let Some(name) = play.album_name.as_deref().filter(|name| !name.is_empty()) {
            params.push((album, name.to_owned()));
        }
        params.push((duration, (play.duration_ms / 1_000).to_string()));
    }
    call(app, "track.scrobble", params)
}

/// How many scrobbles Last.fm accepted, from `track.scrobble`'s answer.
fn accepted(body: &Value) -> Option<usize> {
    let count = &body["scrobbles"]["@attr"]["accepted"];
    // Last.fm writes it as a number or as text.
    count
        .as_u64()
        .or_else(|| count.as_str().and_then(|text| text.parse().ok()))
        .and_then(|count| usize::try_from(count).ok())
}

/// What an answer to `track.scrobble` means. Last.fm's errors: 9 a session key that no
/// longer works (the user revoked us); 11, 16 and 29 its outage and its rate limit; the
/// rest a call it will never take.
pub fn classify(result: &Result<HttpResponse, TransportError>, now: UnixMillis) -> Answer {
    let response = match result {
        Ok(response) => response,
        Err(error) => {
            return Answer::Later {
                retry_after_seconds: None,
                error: error.to_string(),
            }
        }
    };
    let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
    let wait = || {
        response
            .header("Retry-After")
            .and_then(|value| parse_retry_after(value, now))
    };
    match error_of(&body) {
        Some((9, message)) => Answer::Revoked {
            error: format!("Last.fm refused the session (error 9: {message}); connect again"),
        },
        Some((code @ (11 | 16 | 29), message)) => Answer::Later {
            retry_after_seconds: wait(),
            error: format!("Last.fm error {code}: {message}"),
        },
        Some((code, message)) if response.status < 500 => Answer::Refused {
            error: format!("Last.fm error {code}: {message}"),
        },
        _ if response.status == 200 && body["scrobbles"].is_object() => Answer::Accepted {
            taken: accepted(&body),
        },
        _ if matches!(response.status, 408 | 429) || response.status >= 500 => Answer::Later {
            retry_after_seconds: wait(),
            error: format!("HTTP {}", response.status),
        },
        _ => Answer::Refused {
            error: format!("HTTP {}: not a scrobbles answer", response.status),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::history::ArtistRef;

    fn app() -> LastFmApp {
        LastFmApp {
            api_key: "key".into(),
            shared_secret: "secret".into(),
            api_url: "http://lfm".into(),
            auth_url: "http://www.lfm".into(),
        }
    }

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.to_owned(),
        }
    }

    fn play(seconds: i64, duration_ms: i64) -> HistoryPlay {
        HistoryPlay {
            id: 1,
            played_at: seconds * 1_000 + 999,
            track_id: "t".into(),
            track_name: "Song & Dance".into(),
            track_uri: "spotify:track:t".into(),
            duration_ms,
            is_local: 0,
            artist_names: Some("First, Second".into()),
            artists: vec![
                ArtistRef {
                    id: None,
                    name: "First".into(),
                },
                ArtistRef {
                    id: None,
                    name: "Second".into(),
                },
            ],
            album_id: None,
            album_name: Some("Album".into()),
            image_url: None,
            context_uri: None,
            source: "poll".into(),
        }
    }

    fn form(request: &HttpRequest) -> Vec<(String, String)> {
        form_urlencoded::parse(request.body.as_deref().unwrap_or_default().as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn the_signature_is_md5_of_the_sorted_pairs_and_the_secret_without_format() {
        let params = vec![
            ("method", "auth.getSession".to_owned()),
            ("token", "t0k".to_owned()),
            ("api_key", "key".to_owned()),
            ("format", "json".to_owned()),
        ];
        // md5("api_keykeymethodauth.getSessiontokent0ksecret")
        let expected: String = Md5::digest(b"api_keykeymethodauth.getSessiontokent0ksecret")
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(signature(&params, "secret"), expected);
        assert_eq!(expected.len(), 32);
        assert_ne!(signature(&params, "other"), expected);
    }

    #[test]
    fn the_approval_page_carries_our_key_and_callback() {
        assert_eq!(
            approval_url(&app(), "https://tm.example/forwarding/lastfm/callback?state=s 1"),
            "http://www.lfm/api/auth/?api_key=key&cb=https%3A%2F%2Ftm.example%2Fforwarding%2Flastfm%2Fcallback%3Fstate%3Ds+1"
        );
    }

    #[test]
    fn a_scrobble_batch_is_signed_indexed_and_in_seconds() {
        let plays = [play(1_772_409_600, 213_000), play(1_772_409_900, 61_500)];
        let request = scrobble_request(&app(), "sk1", &plays.iter().collect::<Vec<_>>());
        assert_eq!(request.url, "http://lfm/2.0/");
        let fields = form(&request);
        let get = |name: &str| {
            fields
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(get("method"), Some("track.scrobble"));
        assert_eq!(get("artist[0]"), Some("First"));
        assert_eq!(get("track[1]"), Some("Song & Dance"));
        assert_eq!(get("timestamp[0]"), Some("1772409600"));
        assert_eq!(get("duration[1]"), Some("61"));
        assert_eq!(get("album[0]"), Some("Album"));
        assert_eq!(get("format"), Some("json"));
        let unsigned: Vec<(&str, String)> = fields
            .iter()
            .filter(|(key, _)| key != "api_sig")
            .map(|(key, value)| (key.as_str(), value.clone()))
            .collect();
        assert_eq!(
            get("api_sig"),
            Some(signature(&unsigned, "secret").as_str())
        );
    }

    #[test]
    fn only_tracks_over_thirty_seconds_are_scrobbled() {
        // Last.fm: "The track must be longer than 30 seconds."
        assert!(scrobbles(&play(0, 30_001)));
        assert!(!scrobbles(&play(0, 30_000)));
        assert!(!scrobbles(&play(0, 29_999)));
    }

    #[test]
    fn a_session_is_read_or_its_refusal_told() {
        let ok = answer(
            200,
            r#"{"session":{"name":"ada","key":"k32","subscriber":0}}"#,
        );
        assert_eq!(
            read_session(Ok(ok)),
            Ok(Session {
                name: "ada".into(),
                key: "k32".into()
            })
        );
        let used = answer(
            403,
            r#"{"error":4,"message":"Invalid authentication token supplied"}"#,
        );
        assert_eq!(
            read_session(Ok(used)),
            Err(
                "Last.fm refused the login (error 4: Invalid authentication token supplied)".into()
            )
        );
        assert!(read_session(Err(TransportError::Timeout)).is_err());
    }

    #[test]
    fn answers_are_classified_as_lastfm_means_them() {
        let accepted = answer(
            200,
            r#"{"scrobbles":{"@attr":{"accepted":1,"ignored":1},"scrobble":[]}}"#,
        );
        assert_eq!(
            classify(&Ok(accepted), 0),
            Answer::Accepted { taken: Some(1) }
        );
        let as_text = answer(
            200,
            r#"{"scrobbles":{"@attr":{"accepted":"2","ignored":"0"}}}"#,
        );
        assert_eq!(
            classify(&Ok(as_text), 0),
            Answer::Accepted { taken: Some(2) }
        );
        assert!(matches!(
            classify(
                &Ok(answer(
                    403,
                    r#"{"error":9,"message":"Invalid session key"}"#
                )),
                0
            ),
            Answer::Revoked { .. }
        ));
        for code in [11, 16, 29] {
            let body = format!(r#"{{"error":{code},"message":"later"}}"#);
            assert!(
                matches!(classify(&Ok(answer(503, &body)), 0), Answer::Later { .. }),
                "{code}"
            );
        }
        assert!(matches!(
            classify(
                &Ok(answer(
                    400,
                    r#"{"error":13,"message":"Invalid method signature"}"#
                )),
                0
            ),
            Answer::Refused { .. }
        ));
        assert!(matches!(
            classify(&Ok(answer(502, "")), 0),
            Answer::Later { .. }
        ));
        assert!(matches!(
            classify(&Err(TransportError::Timeout), 0),
            Answer::Later { .. }
        ));
    }
}
