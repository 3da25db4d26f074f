//! Shared harness of the native integration tests: the core wired to its twins, with the
//! Spotify simulator answering over its real routes, in-process, on a manual clock.
//!
//! [`SimulatedSpotify`] implements the core's [`HttpClient`] by handing each request to the
//! simulator's axum router (no socket, no runtime: the router and its handlers run to
//! completion inside `futures::executor::block_on`). [`World`] holds one of everything an
//! archive needs and the helpers the tests share: creating simulated listeners, logging a
//! user in through the authorization-code flow, archiving, and reading back both the
//! simulator's truth and what the archive kept. [`World::app`] is the Worker's web
//! surface over the same twins, for the tests that act as a person in a browser would
//! (logging in, connecting ListenBrainz and Last.fm through the simulator's pages).
//!
//! A crate of the workspace (`time-machine-support`, lib `support`): the root package's
//! integration tests take it as a dev-dependency, the bench as a dependency.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::Router;
use futures::executor::block_on;
use serde_json::{json, Value};
use spotify_simulator::{ManualClock, ServerConfig, Simulator};
use tower::ServiceExt;

use time_machine::crypto::TokenCipher;
use time_machine::engine::archive::{ArchiveOutcome, Archiver, JobReport};
use time_machine::engine::job::{ArchiveJob, JobUser};
use time_machine::engine::schedule::PollingPolicy;
use time_machine::engine::slot::scheduled_kind;
use time_machine::engine::sweep::SweepConfig;
use time_machine::forward::lastfm::LastFmApp;
use time_machine::forward::ForwardConfig;
use time_machine::ids::local_track_id;
use time_machine::notify::delivery::NotifyConfig;
use time_machine::oauth::{read_callback, CallbackOutcome, PendingLogin};
use time_machine::ports::{HttpClient, HttpRequest, HttpResponse, Method, Row, TransportError};
use time_machine::shards::Shards;
use time_machine::spotify::client::ClientCredentials;
use time_machine::spotify::{SpotifyClient, SpotifyEndpoints};
use time_machine::store::archive::SealedTokens;
use time_machine::store::Store;
use time_machine::testing::web::{cookie_value, get, header};
use time_machine::testing::zones::TzdbZones;
use time_machine::testing::{MemoryKv, MemoryLog, MemoryQueue, SqliteDatabase};
use time_machine::time::{UnixMillis, SECOND_MS};
use time_machine::web::App;

/// Monday 2 March 2026, 00:00 UTC: where every test's clock starts.
pub const START: UnixMillis = 1_772_409_600_000;

pub const ORIGIN: &str = "http://sim.test";
pub const CLIENT_ID: &str = "sim-client-id";
pub const CLIENT_SECRET: &str = "sim-client-secret";
pub const REDIRECT_URI: &str = "http://127.0.0.1:8787/callback";
/// 32 bytes in base64: the test deployment's `TOKEN_ENCRYPTION_KEY`.
pub const TOKEN_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/// The simulator as the core's HTTP client: every request goes through its router.
pub struct SimulatedSpotify {
    pub sim: Simulator,
    router: Router,
    /// `METHOD path` of every request the core sent, in order.
    log: RefCell<Vec<String>>,
}

/// The simulator's answer to one request.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl SimulatedSpotify {
    /// What a person does on Spotify's consent page for `authorize_url`: picks the
    /// listener `sim_id` and approves. Answers where Spotify sends the browser back.
    pub async fn approve(&self, authorize_url: &str, sim_id: &str) -> String {
        let consent = self.call("GET", authorize_url, &[], None).await;
        assert_eq!(consent.status, 200, "consent page: {}", consent.body);
        // The browser posts the request back with the chosen account and the decision.
        self.decide(
            authorize_url,
            "/authorize/decision",
            &[("user", sim_id), ("decision", "approve")],
        )
        .await
    }

    /// Posts an approval page's form back to `decision_path`: the page's own query (from
    /// `page_url`) with the person's `choices`. Answers where the browser is sent next.
    async fn decide(
        &self,
        page_url: &str,
        decision_path: &str,
        choices: &[(&str, &str)],
    ) -> String {
        let (_, query) = page_url.split_once('?').expect("a query");
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form_urlencoded::parse(query.as_bytes()))
            .extend_pairs(choices)
            .finish();
        let headers = [(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )];
        let decision = self
            .call(
                "POST",
                &format!("{ORIGIN}{decision_path}"),
                &headers,
                Some(form),
            )
            .await;
        assert_eq!(decision.status, 302, "decision: {}", decision.body);
        decision.header("location").expect("a redirect").to_owned()
    }

    /// What a person does on Last.fm's approval page at `approval_url` (the address the
    /// App sent the browser to): approves as `user`, who signs up there if new. Answers
    /// where Last.fm sends the browser back.
    pub async fn approve_lastfm(&self, approval_url: &str, user: &str) -> String {
        let page = self.call("GET", approval_url, &[], None).await;
        assert_eq!(page.status, 200, "approval page: {}", page.body);
        self.decide(approval_url, "/lastfm/api/auth/decision", &[("user", user)])
            .await
    }

    pub fn new(config: ServerConfig, clock: &ManualClock) -> Self {
        let sim = Simulator::new(config, Arc::new(clock.clone()));
        let router = sim.router();
        Self {
            sim,
            router,
            log: RefCell::new(Vec::new()),
        }
    }

    /// Sends one request into the router.
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        headers: &[(String, String)],
        body: Option<String>,
    ) -> Reply {
        let mut request = axum::http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .expect("a well-formed request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a readable body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// An admin request, outside any other executor. An answer without a body (`204`)
    /// is `Value::Null`.
    pub fn admin(&self, method: &str, path: &str, body: Value) -> Value {
        let headers = [("Content-Type".to_owned(), "application/json".to_owned())];
        let reply = block_on(self.call(
            method,
            &format!("{ORIGIN}{path}"),
            &headers,
            Some(body.to_string()),
        ));
        assert!(
            reply.status < 300,
            "{method} {path} answered {}: {}",
            reply.status,
            reply.body
        );
        if reply.body.is_empty() {
            return Value::Null;
        }
        reply.json()
    }

    /// Every request the core sent.
    pub fn requests(&self) -> usize {
        self.log.borrow().len()
    }

    /// The requests the core sent whose `METHOD path` starts with `prefix` (e.g.
    /// `"POST /listenbrainz/1/submit-listens"`).
    pub fn requests_to(&self, prefix: &str) -> usize {
        self.log
            .borrow()
            .iter()
            .filter(|request| request.starts_with(prefix))
            .count()
    }
}

impl HttpClient for SimulatedSpotify {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        };
        let path = request
            .url
            .strip_prefix(ORIGIN)
            .unwrap_or(&request.url)
            .to_owned();
        self.log.borrow_mut().push(format!("{method} {path}"));
        let reply = self
            .call(method, &request.url, &request.headers, request.body)
            .await;
        Ok(HttpResponse {
            status: reply.status,
            headers: reply.headers,
            body: reply.body,
        })
    }
}

/// One play: when it ended, and the archive's id of its track.
pub type Play = (UnixMillis, String);

/// A user's counters as `GET /admin/users/{id}/stats` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallStats {
    pub recently_played: u64,
    pub token: u64,
    pub me: u64,
}

/// A listener known to both sides: the simulator's user id and the archive's user id
/// (Spotify's `account_id`, which the archive files users under).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connected {
    pub sim_id: String,
    pub user_id: String,
}

/// The core with its twins, and the simulator behind the HTTP client.
pub struct World {
    pub clock: ManualClock,
    pub spotify: SimulatedSpotify,
    pub db: SqliteDatabase,
    pub kv: MemoryKv,
    pub endpoints: SpotifyEndpoints,
    pub credentials: ClientCredentials,
    pub cipher: TokenCipher,
    pub policy: PollingPolicy,
    /// What the archiver logged.
    pub log: MemoryLog,
}

/// The simulator's settings for these tests: no default users, no request log.
pub fn sim_config() -> ServerConfig {
    ServerConfig {
        base_url: ORIGIN.to_owned(),
        users: 0,
        log_requests: false,
        ..ServerConfig::default()
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    /// The simulator of [`sim_config`] and the default polling policy.
    pub fn new() -> Self {
        Self::with(sim_config(), PollingPolicy::default())
    }

    pub fn with(config: ServerConfig, policy: PollingPolicy) -> Self {
        let clock = ManualClock::new(START);
        Self {
            spotify: SimulatedSpotify::new(config, &clock),
            clock,
            db: SqliteDatabase::new(),
            kv: MemoryKv::default(),
            endpoints: SpotifyEndpoints {
                accounts_url: ORIGIN.to_owned(),
                api_url: ORIGIN.to_owned(),
            },
            credentials: ClientCredentials {
                client_id: CLIENT_ID.to_owned(),
                client_secret: CLIENT_SECRET.to_owned(),
            },
            cipher: TokenCipher::new(TOKEN_KEY, None).expect("a valid key"),
            policy,
            log: MemoryLog::default(),
        }
    }

    pub fn now(&self) -> UnixMillis {
        use spotify_simulator::Clock as _;
        self.clock.now_ms()
    }

    pub fn advance(&self, by_ms: i64) {
        self.clock.advance(by_ms);
    }

    pub fn set_time(&self, at: UnixMillis) {
        self.clock.set(at);
    }

    pub fn archiver(&self) -> Archiver<'_, SqliteDatabase, MemoryKv, SimulatedSpotify> {
        self.archiver_over(&self.db)
    }

    /// The archiver of this world writing through `db` (a recorder of it, or another
    /// database).
    pub fn archiver_over<'a, D: time_machine::ports::Database>(
        &'a self,
        db: &'a D,
    ) -> Archiver<'a, D, MemoryKv, SimulatedSpotify> {
        Archiver {
            shards: Shards::single(db),
            kv: &self.kv,
            http: &self.spotify,
            endpoints: &self.endpoints,
            credentials: &self.credentials,
            cipher: &self.cipher,
            policy: self.policy,
            log: &self.log,
        }
    }

    pub fn store(&self) -> Store<'_, SqliteDatabase> {
        Store::new(&self.db)
    }

    // -----------------------------------------------------------------------------------
    // The simulator's side

    /// Creates a simulated Spotify user; `fields` are the admin API's (`plays_per_hour`,
    /// `history_hours`, `seed`, `rotate_refresh_tokens`, …).
    pub fn create_listener(&self, sim_id: &str, fields: Value) {
        let mut body = json!({ "id": sim_id });
        if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
            body.extend(fields.clone());
        }
        self.spotify.admin("POST", "/admin/users", body);
    }

    /// Adds `count` plays, `spacing_ms` apart, the last ending at `ending_at_ms`. Returns
    /// their `played_at`, oldest first.
    pub fn inject(
        &self,
        sim_id: &str,
        count: usize,
        ending_at_ms: UnixMillis,
        spacing_ms: i64,
    ) -> Vec<UnixMillis> {
        let plays = self.spotify.admin(
            "POST",
            &format!("/admin/users/{sim_id}/plays"),
            json!({ "count": count, "ending_at_ms": ending_at_ms, "spacing_ms": spacing_ms }),
        );
        plays
            .as_array()
            .expect("an array of plays")
            .iter()
            .map(|play| play["played_at_ms"].as_i64().expect("played_at_ms"))
            .collect()
    }

    /// Every play the listener has made so far, as (played_at, archive track id), so
    /// that the set runs oldest first.
    pub fn truth(&self, sim_id: &str) -> BTreeSet<Play> {
        let plays = self
            .spotify
            .admin("GET", &format!("/admin/users/{sim_id}/plays"), json!({}));
        plays
            .as_array()
            .expect("an array of plays")
            .iter()
            .map(|play| {
                let played_at = play["played_at_ms"].as_i64().expect("played_at_ms");
                // Local files have no Spotify id: the archive derives one from the URI.
                let track_id = match play["track_id"].as_str() {
                    Some(id) if play["is_local"] != json!(true) => id.to_owned(),
                    _ => local_track_id(play["track_uri"].as_str().expect("track_uri")),
                };
                (played_at, track_id)
            })
            .collect()
    }

    pub fn stats(&self, sim_id: &str) -> CallStats {
        let stats = self
            .spotify
            .admin("GET", &format!("/admin/users/{sim_id}/stats"), json!({}));
        let count = |name: &str| stats[name].as_u64().expect("a counter");
        CallStats {
            recently_played: count("recently_played_calls"),
            token: count("token_calls"),
            me: count("me_calls"),
        }
    }

    /// Installs a fault for one simulated user (see the simulator's README).
    pub fn fault(&self, sim_id: &str, spec: Value) {
        self.spotify
            .admin("POST", &format!("/admin/users/{sim_id}/faults"), spec);
    }

    // -----------------------------------------------------------------------------------
    // Logging in

    /// The authorization-code flow with PKCE through the simulator's routes, as the Worker
    /// drives it: consent page, approval as `sim_id`, code exchange, `/me`. Returns the
    /// profile and the sealed tokens, not yet stored.
    pub fn authorize(
        &self,
        sim_id: &str,
    ) -> (time_machine::spotify::profile::Profile, SealedTokens) {
        let now = self.now();
        let login = PendingLogin::start(now).expect("random values");
        let authorize_url =
            login.authorize_url(&self.endpoints.accounts_url, CLIENT_ID, REDIRECT_URI);
        block_on(async {
            let location = self.spotify.approve(&authorize_url, sim_id).await;
            let (_, callback_query) = location.split_once('?').expect("a callback query");
            let CallbackOutcome::Approved { code, state } = read_callback(callback_query) else {
                panic!("not approved: {location}");
            };
            assert_eq!(state, login.state);

            let spotify = SpotifyClient::new(&self.spotify, &self.endpoints, &self.credentials);
            let grant = spotify
                .exchange_code(&code, REDIRECT_URI, &login.code_verifier, now)
                .await
                .expect("the code is exchanged");
            let profile = spotify
                .me(&grant.access_token, now)
                .await
                .expect("the profile is read");
            let user_id = profile.stable_id().to_owned();
            let refresh = grant.refresh_token.expect("a refresh token");
            let tokens = SealedTokens {
                access_token_enc: self
                    .cipher
                    .seal(&grant.access_token, &user_id)
                    .expect("seal"),
                refresh_token_enc: Some(self.cipher.seal(&refresh, &user_id).expect("seal")),
                expires_at: now + i64::try_from(grant.expires_in).expect("seconds") * SECOND_MS,
            };
            (profile, tokens)
        })
    }

    /// Logs `sim_id` in and stores the user as the callback does. Returns both ids.
    pub fn connect(&self, sim_id: &str) -> Connected {
        let (profile, tokens) = self.authorize(sim_id);
        block_on(
            self.store()
                .upsert_user_on_login(&profile, &tokens, self.now()),
        )
        .expect("the user is stored");
        Connected {
            sim_id: sim_id.to_owned(),
            user_id: profile.stable_id().to_owned(),
        }
    }

    // -----------------------------------------------------------------------------------
    // Archiving

    /// The job a sweep would send for this user now.
    pub fn scheduled_job(&self, user_id: &str) -> JobUser {
        let last_polled_at = self.user_row(user_id)["last_polled_at"].as_i64();
        JobUser::new(
            user_id,
            scheduled_kind(last_polled_at, self.now()),
            self.now(),
        )
    }

    /// Archives one user now, as a scheduled poll.
    pub fn archive(&self, user_id: &str) -> ArchiveOutcome {
        let job = self.scheduled_job(user_id);
        block_on(
            self.archiver()
                .archive_user(0, &job, self.now(), self.now()),
        )
    }

    /// Archives a whole message now.
    pub fn archive_job(&self, job: &ArchiveJob) -> JobReport {
        block_on(self.archiver().archive_job(job, self.now()))
    }

    // -----------------------------------------------------------------------------------
    // Reading back the archive

    /// The user's row, every column.
    pub fn user_row(&self, user_id: &str) -> Row {
        self.db
            .sql("SELECT * FROM users WHERE id = ?1", vec![json!(user_id)])
            .into_iter()
            .next()
            .expect("the user exists")
    }

    /// The archived plays as (played_at, track id), with a duplicate check built in.
    pub fn archived(&self, user_id: &str) -> BTreeSet<Play> {
        let rows = self.db.sql(
            "SELECT t.id AS track_id, p.played_at FROM play_events p JOIN tracks t ON t.key = p.track_key
              WHERE p.user_key = (SELECT key FROM users WHERE id = ?1)",
            vec![json!(user_id)],
        );
        let plays: BTreeSet<Play> = rows
            .iter()
            .map(|row| {
                (
                    row["played_at"].as_i64().expect("played_at"),
                    row["track_id"].as_str().expect("track_id").to_owned(),
                )
            })
            .collect();
        assert_eq!(plays.len(), rows.len(), "duplicate plays in the archive");
        plays
    }

    /// The recorded gaps as (from, to, reason), oldest first.
    pub fn gaps(&self, user_id: &str) -> Vec<(UnixMillis, UnixMillis, String)> {
        self.db
            .sql(
                "SELECT gap_from, gap_to, reason FROM data_gaps WHERE user_id = ?1 ORDER BY gap_from",
                vec![json!(user_id)],
            )
            .iter()
            .map(|row| {
                (
                    row["gap_from"].as_i64().expect("gap_from"),
                    row["gap_to"].as_i64().expect("gap_to"),
                    row["reason"].as_str().expect("reason").to_owned(),
                )
            })
            .collect()
    }

    /// The stored refresh token, opened.
    pub fn stored_refresh_token(&self, user_id: &str) -> String {
        let sealed = self.user_row(user_id)["refresh_token_enc"]
            .as_str()
            .expect("a refresh token")
            .to_owned();
        self.cipher.open(&sealed, user_id).expect("it opens")
    }

    /// Whether the simulator accepts `refresh_token` now (it answers a token, not an error).
    /// Careful: under rotation a successful refresh kills the token it used.
    pub fn refresh_works(&self, refresh_token: &str) -> bool {
        let spotify = SpotifyClient::new(&self.spotify, &self.endpoints, &self.credentials);
        block_on(spotify.refresh(refresh_token, self.now())).is_ok()
    }
}

/// The App of a [`World`]: the Worker's web surface over its twins, with the simulator as
/// its HTTP client (Spotify, ListenBrainz and Last.fm alike).
pub type WorldApp<'a> = App<'a, (SqliteDatabase, MemoryKv, SimulatedSpotify, MemoryQueue)>;

impl World {
    /// Where the simulator serves ListenBrainz and Last.fm, as the deployment's settings
    /// would name them; Last.fm with the API account the simulator registered.
    pub fn forward_config(&self) -> ForwardConfig {
        let registered = &self.spotify.sim.config().lastfm;
        ForwardConfig {
            listenbrainz_url: format!("{ORIGIN}/listenbrainz"),
            lastfm: Some(LastFmApp {
                api_key: registered.api_key.clone(),
                shared_secret: registered.shared_secret.clone(),
                api_url: format!("{ORIGIN}/lastfm"),
                auth_url: format!("{ORIGIN}/lastfm"),
            }),
            ..ForwardConfig::default()
        }
    }

    /// The App over this world's bindings, sending its messages to `queue`. Requests go
    /// through [`App::handle`] as the edge sends them, at the world's clock.
    pub fn app<'a>(
        &'a self,
        queue: &'a MemoryQueue,
        notify: &'a NotifyConfig,
        forward: ForwardConfig,
    ) -> WorldApp<'a> {
        App::<(_, _, _, _)> {
            shards: Shards::single(&self.db),
            kv: &self.kv,
            http: &self.spotify,
            queue,
            endpoints: &self.endpoints,
            credentials: Ok(&self.credentials),
            cipher: Ok(&self.cipher),
            cron_secret: None,
            sweep: SweepConfig::default(),
            policy: self.policy,
            notify,
            forward,
            zones: &TzdbZones,
            log: &self.log,
        }
    }

    /// Sends `request` through `app` now.
    pub fn send(
        &self,
        app: &WorldApp<'_>,
        request: &time_machine::web::WebRequest,
    ) -> time_machine::web::WebResponse {
        let now = self.now();
        block_on(app.handle(request, now, || now))
    }

    /// Logs `sim_id` in as a browser does, through the App's `/login` and `/callback`
    /// and Spotify's consent page; answers the Cookie header of the session it opened.
    /// The callback queues the user's first archive (the backfill) on the App's queue.
    pub fn log_in_through_app(&self, app: &WorldApp<'_>, sim_id: &str) -> String {
        let login = self.send(app, &get("/login", None));
        assert_eq!(login.status, 302, "login: {}", login.body);
        let authorize_url = header(&login, "Location").expect("to Spotify");
        let login_cookie = cookie_value(&login, "stm_login").expect("a login cookie");
        let back = block_on(self.spotify.approve(authorize_url, sim_id));
        let (_, query) = back.split_once('?').expect("a callback query");
        let callback = self.send(
            app,
            &get(
                &format!("/callback?{query}"),
                Some(&format!("stm_login={login_cookie}")),
            ),
        );
        assert_eq!(callback.status, 302, "callback: {}", callback.body);
        let session = cookie_value(&callback, "stm_session").expect("a session cookie");
        format!("stm_session={session}")
    }
}

/// A column as an integer, `None` for NULL.
pub fn int(row: &Row, column: &str) -> Option<i64> {
    row.get(column).and_then(Value::as_i64)
}
