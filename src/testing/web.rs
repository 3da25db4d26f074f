//! The web surface wired to the twins, for the tests that send requests through
//! [`App::handle`]: one place for the world, the signed-in user and the requests a
//! browser sends, so each test file keeps only its own data and checks.

use futures::executor::block_on;
use serde_json::{json, Value};

use super::{MemoryKv, MemoryLog, MemoryQueue, ScriptedHttp, SqliteDatabase};
use crate::config::ConfigError;
use crate::crypto::{sha256_hex, TokenCipher};
use crate::engine::schedule::PollingPolicy;
use crate::engine::sweep::SweepConfig;
use crate::forward::ForwardConfig;
use crate::notify::delivery::NotifyConfig;
use crate::notify::target::UrlPolicy;
use crate::ports::Method;
use crate::shards::Shards;
use crate::spotify::client::ClientCredentials;
use crate::spotify::SpotifyEndpoints;
use crate::time::{UnixMillis, DAY_MS};
use crate::web::{App, WebRequest, WebResponse};

/// Where the tests' browser reaches the Worker (`wrangler dev`'s address).
pub const ORIGIN: &str = "http://127.0.0.1:8787";
/// The token cipher's key (base64 of 32 bytes): a secret no answer may show.
pub const CIPHER_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
/// The Spotify app's client secret unless a test sets its own.
pub const CLIENT_SECRET: &str = "csecret";
/// A stream longer than this many chunks is taken for one that never ends.
const MOST_STREAM_CHUNKS: usize = 10_000;

/// The App's bindings and configuration as twins, held so each request can borrow them.
pub struct WebWorld {
    /// Shard 0, the directory.
    pub db: SqliteDatabase,
    /// Shards 1… ([`WebWorld::with_shards`]).
    pub more_shards: Vec<SqliteDatabase>,
    pub kv: MemoryKv,
    pub queue: MemoryQueue,
    pub endpoints: SpotifyEndpoints,
    pub credentials: ClientCredentials,
    pub cipher: TokenCipher,
    /// The admin routes' bearer secret; `None` refuses them all.
    pub cron_secret: Option<&'static str>,
    pub notify: NotifyConfig,
    /// ListenBrainz at `http://lb`.
    pub forward: ForwardConfig,
    /// What the App logged.
    pub log: MemoryLog,
}

impl WebWorld {
    /// Empty storage (migrations applied), Spotify at `http://sim`, no cron secret.
    pub fn new() -> Self {
        Self {
            db: SqliteDatabase::new(),
            more_shards: Vec::new(),
            kv: MemoryKv::default(),
            queue: MemoryQueue::default(),
            endpoints: SpotifyEndpoints {
                accounts_url: "http://sim".into(),
                api_url: "http://sim".into(),
            },
            credentials: ClientCredentials {
                client_id: "cid".into(),
                client_secret: CLIENT_SECRET.into(),
            },
            cipher: TokenCipher::new(CIPHER_KEY, None).expect("the test key is valid"),
            cron_secret: None,
            notify: NotifyConfig {
                url_policy: UrlPolicy {
                    allow_loopback: true,
                },
                ..NotifyConfig::default()
            },
            forward: ForwardConfig {
                listenbrainz_url: "http://lb".into(),
                ..ForwardConfig::default()
            },
            log: MemoryLog::default(),
        }
    }

    /// Empty storage in `count` shards.
    pub fn with_shards(count: usize) -> Self {
        Self {
            more_shards: (1..count).map(|_| SqliteDatabase::new()).collect(),
            ..Self::new()
        }
    }

    /// The App over this world, reaching Spotify through `http`.
    pub fn app<'a>(
        &'a self,
        http: &'a ScriptedHttp,
    ) -> App<'a, (SqliteDatabase, MemoryKv, ScriptedHttp, MemoryQueue)> {
        App::<(_, _, _, _)> {
            shards: self.shards(),
            kv: &self.kv,
            http,
            queue: &self.queue,
            endpoints: &self.endpoints,
            credentials: Ok::<_, ConfigError>(&self.credentials),
            cipher: Ok::<_, ConfigError>(&self.cipher),
            cron_secret: self.cron_secret,
            sweep: SweepConfig::default(),
            policy: PollingPolicy::default(),
            notify: &self.notify,
            forward: self.forward.clone(),
            zones: &super::zones::TzdbZones,
            log: &self.log,
        }
    }

    /// Every database, `db` first (the directory).
    pub fn shards(&self) -> Shards<'_, SqliteDatabase> {
        let mut databases = vec![&self.db];
        databases.extend(&self.more_shards);
        Shards::new(databases).expect("the directory is there")
    }

    /// Handles `request` at `now` (a clock that stands still), Spotify answering from `http`.
    pub fn send_with(
        &self,
        http: &ScriptedHttp,
        request: &WebRequest,
        now: UnixMillis,
    ) -> WebResponse {
        block_on(self.app(http).handle(request, now, || now))
    }

    /// Handles `request` at `now` with Spotify out of reach (an empty script).
    pub fn send(&self, request: &WebRequest, now: UnixMillis) -> WebResponse {
        self.send_with(&ScriptedHttp::new(vec![]), request, now)
    }

    /// An authorized, active user `user_id` (also its Spotify id and display name), due
    /// now, who signed up a day before `now`.
    pub fn add_user(&self, user_id: &str, now: UnixMillis) {
        self.db.sql(
            "INSERT INTO users (id, spotify_id, display_name, authorized_at, created_at, updated_at, next_due_at)
             VALUES (?1, ?1, ?1, ?2, ?2, ?2, ?2)",
            vec![json!(user_id), json!(now - DAY_MS)],
        );
    }

    /// A session of `user_id` opened a day before `now` and good for 30 days after;
    /// answers its Cookie header ([`session_cookie`]).
    pub fn open_session(&self, user_id: &str, now: UnixMillis) -> String {
        self.db.sql(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            vec![
                json!(sha256_hex(session_token(user_id))),
                json!(user_id),
                json!(now - DAY_MS),
                json!(now + 30 * DAY_MS),
            ],
        );
        session_cookie(user_id)
    }

    /// [`add_user`](Self::add_user) and [`open_session`](Self::open_session): a user
    /// logged in without the OAuth dance; answers the Cookie header.
    pub fn sign_in(&self, user_id: &str, now: UnixMillis) -> String {
        self.add_user(user_id, now);
        self.open_session(user_id, now)
    }

    /// Reads a streamed body (an export) to its end, one string a chunk.
    pub fn drain(&self, response: &mut WebResponse) -> Vec<String> {
        let mut plan = response.stream.take().expect("a streamed body");
        let shards = self.shards();
        let db = shards.get(plan.shard).expect("the export's shard is bound");
        let mut chunks = Vec::new();
        for _ in 0..MOST_STREAM_CHUNKS {
            match block_on(plan.next_chunk(db)).expect("an export chunk") {
                Some(chunk) => chunks.push(chunk),
                None => return chunks,
            }
        }
        panic!("the stream did not end");
    }
}

impl Default for WebWorld {
    fn default() -> Self {
        Self::new()
    }
}

/// The session cookie's value [`WebWorld::open_session`] gives `user_id`; its hash is the
/// stored id.
pub fn session_token(user_id: &str) -> String {
    format!("c-{user_id}")
}

/// The Cookie header that carries `user_id`'s session.
pub fn session_cookie(user_id: &str) -> String {
    format!("stm_session={}", session_token(user_id))
}

/// A request from the browser at [`ORIGIN`], `path_and_query` split at its `?`, with the
/// Cookie header when there is one; no Origin header, as a cross-site form would send.
pub fn request(method: Method, path_and_query: &str, cookie: Option<&str>) -> WebRequest {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let headers = cookie
        .map(|cookie| ("Cookie".to_owned(), cookie.to_owned()))
        .into_iter()
        .collect();
    WebRequest {
        method,
        origin: ORIGIN.into(),
        path: path.into(),
        query: query.into(),
        headers,
        body: String::new(),
    }
}

/// A GET; see [`request`].
pub fn get(path_and_query: &str, cookie: Option<&str>) -> WebRequest {
    request(Method::Get, path_and_query, cookie)
}

/// A POST of `body` from our own pages: Cookie (when given), then Origin.
pub fn post(path_and_query: &str, cookie: Option<&str>, body: &str) -> WebRequest {
    request(Method::Post, path_and_query, cookie)
        .with_our_origin()
        .with_body(body)
}

/// Additions to a request, in the order a test writes them (header order is kept).
pub trait RequestBuilder {
    fn with_header(self, name: &str, value: &str) -> Self;
    fn with_body(self, body: &str) -> Self;

    /// The Origin header a browser sends from our own pages.
    fn with_our_origin(self) -> Self
    where
        Self: Sized,
    {
        self.with_header("Origin", ORIGIN)
    }

    fn with_content_type(self, content_type: &str) -> Self
    where
        Self: Sized,
    {
        self.with_header("Content-Type", content_type)
    }
}

impl RequestBuilder for WebRequest {
    fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn with_body(mut self, body: &str) -> Self {
        self.body = body.to_owned();
        self
    }
}

/// The body as JSON; a panic that shows the body when it is not.
pub fn json_of(response: &WebResponse) -> Value {
    serde_json::from_str(&response.body)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", response.body))
}

/// The first header `name` (any case) of the answer.
pub fn header<'a>(response: &'a WebResponse, name: &str) -> Option<&'a str> {
    crate::pairs::header(&response.headers, name)
}

/// The first value of `name` in the query string of `url`, decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Every Set-Cookie header of the answer.
pub fn set_cookies(response: &WebResponse) -> Vec<&str> {
    response
        .headers
        .iter()
        .filter(|(key, _)| key == "Set-Cookie")
        .map(|(_, value)| value.as_str())
        .collect()
}

/// The value the answer sets cookie `name` to; `None` when unset or cleared.
pub fn cookie_value(response: &WebResponse, name: &str) -> Option<String> {
    set_cookies(response)
        .into_iter()
        .find_map(|cookie| {
            cookie
                .strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
        .filter(|value| !value.is_empty())
}
