//! The HTTP behaviour, exercised through the router without a socket and with a manual clock.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{ServerConfig, Simulator};
use crate::clock::ManualClock;
use crate::oauth::pkce_challenge;
use crate::params::Params;

// The scrobbling services' tests share this file's harness.
mod lastfm;
mod listenbrainz;

const NOW_MS: i64 = 1_795_871_112_345;
const CLIENT_ID: &str = "sim-client-id";
const CLIENT_SECRET: &str = "sim-client-secret";
const REDIRECT: &str = "http://127.0.0.1:8787/callback";
const SCOPE: &str = "user-read-recently-played user-read-email";
const VERIFIER: &str = "a-verifier-that-is-long-enough-for-pkce-0123456789";

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    fn location_param(&self, name: &str) -> Option<String> {
        let location = self.headers.get(LOCATION)?.to_str().ok()?;
        let (_, query) = location.split_once('?')?;
        Params::parse(query.as_bytes()).get(name).map(str::to_owned)
    }
}

struct Tokens {
    access: String,
    refresh: String,
}

struct Harness {
    sim: Simulator,
    clock: ManualClock,
    router: Router,
}

impl Harness {
    fn new() -> Self {
        Self::with(ServerConfig::default())
    }

    fn with(config: ServerConfig) -> Self {
        let clock = ManualClock::new(NOW_MS);
        let config = ServerConfig {
            base_url: "http://sim.test".to_owned(),
            log_requests: false,
            ..config
        };
        let sim = Simulator::new(config, Arc::new(clock.clone()));
        let router = sim.router();
        Self { sim, clock, router }
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a readable body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, uri: &str, bearer: Option<&str>) -> Reply {
        let mut request = Request::get(uri);
        if let Some(token) = bearer {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::empty()).expect("a valid request"))
            .await
    }

    async fn post_form(
        &self,
        uri: &str,
        pairs: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Reply {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(pairs);
        let mut request =
            Request::post(uri).header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some((id, secret)) = basic {
            request = request.header(
                AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
            );
        }
        self.send(
            request
                .body(Body::from(form.finish()))
                .expect("a valid request"),
        )
        .await
    }

    async fn admin(&self, method: Method, uri: &str, body: Value) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("a valid request");
        self.send(request).await
    }

    /// The browser's part: approve as `user`, returning the redirect.
    async fn decide(&self, user: &str, decision: &str, challenge: Option<&str>) -> Reply {
        let mut pairs = vec![
            ("client_id", CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
            ("scope", SCOPE),
            ("user", user),
            ("decision", decision),
        ];
        if let Some(challenge) = challenge {
            pairs.extend([
                ("code_challenge_method", "S256"),
                ("code_challenge", challenge),
            ]);
        }
        self.post_form("/authorize/decision", &pairs, None).await
    }

    async fn code_for(&self, user: &str) -> String {
        self.decide(user, "approve", None)
            .await
            .location_param("code")
            .expect("a code")
    }

    async fn exchange(&self, code: &str) -> Reply {
        let pairs = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ];
        self.post_form("/api/token", &pairs, Some((CLIENT_ID, CLIENT_SECRET)))
            .await
    }

    async fn refresh(&self, refresh_token: &str) -> Reply {
        let pairs = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ];
        self.post_form("/api/token", &pairs, Some((CLIENT_ID, CLIENT_SECRET)))
            .await
    }

    async fn tokens_for(&self, user: &str) -> Tokens {
        let code = self.code_for(user).await;
        let body = self.exchange(&code).await.json();
        Tokens {
            access: body["access_token"].as_str().unwrap_or_default().to_owned(),
            refresh: body["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

fn authorize_uri(redirect_uri: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs([
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", redirect_uri),
        ("state", "xyz"),
        ("scope", SCOPE),
    ]);
    format!("/authorize?{}", query.finish())
}

// ---------------------------------------------------------------------------------------
// Accounts service

#[tokio::test]
async fn health_is_ok() {
    let reply = Harness::new().get("/health", None).await;
    assert_eq!(
        (reply.status, reply.json()),
        (StatusCode::OK, json!({ "ok": true }))
    );
}

#[tokio::test]
async fn authorize_shows_a_consent_form_carrying_the_request() {
    let reply = Harness::new().get(&authorize_uri(REDIRECT), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .body
        .contains(r#"<form method="post" action="/authorize/decision">"#));
    assert!(reply.body.contains(r#"<select name="user" id="user">"#));
    assert!(reply
        .body
        .contains(r#"<option value="sim-user-1" selected>"#));
    assert!(reply.body.contains(r#"<option value="sim-user-3">"#));
    assert!(reply.body.contains(r#"id="approve""#) && reply.body.contains(r#"id="deny""#));
    assert!(reply.body.contains(r#"name="state" value="xyz""#));
    assert!(reply
        .body
        .contains(r#"name="redirect_uri" value="http://127.0.0.1:8787/callback""#));
}

#[tokio::test]
async fn authorize_refuses_an_unknown_client_with_an_error_page() {
    let uri = authorize_uri(REDIRECT).replace(CLIENT_ID, "someone-else");
    let reply = Harness::new().get(&uri, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Invalid client"));
}

#[tokio::test]
async fn authorize_refuses_a_localhost_redirect_as_insecure() {
    let reply = Harness::new()
        .get(&authorize_uri("http://localhost:8787/callback"), None)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Insecure redirect URI"));
}

#[tokio::test]
async fn approving_redirects_with_a_code_and_the_state() {
    let reply = Harness::new().decide("sim-user-2", "approve", None).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let location = reply
        .headers
        .get(LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    assert!(
        location.starts_with("http://127.0.0.1:8787/callback?code="),
        "{location}"
    );
    assert_eq!(reply.location_param("state").as_deref(), Some("xyz"));
}

#[tokio::test]
async fn denying_redirects_with_access_denied() {
    let reply = Harness::new().decide("sim-user-1", "deny", None).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(
        reply.location_param("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(reply.location_param("state").as_deref(), Some("xyz"));
    assert_eq!(reply.location_param("code"), None);
}

#[tokio::test]
async fn a_code_exchange_returns_spotify_shaped_tokens() {
    let harness = Harness::new();
    let code = harness.code_for("sim-user-1").await;
    let reply = harness.exchange(&code).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], SCOPE);
    assert_eq!(body["expires_in"], 3600);
    assert!(body["access_token"].is_string() && body["refresh_token"].is_string());
}

#[tokio::test]
async fn a_code_cannot_be_used_twice() {
    let harness = Harness::new();
    let code = harness.code_for("sim-user-1").await;
    assert_eq!(harness.exchange(&code).await.status, StatusCode::OK);
    let replay = harness.exchange(&code).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        replay.json(),
        json!({ "error": "invalid_grant", "error_description": "Invalid authorization code" })
    );
}

#[tokio::test]
async fn client_credentials_may_come_in_the_body() {
    let harness = Harness::new();
    let code = harness.code_for("sim-user-1").await;
    let pairs = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    assert_eq!(
        harness.post_form("/api/token", &pairs, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let harness = Harness::new();
    let code = harness.code_for("sim-user-1").await;
    let pairs = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let basic = harness
        .post_form("/api/token", &pairs, Some((CLIENT_ID, "wrong")))
        .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        basic.json(),
        json!({ "error": "invalid_client", "error_description": "Invalid client" })
    );

    let in_body = [
        pairs.as_slice(),
        &[("client_id", CLIENT_ID), ("client_secret", "wrong")],
    ]
    .concat();
    let reply = harness.post_form("/api/token", &in_body, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json()["error"], "invalid_client");
}

#[tokio::test]
async fn pkce_exchanges_need_the_matching_verifier_but_no_secret() {
    let harness = Harness::new();
    let challenge = pkce_challenge(VERIFIER);
    let code = harness
        .decide("sim-user-1", "approve", Some(&challenge))
        .await
        .location_param("code")
        .expect("a code");
    let exchange = |verifier: &'static str| {
        let code = code.clone();
        let harness = &harness;
        async move {
            let pairs = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("client_id", CLIENT_ID),
                ("code_verifier", verifier),
            ];
            harness.post_form("/api/token", &pairs, None).await
        }
    };
    let wrong = exchange("not-the-verifier-at-all-not-the-verifier-at-all").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.json()["error"], "invalid_grant");
    assert_eq!(exchange(VERIFIER).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_grant_type_is_unsupported() {
    let reply = Harness::new()
        .post_form(
            "/api/token",
            &[("grant_type", "password")],
            Some((CLIENT_ID, CLIENT_SECRET)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.json(), json!({ "error": "unsupported_grant_type" }));
}

#[tokio::test]
async fn without_rotation_a_refresh_keeps_the_refresh_token() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    let reply = harness.refresh(&tokens.refresh).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.json().get("refresh_token").is_none());
    assert_eq!(
        harness.refresh(&tokens.refresh).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn with_rotation_the_old_refresh_token_stops_working() {
    let harness = Harness::with(ServerConfig {
        rotate_refresh_tokens: true,
        ..ServerConfig::default()
    });
    let tokens = harness.tokens_for("sim-user-1").await;
    let reply = harness.refresh(&tokens.refresh).await;
    let rotated = reply.json()["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!rotated.is_empty() && rotated != tokens.refresh);

    let stale = harness.refresh(&tokens.refresh).await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        stale.json(),
        json!({ "error": "invalid_grant", "error_description": "Invalid refresh token" })
    );
    assert_eq!(harness.refresh(&rotated).await.status, StatusCode::OK);
}

#[tokio::test]
async fn rotation_can_be_switched_on_for_one_user() {
    let harness = Harness::new();
    let created = harness
        .admin(
            Method::POST,
            "/admin/users",
            json!({ "id": "rotor", "plays_per_hour": 0, "rotate_refresh_tokens": true }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let rotor = harness.tokens_for("rotor").await;
    assert!(harness.refresh(&rotor.refresh).await.json()["refresh_token"].is_string());
    let other = harness.tokens_for("sim-user-1").await;
    assert!(harness
        .refresh(&other.refresh)
        .await
        .json()
        .get("refresh_token")
        .is_none());
}

// ---------------------------------------------------------------------------------------
// Web API

#[tokio::test]
async fn me_describes_the_user_behind_the_token() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    let me = harness.get("/v1/me", Some(&tokens.access)).await.json();
    assert_eq!(me["id"], "sim-user-1");
    assert_eq!(me["uri"], "spotify:user:sim-user-1");
    assert_eq!(me["type"], "user");
    assert_eq!(me["images"], json!([]));
    assert!(me["email"].is_string());
    assert!(me["account_id"].is_string() && me["account_id"] != me["id"]);

    let third = harness.tokens_for("sim-user-3").await;
    assert!(harness
        .get("/v1/me", Some(&third.access))
        .await
        .json()
        .get("email")
        .is_none());
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_invalid() {
    let harness = Harness::new();
    let invalid = json!({ "error": { "status": 401, "message": "Invalid access token" } });
    for bearer in [None, Some("made-up")] {
        let reply = harness.get("/v1/me", bearer).await;
        assert_eq!(
            (reply.status, reply.json()),
            (StatusCode::UNAUTHORIZED, invalid.clone())
        );
    }
}

#[tokio::test]
async fn an_access_token_expires_after_its_ttl() {
    let harness = Harness::with(ServerConfig {
        access_token_ttl_secs: 60,
        ..ServerConfig::default()
    });
    let tokens = harness.tokens_for("sim-user-1").await;
    harness.clock.advance(59_999);
    assert_eq!(
        harness.get("/v1/me", Some(&tokens.access)).await.status,
        StatusCode::OK
    );
    harness.clock.advance(1);
    let reply = harness.get("/v1/me", Some(&tokens.access)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.json(),
        json!({ "error": { "status": 401, "message": "The access token expired" } })
    );
}

#[tokio::test]
async fn recently_played_pages_through_the_newest_fifty_plays() {
    let harness = Harness::with(ServerConfig {
        history_hours: 6.0,
        ..ServerConfig::default()
    });
    let tokens = harness.tokens_for("sim-user-1").await;
    let first = harness
        .get(
            "/v1/me/player/recently-played?limit=30",
            Some(&tokens.access),
        )
        .await
        .json();
    assert_eq!(first["items"].as_array().map(Vec::len), Some(30));
    assert_eq!(first["limit"], 30);
    assert_eq!(
        first["href"],
        "http://sim.test/v1/me/player/recently-played?limit=30"
    );
    let before = first["cursors"]["before"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        first["next"],
        format!("http://sim.test/v1/me/player/recently-played?before={before}&limit=30")
    );

    let next_uri = first["next"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("http://sim.test")
        .to_owned();
    let second = harness.get(&next_uri, Some(&tokens.access)).await.json();
    assert_eq!(
        second["items"].as_array().map(Vec::len),
        Some(20),
        "only 50 plays exist"
    );
    assert_eq!(second["next"], Value::Null);

    let truth = harness
        .get("/admin/users/sim-user-1/plays", None)
        .await
        .json();
    let newest = truth
        .as_array()
        .and_then(|plays| plays.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        first["cursors"]["after"],
        newest["played_at_ms"].to_string()
    );
    assert_eq!(first["items"][0]["played_at"], newest["played_at"]);
}

#[tokio::test]
async fn recently_played_refuses_bad_queries() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    for query in [
        "limit=0",
        "limit=51",
        "limit=many",
        "after=1&before=2",
        "before=yesterday",
    ] {
        let reply = harness
            .get(
                &format!("/v1/me/player/recently-played?{query}"),
                Some(&tokens.access),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["error"]["status"], 400, "{query}");
        assert!(reply.json()["error"]["message"].is_string(), "{query}");
    }
}

#[tokio::test]
async fn recently_played_needs_its_scope() {
    let harness = Harness::new();
    let pairs = [
        ("client_id", CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", "user-read-email"),
        ("user", "sim-user-1"),
        ("decision", "approve"),
    ];
    let code = harness
        .post_form("/authorize/decision", &pairs, None)
        .await
        .location_param("code");
    let body = harness.exchange(&code.unwrap_or_default()).await.json();
    let access = body["access_token"].as_str().unwrap_or_default();
    let reply = harness
        .get("/v1/me/player/recently-played", Some(access))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.json()["error"]["message"],
        "Insufficient client scope"
    );
}

#[tokio::test]
async fn a_user_with_no_plays_gets_an_empty_page() {
    let harness = Harness::new();
    harness
        .admin(
            Method::POST,
            "/admin/users",
            json!({ "id": "silent", "plays_per_hour": 0 }),
        )
        .await;
    let tokens = harness.tokens_for("silent").await;
    let page = harness
        .get("/v1/me/player/recently-played", Some(&tokens.access))
        .await
        .json();
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["cursors"], Value::Null);
    assert_eq!(page["next"], Value::Null);
}

// ---------------------------------------------------------------------------------------
// Admin API

#[tokio::test]
async fn admin_lists_the_default_users() {
    let users = Harness::new().get("/admin/users", None).await.json();
    let ids: Vec<&str> = users
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["id"].as_str())
        .collect();
    assert_eq!(ids, ["sim-user-1", "sim-user-2", "sim-user-3"]);
    assert_eq!(users[2]["email"], Value::Null);
}

#[tokio::test]
async fn injected_plays_show_up_in_the_truth_and_the_api() {
    let harness = Harness::new();
    harness
        .admin(
            Method::POST,
            "/admin/users",
            json!({ "id": "quiet", "plays_per_hour": 0 }),
        )
        .await;
    let injected = harness
        .admin(
            Method::POST,
            "/admin/users/quiet/plays",
            json!({ "count": 3, "ending_at_ms": NOW_MS - 1000, "spacing_ms": 60_000 }),
        )
        .await;
    assert_eq!(injected.status, StatusCode::CREATED);
    let times: Vec<i64> = injected
        .json()
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["played_at_ms"].as_i64())
        .collect();
    assert_eq!(times, [NOW_MS - 121_000, NOW_MS - 61_000, NOW_MS - 1000]);

    let truth = harness
        .get(
            &format!("/admin/users/quiet/plays?from={}", NOW_MS - 61_000),
            None,
        )
        .await
        .json();
    assert_eq!(truth.as_array().map(Vec::len), Some(2));

    let tokens = harness.tokens_for("quiet").await;
    let page = harness
        .get("/v1/me/player/recently-played", Some(&tokens.access))
        .await
        .json();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        page["items"][0]["track"]["uri"],
        injected.json()[2]["track_uri"]
    );
}

#[tokio::test]
async fn admin_answers_404_for_an_unknown_user_and_400_for_a_bad_body() {
    let harness = Harness::new();
    let missing = harness
        .admin(
            Method::POST,
            "/admin/users/nobody/plays",
            json!({ "count": 1 }),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json()["error"].is_string());
    let bad = harness
        .admin(
            Method::POST,
            "/admin/users/sim-user-1/plays",
            json!({ "count": 0 }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown_kind = harness
        .admin(Method::POST, "/admin/faults", json!({ "kind": "gremlins" }))
        .await;
    assert_eq!(unknown_kind.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn stats_count_each_users_calls() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    harness.get("/v1/me", Some(&tokens.access)).await;
    harness
        .get("/v1/me/player/recently-played", Some(&tokens.access))
        .await;
    harness
        .get("/v1/me/player/recently-played", Some(&tokens.access))
        .await;
    harness.refresh(&tokens.refresh).await;
    let stats = harness
        .get("/admin/users/sim-user-1/stats", None)
        .await
        .json();
    assert_eq!(
        stats,
        json!({ "recently_played_calls": 2, "token_calls": 2, "me_calls": 1, "authorize_decisions": 1 })
    );
    let untouched = harness
        .get("/admin/users/sim-user-2/stats", None)
        .await
        .json();
    assert_eq!(untouched["token_calls"], 0);
}

// ---------------------------------------------------------------------------------------
// Faults

#[tokio::test]
async fn a_rate_limit_answers_429_with_retry_after() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    let fault = json!({ "kind": "rate_limit", "endpoint": "recently_played", "retry_after_secs": 7, "times": 1 });
    assert_eq!(
        harness
            .admin(Method::POST, "/admin/users/sim-user-1/faults", fault)
            .await
            .status,
        StatusCode::CREATED
    );

    let limited = harness
        .get("/v1/me/player/recently-played", Some(&tokens.access))
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    assert_eq!(
        limited.json(),
        json!({ "error": { "status": 429, "message": "API rate limit exceeded" } })
    );
    assert_eq!(
        harness.get("/v1/me", Some(&tokens.access)).await.status,
        StatusCode::OK,
        "other endpoint"
    );
    let after = harness
        .get("/v1/me/player/recently-played", Some(&tokens.access))
        .await;
    assert_eq!(after.status, StatusCode::OK, "used up after one time");
}

#[tokio::test]
async fn a_server_error_lasts_until_cleared() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    harness
        .admin(
            Method::POST,
            "/admin/faults",
            json!({ "kind": "server_error", "status": 503 }),
        )
        .await;
    for _ in 0..2 {
        let reply = harness.get("/v1/me", Some(&tokens.access)).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.json()["error"]["status"], 503);
    }
    let cleared = harness
        .admin(Method::DELETE, "/admin/faults", Value::Null)
        .await;
    assert_eq!(cleared.json(), json!({ "cleared": 1 }));
    assert_eq!(
        harness.get("/v1/me", Some(&tokens.access)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_200_that_does_not_parse() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    harness
        .admin(
            Method::POST,
            "/admin/users/sim-user-1/faults",
            json!({ "kind": "malformed_body", "endpoint": "me" }),
        )
        .await;
    let reply = harness.get("/v1/me", Some(&tokens.access)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        serde_json::from_str::<Value>(&reply.body).is_err(),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_is_refused_until_the_user_authorizes_again() {
    let harness = Harness::new();
    let old = harness.tokens_for("sim-user-1").await;
    harness
        .admin(
            Method::POST,
            "/admin/users/sim-user-1/faults",
            json!({ "kind": "revoke_refresh_token" }),
        )
        .await;
    let refused = harness.refresh(&old.refresh).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.json(),
        json!({ "error": "invalid_grant", "error_description": "Refresh token revoked" })
    );

    let fresh = harness.tokens_for("sim-user-1").await;
    assert_eq!(harness.refresh(&fresh.refresh).await.status, StatusCode::OK);
    assert_eq!(
        harness.refresh(&old.refresh).await.status,
        StatusCode::BAD_REQUEST
    );

    harness
        .admin(
            Method::DELETE,
            "/admin/users/sim-user-1/faults",
            Value::Null,
        )
        .await;
    assert_eq!(harness.refresh(&old.refresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn expiring_access_tokens_cuts_only_the_current_ones_short() {
    let harness = Harness::new();
    let before = harness.tokens_for("sim-user-1").await;
    let bystander = harness.tokens_for("sim-user-2").await;
    let applied = harness
        .admin(
            Method::POST,
            "/admin/users/sim-user-1/faults",
            json!({ "kind": "expire_access_token" }),
        )
        .await;
    assert_eq!(applied.json()["expired_tokens"], 1);
    let reply = harness.get("/v1/me", Some(&before.access)).await;
    assert_eq!(reply.json()["error"]["message"], "The access token expired");
    assert_eq!(
        harness.get("/v1/me", Some(&bystander.access)).await.status,
        StatusCode::OK
    );

    let refreshed = harness.refresh(&before.refresh).await.json();
    let access = refreshed["access_token"].as_str().unwrap_or_default();
    assert_eq!(
        harness.get("/v1/me", Some(access)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_fault_on_the_token_endpoint_hits_token_requests() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    harness
        .admin(
            Method::POST,
            "/admin/faults",
            json!({ "kind": "rate_limit", "endpoint": "token", "retry_after_secs": 3 }),
        )
        .await;
    assert_eq!(
        harness.refresh(&tokens.refresh).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        harness.get("/v1/me", Some(&tokens.access)).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_request_blocks_no_one_else_and_lets_go_on_shutdown() {
    let harness = Harness::new();
    let stuck = harness.tokens_for("sim-user-1").await;
    let free = harness.tokens_for("sim-user-2").await;
    harness
        .admin(
            Method::POST,
            "/admin/users/sim-user-1/faults",
            json!({ "kind": "hang", "endpoint": "me" }),
        )
        .await;

    let router = harness.router.clone();
    let request = Request::get("/v1/me")
        .header(AUTHORIZATION, format!("Bearer {}", stuck.access))
        .body(Body::empty())
        .expect("a valid request");
    let hanging = tokio::spawn(router.oneshot(request));

    tokio::task::yield_now().await;
    assert_eq!(
        harness.get("/v1/me", Some(&free.access)).await.status,
        StatusCode::OK
    );
    assert!(!hanging.is_finished());

    harness.sim.shutdown();
    let released = hanging
        .await
        .expect("the task ran")
        .expect("the router is infallible");
    assert_eq!(released.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_hang_answers_normally_afterwards() {
    let harness = Harness::new();
    let tokens = harness.tokens_for("sim-user-1").await;
    harness
        .admin(
            Method::POST,
            "/admin/faults",
            json!({ "kind": "hang", "hang_secs": 1, "times": 1 }),
        )
        .await;
    let started = std::time::Instant::now();
    assert_eq!(
        harness.get("/v1/me", Some(&tokens.access)).await.status,
        StatusCode::OK
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
}

// ---------------------------------------------------------------------------------------
// Notification sinks

/// A Standard Webhooks delivery signed with `SINK_SECRET`; the signature was computed
/// independently, with Python's `hmac` module, not with the simulator's code.
const SINK_SECRET: &str = "whsec_c3BvdGlmeS10aW1lLW1hY2hpbmUtc2luay1rZXktMzI=";
const SIGNED_ID: &str = "msg_2Xk3sim";
/// 12 s before `NOW_MS`.
const SIGNED_TIMESTAMP: &str = "1795871100";
const SIGNED_BODY: &str =
    r#"{"type":"sync.failed","user":"sim-user-1","message":"Spotify said 500"}"#;
const SIGNATURE: &str = "v1,Y1YUsUzykoqf3PrZxKMYfD3+XU14bLVGlzUW2vu5gHg=";

impl Harness {
    async fn deliver(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(
            request
                .body(Body::from(body.to_owned()))
                .expect("a valid request"),
        )
        .await
    }

    async fn signed(&self, uri: &str, body: &str) -> Reply {
        let headers = [
            ("Content-Type", "application/json"),
            ("Webhook-Id", SIGNED_ID),
            ("Webhook-Timestamp", SIGNED_TIMESTAMP),
            ("Webhook-Signature", SIGNATURE),
        ];
        self.deliver(Method::POST, uri, &headers, body).await
    }

    async fn received(&self, name: &str) -> Value {
        let reply = self.get(&format!("/admin/sinks/{name}"), None).await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json()
    }
}

#[tokio::test]
async fn a_sink_answers_its_script_in_order_then_its_default_and_records_each() {
    let harness = Harness::new();
    let script = json!({ "responses": [{ "status": 500 }, { "status": 500 }, { "status": 500 }] });
    let configured = harness
        .admin(Method::POST, "/admin/sinks/hooks", script)
        .await;
    assert_eq!(configured.status, StatusCode::CREATED);
    assert_eq!(
        configured.json(),
        json!({
            "name": "hooks",
            "secret": null,
            "responses": [
                { "status": 500, "retry_after": null, "body": null },
                { "status": 500, "retry_after": null, "body": null },
                { "status": 500, "retry_after": null, "body": null },
            ],
            "default_status": 200,
        })
    );
    let mut statuses = Vec::new();
    for attempt in 1..=4 {
        let body = format!(r#"{{"attempt":{attempt}}}"#);
        let headers = [("Content-Type", "application/json"), ("X-Attempt", "yes")];
        let reply = harness
            .deliver(Method::POST, "/sinks/hooks", &headers, &body)
            .await;
        statuses.push(reply.status.as_u16());
        harness.clock.advance(1_000);
    }
    assert_eq!(statuses, [500, 500, 500, 200]);

    let sink = harness.received("hooks").await;
    assert_eq!(sink["name"], "hooks");
    assert_eq!(sink["pending_responses"], 0);
    let received = sink["received"].as_array().expect("a list");
    assert_eq!(received.len(), 4);
    for (index, delivery) in received.iter().enumerate() {
        assert_eq!(delivery["status"], statuses[index]);
        assert_eq!(delivery["at"], NOW_MS + 1_000 * index as i64);
        assert_eq!(delivery["method"], "POST");
        assert_eq!(delivery["path"], "/sinks/hooks");
        assert_eq!(delivery["headers"]["x-attempt"], "yes");
        assert_eq!(delivery["headers"]["content-type"], "application/json");
        assert_eq!(delivery["body"], format!(r#"{{"attempt":{}}}"#, index + 1));
        assert_eq!(delivery["json"], json!({ "attempt": index + 1 }));
        assert_eq!(delivery["signature"], "not_checked");
    }
}

#[tokio::test]
async fn a_scripted_response_sends_retry_after_and_its_body() {
    let harness = Harness::new();
    let script = json!({
        "responses": [{ "status": 429, "retry_after": "30", "body": "{\"retry_after\":30}" }],
        "default_status": 204,
    });
    harness
        .admin(Method::POST, "/admin/sinks/discord", script)
        .await;
    let limited = harness
        .deliver(Method::POST, "/sinks/discord", &[], "{}")
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.headers.get(RETRY_AFTER).map(|v| v.as_bytes()),
        Some(&b"30"[..])
    );
    assert_eq!(limited.json(), json!({ "retry_after": 30 }));
    let accepted = harness
        .deliver(Method::POST, "/sinks/discord", &[], "{}")
        .await;
    assert_eq!(accepted.status, StatusCode::NO_CONTENT);
    assert!(accepted.headers.get(RETRY_AFTER).is_none());
}

#[tokio::test]
async fn signatures_are_checked_against_the_sinks_secret() {
    let harness = Harness::new();
    harness
        .admin(
            Method::POST,
            "/admin/sinks/signed",
            json!({ "secret": SINK_SECRET }),
        )
        .await;
    assert_eq!(
        harness.signed("/sinks/signed", SIGNED_BODY).await.status,
        StatusCode::OK
    );
    let tampered = SIGNED_BODY.replace("500", "503");
    harness.signed("/sinks/signed", &tampered).await;
    harness
        .deliver(Method::POST, "/sinks/signed", &[], SIGNED_BODY)
        .await;
    // Ten minutes later the same delivery is a replay.
    harness.clock.advance(10 * 60 * 1000);
    harness.signed("/sinks/signed", SIGNED_BODY).await;
    // A sink without a secret does not check.
    harness.signed("/sinks/unsigned", SIGNED_BODY).await;

    let verdicts: Vec<Value> = harness.received("signed").await["received"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|delivery| delivery["signature"].clone())
        .collect();
    assert_eq!(
        verdicts,
        [
            json!("valid"),
            json!("invalid"),
            json!("missing"),
            json!("invalid")
        ]
    );
    assert_eq!(
        harness.received("unsigned").await["received"][0]["signature"],
        "not_checked"
    );
}

#[tokio::test]
async fn deliveries_may_use_put_and_a_longer_path() {
    let harness = Harness::new();
    let reply = harness
        .deliver(
            Method::PUT,
            "/sinks/ntfy/alerts/x?wait=true",
            &[("Title", "Sync")],
            "hi",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let delivery = &harness.received("ntfy").await["received"][0];
    assert_eq!(delivery["method"], "PUT");
    assert_eq!(delivery["path"], "/sinks/ntfy/alerts/x?wait=true");
    assert_eq!(delivery["headers"]["title"], "Sync");
    assert_eq!(delivery["body"], "hi");
    assert_eq!(delivery["json"], Value::Null);
    let get = harness.get("/sinks/ntfy", None).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn bad_sink_names_are_not_found() {
    let harness = Harness::new();
    let long = format!("/sinks/{}", "x".repeat(65));
    for uri in ["/sinks/a.b", "/sinks/a%2Fb", "/sinks/%C3%A9", long.as_str()] {
        let reply = harness.deliver(Method::POST, uri, &[], "{}").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.json()["error"].is_string(), "{uri}");
    }
    for method in [Method::GET, Method::POST, Method::DELETE] {
        let reply = harness.admin(method, "/admin/sinks/a.b", json!({})).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
    }
    let reply = harness.deliver(Method::POST, "/sinks/", &[], "{}").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let ok = format!("/sinks/{}", "x".repeat(64));
    assert_eq!(
        harness.deliver(Method::POST, &ok, &[], "{}").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_unknown_sink_has_received_nothing() {
    let harness = Harness::new();
    assert_eq!(
        harness.received("nobody").await,
        json!({ "name": "nobody", "received": [], "pending_responses": 0 })
    );
}

#[tokio::test]
async fn deleting_a_sink_forgets_it_and_what_it_received() {
    let harness = Harness::new();
    harness
        .admin(
            Method::POST,
            "/admin/sinks/gone",
            json!({ "responses": [{ "status": 503 }, { "status": 503 }] }),
        )
        .await;
    harness.deliver(Method::POST, "/sinks/gone", &[], "1").await;
    let deleted = harness
        .admin(Method::DELETE, "/admin/sinks/gone", json!({}))
        .await;
    assert_eq!(deleted.json(), json!({ "deleted": true }));
    assert_eq!(
        harness.received("gone").await,
        json!({ "name": "gone", "received": [], "pending_responses": 0 })
    );
    // The script went with it: the sink is back to its implicit 200.
    assert_eq!(
        harness
            .deliver(Method::POST, "/sinks/gone", &[], "2")
            .await
            .status,
        StatusCode::OK
    );
    harness
        .admin(Method::DELETE, "/admin/sinks/gone", json!({}))
        .await;
    let again = harness
        .admin(Method::DELETE, "/admin/sinks/gone", json!({}))
        .await;
    assert_eq!(again.json(), json!({ "deleted": false }));
}

#[tokio::test]
async fn reconfiguring_a_sink_replaces_its_script_and_keeps_what_it_received() {
    let harness = Harness::new();
    let first = json!({ "responses": [{ "status": 500 }, { "status": 500 }] });
    harness.admin(Method::POST, "/admin/sinks/s", first).await;
    harness.deliver(Method::POST, "/sinks/s", &[], "1").await;
    let second = json!({ "responses": [{ "status": 502 }], "default_status": 202 });
    harness.admin(Method::POST, "/admin/sinks/s", second).await;
    assert_eq!(harness.received("s").await["pending_responses"], 1);
    let statuses = [
        harness
            .deliver(Method::POST, "/sinks/s", &[], "2")
            .await
            .status,
        harness
            .deliver(Method::POST, "/sinks/s", &[], "3")
            .await
            .status,
    ];
    assert_eq!(statuses, [StatusCode::BAD_GATEWAY, StatusCode::ACCEPTED]);
    let received = harness.received("s").await;
    let recorded: Vec<&Value> = received["received"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|delivery| &delivery["status"])
        .collect();
    assert_eq!(recorded, [&json!(500), &json!(502), &json!(202)]);
}

#[tokio::test]
async fn a_bad_sink_configuration_is_a_400() {
    let harness = Harness::new();
    for body in [
        json!({ "secret": "not-a-secret" }),
        json!({ "secret": "whsec_%%%" }),
        json!({ "default_status": 42 }),
        json!({ "responses": [{ "status": 700 }] }),
        json!({ "responses": [{ "status": 429, "retry_after": "1\u{7f}" }] }),
        json!({ "surprise": true }),
    ] {
        let reply = harness
            .admin(Method::POST, "/admin/sinks/s", body.clone())
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(reply.json()["error"].is_string(), "{body}");
    }
    // An empty body is an empty configuration.
    let empty = harness
        .send(
            Request::post("/admin/sinks/s")
                .body(Body::empty())
                .expect("a valid request"),
        )
        .await;
    assert_eq!(empty.status, StatusCode::CREATED);
    assert_eq!(empty.json()["default_status"], 200);
}

#[tokio::test]
async fn sink_limits_refuse_large_bodies_and_too_many_sinks() {
    let harness = Harness::new();
    let large = "x".repeat(256 * 1024 + 1);
    let reply = harness
        .deliver(Method::POST, "/sinks/big", &[], &large)
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.json()["error"].is_string());
    let fits = "x".repeat(256 * 1024);
    assert_eq!(
        harness
            .deliver(Method::POST, "/sinks/big", &[], &fits)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        harness.received("big").await["received"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    for index in 1..100 {
        let uri = format!("/sinks/s{index}");
        assert_eq!(
            harness.deliver(Method::POST, &uri, &[], "").await.status,
            StatusCode::OK
        );
    }
    let refused = harness
        .deliver(Method::POST, "/sinks/one-more", &[], "")
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.json()["error"].is_string());
    let configured = harness
        .admin(Method::POST, "/admin/sinks/one-more", json!({}))
        .await;
    assert_eq!(configured.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        harness
            .deliver(Method::POST, "/sinks/s1", &[], "")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_sinks_page_lists_deliveries_newest_first() {
    let harness = Harness::new();
    harness
        .admin(
            Method::POST,
            "/admin/sinks/signed",
            json!({ "secret": SINK_SECRET, "responses": [{ "status": 500 }] }),
        )
        .await;
    harness.signed("/sinks/signed", SIGNED_BODY).await;
    harness.clock.advance(1_000);
    harness.signed("/sinks/signed", SIGNED_BODY).await;
    let page = harness.get("/sinks", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html")));
    assert!(page
        .body
        .contains(r#"<section class="sink" id="sink-signed">"#));
    assert!(page
        .body
        .contains("&quot;message&quot;: &quot;Spotify said 500&quot;"));
    let newest = page
        .body
        .find("2026-11-28T13:05:13.345Z")
        .expect("the second");
    let oldest = page
        .body
        .find("2026-11-28T13:05:12.345Z")
        .expect("the first");
    assert!(newest < oldest);
    assert!(page.body.contains(
        r#"<strong class="status">500</strong> · signature <span class="signature">valid</span>"#
    ));
}
