//! What archiving one user costs, counted by the twins: D1 round trips and statements
//! (the native twin), Spotify calls (the in-process simulator), KV operations (KV's twin),
//! rows written counted natively ([`crate::written`]), and D1's rows read and written
//! (the same round trips replayed through the local runtime's D1, [`crate::meter`]).
//! Rows written per new play on a cold and a warm catalogue are [`crate::rows`]'.

use futures::executor::block_on;
use serde_json::{json, Value};
use support::{World, START};
use time_machine::engine::archive::{ArchiveOutcome, Archiver};
use time_machine::engine::job::JobUser;
use time_machine::engine::slot::scheduled_kind;
use time_machine::notify::target::ChannelKind;
use time_machine::shards::Shards;
use time_machine::store::Store;
use time_machine::testing::SilentLog;
use time_machine::time::{UnixMillis, HOUR_MS, MINUTE_MS, SECOND_MS};

use crate::meter::Metered;
use crate::twins::{HttpRecorder, Recorder, RoundTrip};
use crate::written::{self, Written};

/// One archive, measured.
#[derive(Debug, Clone)]
pub struct Case {
    pub key: &'static str,
    pub label: &'static str,
    /// Whether the access token was still valid (the CI targets apply to these).
    pub valid_token: bool,
    pub round_trips: usize,
    pub statements: usize,
    /// Statements of the archive's write batch.
    pub batch_statements: Option<usize>,
    pub kv_ops: usize,
    pub spotify_calls: usize,
    /// Rows written, counted natively ([`crate::written`]): table rows and index entries.
    pub native_written: Written,
    pub plays_inserted: usize,
    pub gap: bool,
    pub outcome: String,
    /// D1's own counters, from the local runtime.
    pub d1: Option<Metered>,
}

pub struct Scenario {
    pub cases: Vec<Case>,
    /// Every round trip, the logins' included, in order: what the meter replays.
    pub trips: Vec<RoundTrip>,
    /// A recently-played answer with 50 items, as Spotify's wire format.
    pub full_page: String,
}

fn silent() -> Value {
    json!({ "plays_per_hour": 0, "history_hours": 0 })
}

/// Logs `sim_id` in through the simulator and stores the user through `db`.
pub fn connect<D: time_machine::ports::Database>(world: &World, db: &D, sim_id: &str) -> String {
    let (profile, tokens) = world.authorize(sim_id);
    block_on(Store::new(db).upsert_user_on_login(&profile, &tokens, world.now()))
        .expect("the user is stored");
    profile.stable_id().to_owned()
}

pub fn last_polled_at(world: &World, user_id: &str) -> Option<UnixMillis> {
    world.user_row(user_id)["last_polled_at"].as_i64()
}

/// The scenario: a listener logs in, is backfilled, then archived with nothing new, 15
/// and 50 new plays on a valid token, then at the hourly cadence, when the access token
/// has to be refreshed first (the common case: tokens live an hour); a listener whose
/// refresh tokens rotate; and a listener with a notification channel.
pub fn run() -> Scenario {
    let world = World::new();
    world.create_listener("ana", silent());
    world.create_listener(
        "rob",
        json!({ "plays_per_hour": 0, "history_hours": 0, "rotate_refresh_tokens": true }),
    );
    // A day of history: the first archive sees the newest 50 of 120.
    world.inject("ana", 120, world.now() - MINUTE_MS, 12 * MINUTE_MS);
    world.inject("rob", 10, world.now() - MINUTE_MS, 3 * MINUTE_MS);

    let rec = Recorder::new(&world.db);
    let http = HttpRecorder::new(&world.spotify);
    let archiver = Archiver {
        shards: Shards::single(&rec),
        kv: &world.kv,
        http: &http,
        endpoints: &world.endpoints,
        credentials: &world.credentials,
        cipher: &world.cipher,
        policy: world.policy,
        log: &SilentLog,
    };
    rec.label("login");
    let ana = connect(&world, &rec, "ana");
    let rob = connect(&world, &rec, "rob");

    let mut cases = Vec::new();
    let mut full_page = String::new();
    let mut measure = |key: &'static str, label: &'static str, user_id: &str| {
        rec.label(key);
        let now = world.now();
        let (kv, calls) = (world.kv.operations(), world.spotify.requests());
        let http_from = http.len();
        let before = written::snapshot(&world.db);
        let job = JobUser::new(
            user_id,
            scheduled_kind(last_polled_at(&world, user_id), now),
            now,
        );
        let outcome = block_on(archiver.archive_user(0, &job, now, now));
        let native_written = written::written(&before, &written::snapshot(&world.db));
        let (round_trips, statements) = rec.counts(key);
        let trips = rec.trips(key);
        let (plays_inserted, gap) = match &outcome {
            ArchiveOutcome::Archived {
                plays_inserted,
                gap,
                ..
            } => (*plays_inserted, gap.is_some()),
            _ => (0, false),
        };
        for (request, response) in http.since(http_from) {
            if let Ok(response) = response {
                let items = serde_json::from_str::<Value>(&response.body)
                    .ok()
                    .and_then(|body| body["items"].as_array().map(Vec::len));
                if request.url.contains("recently-played") && items == Some(50) {
                    full_page = response.body.clone();
                }
            }
        }
        let valid_token = !key.starts_with("refresh");
        cases.push(Case {
            key,
            label,
            valid_token,
            round_trips,
            statements,
            batch_statements: trips
                .iter()
                .rev()
                .find(|trip| trip.batch)
                .map(|trip| trip.statements.len()),
            kv_ops: world.kv.operations() - kv,
            spotify_calls: world.spotify.requests() - calls,
            native_written,
            plays_inserted,
            gap,
            outcome: outcome.label().to_owned(),
            d1: None,
        });
    };

    // The first archive, right after login (the login's backfill).
    measure(
        "first",
        "first archive after login (backfill of the newest 50 of 120 plays)",
        &ana,
    );
    rec.label("setup");
    block_on(archiver.archive_user(
        0,
        &JobUser::new(&rob, scheduled_kind(None, world.now()), world.now()),
        world.now(),
        world.now(),
    ));

    world.advance(10 * MINUTE_MS);
    measure("nothing", "nothing new", &ana);

    world.advance(10 * MINUTE_MS);
    world.inject("ana", 15, world.now() - SECOND_MS, 40 * SECOND_MS);
    measure("fifteen", "15 new plays", &ana);

    world.advance(10 * MINUTE_MS);
    world.inject("ana", 50, world.now() - SECOND_MS, 11 * SECOND_MS);
    measure(
        "fifty",
        "50 new plays (a full page: a possible gap is recorded)",
        &ana,
    );

    // The access token (an hour from login) is within five minutes of its expiry.
    world.set_time(START + HOUR_MS - MINUTE_MS);
    measure(
        "refresh-nothing",
        "hourly poll, token refreshed, nothing new (a night hour)",
        &ana,
    );
    world.set_time(START + 2 * HOUR_MS - 2 * MINUTE_MS);
    world.inject("ana", 15, world.now() - SECOND_MS, 3 * MINUTE_MS);
    measure(
        "refresh-fifteen",
        "hourly poll, token refreshed, 15 new plays (a day hour)",
        &ana,
    );
    measure(
        "refresh-rotation",
        "hourly poll, token refreshed and the refresh token rotated, nothing new",
        &rob,
    );

    // A user with a notification channel, when nothing goes wrong: nothing to tell, and
    // the archive costs what it costs without one.
    rec.label("setup");
    block_on(Store::new(&rec).add_channel(
        &ana,
        ChannelKind::Ntfy,
        "sealed",
        "https://ntfy.sh/…",
        world.now(),
    ))
    .expect("the channel is stored");
    world.advance(10 * MINUTE_MS);
    world.inject("ana", 15, world.now() - SECOND_MS, 40 * SECOND_MS);
    measure(
        "channel-fifteen",
        "15 new plays, a user with a notification channel (nothing to tell)",
        &ana,
    );

    Scenario {
        cases,
        trips: rec.round_trips(),
        full_page,
    }
}

/// Fills each case's D1 counters from the meter's results (summed by label).
pub fn attach(scenario: &mut Scenario, metered: &[Metered]) {
    let totals = crate::meter::by_label(metered);
    for case in &mut scenario.cases {
        case.d1 = totals.get(case.key).cloned();
    }
}

/// The targets `scripts/bench-check` holds the archive to.
pub struct Target {
    pub round_trips: usize,
    pub statements: usize,
    pub batch_statements: usize,
}

/// The archive's write batch: the catalogue's four upserts (artists, albums, tracks, their
/// links), the contexts, the plays, the gap and the user's row (`src/store/archive.rs`).
pub const BATCH_STATEMENTS: usize = 8;

/// Two round trips with a valid or a refreshed token: the user's row (one statement), then
/// the write batch (8), so 9 statements; 3 round trips and 10 statements when the refresh
/// token rotates.
pub fn target(case: &Case) -> Target {
    match case.key {
        // The rotated refresh token is stored on its own, before it is used.
        "refresh-rotation" => Target {
            round_trips: 3,
            statements: 1 + 1 + BATCH_STATEMENTS,
            batch_statements: BATCH_STATEMENTS,
        },
        _ => Target {
            round_trips: 2,
            statements: 1 + BATCH_STATEMENTS,
            batch_statements: BATCH_STATEMENTS,
        },
    }
}
