//! The simulated Last.fm over HTTP.

use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::{Harness, Reply, NOW_MS};
use crate::lastfm::signature;

const NOW_SECS: i64 = NOW_MS / 1000;
const API_KEY: &str = "sim-lastfm-key";
const SECRET: &str = "sim-lastfm-secret";
const CALLBACK: &str = "http://127.0.0.1:8787/lastfm/callback";

/// Signs `pairs` with `secret` and adds `format=json`.
fn signed(pairs: &[(&str, &str)], secret: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    params.push((
        "api_sig".to_owned(),
        signature(pairs.iter().copied(), secret),
    ));
    params.push(("format".to_owned(), "json".to_owned()));
    params
}

fn error(code: u32, message: &str) -> Value {
    json!({ "error": code, "message": message })
}

const INVALID_SIGNATURE: &str = "Invalid method signature supplied";

impl Harness {
    async fn lastfm_user(&self, name: &str) {
        let reply = self
            .admin(Method::POST, "/admin/lastfm/users", json!({ "name": name }))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.json(), json!({ "name": name }));
    }

    /// Posts the parameters as they are (already signed, or deliberately not).
    async fn lastfm_post(&self, params: &[(String, String)]) -> Reply {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        self.post_form("/lastfm/2.0/", &pairs, None).await
    }

    async fn lastfm_call(&self, pairs: &[(&str, &str)]) -> Reply {
        self.lastfm_post(&signed(pairs, SECRET)).await
    }

    /// The browser's part of web authentication: `user` allows access.
    async fn lastfm_approve(&self, user: &str, cb: &str) -> Reply {
        self.post_form(
            "/lastfm/api/auth/decision",
            &[("api_key", API_KEY), ("cb", cb), ("user", user)],
            None,
        )
        .await
    }

    async fn lastfm_token(&self, user: &str) -> String {
        self.lastfm_approve(user, CALLBACK)
            .await
            .location_param("token")
            .expect("a token")
    }

    async fn get_session(&self, token: &str) -> Reply {
        self.lastfm_call(&[
            ("method", "auth.getSession"),
            ("api_key", API_KEY),
            ("token", token),
        ])
        .await
    }

    async fn lastfm_session(&self, user: &str) -> String {
        let token = self.lastfm_token(user).await;
        let reply = self.get_session(&token).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["session"]["key"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// `track.scrobble` of `(artist, track, timestamp)` items, indexed.
    async fn scrobble(&self, sk: &str, items: &[(&str, &str, i64)]) -> Reply {
        let mut owned: Vec<(String, String)> = vec![
            ("method".to_owned(), "track.scrobble".to_owned()),
            ("api_key".to_owned(), API_KEY.to_owned()),
            ("sk".to_owned(), sk.to_owned()),
        ];
        for (index, (artist, track, timestamp)) in items.iter().enumerate() {
            owned.push((format!("artist[{index}]"), (*artist).to_owned()));
            owned.push((format!("track[{index}]"), (*track).to_owned()));
            owned.push((format!("timestamp[{index}]"), timestamp.to_string()));
        }
        let pairs: Vec<(&str, &str)> = owned
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        self.lastfm_call(&pairs).await
    }

    async fn scrobbles(&self, name: &str) -> Value {
        let reply = self
            .get(&format!("/admin/lastfm/users/{name}/scrobbles"), None)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }
}

fn echo(artist: &str, track: &str, timestamp: i64, code: &str, message: &str) -> Value {
    let field = |text: &str| json!({ "#text": text, "corrected": "0" });
    json!({
        "artist": field(artist),
        "track": field(track),
        "album": field(""),
        "albumArtist": field(""),
        "timestamp": field(&timestamp.to_string()),
        "ignoredMessage": { "code": code, "#text": message },
    })
}

fn recorded(artist: &str, track: &str, timestamp: i64) -> Value {
    json!({ "artist": artist, "track": track, "album": null, "album_artist": null,
        "timestamp": timestamp, "duration": null, "track_number": null, "mbid": null,
        "chosen_by_user": null })
}

// ---------------------------------------------------------------------------------------
// Web authentication

#[tokio::test]
async fn the_auth_page_carries_the_request_and_preselects_the_user() {
    let harness = Harness::new();
    harness.lastfm_user("alice").await;
    harness.lastfm_user("bob").await;
    let uri = format!("/lastfm/api/auth/?api_key={API_KEY}&cb=http%3A%2F%2Fapp%2Fcb%3Fx%3D%22");
    let page = harness.get(&uri, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains(r#"<form method="post" action="/lastfm/api/auth/decision">"#));
    assert!(page
        .body
        .contains(r#"<input type="hidden" name="cb" value="http://app/cb?x=&quot;">"#));
    assert!(page.body.contains(r#"<option value="alice" selected>"#));
    assert!(page.body.contains(r#"<option value="bob">"#));
    assert!(page.body.contains(r#"id="approve""#));

    let as_bob = harness.get(&format!("{uri}&user=bob"), None).await;
    assert!(as_bob.body.contains(r#"<option value="bob" selected>"#));
    assert!(as_bob.body.contains(r#"<option value="alice">"#));

    let nobody = Harness::new()
        .get(
            &format!("/lastfm/api/auth/?api_key={API_KEY}&cb=http://app/cb"),
            None,
        )
        .await;
    assert!(nobody
        .body
        .contains(r#"<input type="text" name="user" id="user" value="sim-lastfm-user">"#));
}

#[tokio::test]
async fn the_auth_page_refuses_a_wrong_key_or_no_callback() {
    let harness = Harness::new();
    let wrong_key = harness
        .get("/lastfm/api/auth/?api_key=other&cb=http://app/cb", None)
        .await;
    assert_eq!(wrong_key.status, StatusCode::BAD_REQUEST);
    assert!(wrong_key.body.contains("Invalid API key"));
    let no_cb = harness
        .get(&format!("/lastfm/api/auth/?api_key={API_KEY}"), None)
        .await;
    assert_eq!(no_cb.status, StatusCode::BAD_REQUEST);
    assert!(no_cb.body.contains("cb is required"));
    let bad_cb = harness.lastfm_approve("alice", "javascript:alert(1)").await;
    assert_eq!(bad_cb.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn approving_redirects_to_the_callback_with_a_token() {
    let harness = Harness::new();
    harness.lastfm_user("alice").await;
    let reply = harness.lastfm_approve("alice", CALLBACK).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let location = reply
        .headers
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert!(
        location.starts_with(&format!("{CALLBACK}?token=")),
        "{location}"
    );
    assert_eq!(reply.location_param("token").map(|t| t.len()), Some(32));

    let with_query = harness
        .lastfm_approve("alice", "http://127.0.0.1:8787/cb?state=s")
        .await;
    let location = with_query
        .headers
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert!(
        location.starts_with("http://127.0.0.1:8787/cb?state=s&token="),
        "{location}"
    );
}

#[tokio::test]
async fn a_token_buys_one_session() {
    let harness = Harness::new();
    harness.lastfm_user("alice").await;
    let token = harness.lastfm_token("alice").await;
    let first = harness.get_session(&token).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let session = first.json();
    assert_eq!(session["session"]["name"], "alice");
    assert_eq!(session["session"]["subscriber"], 0);
    assert_eq!(session["session"]["key"].as_str().map(str::len), Some(32));

    let again = harness.get_session(&token).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(
        again.json(),
        error(4, "Invalid authentication token supplied")
    );
}

#[tokio::test]
async fn a_token_expires_after_an_hour() {
    let harness = Harness::new();
    let token = harness.lastfm_token("alice").await;
    harness.clock.advance(60 * 60 * 1000 + 1);
    let reply = harness.get_session(&token).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json(), error(15, "This token has expired"));
}

#[tokio::test]
async fn a_fetched_token_works_only_once_approved() {
    let harness = Harness::new();
    let fetched = harness
        .lastfm_call(&[("method", "auth.getToken"), ("api_key", API_KEY)])
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    let token = fetched.json()["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(token.len(), 32);

    let early = harness.get_session(&token).await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    assert_eq!(
        early.json(),
        error(
            14,
            "Unauthorized Token - This token has not been authorized"
        )
    );

    // The desktop flow: the page approves the token and, with no cb, says so.
    let page = harness
        .get(
            &format!("/lastfm/api/auth/?api_key={API_KEY}&token={token}&user=carol"),
            None,
        )
        .await;
    assert!(page
        .body
        .contains(&format!(r#"name="token" value="{token}""#)));
    let decided = harness
        .post_form(
            "/lastfm/api/auth/decision",
            &[("api_key", API_KEY), ("token", &token), ("user", "carol")],
            None,
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK);
    assert!(decided.body.contains("carol allowed access"));
    let session = harness.get_session(&token).await;
    assert_eq!(session.json()["session"]["name"], "carol");
}

// ---------------------------------------------------------------------------------------
// Signatures and the API's own errors

#[tokio::test]
async fn a_wrong_secret_a_dropped_or_a_changed_parameter_fail_the_signature() {
    let harness = Harness::new();
    let token = harness.lastfm_token("alice").await;
    let pairs = [
        ("method", "auth.getSession"),
        ("api_key", API_KEY),
        ("token", token.as_str()),
    ];
    let wrong_secret = harness.lastfm_post(&signed(&pairs, "not-the-secret")).await;
    let mut dropped = signed(&pairs, SECRET);
    dropped.retain(|(name, _)| name != "token");
    let dropped = harness.lastfm_post(&dropped).await;
    let mut changed = signed(&pairs, SECRET);
    changed[2].1.push('x');
    let changed = harness.lastfm_post(&changed).await;
    let mut unsigned = signed(&pairs, SECRET);
    unsigned.retain(|(name, _)| name != "api_sig");
    let unsigned = harness.lastfm_post(&unsigned).await;
    for reply in [wrong_secret, dropped, changed, unsigned] {
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json(), error(13, INVALID_SIGNATURE));
    }
    // The token survived all that.
    assert_eq!(harness.get_session(&token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn format_and_callback_are_not_signed_and_get_works_for_reads() {
    let harness = Harness::new();
    let token = harness.lastfm_token("alice").await;
    let pairs = [
        ("method", "auth.getSession"),
        ("api_key", API_KEY),
        ("token", token.as_str()),
    ];
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(signed(&pairs, SECRET));
    query.append_pair("callback", "ignored");
    let reply = harness
        .get(&format!("/lastfm/2.0/?{}", query.finish()), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["session"]["name"], "alice");
}

#[tokio::test]
async fn keys_methods_and_formats_are_checked() {
    let harness = Harness::new();
    let wrong_key = harness
        .lastfm_call(&[("method", "auth.getToken"), ("api_key", "other")])
        .await;
    assert_eq!(wrong_key.status, StatusCode::FORBIDDEN);
    assert_eq!(
        wrong_key.json(),
        error(
            10,
            "Invalid API key - You must be granted a valid key by last.fm"
        )
    );
    let no_method = harness
        .lastfm_call(&[("method", "user.getInfo"), ("api_key", API_KEY)])
        .await;
    assert_eq!(no_method.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        no_method.json(),
        error(
            3,
            "Invalid Method - No method with that name in this package"
        )
    );
    let mut xml = signed(&[("method", "auth.getToken"), ("api_key", API_KEY)], SECRET);
    xml.retain(|(name, _)| name != "format");
    let xml = harness.lastfm_post(&xml).await;
    assert_eq!(xml.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        xml.json(),
        error(
            6,
            "Invalid parameters - the simulator speaks format=json only"
        )
    );
    let no_token = harness
        .lastfm_call(&[("method", "auth.getSession"), ("api_key", API_KEY)])
        .await;
    assert_eq!(
        (no_token.status, no_token.json()),
        (
            StatusCode::BAD_REQUEST,
            error(6, "Invalid parameters - token is required")
        )
    );
}

// ---------------------------------------------------------------------------------------
// Scrobbling

#[tokio::test]
async fn scrobbles_are_accepted_echoed_and_recorded_without_deduplication() {
    let harness = Harness::new();
    let sk = harness.lastfm_session("alice").await;
    let items = [
        ("Artist", "One", NOW_SECS - 600),
        ("Artist", "Two", NOW_SECS - 300),
    ];
    for _ in 0..2 {
        let reply = harness.scrobble(&sk, &items).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            reply.json(),
            json!({ "scrobbles": {
                "@attr": { "accepted": 2, "ignored": 0 },
                "scrobble": [
                    echo("Artist", "One", NOW_SECS - 600, "0", ""),
                    echo("Artist", "Two", NOW_SECS - 300, "0", ""),
                ],
            } })
        );
    }
    assert_eq!(
        harness.scrobbles("alice").await,
        json!({
            "name": "alice",
            "requests": 2,
            "pending_responses": 0,
            "scrobbles": [
                recorded("Artist", "One", NOW_SECS - 600),
                recorded("Artist", "Two", NOW_SECS - 300),
                recorded("Artist", "One", NOW_SECS - 600),
                recorded("Artist", "Two", NOW_SECS - 300),
            ],
        })
    );
}

#[tokio::test]
async fn optional_fields_are_kept() {
    let harness = Harness::new();
    let sk = harness.lastfm_session("alice").await;
    let at = (NOW_SECS - 60).to_string();
    let reply = harness
        .lastfm_call(&[
            ("method", "track.scrobble"),
            ("api_key", API_KEY),
            ("sk", &sk),
            ("artist[0]", "Artist"),
            ("track[0]", "Track"),
            ("timestamp[0]", &at),
            ("album[0]", "Album"),
            ("albumArtist[0]", "Various"),
            ("duration[0]", "215"),
            ("trackNumber[0]", "3"),
            ("mbid[0]", "0b0b0b0b-0000-4000-8000-000000000000"),
            ("chosenByUser[0]", "1"),
        ])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let echoed = &reply.json()["scrobbles"]["scrobble"][0];
    assert_eq!(
        echoed["album"],
        json!({ "#text": "Album", "corrected": "0" })
    );
    assert_eq!(
        echoed["albumArtist"],
        json!({ "#text": "Various", "corrected": "0" })
    );
    assert_eq!(
        harness.scrobbles("alice").await["scrobbles"][0],
        json!({ "artist": "Artist", "track": "Track", "album": "Album",
            "album_artist": "Various", "timestamp": NOW_SECS - 60, "duration": 215,
            "track_number": 3, "mbid": "0b0b0b0b-0000-4000-8000-000000000000",
            "chosen_by_user": true })
    );
}

#[tokio::test]
async fn scrobbles_older_than_14_days_or_a_day_ahead_are_ignored() {
    let harness = Harness::new();
    let sk = harness.lastfm_session("alice").await;
    let day = 86_400;
    let items = [
        ("A", "Oldest allowed", NOW_SECS - 14 * day),
        ("A", "Too old", NOW_SECS - 14 * day - 1),
        ("A", "Too new", NOW_SECS + day + 1),
        ("A", "Newest allowed", NOW_SECS + day),
    ];
    let reply = harness.scrobble(&sk, &items).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json()["scrobbles"],
        json!({
            "@attr": { "accepted": 2, "ignored": 2 },
            "scrobble": [
                echo("A", "Oldest allowed", NOW_SECS - 14 * day, "0", ""),
                echo("A", "Too old", NOW_SECS - 14 * day - 1, "3", "Timestamp too old"),
                echo("A", "Too new", NOW_SECS + day + 1, "4", "Timestamp too new"),
                echo("A", "Newest allowed", NOW_SECS + day, "0", ""),
            ],
        })
    );

    // The same play, a second after it turned 14 days old by the simulator's clock.
    let play = [("A", "Played now", NOW_SECS)];
    harness.clock.advance((14 * day + 1) * 1000);
    let late = harness.scrobble(&sk, &play).await;
    assert_eq!(
        late.json()["scrobbles"]["@attr"],
        json!({ "accepted": 0, "ignored": 1 })
    );
    let tracks: Vec<Value> = harness.scrobbles("alice").await["scrobbles"]
        .as_array()
        .map(|scrobbles| scrobbles.iter().map(|s| s["track"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(tracks, [json!("Oldest allowed"), json!("Newest allowed")]);
}

#[tokio::test]
async fn malformed_scrobbles_are_invalid_parameters() {
    let harness = Harness::new();
    let sk = harness.lastfm_session("alice").await;
    let fifty_one: Vec<(&str, &str, i64)> = (0..51).map(|_| ("A", "T", NOW_SECS)).collect();
    let too_many = harness.scrobble(&sk, &fifty_one).await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        too_many.json(),
        error(
            6,
            "Invalid parameters - at most 50 scrobbles (indices 0 to 49) per request"
        )
    );
    let fifty: Vec<(&str, &str, i64)> = (0..50).map(|_| ("A", "T", NOW_SECS)).collect();
    assert_eq!(
        harness.scrobble(&sk, &fifty).await.json()["scrobbles"]["@attr"]["accepted"],
        50
    );
    let no_track = harness
        .lastfm_call(&[
            ("method", "track.scrobble"),
            ("api_key", API_KEY),
            ("sk", &sk),
            ("artist[0]", "A"),
            ("timestamp[0]", "1795871112"),
        ])
        .await;
    assert_eq!(
        no_track.json(),
        error(6, "Invalid parameters - track[0] is required")
    );
    let no_sk = harness
        .lastfm_call(&[("method", "track.scrobble"), ("api_key", API_KEY)])
        .await;
    assert_eq!(
        no_sk.json(),
        error(6, "Invalid parameters - sk is required")
    );

    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(signed(
        &[
            ("method", "track.scrobble"),
            ("api_key", API_KEY),
            ("sk", &sk),
            ("artist", "A"),
            ("track", "T"),
            ("timestamp", "1795871112"),
        ],
        SECRET,
    ));
    let by_get = harness
        .get(&format!("/lastfm/2.0/?{}", query.finish()), None)
        .await;
    assert_eq!(
        by_get.json(),
        error(
            6,
            "Invalid parameters - track.scrobble must be called with POST"
        )
    );
    assert_eq!(
        harness.scrobbles("alice").await["scrobbles"]
            .as_array()
            .map(Vec::len),
        Some(50)
    );
}

#[tokio::test]
async fn an_unknown_or_revoked_session_key_is_error_9() {
    let harness = Harness::new();
    let sk = harness.lastfm_session("alice").await;
    let bob = harness.lastfm_session("bob").await;
    let play = [("A", "T", NOW_SECS)];
    let invalid_session = error(9, "Invalid session key - Please re-authenticate");

    let unknown = harness.scrobble("not-a-session", &play).await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (StatusCode::FORBIDDEN, invalid_session.clone())
    );
    let revoked = harness
        .admin(Method::POST, "/admin/lastfm/users/alice/revoke", json!({}))
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let refused = harness.scrobble(&sk, &play).await;
    assert_eq!(
        (refused.status, refused.json()),
        (StatusCode::FORBIDDEN, invalid_session)
    );
    assert_eq!(harness.scrobble(&bob, &play).await.status, StatusCode::OK);
    // A new approval gives Alice a working session again.
    let again = harness.lastfm_session("alice").await;
    assert_eq!(harness.scrobble(&again, &play).await.status, StatusCode::OK);
    assert_eq!(harness.scrobbles("alice").await["requests"], 1);
}

#[tokio::test]
async fn scripted_responses_are_consumed_in_order_and_record_nothing() {
    let harness = Harness::new();
    let sk = harness.lastfm_session("alice").await;
    let script = json!({ "responses": [{ "error": 16 }, { "error": 29 }, { "status": 500 }] });
    let reply = harness
        .admin(Method::POST, "/admin/lastfm/users/alice/responses", script)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    assert_eq!(harness.scrobbles("alice").await["pending_responses"], 3);

    let play = [("A", "T", NOW_SECS)];
    let unavailable = harness.scrobble(&sk, &play).await;
    assert_eq!(unavailable.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        unavailable.json(),
        error(
            16,
            "There was a temporary error processing your request. Please try again"
        )
    );
    let limited = harness.scrobble(&sk, &play).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json()["error"], 29);
    let failed = harness.scrobble(&sk, &play).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body, "");

    let accepted = harness.scrobble(&sk, &play).await;
    assert_eq!(accepted.status, StatusCode::OK);
    let scrobbles = harness.scrobbles("alice").await;
    assert_eq!(scrobbles["requests"], 4);
    assert_eq!(scrobbles["pending_responses"], 0);
    assert_eq!(scrobbles["scrobbles"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_admin_api_checks_its_input_and_forgets_users() {
    let harness = Harness::new();
    let sk = harness.lastfm_session("alice").await;
    for (uri, body, message) in [
        (
            "/admin/lastfm/users",
            json!({ "name": "no spaces" }),
            "name must be 1-64 characters of letters, digits, '-', '_' or '.'",
        ),
        (
            "/admin/lastfm/users/alice/responses",
            json!({ "responses": [{ "error": 99 }] }),
            "responses[0].error must be one of 3, 4, 6, 8, 9, 10, 11, 13, 14, 15, 16, 26, 29",
        ),
        (
            "/admin/lastfm/users/alice/responses",
            json!({ "responses": [{}] }),
            "responses[0] needs an error or a status",
        ),
    ] {
        let reply = harness.admin(Method::POST, uri, body).await;
        assert_eq!(
            (reply.status, reply.json()),
            (StatusCode::BAD_REQUEST, json!({ "error": message }))
        );
    }
    let unknown = harness
        .admin(Method::POST, "/admin/lastfm/users/nobody/revoke", json!({}))
        .await;
    assert_eq!(
        (unknown.status, unknown.json()),
        (
            StatusCode::NOT_FOUND,
            json!({ "error": "no Last.fm user 'nobody'" })
        )
    );
    let deleted = harness
        .admin(Method::DELETE, "/admin/lastfm/users/alice", json!({}))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        harness
            .get("/admin/lastfm/users/alice/scrobbles", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        harness.scrobble(&sk, &[("A", "T", NOW_SECS)]).await.json()["error"],
        9
    );
}
