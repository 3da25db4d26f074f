//! One Worker invocation at a time: the subrequests it makes (D1 round trips, KV
//! operations, `fetch`es to Spotify, Queue sends, counted by the twins) and the time the
//! core's own work takes natively.
//!
//! The time is measured by replaying the invocation: it runs once against the twins
//! (SQLite, the in-process simulator), recording every D1 round trip and HTTP exchange
//! with what came back; then it runs again, several times, against twins that answer
//! from that recording instantly ([`ReplayDb`], [`ReplayHttp`]). What is left is the
//! Worker's own work: routing, JSON, token sealing, planning, encoding. Each replay is
//! checked to ask exactly what was recorded.

use std::time::Instant;
use support::{SimulatedSpotify, World, ORIGIN};
use time_machine::notify::delivery::{
    NotifyConfig, DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_BASE_SECONDS,
};
use time_machine::notify::target::UrlPolicy;
use time_machine::shards::Shards;

use futures::executor::block_on;
use serde_json::{json, Value};
use time_machine::config::ConfigError;
use time_machine::engine::archive::Archiver;
use time_machine::engine::job::{ArchiveJob, JobUser};
use time_machine::engine::slot::scheduled_kind;
use time_machine::engine::sweep::{run_sweep, SweepConfig};
use time_machine::ports::{Database, HttpClient, KeyValueStore, Method};
use time_machine::testing::{MemoryKv, MemoryQueue, SilentLog, SqliteDatabase};
use time_machine::time::{HOUR_MS, MINUTE_MS, SECOND_MS};
use time_machine::web::{App, WebRequest, WebResponse};

use crate::archive_cost::{connect, last_polled_at};
use crate::stats::{runs_ms, Spread};
use crate::sweep::{SweepRun, SWEEP_NOW};
use crate::twins::{Exchange, HttpRecorder, Recorder, ReplayDb, ReplayHttp, RoundTrip};

const WORKER_ORIGIN: &str = "http://127.0.0.1:8787";
const CRON_SECRET: &str = "bench-cron-secret";

/// One invocation, measured.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub handler: &'static str,
    pub what: String,
    pub d1: usize,
    pub kv: usize,
    pub fetches: usize,
    pub queue_sends: usize,
    /// The core's work natively (replayed), milliseconds.
    pub core_ms: Spread,
    /// Set when a replay did not ask what the recording holds (the time is then suspect).
    pub replay_error: Option<String>,
}

impl Invocation {
    pub fn subrequests(&self) -> usize {
        self.d1 + self.kv + self.fetches + self.queue_sends
    }
}

fn kv_with(keys: &[String]) -> MemoryKv {
    let kv = MemoryKv::default();
    for key in keys {
        let _ = block_on(kv.put(key, "done", 86_400));
    }
    kv
}

fn app<'a, D: Database, K: KeyValueStore, H: HttpClient>(
    world: &'a World,
    db: &'a D,
    kv: &'a K,
    http: &'a H,
    queue: &'a MemoryQueue,
) -> App<'a, (D, K, H, MemoryQueue)> {
    App::<(_, _, _, _)> {
        shards: Shards::single(db),
        kv,
        http,
        queue,
        endpoints: &world.endpoints,
        credentials: Ok::<_, ConfigError>(&world.credentials),
        cipher: Ok::<_, ConfigError>(&world.cipher),
        cron_secret: Some(CRON_SECRET),
        sweep: SweepConfig::default(),
        policy: world.policy,
        notify: &NOTIFY,
        forward: time_machine::forward::ForwardConfig::default(),
        zones: &time_machine::testing::zones::TzdbZones,
        log: &time_machine::testing::SilentLog,
    }
}

/// No operator channel, no links: the requests measured here raise no events.
const NOTIFY: NotifyConfig = NotifyConfig {
    public_url: None,
    retry_base_seconds: DEFAULT_RETRY_BASE_SECONDS,
    max_attempts: DEFAULT_MAX_ATTEMPTS,
    url_policy: UrlPolicy {
        allow_loopback: false,
    },
    operator: Ok(None),
};

fn request(method: Method, path_and_query: &str, cookie: &str, body: &str) -> WebRequest {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut headers = Vec::new();
    if !cookie.is_empty() {
        headers.push(("Cookie".to_owned(), cookie.to_owned()));
    }
    if method == Method::Post {
        headers.push(("Origin".to_owned(), WORKER_ORIGIN.to_owned()));
        headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    }
    WebRequest {
        method,
        origin: WORKER_ORIGIN.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: body.to_owned(),
    }
}

fn header<'r>(response: &'r WebResponse, name: &str) -> Option<&'r str> {
    response
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// `name=value` of a `Set-Cookie` header.
fn cookie_pair(response: &WebResponse) -> String {
    header(response, "Set-Cookie")
        .and_then(|value| value.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

struct Bench<'w> {
    world: &'w World,
    rec: Recorder<'w, SqliteDatabase>,
    http: HttpRecorder<'w, SimulatedSpotify>,
    queue: MemoryQueue,
}

struct Recorded {
    trips: Vec<RoundTrip>,
    exchanges: Vec<Exchange>,
    kv_keys: Vec<String>,
    d1: usize,
    kv: usize,
    fetches: usize,
    queue_sends: usize,
}

impl<'w> Bench<'w> {
    /// Runs `work` once against the recording twins, counting its subrequests.
    fn record<T>(&self, label: &str, work: impl FnOnce(&Self) -> T) -> (T, Recorded) {
        self.rec.label(label);
        let kv_keys = self.world.kv.keys();
        let (kv, http, sends) = (
            self.world.kv.operations(),
            self.http.len(),
            self.queue.sent.borrow().len(),
        );
        let value = work(self);
        let trips = self.rec.trips(label);
        let exchanges = self.http.since(http);
        let recorded = Recorded {
            d1: trips.len(),
            kv: self.world.kv.operations() - kv,
            fetches: exchanges.len(),
            queue_sends: self.queue.sent.borrow().len() - sends,
            trips,
            exchanges,
            kv_keys,
        };
        self.rec.label("setup");
        (value, recorded)
    }

    fn app(
        &self,
    ) -> App<
        '_,
        (
            Recorder<'w, SqliteDatabase>,
            MemoryKv,
            HttpRecorder<'w, SimulatedSpotify>,
            MemoryQueue,
        ),
    > {
        app(
            self.world,
            &self.rec,
            &self.world.kv,
            &self.http,
            &self.queue,
        )
    }

    /// A request to the fetch handler, recorded then replayed `runs` times.
    fn fetch(&self, what: &str, request: &WebRequest, runs: usize) -> (WebResponse, Invocation) {
        let now = self.world.now();
        let (response, recorded) = self.record(what, |bench| {
            block_on(bench.app().handle(request, now, || now))
        });
        let mut replay_error = None;
        let core_ms = runs_ms(runs, || {
            let db = ReplayDb::new(&recorded.trips);
            let http = ReplayHttp::new(&recorded.exchanges);
            let kv = kv_with(&recorded.kv_keys);
            let queue = MemoryQueue::default();
            let app = app(self.world, &db, &kv, &http, &queue);
            let started = Instant::now();
            let replayed = block_on(app.handle(request, now, || now));
            let took = started.elapsed();
            if replayed.status != response.status {
                replay_error.get_or_insert(format!(
                    "status {} on replay, {} recorded",
                    replayed.status, response.status
                ));
            }
            if let Err(error) = db.faithful().and(http.faithful()) {
                replay_error.get_or_insert(error);
            }
            took
        });
        let invocation = Invocation {
            handler: "fetch",
            what: what.to_owned(),
            d1: recorded.d1,
            kv: recorded.kv,
            fetches: recorded.fetches,
            queue_sends: recorded.queue_sends,
            core_ms,
            replay_error,
        };
        (response, invocation)
    }

    /// A queue batch through the consumer, recorded then replayed `runs` times.
    fn queue_batch(&self, what: &str, jobs: &[ArchiveJob], runs: usize) -> Invocation {
        let now = self.world.now();
        let world = self.world;
        fn archiver<'a, D: Database, K: KeyValueStore, H: HttpClient>(
            world: &'a World,
            db: &'a D,
            kv: &'a K,
            http: &'a H,
        ) -> Archiver<'a, D, K, H> {
            Archiver {
                shards: Shards::single(db),
                kv,
                http,
                endpoints: &world.endpoints,
                credentials: &world.credentials,
                cipher: &world.cipher,
                policy: world.policy,
                log: &SilentLog,
            }
        }
        let (reports, recorded) = self.record(what, |bench| {
            block_on(
                archiver(world, &bench.rec, &bench.world.kv, &bench.http).archive_batch(jobs, now),
            )
        });
        let archived = reports
            .iter()
            .flat_map(|report| &report.outcomes)
            .filter(|(_, outcome)| outcome.label() == "archived")
            .count();
        let users: usize = jobs.iter().map(|job| job.users.len()).sum();
        let mut replay_error =
            (archived != users).then(|| format!("only {archived} of {users} users archived"));
        let core_ms = runs_ms(runs, || {
            let db = ReplayDb::new(&recorded.trips);
            let http = ReplayHttp::new(&recorded.exchanges);
            let kv = kv_with(&recorded.kv_keys);
            let started = Instant::now();
            block_on(archiver(world, &db, &kv, &http).archive_batch(jobs, now));
            let took = started.elapsed();
            if let Err(error) = db.faithful().and(http.faithful()) {
                replay_error.get_or_insert(error);
            }
            took
        });
        Invocation {
            handler: "queue",
            what: what.to_owned(),
            d1: recorded.d1,
            kv: recorded.kv,
            fetches: recorded.fetches,
            queue_sends: recorded.queue_sends,
            core_ms,
            replay_error,
        }
    }
}

/// The sweep of a [`SweepRun`] as the scheduled handler runs it, replayed.
fn cron(run: &SweepRun, runs: usize) -> Invocation {
    let config = SweepConfig {
        max_users: run.cap,
        ..SweepConfig::default()
    };
    let mut replay_error = None;
    let core_ms = runs_ms(runs, || {
        let db = ReplayDb::new(&run.trips);
        let queue = MemoryQueue::default();
        let started = Instant::now();
        block_on(run_sweep(
            &Shards::single(&db),
            &queue,
            &config,
            "cron",
            SWEEP_NOW,
            || SWEEP_NOW,
        ));
        let took = started.elapsed();
        if let Err(error) = db.faithful() {
            replay_error.get_or_insert(error);
        }
        took
    });
    Invocation {
        handler: "scheduled",
        what: format!(
            "cron sweep: {} due users, {} claimed, {} messages",
            crate::stats::int(run.due as i64),
            crate::stats::int(run.claimed as i64),
            crate::stats::int(run.messages as i64)
        ),
        d1: run.round_trips,
        kv: 0,
        fetches: 0,
        queue_sends: run.queue_sends,
        core_ms,
        replay_error,
    }
}

fn silent() -> Value {
    json!({ "plays_per_hour": 0, "history_hours": 0 })
}

/// Every invocation the Worker has, measured. `sweeps` are the native sweep runs whose
/// recordings the scheduled handler replays.
pub fn measure(sweeps: &[&SweepRun], import_chunk: &str, runs: usize) -> Vec<Invocation> {
    let world = World::new();
    let bench = Bench {
        world: &world,
        rec: Recorder::new(&world.db),
        http: HttpRecorder::new(&world.spotify),
        queue: MemoryQueue::default(),
    };
    let mut out = Vec::new();

    // 110 listeners for the queue batches, and one who uses the web pages.
    let listeners: Vec<String> = (0..110).map(|n| format!("listener-{n:03}")).collect();
    world.create_listener("viewer", silent());
    world.inject("viewer", 30, world.now() - MINUTE_MS, 3 * MINUTE_MS);
    for sim_id in &listeners {
        world.create_listener(sim_id, silent());
        world.inject(sim_id, 30, world.now() - MINUTE_MS, 3 * MINUTE_MS);
    }

    // The login, through the Worker's routes: /login, Spotify's consent, /callback.
    let (started, login) = bench.fetch("GET /login", &request(Method::Get, "/login", "", ""), runs);
    out.push(login);
    let authorize = header(&started, "Location").unwrap_or_default().to_owned();
    let login_cookie = cookie_pair(&started);
    let query = authorize.split_once('?').map_or("", |(_, query)| query);
    let consent = block_on(world.spotify.call(
        "POST",
        &format!("{ORIGIN}/authorize/decision"),
        &[(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )],
        Some(format!("{query}&user=viewer&decision=approve")),
    ));
    let callback = consent
        .header("location")
        .unwrap_or_default()
        .trim_start_matches(WORKER_ORIGIN)
        .to_owned();
    let (done, finish) = bench.fetch(
        "GET /callback (the login's end: code exchange, /me, user, session, backfill job)",
        &request(Method::Get, &callback, &login_cookie, ""),
        runs,
    );
    assert_eq!(
        done.status, 302,
        "the login did not complete: {}",
        done.body
    );
    out.push(finish);
    let session = cookie_pair(&done);

    // The user's backfill, then a few minutes later the pages.
    let viewer = block_on(bench.rec.query(time_machine::ports::Statement::new(
        "SELECT id FROM users WHERE spotify_id = 'viewer' OR id LIKE '%viewer%' LIMIT 1",
        vec![],
    )))
    .ok()
    .and_then(|rows| {
        rows.first()
            .and_then(|row| row["id"].as_str().map(str::to_owned))
    });
    let users: Vec<String> = listeners
        .iter()
        .map(|sim_id| connect(&world, &bench.rec, sim_id))
        .collect();
    let now = world.now();
    let backfill: Vec<JobUser> = viewer
        .iter()
        .chain(&users)
        .map(|user| JobUser::new(user, scheduled_kind(None, now), now))
        .collect();
    block_on(
        Archiver {
            shards: Shards::single(&bench.rec),
            kv: &world.kv,
            http: &bench.http,
            endpoints: &world.endpoints,
            credentials: &world.credentials,
            cipher: &world.cipher,
            policy: world.policy,
            log: &SilentLog,
        }
        .archive_batch(
            &[ArchiveJob {
                shard: 0,
                users: backfill,
                enqueued_at: now,
            }],
            now,
        ),
    );
    world.advance(5 * MINUTE_MS);
    for (what, path) in [
        ("GET /api/status", "/api/status"),
        ("GET / (the dashboard)", "/"),
        ("GET /api/plays?limit=50", "/api/plays?limit=50"),
        ("GET /api/stats (30 days)", "/api/stats"),
    ] {
        let (response, invocation) =
            bench.fetch(what, &request(Method::Get, path, &session, ""), runs);
        assert_eq!(response.status, 200, "{what}: {}", response.body);
        out.push(invocation);
    }
    let (response, invocation) = bench.fetch(
        "POST /api/archive (Archive now)",
        &request(Method::Post, "/api/archive", &session, ""),
        runs,
    );
    assert_eq!(response.status, 202, "archive now: {}", response.body);
    out.push(invocation);
    let (created, _) = bench.record("import-create", |bench| {
        let now = world.now();
        block_on(bench.app().handle(
            &request(Method::Post, "/api/imports", &session, ""),
            now,
            || now,
        ))
    });
    let import_id = serde_json::from_str::<Value>(&created.body)
        .ok()
        .and_then(|body| body["id"].as_i64())
        .expect("an import id");
    let records = serde_json::from_str::<Value>(import_chunk)
        .ok()
        .and_then(|chunk| chunk["records"].as_array().map(Vec::len))
        .unwrap_or(0);
    let (response, invocation) = bench.fetch(
        &format!(
            "POST /api/imports/{{id}}/chunks ({records} records, {} KiB)",
            import_chunk.len() / 1024
        ),
        &request(
            Method::Post,
            &format!("/api/imports/{import_id}/chunks"),
            &session,
            import_chunk,
        ),
        runs,
    );
    assert_eq!(response.status, 200, "import chunk: {}", response.body);
    out.push(invocation);

    // The scheduled handler.
    for run in sweeps {
        out.push(cron(run, runs.min(10)));
    }

    // The queue consumer: one message of 10 users, and a full batch of 10 such messages,
    // 20 minutes after the backfill (the access tokens still valid) and again at the
    // hour, when every access token has to be refreshed first (the hourly poll's case).
    let jobs = |users: &[String]| -> Vec<ArchiveJob> {
        let now = world.now();
        users
            .chunks(10)
            .map(|chunk| ArchiveJob {
                shard: 0,
                users: chunk
                    .iter()
                    .map(|user| {
                        JobUser::new(user, scheduled_kind(last_polled_at(&world, user), now), now)
                    })
                    .collect(),
                enqueued_at: now,
            })
            .collect()
    };
    let new_plays = |count: usize| {
        for sim_id in &listeners {
            world.inject(sim_id, count, world.now() - SECOND_MS, 3 * MINUTE_MS);
        }
    };
    world.advance(15 * MINUTE_MS);
    new_plays(15);
    out.push(bench.queue_batch(
        "queue batch: 1 message of 10 users, tokens valid, 15 new plays each",
        &jobs(&users[..10]),
        runs.min(30),
    ));
    out.push(bench.queue_batch(
        "queue batch: 10 messages of 10 users (a full batch), tokens valid, 15 new plays each",
        &jobs(&users[10..]),
        runs.min(10),
    ));
    world.set_time(support::START + HOUR_MS - MINUTE_MS);
    new_plays(15);
    out.push(bench.queue_batch(
        "queue batch: 1 message of 10 users, tokens refreshed, 15 new plays each",
        &jobs(&users[..10]),
        runs.min(30),
    ));
    out.push(bench.queue_batch(
        "queue batch: 10 messages of 10 users (a full batch), tokens refreshed, 15 new plays each",
        &jobs(&users[10..]),
        runs.min(10),
    ));
    out
}
