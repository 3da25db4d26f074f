//! The web surface against the native twins: login and its attacks, sessions, data
//! isolation, the admin guard and the account's life.

use serde_json::{json, Value};

use super::{WebRequest, WebResponse};
use crate::ports::{HttpResponse, Method};
use crate::testing::web::{
    cookie_value, get, header, json_of, query_param, request, set_cookies, RequestBuilder, WebWorld,
};
use crate::testing::ScriptedHttp;

const NOW: i64 = 1_800_000_000_000;

/// The web world with the admin routes open to `admin-secret`; users come in by logging in.
struct World {
    web: WebWorld,
}

impl World {
    fn new() -> Self {
        let mut web = WebWorld::new();
        web.cron_secret = Some("admin-secret");
        Self { web }
    }

    fn send(&self, http: &ScriptedHttp, request: WebRequest) -> WebResponse {
        self.web.send_with(http, &request, NOW)
    }

    fn plain(&self, request: WebRequest) -> WebResponse {
        self.web.send(&request, NOW)
    }

    /// Starts a login and returns (state, login cookie).
    fn start_login(&self) -> (String, String) {
        let response = self.plain(get("/login", None));
        assert_eq!(response.status, 302);
        let location = header(&response, "Location").expect("location");
        let state = query_param(location, "state").expect("state");
        (
            state,
            cookie_value(&response, "stm_login").expect("login cookie"),
        )
    }

    /// A whole successful login of `spotify_id`; returns the session cookie.
    fn login(&self, spotify_id: &str) -> String {
        let (state, login_cookie) = self.start_login();
        let response = self.send(
            &spotify_answers(spotify_id),
            get(
                &format!("/callback?code=c-{spotify_id}&state={state}"),
                Some(&format!("stm_login={login_cookie}")),
            ),
        );
        assert_eq!(response.status, 302, "{}", response.body);
        cookie_value(&response, "stm_session").expect("session cookie")
    }

    fn users(&self) -> Vec<serde_json::Map<String, Value>> {
        self.web.db.sql("SELECT * FROM users ORDER BY id", vec![])
    }
}

fn spotify_answers(spotify_id: &str) -> ScriptedHttp {
    ScriptedHttp::new(vec![
        Ok(ScriptedHttp::ok(
            r#"{"access_token":"AT-secret-access","token_type":"Bearer","expires_in":3600,"refresh_token":"RT-secret-refresh","scope":"user-read-recently-played user-read-email"}"#,
        )),
        Ok(ScriptedHttp::ok(&json!({"id": spotify_id, "account_id": format!("acc-{spotify_id}"), "display_name": "Ada", "email": null}).to_string())),
    ])
}

fn session(cookie: &str) -> String {
    format!("stm_session={cookie}")
}

#[test]
fn a_login_creates_the_user_starts_a_session_and_queues_the_backfill() {
    let world = World::new();
    let cookie = world.login("ada");
    let users = world.users();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["id"], "acc-ada", "filed under the account id");
    assert_eq!(users[0]["email"], Value::Null);
    let jobs = world.web.queue.messages();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].users[0].user_id, "acc-ada");
    assert!(jobs[0].users[0].manual);
    let status = world.plain(get("/api/status", Some(&session(&cookie))));
    assert_eq!(status.status, 200);
    assert_eq!(json_of(&status)["connection"], "active");
}

#[test]
fn tokens_are_never_stored_in_plaintext() {
    let world = World::new();
    let cookie = world.login("ada");
    let dump =
        serde_json::to_string(&world.web.db.sql("SELECT * FROM users", vec![])).expect("dump");
    assert!(
        !dump.contains("AT-secret-access") && !dump.contains("RT-secret-refresh"),
        "{dump}"
    );
    // The session is stored, and only as the hash of the cookie's id.
    let sessions = world
        .web
        .db
        .sql("SELECT id_hash, user_id FROM sessions", vec![]);
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert_eq!(sessions[0]["user_id"], "acc-ada");
    assert_eq!(
        sessions[0]["id_hash"],
        crate::crypto::sha256_hex(&cookie).as_str()
    );
    let dump = serde_json::to_string(&sessions).expect("dump");
    assert!(
        !dump.contains(&cookie),
        "the cookie's id is never stored: {dump}"
    );
    let users = world.users();
    let sealed = users[0]["refresh_token_enc"].as_str().expect("sealed");
    assert_eq!(
        world.web.cipher.open(sealed, "acc-ada").as_deref(),
        Ok("RT-secret-refresh")
    );
}

#[test]
fn the_session_cookie_is_http_only_lax_and_secure_off_loopback() {
    let world = World::new();
    let (state, login_cookie) = world.start_login();
    let response = world.send(
        &spotify_answers("ada"),
        get(
            &format!("/callback?code=c&state={state}"),
            Some(&format!("stm_login={login_cookie}")),
        ),
    );
    let cookie = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("stm_session="))
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/")
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback cannot keep a Secure cookie"
    );

    let mut https = get("/login", None);
    https.origin = "https://tm.example".into();
    let login = world.plain(https);
    assert!(set_cookies(&login)
        .iter()
        .all(|cookie| cookie.contains("; Secure")));
}

#[test]
fn a_forged_state_is_refused_and_creates_nothing() {
    let world = World::new();
    let (_, login_cookie) = world.start_login();
    let http = spotify_answers("mallory");
    let response = world.send(
        &http,
        get(
            "/callback?code=c&state=forged",
            Some(&format!("stm_login={login_cookie}")),
        ),
    );
    assert_eq!(response.status, 400);
    assert!(world.users().is_empty());
    assert!(
        http.requests().is_empty(),
        "no code exchange for a forged state"
    );
}

#[test]
fn a_replayed_state_is_refused() {
    let world = World::new();
    let (state, login_cookie) = world.start_login();
    let cookie = format!("stm_login={login_cookie}");
    assert_eq!(
        world
            .send(
                &spotify_answers("ada"),
                get(&format!("/callback?code=c&state={state}"), Some(&cookie))
            )
            .status,
        302
    );
    let http = spotify_answers("ada");
    let replay = world.send(
        &http,
        get(&format!("/callback?code=c&state={state}"), Some(&cookie)),
    );
    assert_eq!(replay.status, 400);
    assert!(http.requests().is_empty());
}

#[test]
fn a_state_from_another_browser_is_refused() {
    let world = World::new();
    let (state, _) = world.start_login();
    let http = spotify_answers("ada");
    for cookie in [None, Some("stm_login=someone-elses")] {
        let response = world.send(
            &http,
            get(&format!("/callback?code=c&state={state}"), cookie),
        );
        assert_eq!(response.status, 400);
    }
    assert!(world.users().is_empty());
}

#[test]
fn a_denied_login_says_so_and_creates_nothing() {
    let world = World::new();
    let (state, login_cookie) = world.start_login();
    let response = world.plain(get(
        &format!("/callback?error=access_denied&state={state}"),
        Some(&format!("stm_login={login_cookie}")),
    ));
    assert_eq!(response.status, 400);
    assert!(response.body.contains("chose not to connect"));
    assert!(world.users().is_empty());
    // The state is spent: it cannot be turned into a login afterwards.
    let late = world.send(
        &spotify_answers("ada"),
        get(
            &format!("/callback?code=c&state={state}"),
            Some(&format!("stm_login={login_cookie}")),
        ),
    );
    assert_eq!(late.status, 400);
}

#[test]
fn a_refused_code_exchange_leaks_nothing_and_creates_nothing() {
    let world = World::new();
    let (state, login_cookie) = world.start_login();
    let http = ScriptedHttp::new(vec![Ok(HttpResponse {
        status: 400,
        headers: vec![],
        body: r#"{"error":"invalid_grant","error_description":"Invalid authorization code"}"#
            .into(),
    })]);
    let response = world.send(
        &http,
        get(
            &format!("/callback?code=used&state={state}"),
            Some(&format!("stm_login={login_cookie}")),
        ),
    );
    assert_eq!(response.status, 502);
    assert!(
        !response.body.contains("invalid_grant") && !response.body.contains("authorization code")
    );
    assert!(world.users().is_empty());
}

#[test]
fn api_routes_refuse_a_missing_or_tampered_session() {
    let world = World::new();
    let cookie = world.login("ada");
    let tampered = format!("{}x", cookie);
    for path in ["/api/status", "/api/plays", "/api/gaps"] {
        assert_eq!(world.plain(get(path, None)).status, 401, "{path}");
        assert_eq!(
            world.plain(get(path, Some(&session(&tampered)))).status,
            401,
            "{path}"
        );
    }
}

#[test]
fn each_session_sees_only_its_own_user() {
    let world = World::new();
    let ada = world.login("ada");
    let bob = world.login("bob");
    assert_eq!(
        json_of(&world.plain(get("/api/status", Some(&session(&ada)))))["id"],
        "acc-ada"
    );
    assert_eq!(
        json_of(&world.plain(get("/api/status", Some(&session(&bob)))))["id"],
        "acc-bob"
    );
    // A user id in the query is not a way in: there is no such parameter.
    assert_eq!(
        json_of(&world.plain(get("/api/status?user_id=acc-bob", Some(&session(&ada)))))["id"],
        "acc-ada"
    );
}

#[test]
fn logout_ends_the_session_and_needs_our_origin() {
    let world = World::new();
    let cookie = world.login("ada");
    let cross_site = world.plain(request(Method::Post, "/logout", Some(&session(&cookie))));
    assert_eq!(cross_site.status, 403);
    assert_eq!(
        world
            .plain(get("/api/status", Some(&session(&cookie))))
            .status,
        200
    );
    let logout =
        world.plain(request(Method::Post, "/logout", Some(&session(&cookie))).with_our_origin());
    assert_eq!(logout.status, 303);
    assert_eq!(
        world
            .plain(get("/api/status", Some(&session(&cookie))))
            .status,
        401
    );
}

#[test]
fn admin_routes_need_the_cron_secret() {
    let mut world = World::new();
    let bearer = |secret: &str| {
        let mut request = request(Method::Post, "/api/admin/sweep", None);
        request
            .headers
            .push(("Authorization".into(), format!("Bearer {secret}")));
        request
    };
    assert_eq!(
        world
            .plain(request(Method::Post, "/api/admin/sweep", None))
            .status,
        401
    );
    assert_eq!(world.plain(bearer("wrong")).status, 401);
    assert_eq!(world.plain(bearer("admin-secret")).status, 200);
    world.web.cron_secret = None;
    assert_eq!(
        world.plain(bearer("admin-secret")).status,
        403,
        "no secret set: refuse everything"
    );
    assert_eq!(world.plain(bearer("")).status, 403);
}

#[test]
fn pause_and_resume_take_the_user_out_of_the_sweep_and_back() {
    let world = World::new();
    let cookie = world.login("ada");
    let pause = world.plain(
        request(Method::Post, "/api/account/pause", Some(&session(&cookie))).with_our_origin(),
    );
    assert_eq!(pause.status, 200);
    assert_eq!(
        json_of(&world.plain(get("/api/status", Some(&session(&cookie)))))["connection"],
        "paused"
    );
    assert_eq!(world.users()[0]["is_active"], 0);
    let resume = world.plain(
        request(Method::Post, "/api/account/resume", Some(&session(&cookie))).with_our_origin(),
    );
    assert_eq!(resume.status, 200);
    assert_eq!(world.users()[0]["is_active"], 1);
    assert_eq!(world.users()[0]["next_due_at"], NOW);
    assert_eq!(
        world
            .plain(request(
                Method::Post,
                "/api/account/pause",
                Some(&session(&cookie))
            ))
            .status,
        403
    );
}

#[test]
fn deleting_the_account_removes_the_users_data_and_keeps_the_shared_catalogue() {
    let world = World::new();
    let cookie = world.login("ada");
    world.web.db.sql(
        "INSERT INTO albums (id, name) VALUES ('al', 'Album')",
        vec![],
    );
    world.web.db.sql("INSERT INTO tracks (id, name, duration_ms, album_key) VALUES ('t', 'T', 1, (SELECT key FROM albums WHERE id = 'al'))", vec![]);
    world.web.db.sql("INSERT INTO play_events (user_key, track_key, played_at) SELECT u.key, t.key, n.at FROM users u, tracks t, (SELECT 1 AS at UNION ALL SELECT 2) n WHERE u.id = 'acc-ada' AND t.id = 't'", vec![]);
    world.web.db.sql("INSERT INTO data_gaps (user_id, gap_from, gap_to, reason, detected_at) VALUES ('acc-ada', 1, 2, 'downtime', 0)", vec![]);
    futures::executor::block_on(crate::ports::KeyValueStore::put(
        &world.web.kv,
        "archive_acc-ada_2026_01_01_00",
        "done",
        86_400,
    ))
    .expect("kv");

    let response = world
        .plain(request(Method::Delete, "/api/account", Some(&session(&cookie))).with_our_origin());
    assert_eq!(response.status, 200);
    assert_eq!(
        json_of(&response)["deleted"],
        json!({"user": "acc-ada", "plays": 2, "gaps": 1, "sessions": 1, "idempotency_keys": 1})
    );
    assert!(world.users().is_empty());
    assert!(
        !world
            .web
            .kv
            .keys()
            .iter()
            .any(|key| key.starts_with("archive_")),
        "{:?}",
        world.web.kv.keys()
    );
    assert_eq!(
        world.web.db.sql("SELECT count(*) AS n FROM tracks", vec![])[0]["n"],
        1
    );
    assert_eq!(
        world
            .plain(get("/api/status", Some(&session(&cookie))))
            .status,
        401
    );
}

#[test]
fn html_pages_carry_the_security_headers_and_no_secret() {
    let world = World::new();
    let cookie = world.login("ada");
    let page = world.plain(get("/", Some(&session(&cookie))));
    assert_eq!(page.status, 200);
    assert!(header(&page, "Content-Security-Policy")
        .is_some_and(|csp| csp.contains("frame-ancestors 'none'")));
    assert!(!page.body.contains("AT-secret-access") && !page.body.contains("csecret"));
}

#[test]
fn unknown_routes_and_wrong_methods_answer_cleanly() {
    let world = World::new();
    assert_eq!(world.plain(get("/api/nothing", None)).status, 404);
    assert_eq!(
        world
            .plain(request(Method::Delete, "/api/status", None))
            .status,
        405
    );
    assert_eq!(world.plain(get("/nothing", None)).status, 404);
}

#[test]
fn a_wrong_method_is_told_the_one_its_route_takes() {
    let world = World::new();
    for (method, path, allowed) in [
        (Method::Delete, "/api/status", "GET, HEAD"),
        (Method::Get, "/api/account", "DELETE"),
        (Method::Get, "/api/account/delete", "POST"),
        (Method::Post, "/assets/app.js", "GET, HEAD"),
        (Method::Get, "/api/imports/7/finish", "POST"),
        (Method::Post, "/api/notifications/channels/3", "DELETE"),
    ] {
        let response = world.plain(request(method, path, None));
        assert_eq!(response.status, 405, "{method:?} {path}");
        assert_eq!(
            header(&response, "Allow"),
            Some(allowed),
            "{method:?} {path}"
        );
        assert!(
            response.body.contains(route_method(allowed)),
            "{path}: {}",
            response.body
        );
    }
}

/// `GET, HEAD` → `GET`: the body names the route's one method.
fn route_method(allow: &str) -> &str {
    allow.split(',').next().unwrap_or(allow)
}

#[test]
fn a_method_the_worker_does_not_know_is_answered_from_the_route_table() {
    let on_a_route = super::refuse_unknown_method("/api/account/pause");
    assert_eq!(on_a_route.status, 405);
    assert_eq!(header(&on_a_route, "Allow"), Some("POST"));
    let on_a_page = super::refuse_unknown_method("/");
    assert_eq!(header(&on_a_page, "Allow"), Some("GET, HEAD"));
    assert_eq!(super::refuse_unknown_method("/api/nothing").status, 404);
    let nowhere = super::refuse_unknown_method("/nothing");
    assert_eq!(nowhere.status, 404);
    assert!(nowhere.body.contains("There is nothing at this address."));
}

// ---------------------------------------------------------------------------------------
// The outside review's findings, each pinned.

/// A login answered by Spotify with `me` as the `/me` body.
fn spotify_answers_with(me: Value) -> ScriptedHttp {
    ScriptedHttp::new(vec![
        Ok(ScriptedHttp::ok(
            r#"{"access_token":"AT-2","token_type":"Bearer","expires_in":3600,"refresh_token":"RT-2","scope":""}"#,
        )),
        Ok(ScriptedHttp::ok(&me.to_string())),
    ])
}

impl World {
    /// A whole login whose `/me` answers `me`; returns the session cookie.
    fn login_as(&self, me: Value) -> String {
        let (state, login_cookie) = self.start_login();
        let response = self.send(
            &spotify_answers_with(me),
            get(
                &format!("/callback?code=c&state={state}"),
                Some(&format!("stm_login={login_cookie}")),
            ),
        );
        assert_eq!(response.status, 302, "{}", response.body);
        cookie_value(&response, "stm_session").expect("session cookie")
    }

    fn count(&self, table: &str) -> i64 {
        self.web
            .db
            .sql(&format!("SELECT count(*) AS n FROM {table}"), vec![])[0]["n"]
            .as_i64()
            .expect("a count")
    }
}

#[test]
fn pages_let_the_browser_send_their_origin_with_a_plain_form() {
    // Under `no-referrer` a browser sends `Origin: null` with a form's POST, and the
    // same-origin check refuses the dashboard's own Log out, Pause and Delete.
    let page = WebResponse::html(200, String::new());
    assert_eq!(header(&page, "Referrer-Policy"), Some("same-origin"));
    // The check itself is as strict as before: `null` and other sites are refused.
    for origin in ["null", "https://evil.example"] {
        let refused = World::new().plain(
            request(Method::Post, "/api/account/pause", Some(&session("x")))
                .with_header("Origin", origin),
        );
        assert_eq!(refused.status, 403, "{origin}");
    }
}

#[test]
fn starting_a_login_stores_nothing() {
    let world = World::new();
    for _ in 0..20 {
        let response = world.plain(get("/login", None));
        assert_eq!(response.status, 302);
    }
    let tables = world.web.db.sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'oauth_logins'",
        vec![],
    );
    assert!(tables.is_empty(), "no table for logins under way");
    assert_eq!((world.count("users"), world.count("sessions")), (0, 0));
    assert!(world.web.kv.keys().is_empty(), "{:?}", world.web.kv.keys());
}

#[test]
fn a_login_cookie_from_another_login_or_forged_is_refused() {
    let world = World::new();
    let (state, _) = world.start_login();
    let (_, other_cookie) = world.start_login();
    for cookie in [other_cookie.as_str(), "v1.00000000.AAAA", "garbage"] {
        let response = world.send(
            &spotify_answers("ada"),
            get(
                &format!("/callback?code=c&state={state}"),
                Some(&format!("stm_login={cookie}")),
            ),
        );
        assert_eq!(response.status, 400, "{cookie}");
    }
    assert!(world.users().is_empty());
}

#[test]
fn logging_in_again_and_again_queues_one_backfill_in_five_minutes() {
    let world = World::new();
    for _ in 0..3 {
        world.login("ada");
    }
    assert_eq!(world.web.queue.messages().len(), 1, "one backfill");
    let later = NOW + 5 * crate::time::MINUTE_MS;
    let (state, login_cookie) = world.start_login();
    let response = world.web.send_with(
        &spotify_answers("ada"),
        &get(
            &format!("/callback?code=c&state={state}"),
            Some(&format!("stm_login={login_cookie}")),
        ),
        later,
    );
    assert_eq!(response.status, 302);
    assert_eq!(
        world.web.queue.messages().len(),
        2,
        "a new one after five minutes"
    );
}

#[test]
fn a_new_login_clears_an_auth_failure_but_not_a_breaker_spotify_opened() {
    let world = World::new();
    world.login("ada");
    let until = NOW + crate::time::HOUR_MS;
    world.web.db.sql(
        "UPDATE users SET consecutive_failures = 3, last_failure_type = 'NETWORK', cooldown_until = ?1",
        vec![json!(until)],
    );
    world.login("ada");
    let user = &world.users()[0];
    assert_eq!(
        (&user["consecutive_failures"], &user["cooldown_until"]),
        (&json!(3), &json!(until))
    );

    world.web.db.sql(
        "UPDATE users SET needs_reauth = 1, is_active = 0, last_failure_type = 'AUTH'",
        vec![],
    );
    world.login("ada");
    let user = &world.users()[0];
    assert_eq!(
        (
            &user["consecutive_failures"],
            &user["cooldown_until"],
            &user["needs_reauth"],
            &user["is_active"]
        ),
        (&json!(0), &Value::Null, &json!(0), &json!(1))
    );
}

#[test]
fn a_user_filed_before_spotify_sent_an_account_id_stays_one_user() {
    let world = World::new();
    world.login_as(json!({"id": "ada-spotify", "display_name": "Ada", "email": null}));
    assert_eq!(world.users()[0]["id"], "ada-spotify");
    let cookie = world.login_as(
        json!({"id": "ada-spotify", "account_id": "acc-ada", "display_name": "Ada L.", "email": null}),
    );
    let users = world.users();
    assert_eq!(users.len(), 1, "{users:?}");
    assert_eq!(
        (&users[0]["id"], &users[0]["display_name"]),
        (&json!("ada-spotify"), &json!("Ada L."))
    );
    // The tokens are sealed for the row they are in.
    let sealed = users[0]["refresh_token_enc"].as_str().expect("sealed");
    assert_eq!(
        world.web.cipher.open(sealed, "ada-spotify").as_deref(),
        Ok("RT-2")
    );
    let status = json_of(&world.plain(get("/api/status", Some(&session(&cookie)))));
    assert_eq!(status["id"], "ada-spotify");
}

/// A request to `path` as a browser at https://tm.example sends it.
fn over_https(method: Method, path_and_query: &str, cookie: Option<&str>) -> WebRequest {
    let mut request = request(method, path_and_query, cookie);
    request.origin = "https://tm.example".into();
    request
}

#[test]
fn over_https_cookies_carry_the_host_prefix_and_every_answer_asks_for_https_only() {
    let world = World::new();
    let start = world.plain(over_https(Method::Get, "/login", None));
    assert_eq!(
        header(&start, "Strict-Transport-Security"),
        Some("max-age=31536000")
    );
    let login_cookie = set_cookies(&start)[0];
    assert!(
        login_cookie.starts_with("__Host-stm_login="),
        "{login_cookie}"
    );
    assert!(
        login_cookie.contains("Path=/;") && login_cookie.ends_with("; Secure"),
        "{login_cookie}"
    );
    let location = header(&start, "Location").expect("location");
    let state = query_param(location, "state").expect("state");
    let sealed = cookie_value(&start, "__Host-stm_login").expect("sealed");

    // The unprefixed name is not the login cookie over HTTPS.
    let plain_name = world.send(
        &spotify_answers("ada"),
        over_https(
            Method::Get,
            &format!("/callback?code=c&state={state}"),
            Some(&format!("stm_login={sealed}")),
        ),
    );
    assert_eq!(plain_name.status, 400);

    let (state, sealed) = {
        let start = world.plain(over_https(Method::Get, "/login", None));
        let location = header(&start, "Location").expect("location").to_owned();
        let state = query_param(&location, "state").expect("state");
        (
            state,
            cookie_value(&start, "__Host-stm_login").expect("sealed"),
        )
    };
    let done = world.send(
        &spotify_answers("ada"),
        over_https(
            Method::Get,
            &format!("/callback?code=c&state={state}"),
            Some(&format!("__Host-stm_login={sealed}")),
        ),
    );
    assert_eq!(done.status, 302, "{}", done.body);
    let session = cookie_value(&done, "__Host-stm_session").expect("prefixed session cookie");
    let status = world.plain(over_https(
        Method::Get,
        "/api/status",
        Some(&format!("__Host-stm_session={session}")),
    ));
    assert_eq!(status.status, 200);
    assert_eq!(
        header(&status, "Strict-Transport-Security"),
        Some("max-age=31536000")
    );
    // Loopback development keeps plain names and sends no HSTS.
    let local = world.plain(get("/login", None));
    assert!(header(&local, "Strict-Transport-Security").is_none());
    assert!(set_cookies(&local)[0].starts_with("stm_login="));
}

#[test]
fn log_out_everywhere_ends_every_session_of_the_user_only() {
    let world = World::new();
    let (laptop, phone) = (world.login("ada"), world.login("ada"));
    let other = world.login("bo");
    assert_eq!(world.count("sessions"), 3);

    let refused = world.plain(request(
        Method::Post,
        "/logout/everywhere",
        Some(&session(&laptop)),
    ));
    assert_eq!(
        refused.status, 403,
        "a cross-site form cannot log anyone out"
    );

    let response = world.plain(
        request(Method::Post, "/logout/everywhere", Some(&session(&laptop)))
            .with_our_origin()
            .with_content_type("application/x-www-form-urlencoded"),
    );
    assert_eq!(response.status, 303);
    assert!(set_cookies(&response)
        .iter()
        .any(|cookie| cookie.starts_with("stm_session=;")));
    for cookie in [&laptop, &phone] {
        assert_eq!(
            world
                .plain(get("/api/status", Some(&session(cookie))))
                .status,
            401
        );
    }
    assert_eq!(
        world
            .plain(get("/api/status", Some(&session(&other))))
            .status,
        200
    );
    assert_eq!(world.count("sessions"), 1);
}

#[test]
fn health_reports_only_what_it_probed_and_the_apps_rest() {
    let world = World::new();
    let health = json_of(&world.plain(get("/api/health", None)));
    assert!(
        health["bindings"].get("archive_queue").is_none(),
        "{health}"
    );
    assert_eq!(
        health["not_probed"],
        json!(["archive_queue", "notify_queue"])
    );
    assert_eq!(health["spotify"]["app_resting_until"], Value::Null);

    let until = NOW + crate::time::HOUR_MS;
    futures::executor::block_on(
        crate::store::Store::new(&world.web.db).record_app_rest(until, NOW),
    )
    .expect("rest");
    let health = json_of(&world.plain(get("/api/health", None)));
    assert_eq!(
        health["spotify"]["app_resting_until"],
        json!(until),
        "{health}"
    );
}

#[test]
fn a_stale_sweep_and_a_quota_rest_are_told_to_the_operator_once() {
    let world = World::new();
    let outbox = || {
        world.web.db.sql(
            "SELECT event, event_key FROM notification_outbox WHERE user_id = '' ORDER BY id",
            vec![],
        )
    };
    world.web.db.sql(
        "INSERT INTO sweeps (started_at, trigger, users_due, skipped_cooldown, enqueued, messages, duration_ms)
         VALUES (?1, 'cron', 0, 0, 0, 0, 1)",
        vec![json!(NOW - 10 * crate::time::MINUTE_MS)],
    );
    let health = json_of(&world.plain(get("/api/health", None)));
    assert_eq!(health["sweep_stale"], false, "{health}");
    assert!(outbox().is_empty());

    // Twenty minutes without a sweep: told once, however often health is asked.
    world.web.db.sql(
        "UPDATE sweeps SET started_at = ?1",
        vec![json!(NOW - 20 * crate::time::MINUTE_MS)],
    );
    for _ in 0..3 {
        let health = json_of(&world.plain(get("/api/health", None)));
        assert_eq!(health["sweep_stale"], true, "{health}");
    }
    assert_eq!(outbox().len(), 1, "{:?}", outbox());
    assert_eq!(outbox()[0]["event"], "sweep_stale");
    assert_eq!(
        world.web.queue.take_notifications().len(),
        1,
        "relayed at once"
    );

    // Many users hear the same 429 QUOTA_EXCEEDED: one rest, one alert.
    let store = crate::store::Store::new(&world.web.db);
    let until = NOW + crate::time::HOUR_MS;
    for at in [NOW, NOW + 1_000, NOW + 2_000] {
        futures::executor::block_on(store.record_app_rest(until + at - NOW, at)).expect("rest");
    }
    let events: Vec<Value> = outbox()
        .into_iter()
        .map(|row| row["event"].clone())
        .collect();
    assert_eq!(events, [json!("sweep_stale"), json!("app_quota_rest")]);
}

/// D1 that answers nothing: the outage the health check must report on its own.
struct DownDatabase;

impl crate::ports::Database for DownDatabase {
    async fn query(
        &self,
        _: crate::ports::Statement,
    ) -> Result<Vec<crate::ports::Row>, crate::ports::DatabaseError> {
        Err(crate::ports::DatabaseError {
            message: "D1_ERROR: unavailable".into(),
        })
    }

    async fn batch(
        &self,
        _: Vec<crate::ports::Statement>,
    ) -> Result<Vec<Vec<crate::ports::Row>>, crate::ports::DatabaseError> {
        Err(crate::ports::DatabaseError {
            message: "D1_ERROR: unavailable".into(),
        })
    }
}

#[test]
fn a_database_outage_is_told_to_the_operator_through_the_queue_once_an_hour() {
    let world = WebWorld::new();
    let http = ScriptedHttp::new(vec![]);
    let app = super::App::<(_, _, _, _)> {
        shards: crate::shards::Shards::single(&DownDatabase),
        kv: &world.kv,
        http: &http,
        queue: &world.queue,
        endpoints: &world.endpoints,
        credentials: Ok::<_, crate::config::ConfigError>(&world.credentials),
        cipher: Ok::<_, crate::config::ConfigError>(&world.cipher),
        cron_secret: None,
        sweep: crate::engine::sweep::SweepConfig::default(),
        policy: crate::engine::schedule::PollingPolicy::default(),
        notify: &world.notify,
        forward: world.forward.clone(),
        zones: &crate::testing::zones::TzdbZones,
        log: &world.log,
    };
    // Health is public: however often it is asked during the outage, one alert an hour.
    for minutes in [0, 1, 5, 30] {
        let at = NOW + minutes * crate::time::MINUTE_MS;
        let response =
            futures::executor::block_on(app.handle(&get("/api/health", None), at, || at));
        assert_eq!(response.status, 503, "{}", response.body);
    }
    let sent = world.queue.take_notifications();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let crate::notify::NotifyMessage::OperatorAlert(alert) = &sent[0] else {
        panic!("not an operator alert: {sent:?}");
    };
    assert_eq!(alert.event, "binding_unhealthy");
    assert_eq!(alert.data["binding"], "database");

    // Still down an hour later: told again.
    let later = NOW + 61 * crate::time::MINUTE_MS;
    futures::executor::block_on(app.handle(&get("/api/health", None), later, || later));
    assert_eq!(world.queue.take_notifications().len(), 1);
}
