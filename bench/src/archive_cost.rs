//! What archiving one user costs, counted by the twins: D1 round trips and statements
//! (the native twin), Spotify calls (the in-process simulator), KV operations (KV's twin),
//! rows changed (the native SQLite's `total_changes()`), and D1's rows read and written
//! (the same round trips replayed through the local runtime's D1, [`crate::meter`]).

use futures::executor::block_on;
use serde_json::{json, Value};
use time_machine::archive::{ArchiveOutcome, Archiver};
use time_machine::job::JobUser;
use time_machine::notify::target::ChannelKind;
use time_machine::slot::scheduled_kind;
use time_machine::store::Store;
use time_machine::testing::SqliteDatabase;
use time_machine::time::{UnixMillis, HOUR_MS, MINUTE_MS, SECOND_MS};

use crate::meter::Metered;
use crate::support::{World, START};
use crate::twins::{HttpRecorder, Recorder, RoundTrip};

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
    /// Rows the native SQLite changed (`total_changes()`: table rows, not index entries).
    pub native_changes: i64,
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

fn total_changes(db: &SqliteDatabase) -> i64 {
    db.sql("SELECT total_changes() AS n", vec![])[0]["n"]
        .as_i64()
        .unwrap_or(0)
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
/// has to be refreshed first (the common case: tokens live an hour); and a listener
/// whose refresh tokens rotate.
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
        db: &rec,
        kv: &world.kv,
        http: &http,
        endpoints: &world.endpoints,
        credentials: &world.credentials,
        cipher: &world.cipher,
        policy: world.policy,
    };
    rec.label("login");
    let ana = connect(&world, &rec, "ana");
    let rob = connect(&world, &rec, "rob");

    let mut cases = Vec::new();
    let mut full_page = String::new();
    let mut measure = |key: &'static str, label: &'static str, user_id: &str| {
        rec.label(key);
        let now = world.now();
        let (kv, calls, changes) = (
            world.kv.operations(),
            world.spotify.requests(),
            total_changes(&world.db),
        );
        let http_from = http.len();
        let job = JobUser::new(
            user_id,
            scheduled_kind(last_polled_at(&world, user_id), now),
            now,
        );
        let outcome = block_on(archiver.archive_user(&job, now, now));
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
            native_changes: total_changes(&world.db) - changes,
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

    // A warm catalogue: another listener's 3,000 plays bring nearly every track of the
    // simulator's catalogue (about 1,000) into D1 first, as many users' plays would.
    rec.label("warm-up");
    world.create_listener("wim", silent());
    let wim = connect(&world, &rec, "wim");
    for _ in 0..60 {
        world.inject("wim", 50, world.now() - SECOND_MS, 500);
        let now = world.now();
        let job = JobUser::new(&wim, scheduled_kind(last_polled_at(&world, &wim), now), now);
        block_on(archiver.archive_user(&job, now, now));
        world.advance(30 * SECOND_MS);
    }
    // Ana's access token (refreshed at the previous hour) is due for a refresh again.
    world.set_time(START + 3 * HOUR_MS - 4 * MINUTE_MS);
    world.inject("ana", 15, world.now() - SECOND_MS, 3 * MINUTE_MS);
    measure(
        "refresh-fifteen-warm",
        "hourly poll, token refreshed, 15 new plays of tracks already in the catalogue",
        &ana,
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

pub fn target(case: &Case) -> Target {
    match case.key {
        // The rotated refresh token is stored on its own, before it is used.
        "refresh-rotation" => Target {
            round_trips: 3,
            statements: 9,
            batch_statements: 7,
        },
        _ => Target {
            round_trips: 2,
            statements: 8,
            batch_statements: 7,
        },
    }
}
