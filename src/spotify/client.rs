//! The calls we make to Spotify, over any [`HttpClient`].
//!
//! Only the endpoints a development-mode app keeps: authorize (a redirect, built in
//! [`crate::oauth`]), token, `/me` and recently-played. No catalogue endpoint, ever.

use std::cell::Cell;

use base64::Engine as _;

use super::error::SpotifyError;
use super::profile::{parse_profile, Profile};
use super::recently_played::{parse_recently_played, RecentlyPlayedPage};
use super::retry_after::parse_retry_after;
use super::token::{parse_token_response, TokenGrant};
use crate::ports::{HttpClient, HttpRequest, HttpResponse, Method};
use crate::time::UnixMillis;

/// Where Spotify lives; pointing these at the simulator is configuration only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpotifyEndpoints {
    /// `https://accounts.spotify.com` in production.
    pub accounts_url: String,
    /// `https://api.spotify.com` in production.
    pub api_url: String,
}

/// The app's credentials. `Debug` is written by hand so the secret never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

pub struct SpotifyClient<'a, H> {
    http: &'a H,
    endpoints: &'a SpotifyEndpoints,
    credentials: &'a ClientCredentials,
    /// Calls made, for the cost accounting of an archive.
    calls: Cell<u32>,
}

impl<'a, H: HttpClient> SpotifyClient<'a, H> {
    pub fn new(
        http: &'a H,
        endpoints: &'a SpotifyEndpoints,
        credentials: &'a ClientCredentials,
    ) -> Self {
        Self {
            http,
            endpoints,
            credentials,
            calls: Cell::new(0),
        }
    }

    pub fn calls(&self) -> u32 {
        self.calls.get()
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, SpotifyError> {
        self.calls.set(self.calls.get() + 1);
        self.http
            .send(request)
            .await
            .map_err(SpotifyError::Transport)
    }

    async fn token(
        &self,
        form: &[(&str, &str)],
        now: UnixMillis,
    ) -> Result<TokenGrant, SpotifyError> {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.credentials.client_id, self.credentials.client_secret
        ));
        let response = self
            .send(HttpRequest {
                method: Method::Post,
                url: format!(
                    "{}/api/token",
                    self.endpoints.accounts_url.trim_end_matches('/')
                ),
                headers: vec![
                    ("Authorization".into(), format!("Basic {basic}")),
                    (
                        "Content-Type".into(),
                        "application/x-www-form-urlencoded".into(),
                    ),
                ],
                body: Some(
                    form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(form)
                        .finish(),
                ),
                follow_redirects: true,
                max_response_bytes: None,
            })
            .await?;
        if response.status == 429 {
            return Err(rate_limited(&response, now));
        }
        parse_token_response(response.status, &response.body)
    }

    /// Trades an authorization code (with its PKCE verifier) for tokens.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
        now: UnixMillis,
    ) -> Result<TokenGrant, SpotifyError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ];
        self.token(&form, now).await
    }

    /// A new access token from a refresh token. The grant's `refresh_token` is set only
    /// when Spotify rotated it; the caller must store it before using the access token.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        now: UnixMillis,
    ) -> Result<TokenGrant, SpotifyError> {
        self.token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
            now,
        )
        .await
    }

    async fn api_get(
        &self,
        path_and_query: &str,
        access_token: &str,
        now: UnixMillis,
    ) -> Result<String, SpotifyError> {
        let response = self
            .send(HttpRequest {
                method: Method::Get,
                url: format!(
                    "{}{path_and_query}",
                    self.endpoints.api_url.trim_end_matches('/')
                ),
                headers: vec![("Authorization".into(), format!("Bearer {access_token}"))],
                body: None,
                follow_redirects: true,
                max_response_bytes: None,
            })
            .await?;
        match response.status {
            200..=299 => Ok(response.body),
            401 => Err(SpotifyError::Unauthorized),
            403 => Err(SpotifyError::Forbidden),
            429 => Err(rate_limited(&response, now)),
            status @ 500..=599 => Err(SpotifyError::Server { status }),
            status => Err(SpotifyError::Unexpected { status }),
        }
    }

    pub async fn me(&self, access_token: &str, now: UnixMillis) -> Result<Profile, SpotifyError> {
        parse_profile(&self.api_get("/v1/me", access_token, now).await?)
    }

    /// One page of at most 50 plays after `after` (Unix ms). We never follow `next`:
    /// it pages backwards through the same 50 plays and cannot reach further.
    pub async fn recently_played(
        &self,
        access_token: &str,
        after: Option<UnixMillis>,
        now: UnixMillis,
    ) -> Result<RecentlyPlayedPage, SpotifyError> {
        let path = match after {
            Some(after) => format!("/v1/me/player/recently-played?limit=50&after={after}"),
            None => "/v1/me/player/recently-played?limit=50".to_owned(),
        };
        parse_recently_played(&self.api_get(&path, access_token, now).await?)
    }
}

/// A 429: the user's rate limit, or the app's whole quota when the body says so
/// (`"reason": "QUOTA_EXCEEDED"`, in the error object or beside it).
fn rate_limited(response: &HttpResponse, now: UnixMillis) -> SpotifyError {
    let retry_after_seconds = response
        .header("Retry-After")
        .and_then(|value| parse_retry_after(value, now));
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap_or_default();
    let reason = body["error"]["reason"].as_str().or(body["reason"].as_str());
    if reason == Some("QUOTA_EXCEEDED") {
        SpotifyError::QuotaExceeded {
            retry_after_seconds,
        }
    } else {
        SpotifyError::RateLimited {
            retry_after_seconds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ScriptedHttp;

    fn endpoints() -> SpotifyEndpoints {
        SpotifyEndpoints {
            accounts_url: "http://acc".into(),
            api_url: "http://api/".into(),
        }
    }

    fn credentials() -> ClientCredentials {
        ClientCredentials {
            client_id: "id".into(),
            client_secret: "secret".into(),
        }
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        assert!(!format!("{:?}", credentials()).contains("secret\""));
        assert!(format!("{:?}", credentials()).contains("<redacted>"));
    }

    #[test]
    fn recently_played_asks_for_fifty_after_the_cursor_with_the_bearer_token() {
        let http = ScriptedHttp::new(vec![Ok(ScriptedHttp::ok(r#"{"items":[]}"#))]);
        let (endpoints, credentials) = (endpoints(), credentials());
        let client = SpotifyClient::new(&http, &endpoints, &credentials);
        let page =
            futures::executor::block_on(client.recently_played("tok", Some(123), 0)).expect("page");
        assert_eq!(page.returned, 0);
        let request = &http.requests()[0];
        assert_eq!(
            request.url,
            "http://api/v1/me/player/recently-played?limit=50&after=123"
        );
        assert_eq!(
            request.headers[0],
            ("Authorization".to_owned(), "Bearer tok".to_owned())
        );
        assert_eq!(client.calls(), 1);
    }

    #[test]
    fn a_429_of_the_apps_quota_is_told_apart_from_the_users_rate_limit() {
        let mut response = ScriptedHttp::status(
            429,
            r#"{"error":{"status":429,"message":"quota","reason":"QUOTA_EXCEEDED"}}"#,
        );
        response.headers.push(("retry-after".into(), "3600".into()));
        let http = ScriptedHttp::new(vec![Ok(response)]);
        let (endpoints, credentials) = (endpoints(), credentials());
        let client = SpotifyClient::new(&http, &endpoints, &credentials);
        let error =
            futures::executor::block_on(client.recently_played("tok", None, 0)).expect_err("429");
        assert_eq!(
            error,
            SpotifyError::QuotaExceeded {
                retry_after_seconds: Some(3600)
            }
        );
    }

    #[test]
    fn a_429_carries_its_retry_after() {
        let mut response = ScriptedHttp::status(429, "{}");
        response.headers.push(("retry-after".into(), "7200".into()));
        let http = ScriptedHttp::new(vec![Ok(response)]);
        let (endpoints, credentials) = (endpoints(), credentials());
        let client = SpotifyClient::new(&http, &endpoints, &credentials);
        let error =
            futures::executor::block_on(client.recently_played("tok", None, 0)).expect_err("429");
        assert_eq!(
            error,
            SpotifyError::RateLimited {
                retry_after_seconds: Some(7200)
            }
        );
    }

    #[test]
    fn web_api_statuses_map_to_errors() {
        for (status, expected) in [
            (401, SpotifyError::Unauthorized),
            (403, SpotifyError::Forbidden),
            (503, SpotifyError::Server { status: 503 }),
            (404, SpotifyError::Unexpected { status: 404 }),
        ] {
            let http = ScriptedHttp::new(vec![Ok(ScriptedHttp::status(status, "{}"))]);
            let (endpoints, credentials) = (endpoints(), credentials());
            let client = SpotifyClient::new(&http, &endpoints, &credentials);
            assert_eq!(
                futures::executor::block_on(client.me("tok", 0)),
                Err(expected)
            );
        }
    }

    #[test]
    fn a_refresh_posts_the_form_with_basic_client_auth() {
        let http = ScriptedHttp::new(vec![Ok(ScriptedHttp::ok(
            r#"{"access_token":"A","expires_in":3600}"#,
        ))]);
        let (endpoints, credentials) = (endpoints(), credentials());
        let client = SpotifyClient::new(&http, &endpoints, &credentials);
        futures::executor::block_on(client.refresh("r/1", 0)).expect("grant");
        let request = &http.requests()[0];
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.url, "http://acc/api/token");
        assert_eq!(
            request.body.as_deref(),
            Some("grant_type=refresh_token&refresh_token=r%2F1")
        );
        assert_eq!(request.headers[0].1, "Basic aWQ6c2VjcmV0");
    }
}
