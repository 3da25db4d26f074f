//! ListenBrainz: the user token's check, the submission of listens, and what its answers
//! mean.
//!
//! A user token is a UUID the user copies from their ListenBrainz settings. It is checked
//! with `GET /1/validate-token` before it is stored, and sent with every submission as
//! `Authorization: Token …`. Listens go to `POST /1/submit-listens` as `listen_type:
//! import` (many at once; `single` is for one play as it happens), in the format of our
//! ListenBrainz export ([`crate::history::export::listenbrainz_listen`]). ListenBrainz
//! limits requests per client and says how long to wait in `X-RateLimit-Reset-In`.

use serde_json::{json, Value};

use super::Answer;
use crate::history::export::listenbrainz_listen;
use crate::ports::{HttpRequest, HttpResponse, Method, TransportError};
use crate::spotify::retry_after::parse_retry_after;
use crate::store::history::HistoryPlay;
use crate::time::UnixMillis;

pub const DEFAULT_API_URL: &str = "https://api.listenbrainz.org";

/// Listens per submission: ListenBrainz takes up to 1,000; a quarter keeps each request
/// small (a listen is about 500 bytes) and each D1 read short.
pub const BATCH_LISTENS: usize = 250;

/// The most of an answer that is read: ListenBrainz's are a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// Why ListenBrainz did not vouch for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// ListenBrainz says it is not a valid token.
    Invalid,
    /// ListenBrainz could not be asked; the text is for logs and the person.
    Unreachable(String),
}

/// A user token as the person pasted it, trimmed: letters, digits and `-` (a UUID), at
/// most 64 of them; `None` for anything else, which is refused before it leaves the
/// Worker.
pub fn read_token(text: &str) -> Option<&str> {
    let token = text.trim();
    let well_formed = !token.is_empty()
        && token.len() <= 64
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    well_formed.then_some(token)
}

fn authorized(token: &str) -> Vec<(String, String)> {
    vec![("Authorization".to_owned(), format!("Token {token}"))]
}

/// `GET /1/validate-token` with the token.
pub fn validate_request(api_url: &str, token: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: format!("{api_url}/1/validate-token"),
        headers: authorized(token),
        body: None,
        // The token travels in a header: it must not follow a redirect anywhere else.
        follow_redirects: false,
        max_response_bytes: Some(MAX_ANSWER_BYTES),
    }
}

/// The ListenBrainz user name of a valid token, from `validate-token`'s answer.
pub fn read_validation(result: Result<HttpResponse, TransportError>) -> Result<String, TokenError> {
    let response = result.map_err(|error| TokenError::Unreachable(error.to_string()))?;
    if response.status != 200 {
        return Err(TokenError::Unreachable(format!(
            "ListenBrainz answered HTTP {}",
            response.status
        )));
    }
    let body: Value = serde_json::from_str(&response.body)
        .map_err(|_| TokenError::Unreachable("ListenBrainz's answer was not JSON".to_owned()))?;
    if body["valid"] != Value::Bool(true) {
        return Err(TokenError::Invalid);
    }
    body["user_name"]
        .as_str()
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| TokenError::Unreachable("ListenBrainz named no user".to_owned()))
}

/// `POST /1/submit-listens`: the plays, oldest first, as one import.
pub fn submit_request(api_url: &str, token: &str, plays: &[HistoryPlay]) -> HttpRequest {
    let listens: Vec<Value> = plays.iter().map(listenbrainz_listen).collect();
    let mut headers = authorized(token);
    headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    HttpRequest {
        method: Method::Post,
        url: format!("{api_url}/1/submit-listens"),
        headers,
        body: Some(json!({ "listen_type": "import", "payload": listens }).to_string()),
        follow_redirects: false,
        max_response_bytes: Some(MAX_ANSWER_BYTES),
    }
}

/// The wait ListenBrainz asks for: `X-RateLimit-Reset-In` (seconds) on a 429, or a
/// `Retry-After` on anything.
fn wait_asked(response: &HttpResponse, now: UnixMillis) -> Option<u64> {
    let reset_in = response
        .header("X-RateLimit-Reset-In")
        .and_then(|value| value.trim().parse::<u64>().ok());
    reset_in.or_else(|| {
        response
            .header("Retry-After")
            .and_then(|value| parse_retry_after(value, now))
    })
}

/// ListenBrainz's own words for a refusal (`{"code", "error"}`), or the status.
fn error_text(response: &HttpResponse) -> String {
    let said = serde_json::from_str::<Value>(&response.body)
        .ok()
        .and_then(|body| body["error"].as_str().map(str::to_owned));
    match said {
        Some(error) => format!("HTTP {}: {}", response.status, truncate(&error, 200)),
        None => format!("HTTP {}", response.status),
    }
}

fn truncate(text: &str, most: usize) -> &str {
    match text.char_indices().nth(most) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// What an answer to `submit-listens` means.
pub fn classify(result: &Result<HttpResponse, TransportError>, now: UnixMillis) -> Answer {
    match result {
        Ok(response) if response.status == 200 => Answer::Accepted { taken: None },
        Ok(response) if response.status == 401 => Answer::Revoked {
            error: format!(
                "ListenBrainz refused the token ({}); paste a new one",
                error_text(response)
            ),
        },
        Ok(response) if matches!(response.status, 408 | 429) || response.status >= 500 => {
            Answer::Later {
                retry_after_seconds: wait_asked(response, now),
                error: error_text(response),
            }
        }
        Ok(response) => Answer::Refused {
            error: error_text(response),
        },
        Err(error) => Answer::Later {
            retry_after_seconds: None,
            error: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::history::ArtistRef;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
            body: body.to_owned(),
        }
    }

    fn play(played_at: UnixMillis, name: &str) -> HistoryPlay {
        HistoryPlay {
            id: 1,
            played_at,
            track_id: "4uLU6hMCjMI75M1A2tKUQC".into(),
            track_name: name.into(),
            track_uri: "spotify:track:4uLU6hMCjMI75M1A2tKUQC".into(),
            duration_ms: 213_573,
            is_local: 0,
            artist_names: Some("Rick Astley".into()),
            artists: vec![ArtistRef {
                id: Some("0gxyHStUsqpMadRV0Di1Qt".into()),
                name: "Rick Astley".into(),
            }],
            album_id: None,
            album_name: None,
            image_url: None,
            context_uri: None,
            source: "poll".into(),
        }
    }

    #[test]
    fn a_token_is_checked_for_its_shape_before_it_is_sent() {
        assert_eq!(
            read_token("  0b8c4f2e-58c1-4b8e-9f63-6f1d1a2b3c4d\n"),
            Some("0b8c4f2e-58c1-4b8e-9f63-6f1d1a2b3c4d")
        );
        for bad in [
            "",
            "   ",
            "a b",
            "tok\r\nX-Evil: 1",
            "ünïcode",
            &"a".repeat(65),
        ] {
            assert_eq!(read_token(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn validation_names_the_user_of_a_valid_token_only() {
        let valid = answer(
            200,
            &[],
            r#"{"code":200,"message":"Token valid.","valid":true,"user_name":"alice"}"#,
        );
        assert_eq!(read_validation(Ok(valid)), Ok("alice".to_owned()));
        let invalid = answer(
            200,
            &[],
            r#"{"code":200,"message":"Token invalid.","valid":false}"#,
        );
        assert_eq!(read_validation(Ok(invalid)), Err(TokenError::Invalid));
        let down = answer(503, &[], "");
        assert_eq!(
            read_validation(Ok(down)),
            Err(TokenError::Unreachable(
                "ListenBrainz answered HTTP 503".into()
            ))
        );
        assert_eq!(
            read_validation(Err(TransportError::Timeout)),
            Err(TokenError::Unreachable("request timed out".into()))
        );
    }

    #[test]
    fn the_token_goes_in_a_header_that_no_redirect_carries_away() {
        let request = validate_request("http://lb", "tok");
        assert_eq!(request.url, "http://lb/1/validate-token");
        assert_eq!(request.header("Authorization"), Some("Token tok"));
        assert!(!request.follow_redirects);
    }

    #[test]
    fn a_submission_is_one_import_of_every_play_in_order() {
        let plays = [
            play(1_772_409_600_000, "First"),
            play(1_772_409_900_000, "Second"),
        ];
        let request = submit_request("http://lb", "tok", &plays);
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.url, "http://lb/1/submit-listens");
        assert_eq!(request.header("Authorization"), Some("Token tok"));
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap_or_default())
            .expect("the body is JSON");
        assert_eq!(body["listen_type"], "import");
        let listens = body["payload"].as_array().expect("a payload");
        assert_eq!(listens.len(), 2);
        assert_eq!(listens[0]["listened_at"], 1_772_409_600);
        assert_eq!(listens[1]["track_metadata"]["track_name"], "Second");
        let info = &listens[0]["track_metadata"]["additional_info"];
        assert_eq!(info["submission_client"], "Spotify Time Machine");
        assert_eq!(info["submission_client_version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn answers_are_classified_as_listenbrainz_means_them() {
        assert_eq!(
            classify(&Ok(answer(200, &[], r#"{"status":"ok"}"#)), 0),
            Answer::Accepted { taken: None }
        );
        assert_eq!(
            classify(
                &Ok(answer(
                    401,
                    &[],
                    r#"{"code":401,"error":"Invalid authorization token."}"#
                )),
                0
            ),
            Answer::Revoked {
                error: "ListenBrainz refused the token (HTTP 401: Invalid authorization token.); \
                        paste a new one"
                    .into()
            }
        );
        assert_eq!(
            classify(
                &Ok(answer(
                    429,
                    &[
                        ("X-RateLimit-Remaining", "0"),
                        ("X-RateLimit-Reset-In", "42")
                    ],
                    r#"{"code":429,"error":"Too many requests"}"#
                )),
                0
            ),
            Answer::Later {
                retry_after_seconds: Some(42),
                error: "HTTP 429: Too many requests".into()
            }
        );
        assert_eq!(
            classify(&Ok(answer(503, &[("Retry-After", "120")], "down")), 0),
            Answer::Later {
                retry_after_seconds: Some(120),
                error: "HTTP 503".into()
            }
        );
        assert_eq!(
            classify(&Err(TransportError::Timeout), 0),
            Answer::Later {
                retry_after_seconds: None,
                error: "request timed out".into()
            }
        );
        assert_eq!(
            classify(
                &Ok(answer(
                    400,
                    &[],
                    r#"{"code":400,"error":"JSON document is too large."}"#
                )),
                0
            ),
            Answer::Refused {
                error: "HTTP 400: JSON document is too large.".into()
            }
        );
    }
}
