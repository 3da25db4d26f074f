//! The compact schema's migration, on a database of the schema before it: the fixture
//! `tests/fixtures/pre_compact/` holds every row of a database built with migrations
//! 0001–0006 and filled through that code (see its README: polls with gaps, both export
//! formats imported, local files, five users, one paused and one needing to log in), and
//! what each user's routes answered then. Here it is loaded into a database of those six
//! migrations, the rest of [`MIGRATIONS`] is applied, and every user's answers must be the
//! same: the exports play for play (plays of one instant may change order, and the JSON
//! export's per-play `id` may change meaning), status, gaps, stats, import reports,
//! notification settings, and the sessions. Then the migrated archive must keep working:
//! the sweep claims the same users, a poll archives new plays once, and an import imports
//! and merges as before.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use futures::executor::block_on;
use serde_json::{json, Value};
use support::{SimulatedSpotify, World};
use time_machine::config::ConfigError;
use time_machine::engine::archive::{Archiver, MessageDecision};
use time_machine::engine::sweep::{run_sweep, SweepConfig};
use time_machine::notify::delivery::NotifyConfig;
use time_machine::notify::target::UrlPolicy;
use time_machine::ports::Method;
use time_machine::shards::Shards;
use time_machine::testing::web::{cookie_value, header, json_of, request, RequestBuilder};
use time_machine::testing::{MemoryKv, MemoryQueue, SqliteDatabase, MIGRATIONS};
use time_machine::time::{UnixMillis, HOUR_MS, MINUTE_MS, SECOND_MS};
use time_machine::web::{App, WebRequest, WebResponse};

/// The migrations the fixture's database was made with.
const BEFORE: usize = 6;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pre_compact")
}

fn fixture_file(name: &str) -> String {
    let path = fixture_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn expected() -> Value {
    serde_json::from_str(&fixture_file("expected.json")).expect("expected.json is JSON")
}

/// The fixture's database, migrated to today's schema.
fn migrated() -> SqliteDatabase {
    let db = SqliteDatabase::with_migrations(&MIGRATIONS[..BEFORE]);
    db.execute_batch(&fixture_file("archive.sql"));
    for migration in &MIGRATIONS[BEFORE..] {
        db.execute_batch(migration);
    }
    assert_eq!(
        db.sql("PRAGMA foreign_key_check", vec![]),
        Vec::<time_machine::ports::Row>::new(),
        "every foreign key holds after the migration"
    );
    assert_eq!(
        db.sql("PRAGMA integrity_check", vec![])[0]["integrity_check"],
        json!("ok")
    );
    db
}

// ---------------------------------------------------------------------------------------
// The deployment: the App and the archiver over one database, Spotify the simulator.

struct Site {
    world: World,
    db: SqliteDatabase,
    queue: MemoryQueue,
    notify: NotifyConfig,
}

impl Site {
    fn new(db: SqliteDatabase, now: UnixMillis) -> Self {
        let world = World::new();
        world.set_time(now);
        Self {
            world,
            db,
            queue: MemoryQueue::default(),
            notify: NotifyConfig {
                url_policy: UrlPolicy {
                    allow_loopback: true,
                },
                ..NotifyConfig::default()
            },
        }
    }

    fn now(&self) -> UnixMillis {
        self.world.now()
    }

    fn app(&self) -> App<'_, (SqliteDatabase, MemoryKv, SimulatedSpotify, MemoryQueue)> {
        let world = &self.world;
        App::<(_, _, _, _)> {
            shards: Shards::single(&self.db),
            kv: &world.kv,
            http: &world.spotify,
            queue: &self.queue,
            endpoints: &world.endpoints,
            credentials: Ok::<_, ConfigError>(&world.credentials),
            cipher: Ok::<_, ConfigError>(&world.cipher),
            cron_secret: None,
            sweep: SweepConfig::default(),
            policy: world.policy,
            notify: &self.notify,
            forward: time_machine::forward::ForwardConfig::default(),
            zones: &time_machine::testing::zones::TzdbZones,
            log: &time_machine::testing::SilentLog,
        }
    }

    fn archiver(&self) -> Archiver<'_, SqliteDatabase, MemoryKv, SimulatedSpotify> {
        self.world.archiver_over(&self.db)
    }

    fn send(&self, request: &WebRequest) -> WebResponse {
        let now = self.now();
        block_on(self.app().handle(request, now, || now))
    }

    fn get(&self, cookie: &str, path: &str) -> WebResponse {
        self.send(&request(Method::Get, path, Some(&session(cookie))))
    }

    fn get_json(&self, cookie: &str, path: &str) -> Value {
        let response = self.get(cookie, path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        json_of(&response)
    }

    fn post(&self, cookie: &str, path: &str, body: &str) -> WebResponse {
        self.send(
            &request(Method::Post, path, Some(&session(cookie)))
                .with_our_origin()
                .with_body(body),
        )
    }

    /// The streamed body of an export, whole.
    fn export(&self, cookie: &str, format: &str) -> String {
        let mut response = self.get(cookie, &format!("/api/export?format={format}"));
        assert_eq!(response.status, 200, "{format}: {}", response.body);
        let mut plan = response.stream.take().expect("a streamed body");
        let mut body = String::new();
        while let Some(chunk) = block_on(plan.next_chunk(&self.db)).expect("an export chunk") {
            body.push_str(&chunk);
        }
        body
    }

    /// A whole login of the simulator's `sim_id` through `/login`, the simulator's consent
    /// page and `/callback`, as a browser makes it; answers the session cookie's value.
    fn login(&self, sim_id: &str) -> String {
        let start = self.send(&request(Method::Get, "/login", None));
        assert_eq!(start.status, 302, "{}", start.body);
        let authorize_url = header(&start, "Location").expect("a redirect").to_owned();
        let login_cookie = cookie_value(&start, "stm_login").expect("the login cookie");
        let spotify = &self.world.spotify;
        let callback = block_on(spotify.approve(&authorize_url, sim_id));
        let (_, callback_query) = callback.split_once('?').expect("a callback query");
        let done = self.send(&request(
            Method::Get,
            &format!("/callback?{callback_query}"),
            Some(&format!("stm_login={login_cookie}")),
        ));
        assert_eq!(done.status, 302, "callback: {}", done.body);
        cookie_value(&done, "stm_session").expect("a session cookie")
    }

    /// Archives every job in the queue now (a login's backfill, "Archive now", a sweep's).
    fn drain_queue(&self) {
        let now = self.now();
        for job in self.queue.take() {
            let report = block_on(self.archiver().archive_job(&job, now));
            assert_eq!(report.decision, MessageDecision::Ack, "{report:?}");
            for (user, outcome) in &report.outcomes {
                assert_eq!(outcome.label(), "archived", "{user}: {outcome:?}");
            }
        }
        self.queue.take_notifications();
    }

    /// One import the way the page sends it: chunks of `size` records per file, then finish.
    /// Answers the import's id and its final report.
    fn import(&self, cookie: &str, files: &[(String, Vec<Value>)], size: usize) -> (i64, Value) {
        let created = self.post(cookie, "/api/imports", "");
        assert_eq!(created.status, 201, "{}", created.body);
        let id = json_of(&created)["id"].as_i64().expect("an import id");
        for (file, records) in files {
            for (index, part) in records.chunks(size).enumerate() {
                let body = json!({"file": file, "offset": index * size, "records": part});
                let response = self.post(
                    cookie,
                    &format!("/api/imports/{id}/chunks"),
                    &body.to_string(),
                );
                assert_eq!(response.status, 200, "{}", response.body);
            }
        }
        let finished = self.post(cookie, &format!("/api/imports/{id}/finish"), "");
        assert_eq!(finished.status, 200, "{}", finished.body);
        (id, json_of(&finished))
    }
}

fn session(cookie: &str) -> String {
    format!("stm_session={cookie}")
}

fn ts(at: UnixMillis) -> String {
    Utc.timestamp_millis_opt(at)
        .single()
        .expect("time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

// ---------------------------------------------------------------------------------------
// Comparing

fn str_of<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {value}"))
}

fn users(expected: &Value) -> Vec<Value> {
    expected["users"].as_array().expect("users").clone()
}

fn user<'a>(expected: &'a Value, sim_id: &str) -> &'a Value {
    expected["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|user| user["sim_id"] == sim_id)
        .unwrap_or_else(|| panic!("{sim_id} in the fixture"))
}

/// The first live session cookie of a user of the fixture.
fn cookie(user: &Value) -> String {
    user["cookies"][0].as_str().expect("a cookie").to_owned()
}

fn export_path(user: &Value, format: &str) -> String {
    str_of(&user["exports"], format).to_owned()
}

/// Two collections equal as multisets, or a panic naming what is missing and what is extra.
fn assert_same_multiset(label: &str, expected: Vec<String>, actual: Vec<String>) {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for line in &expected {
        *counts.entry(line).or_default() += 1;
    }
    for line in &actual {
        *counts.entry(line).or_default() -= 1;
    }
    let missing: Vec<&&str> = counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(l, _)| l)
        .collect();
    let extra: Vec<&&str> = counts
        .iter()
        .filter(|(_, n)| **n < 0)
        .map(|(l, _)| l)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{label}: {} expected, {} now; {} missing, e.g. {:?}; {} extra, e.g. {:?}",
        expected.len(),
        actual.len(),
        missing.len(),
        missing.iter().take(3).collect::<Vec<_>>(),
        extra.len(),
        extra.iter().take(3).collect::<Vec<_>>()
    );
}

fn lines(body: &str) -> Vec<String> {
    body.split_terminator('\n').map(str::to_owned).collect()
}

/// The JSON export's plays, without the per-play `id`, each as its JSON text; checks that
/// they run oldest first.
fn json_plays(document: &Value) -> Vec<String> {
    let plays = document["plays"].as_array().expect("plays");
    let times: Vec<i64> = plays
        .iter()
        .map(|play| play["played_at"].as_i64().expect("played_at"))
        .collect();
    assert!(
        times.windows(2).all(|pair| pair[0] <= pair[1]),
        "oldest first"
    );
    plays
        .iter()
        .map(|play| {
            let mut play = play.clone();
            play.as_object_mut().expect("a play").remove("id");
            play.to_string()
        })
        .collect()
}

/// A ListenBrainz listen without `submission_client_version`, which listens carry since
/// forwarding (after the fixture was made): the migration is not what added it.
fn without_client_version(line: &str) -> String {
    let mut listen: Value = serde_json::from_str(line).expect("a listen");
    let info = listen["track_metadata"]["additional_info"]
        .as_object_mut()
        .expect("additional_info");
    assert_eq!(
        info.remove("submission_client_version"),
        Some(Value::from(env!("CARGO_PKG_VERSION")))
    );
    listen.to_string()
}

fn check_export(site: &Site, user: &Value, format: &str) {
    let sim_id = str_of(user, "sim_id");
    let label = format!("{sim_id}'s {format} export");
    let before = fixture_file(&export_path(user, format));
    let now = site.export(&cookie(user), format);
    match format {
        "csv" => {
            let (before, now) = (lines(&before), lines(&now));
            assert_eq!(before.first(), now.first(), "{label}: the header");
            assert_same_multiset(&label, before, now);
        }
        "jsonl" => {
            let now = lines(&now)
                .iter()
                .map(|line| without_client_version(line))
                .collect();
            assert_same_multiset(&label, lines(&before), now);
        }
        "json" => {
            let before: Value = serde_json::from_str(&before).expect("JSON");
            let now: Value = serde_json::from_str(&now).expect("JSON");
            let mut head_before = before.clone();
            let mut head_now = now.clone();
            head_before
                .as_object_mut()
                .expect("a document")
                .remove("plays");
            head_now
                .as_object_mut()
                .expect("a document")
                .remove("plays");
            assert_eq!(head_before, head_now, "{label}: all but the plays");
            assert_same_multiset(&label, json_plays(&before), json_plays(&now));
        }
        _ => unreachable!(),
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn the_fixture_holds_what_its_readme_says() {
    let expected = expected();
    let users = users(&expected);
    assert!(users.len() >= 4);
    let status = |sim_id: &str| user(&expected, sim_id)["status"].clone();
    assert_eq!(status("cat")["paused"], 1);
    assert_eq!(status("dan")["needs_reauth"], 1);
    let gaps = |sim_id: &str| user(&expected, sim_id)["gaps"]["gaps"].clone();
    assert!(gaps("ada")
        .as_array()
        .unwrap()
        .iter()
        .any(|gap| { gap["reason"] == "window_overflow" && gap["filled_at"].is_i64() }));
    assert!(gaps("bob")
        .as_array()
        .unwrap()
        .iter()
        .any(|gap| { gap["reason"] == "downtime" && gap["filled_at"].is_null() }));
    let ada = user(&expected, "ada");
    assert_eq!(ada["imports"].as_array().unwrap().len(), 3);
    assert!(ada["plays"]["local"].as_i64().unwrap() > 0);
}

#[test]
fn every_users_answers_are_kept_across_the_migration() {
    let expected = expected();
    let site = Site::new(migrated(), expected["now"].as_i64().expect("now"));
    let stats_path = str_of(&expected, "stats_path").to_owned();
    for user in users(&expected) {
        let sim_id = str_of(&user, "sim_id");
        let cookie = cookie(&user);
        // Every live session still logs its user in; a logged-out one stays out.
        for live in user["cookies"].as_array().expect("cookies") {
            let status = site.get_json(live.as_str().expect("a cookie"), "/api/status");
            assert_eq!(status["id"], user["user_id"], "{sim_id}'s session");
        }
        for dead in user["logged_out_cookies"].as_array().expect("cookies") {
            let response = site.get(dead.as_str().expect("a cookie"), "/api/status");
            assert_eq!(response.status, 401, "{sim_id}'s logged-out session");
        }
        assert_eq!(
            site.get_json(&cookie, "/api/status"),
            user["status"],
            "{sim_id}'s status"
        );
        assert_eq!(
            site.get_json(&cookie, "/api/gaps"),
            user["gaps"],
            "{sim_id}'s gaps"
        );
        assert_eq!(
            site.get_json(&cookie, &stats_path),
            user["stats"],
            "{sim_id}'s stats"
        );
        assert_eq!(
            site.get_json(&cookie, "/api/notifications"),
            user["notifications"],
            "{sim_id}'s notifications"
        );
        for report in user["imports"].as_array().expect("imports") {
            let id = report["import"]["id"].as_i64().expect("an import id");
            assert_eq!(
                &site.get_json(&cookie, &format!("/api/imports/{id}")),
                report,
                "{sim_id}'s import {id}"
            );
        }
        for format in ["csv", "json", "jsonl"] {
            check_export(&site, &user, format);
        }
    }
}

#[test]
fn the_migrated_archive_keeps_archiving() {
    let expected = expected();
    let fixture_now = expected["now"].as_i64().expect("now");
    let site = Site::new(migrated(), fixture_now + HOUR_MS);
    let now = site.now();

    // The sweep claims exactly the users who are archived: not the paused, not the one
    // who must log in again.
    let summary = block_on(run_sweep(
        &Shards::single(&site.db),
        &site.queue,
        &SweepConfig::default(),
        "cron",
        now,
        || now,
    ));
    assert_eq!(summary.error, None);
    let mut claimed: Vec<String> = site
        .queue
        .take()
        .iter()
        .flat_map(|job| job.users.iter().map(|user| user.user_id.clone()))
        .collect();
    claimed.sort();
    let mut active: Vec<String> = users(&expected)
        .iter()
        .filter(|user| user["status"]["connection"] == "active")
        .map(|user| str_of(user, "user_id").to_owned())
        .collect();
    active.sort();
    assert!(active.len() >= 2);
    assert_eq!(claimed, active);

    // Ada logs in again (the simulator is new: so are her tokens) and has made 7 new
    // plays since the fixture's last poll.
    let ada = user(&expected, "ada");
    let before = site.get_json(&cookie(ada), "/api/status");
    site.world.create_listener(
        "ada",
        json!({"display_name": "Ada", "email": "ada@example.com", "plays_per_hour": 0, "history_hours": 0}),
    );
    let new_plays = site.world.inject(
        "ada",
        7,
        now - 30 * SECOND_MS,
        3 * MINUTE_MS + 7 * SECOND_MS,
    );
    assert!(new_plays[0] > before["last_play_at"].as_i64().expect("a last play"));
    let cookie = site.login("ada");
    let status = site.get_json(&cookie, "/api/status");
    assert_eq!(status["id"], ada["user_id"], "the login finds Ada's user");
    site.drain_queue();
    let after = site.get_json(&cookie, "/api/status");
    assert_eq!(
        after["plays_archived"].as_i64(),
        before["plays_archived"].as_i64().map(|n| n + 7),
        "the poll archives exactly the new plays"
    );
    assert_eq!(after["last_play_at"], json!(new_plays[6]));
    assert_eq!(after["first_play_at"], before["first_play_at"]);
    assert_eq!(after["connection"], "active");
    let csv = site.export(&cookie, "csv");
    let old_csv = fixture_file(&export_path(ada, "csv"));
    assert_eq!(lines(&csv).len(), lines(&old_csv).len() + 7);

    // Archive now, six minutes later: nothing new, nothing twice.
    site.world.set_time(now + 6 * MINUTE_MS);
    let archive = site.post(&cookie, "/api/archive", "");
    assert_eq!(archive.status, 202, "{}", archive.body);
    site.drain_queue();
    let again = site.get_json(&cookie, "/api/status");
    assert_eq!(again["plays_archived"], after["plays_archived"]);
    assert_eq!(
        site.get_json(&cookie, "/api/gaps"),
        ada["gaps"],
        "no new gap"
    );
}

#[test]
fn the_migrated_archive_keeps_importing() {
    let expected = expected();
    let site = Site::new(migrated(), expected["now"].as_i64().expect("now") + HOUR_MS);
    let bob = user(&expected, "bob");
    let cookie = cookie(bob);
    let before = site.get_json(&cookie, "/api/status");

    // Two polled plays of Bob's, as his extended history has them (a few seconds off).
    let document: Value =
        serde_json::from_str(&fixture_file(&export_path(bob, "json"))).expect("JSON");
    let polled: Vec<&Value> = document["plays"]
        .as_array()
        .expect("plays")
        .iter()
        .filter(|play| play["source"] == "poll" && play["is_local"] == 0)
        .collect();
    assert!(polled.len() > 100);
    let record = |at: UnixMillis, uri: &str, name: &str, artist: &str, ms: i64| {
        json!({"ts": ts(at), "platform": "linux", "ms_played": ms, "conn_country": "SE",
            "master_metadata_track_name": name, "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "An Album", "spotify_track_uri": uri,
            "episode_name": null, "episode_show_name": null, "spotify_episode_uri": null,
            "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": false,
            "skipped": false, "offline": false, "offline_timestamp": 0, "incognito_mode": false})
    };
    let mut records = Vec::new();
    for play in [polled[10], polled[polled.len() - 20]] {
        records.push(record(
            play["played_at"].as_i64().expect("played_at") - 20 * SECOND_MS,
            str_of(play, "track_uri"),
            str_of(play, "track_name"),
            str_of(play, "artist_names"),
            200_000,
        ));
    }
    // Two listens of January no poll saw, one too short, and a podcast episode.
    let january = Utc
        .with_ymd_and_hms(2026, 1, 12, 20, 0, 0)
        .unwrap()
        .timestamp_millis();
    records.push(record(
        january,
        "spotify:track:0newTrackAfterMigrate1",
        "New One",
        "Newcomer",
        190_000,
    ));
    records.push(record(
        january + 4 * MINUTE_MS,
        "spotify:track:0newTrackAfterMigrate2",
        "New Two",
        "Newcomer",
        210_000,
    ));
    records.push(record(
        january + 8 * MINUTE_MS,
        "spotify:track:0newTrackAfterMigrate3",
        "New Three",
        "Newcomer",
        9_000,
    ));
    records.push(
        json!({"ts": ts(january + 40 * MINUTE_MS), "ms_played": 1_800_000,
        "master_metadata_track_name": null, "spotify_track_uri": null,
        "episode_name": "After the migration", "episode_show_name": "A Show",
        "spotify_episode_uri": "spotify:episode:5migratedEpisode000001", "reason_end": "endplay",
        "skipped": null, "incognito_mode": false}),
    );
    let files = vec![("Streaming_History_Audio_2026.json".to_owned(), records)];

    let (id, report) = site.import(&cookie, &files, 2);
    let report = &report["import"];
    assert_eq!(report["records_read"], 6, "{report}");
    assert_eq!(report["imported"], 3, "{report}");
    assert_eq!(report["merged"], 2, "{report}");
    assert_eq!(report["skipped"]["under_30s"], 1, "{report}");
    assert_eq!(report["skipped"]["already_archived"], 0, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(
        site.get_json(&cookie, &format!("/api/imports/{id}"))["import"],
        *report
    );
    let after = site.get_json(&cookie, "/api/status");
    assert_eq!(
        after["plays_archived"].as_i64(),
        before["plays_archived"].as_i64().map(|n| n + 3)
    );
    let jsonl = site.export(&cookie, "jsonl");
    assert_eq!(
        lines(&jsonl).len(),
        lines(&fixture_file(&export_path(bob, "jsonl"))).len() + 3
    );

    // The same file again: nothing new.
    let (_, again) = site.import(&cookie, &files, 4);
    let again = &again["import"];
    assert_eq!(again["imported"], 0, "{again}");
    assert_eq!(again["merged"], 2, "{again}");
    assert_eq!(again["skipped"]["already_archived"], 3, "{again}");
    assert_eq!(
        site.get_json(&cookie, "/api/status")["plays_archived"],
        after["plays_archived"]
    );
    // Bob's earlier imports are still his, and still the same.
    for report in bob["imports"].as_array().expect("imports") {
        let id = report["import"]["id"].as_i64().expect("id");
        assert_eq!(
            &site.get_json(&cookie, &format!("/api/imports/{id}")),
            report
        );
    }
}

/// The ranges of old play ids the migration copies, in its order: `(first, last)`, the
/// last range open (`None`). `statement` picks the statements of one kind.
fn copied_ranges(statement: &str) -> Vec<(u64, Option<u64>)> {
    let migration = MIGRATIONS[BEFORE];
    migration
        .split(';')
        .filter(|sql| sql.contains(statement))
        .map(|sql| {
            let condition = sql
                .rsplit_once("WHERE p.id ")
                .map(|(_, rest)| rest)
                .unwrap_or_else(|| panic!("a range of ids in: {sql}"));
            let number = |text: &str| -> u64 {
                let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
                digits
                    .parse()
                    .unwrap_or_else(|_| panic!("a number in {text}"))
            };
            if let Some(rest) = condition.strip_prefix("BETWEEN ") {
                let (first, last) = rest.split_once(" AND ").expect("BETWEEN a AND b");
                (number(first), Some(number(last)))
            } else if let Some(rest) = condition.strip_prefix("> ") {
                (number(rest) + 1, None)
            } else {
                panic!("an unexpected range: {condition}")
            }
        })
        .collect()
}

#[test]
fn the_plays_are_copied_in_ranges_that_meet_without_a_gap() {
    for statement in [
        "INSERT INTO contexts (uri)",
        "INSERT INTO play_events_compact",
    ] {
        let ranges = copied_ranges(statement);
        assert!(ranges.len() > 8, "{statement}: {ranges:?}");
        assert_eq!(ranges[0].0, 1, "{statement}: the first id");
        for pair in ranges.windows(2) {
            let (first, last) = (pair[0], pair[1]);
            let end = first
                .1
                .unwrap_or_else(|| panic!("{statement}: only the last range is open"));
            assert!(first.0 <= end, "{statement}: {first:?}");
            assert!(
                end - first.0 < 100_000,
                "{statement}: {first:?} is over 100,000 plays"
            );
            assert_eq!(last.0, end + 1, "{statement}: {first:?} then {last:?}");
        }
        assert_eq!(
            ranges.last().and_then(|range| range.1),
            None,
            "{statement}: the rest"
        );
    }
}
