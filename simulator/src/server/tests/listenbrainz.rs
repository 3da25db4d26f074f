//! The simulated ListenBrainz over HTTP.

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};

use super::{Harness, Reply, ServerConfig, NOW_MS};
use crate::listenbrainz::Account;

const NOW_SECS: i64 = NOW_MS / 1000;

impl Harness {
    async fn listenbrainz_user(&self, user_name: &str, token: &str) {
        let reply = self
            .admin(
                Method::POST,
                "/admin/listenbrainz/users",
                json!({ "user_name": user_name, "token": token }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }

    async fn validate(&self, authorization: Option<&str>) -> Reply {
        let mut request = Request::get("/listenbrainz/1/validate-token");
        if let Some(authorization) = authorization {
            request = request.header(AUTHORIZATION, authorization);
        }
        self.send(request.body(Body::empty()).expect("a valid request"))
            .await
    }

    async fn submit_raw(&self, token: Option<&str>, body: impl Into<Body>) -> Reply {
        let mut request = Request::post("/listenbrainz/1/submit-listens")
            .header(CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Token {token}"));
        }
        self.send(request.body(body.into()).expect("a valid request"))
            .await
    }

    async fn submit(&self, token: &str, listen_type: &str, payload: Vec<Value>) -> Reply {
        let body = json!({ "listen_type": listen_type, "payload": payload });
        self.submit_raw(Some(token), body.to_string()).await
    }

    async fn listens(&self, user_name: &str) -> Value {
        let uri = format!("/admin/listenbrainz/users/{user_name}/listens");
        let reply = self.get(&uri, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }
}

fn listen(listened_at: i64, track_name: &str) -> Value {
    json!({ "listened_at": listened_at,
        "track_metadata": { "artist_name": "Artist", "track_name": track_name } })
}

fn header(reply: &Reply, name: &str) -> String {
    reply
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn bad_request(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["code"], 400);
    body["error"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn validate_token_knows_its_users() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;

    let valid = harness.validate(Some("Token tok-alice")).await;
    assert_eq!(valid.status, StatusCode::OK);
    assert_eq!(
        valid.json(),
        json!({ "code": 200, "message": "Token valid.", "valid": true, "user_name": "alice" })
    );
    let invalid = harness.validate(Some("Token tok-bob")).await;
    assert_eq!(invalid.status, StatusCode::OK);
    assert_eq!(
        invalid.json(),
        json!({ "code": 200, "message": "Token invalid.", "valid": false })
    );
    for authorization in [None, Some("Bearer tok-alice"), Some("Token")] {
        let reply = harness.validate(authorization).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{authorization:?}");
        assert_eq!(
            reply.json(),
            json!({ "code": 400, "error": "You need to provide an Authorization header." })
        );
    }
}

#[tokio::test]
async fn configured_users_exist_from_the_start() {
    let harness = Harness::with(ServerConfig {
        listenbrainz_users: vec![Account {
            user_name: "dev".to_owned(),
            token: "dev-token".to_owned(),
        }],
        ..ServerConfig::default()
    });
    assert_eq!(
        harness.validate(Some("Token dev-token")).await.json()["user_name"],
        "dev"
    );
}

#[tokio::test]
async fn every_response_carries_the_rate_limit_headers() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    // NOW_MS is 2 s into a 10-second window.
    let first = harness.validate(Some("Token tok-alice")).await;
    assert_eq!(header(&first, "x-ratelimit-limit"), "50");
    assert_eq!(header(&first, "x-ratelimit-remaining"), "49");
    assert_eq!(header(&first, "x-ratelimit-reset-in"), "8");
    assert_eq!(
        header(&first, "x-ratelimit-reset"),
        (NOW_SECS + 8).to_string()
    );
    let refused = harness.submit_raw(Some("tok-alice"), "{").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(header(&refused, "x-ratelimit-remaining"), "48");
    let unauthorized = harness.submit_raw(None, "{}").await;
    assert_eq!(header(&unauthorized, "x-ratelimit-remaining"), "49");

    harness.clock.advance(8_000);
    let next_window = harness.validate(Some("Token tok-alice")).await;
    assert_eq!(header(&next_window, "x-ratelimit-remaining"), "49");
    assert_eq!(header(&next_window, "x-ratelimit-reset-in"), "10");
}

#[tokio::test]
async fn listens_are_recorded_as_received_without_deduplication() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    let metadata = json!({ "artist_name": "Artist", "track_name": "One", "release_name": "LP",
        "additional_info": { "spotify_id": "https://open.spotify.com/track/x", "duration_ms": 180000 } });
    let single = vec![json!({ "listened_at": NOW_SECS - 60, "track_metadata": metadata })];
    for _ in 0..2 {
        let reply = harness.submit("tok-alice", "single", single.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json(), json!({ "status": "ok" }));
    }
    let import = vec![
        listen(NOW_SECS - 7200, "Two"),
        listen(NOW_SECS - 3600, "Three"),
    ];
    assert_eq!(
        harness.submit("tok-alice", "import", import).await.status,
        StatusCode::OK
    );
    let now_playing =
        vec![json!({ "track_metadata": { "artist_name": "A", "track_name": "Now" } })];
    assert_eq!(
        harness
            .submit("tok-alice", "playing_now", now_playing)
            .await
            .status,
        StatusCode::OK
    );

    let plain = |at: i64, name: &str, listen_type: &str| {
        json!({ "listened_at": at, "listen_type": listen_type,
            "track_metadata": { "artist_name": "Artist", "track_name": name } })
    };
    let recorded = json!({ "listened_at": NOW_SECS - 60, "listen_type": "single", "track_metadata": metadata });
    assert_eq!(
        harness.listens("alice").await,
        json!({
            "user_name": "alice",
            "requests": 4,
            "pending_responses": 0,
            "listens": [
                recorded,
                recorded,
                plain(NOW_SECS - 7200, "Two", "import"),
                plain(NOW_SECS - 3600, "Three", "import"),
            ],
        })
    );
}

#[tokio::test]
async fn a_bad_or_absent_token_cannot_submit() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    let body = json!({ "listen_type": "single", "payload": [listen(NOW_SECS, "x")] }).to_string();
    for token in [None, Some("tok-mallory")] {
        let reply = harness.submit_raw(token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(
            reply.json(),
            json!({ "code": 401, "error": "Invalid authorization token." })
        );
    }
    let listens = harness.listens("alice").await;
    assert_eq!(
        (listens["requests"].clone(), listens["listens"].clone()),
        (json!(0), json!([]))
    );
}

#[tokio::test]
async fn malformed_submissions_are_400_and_record_nothing() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    let token = Some("tok-alice");
    assert!(bad_request(&harness.submit_raw(token, "{not json").await)
        .starts_with("Cannot parse JSON document"));
    assert!(bad_request(
        &harness
            .submit("tok-alice", "scrobble", vec![listen(NOW_SECS, "x")])
            .await
    )
    .contains("listen_type"));
    assert!(
        bad_request(&harness.submit("tok-alice", "import", vec![]).await).contains("any listens")
    );
    let two = vec![listen(NOW_SECS, "a"), listen(NOW_SECS, "b")];
    assert_eq!(
        bad_request(&harness.submit("tok-alice", "single", two).await),
        "A single submission must contain exactly one listen."
    );
    let no_time = vec![json!({ "track_metadata": { "artist_name": "A", "track_name": "T" } })];
    assert_eq!(
        bad_request(&harness.submit("tok-alice", "single", no_time).await),
        "Each listen must have a listened_at."
    );
    let no_artist = vec![
        json!({ "listened_at": NOW_SECS, "track_metadata": { "artist_name": "", "track_name": "T" } }),
    ];
    assert_eq!(
        bad_request(&harness.submit("tok-alice", "single", no_artist).await),
        "track_metadata must have a non-empty artist_name string."
    );
    let no_track =
        vec![json!({ "listened_at": NOW_SECS, "track_metadata": { "artist_name": "A" } })];
    assert_eq!(
        bad_request(&harness.submit("tok-alice", "single", no_track).await),
        "track_metadata must have a non-empty track_name string."
    );
    let padded = json!({ "listen_type": "single", "payload": [listen(NOW_SECS, "x")],
        "padding": "p".repeat(10_240) });
    assert!(
        bad_request(&harness.submit_raw(token, padded.to_string()).await).contains("too large")
    );

    let listens = harness.listens("alice").await;
    assert_eq!(
        (listens["requests"].clone(), listens["listens"].clone()),
        (json!(8), json!([]))
    );
}

#[tokio::test]
async fn a_thousand_listens_pass_and_a_thousand_and_one_do_not() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    let listens = |count: i64| -> Vec<Value> {
        (0..count)
            .map(|n| listen(NOW_SECS - 100_000 + n, &format!("t{n}")))
            .collect()
    };
    assert_eq!(
        bad_request(&harness.submit("tok-alice", "import", listens(1001)).await),
        "Too many listens: at most 1000 may be submitted at once."
    );
    let reply = harness.submit("tok-alice", "import", listens(1000)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let recorded = harness.listens("alice").await;
    assert_eq!(recorded["listens"].as_array().map(Vec::len), Some(1000));
    assert_eq!(
        recorded["listens"][999]["track_metadata"]["track_name"],
        "t999"
    );
}

#[tokio::test]
async fn scripted_responses_are_consumed_in_order_and_record_nothing() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    harness.listenbrainz_user("bob", "tok-bob").await;
    let script = json!({ "responses": [
        { "status": 503 },
        { "status": 429, "reset_in": 30 },
        { "status": 500, "body": "<html>oops</html>" },
    ] });
    let reply = harness
        .admin(
            Method::POST,
            "/admin/listenbrainz/users/alice/responses",
            script,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);

    // Bob's submissions are not Alice's script's business.
    let bob = harness
        .submit("tok-bob", "single", vec![listen(NOW_SECS, "b")])
        .await;
    assert_eq!(bob.status, StatusCode::OK);

    let payload = || vec![listen(NOW_SECS, "a")];
    let unavailable = harness.submit("tok-alice", "single", payload()).await;
    assert_eq!(unavailable.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        unavailable.json(),
        json!({ "code": 503, "error": "Service Unavailable" })
    );
    let limited = harness.submit("tok-alice", "single", payload()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json()["code"], 429);
    assert_eq!(header(&limited, "x-ratelimit-remaining"), "0");
    assert_eq!(header(&limited, "x-ratelimit-reset-in"), "30");
    assert_eq!(
        header(&limited, "x-ratelimit-reset"),
        (NOW_SECS + 30).to_string()
    );
    let failed = harness.submit("tok-alice", "single", payload()).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body, "<html>oops</html>");
    assert_eq!(header(&failed, "x-ratelimit-limit"), "50");

    let accepted = harness.submit("tok-alice", "single", payload()).await;
    assert_eq!(accepted.status, StatusCode::OK);
    let listens = harness.listens("alice").await;
    assert_eq!(listens["requests"], 4);
    assert_eq!(listens["listens"].as_array().map(Vec::len), Some(1));
    assert_eq!(harness.listens("bob").await["requests"], 1);
}

#[tokio::test]
async fn a_revoked_token_stops_working_until_replaced() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    let reply = harness
        .admin(
            Method::POST,
            "/admin/listenbrainz/users/alice/revoke",
            json!({}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        harness.validate(Some("Token tok-alice")).await.json()["valid"],
        false
    );
    let submitted = harness
        .submit("tok-alice", "single", vec![listen(NOW_SECS, "a")])
        .await;
    assert_eq!(submitted.status, StatusCode::UNAUTHORIZED);

    harness.listenbrainz_user("alice", "tok-alice-2").await;
    assert_eq!(
        harness.validate(Some("Token tok-alice-2")).await.json()["valid"],
        true
    );
}

#[tokio::test]
async fn the_admin_api_checks_its_input_and_forgets_users() {
    let harness = Harness::new();
    harness.listenbrainz_user("alice", "tok-alice").await;
    let post = |uri: &'static str, body: Value| harness.admin(Method::POST, uri, body);

    let taken = post(
        "/admin/listenbrainz/users",
        json!({ "user_name": "bob", "token": "tok-alice" }),
    )
    .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        taken.json(),
        json!({ "error": "that token already belongs to 'alice'" })
    );
    for bad in [
        json!({ "user_name": "", "token": "t" }),
        json!({ "user_name": "bob", "token": "with space" }),
        json!({ "user_name": "bob" }),
    ] {
        let reply = post("/admin/listenbrainz/users", bad.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(reply.json()["error"].is_string());
    }
    let bad_status = post(
        "/admin/listenbrainz/users/alice/responses",
        json!({ "responses": [{ "status": 100 }] }),
    )
    .await;
    assert_eq!(
        bad_status.json(),
        json!({ "error": "responses[0].status must be within 200..=599" })
    );
    let unknown = post(
        "/admin/listenbrainz/users/nobody/responses",
        json!({ "responses": [] }),
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (
            StatusCode::NOT_FOUND,
            json!({ "error": "no ListenBrainz user 'nobody'" })
        )
    );

    let deleted = harness
        .admin(Method::DELETE, "/admin/listenbrainz/users/alice", json!({}))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        harness
            .get("/admin/listenbrainz/users/alice/listens", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        harness.validate(Some("Token tok-alice")).await.json()["valid"],
        false
    );
}
