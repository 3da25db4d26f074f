//! A measurement, not a pass/fail benchmark: ten years of extended streaming history
//! (150,000 records in ten files) imported through `App::handle` into D1's twin (SQLite,
//! the same SQL), in chunks the way the import page cuts them (250 records, 128 KiB), on
//! top of a few weeks of polled plays that the export's last records merge with. Prints
//! records per second, the time per chunk (the whole request, and the Worker's own part:
//! reading and planning the chunk, without the SQL), the chunk sizes, and peak memory.
//! Figures are printed, never asserted; only the report's counts are.
//!
//! ```sh
//! cargo test -p spotify-time-machine --release --test import_scale -- --nocapture
//! ```
//!
//! A debug build (plain `cargo test`) imports 5,000 records, to stay quick.

use std::time::{Duration, Instant};

use futures::executor::block_on;
use serde_json::{json, Value};
use spotify_simulator::rng::SplitMix64;
use time_machine::engine::schedule::PollingPolicy;
use time_machine::engine::write_plan::{plan_archive, PollState};
use time_machine::import::plan::{plan_chunk, read_chunk};
use time_machine::spotify::recently_played::parse_recently_played;
use time_machine::store::Store;
use time_machine::testing::web::{post, WebWorld};
use time_machine::time::{to_rfc3339, UnixMillis, DAY_MS, SECOND_MS};
use time_machine::web::WebResponse;

const RECORDS: usize = if cfg!(debug_assertions) {
    5_000
} else {
    150_000
};
const FILES: usize = 10;
/// The export's last records that the poller also saw.
const POLLED: usize = RECORDS / 100;
const TRACKS: usize = 12_000;
const ARTISTS: usize = 2_000;
/// 1 January 2016: ten years back from the end of the history.
const FIRST: UnixMillis = 1_451_606_400_000;
const YEARS: i64 = 10;
const CHUNK_RECORDS: usize = 250;
const CHUNK_BYTES: usize = 128 * 1024;

fn track_id(n: usize) -> String {
    // 22 characters like Spotify's base-62 ids.
    format!("{n:0>22}")
}

fn ts(at: UnixMillis) -> String {
    to_rfc3339(at).replace(".000Z", "Z")
}

/// The history, oldest first, as the page sends it (the fields the Worker reads).
fn history() -> Vec<(UnixMillis, Value)> {
    // The simulator's seeded generator, so every run imports the same history.
    let mut random = SplitMix64::new(0x5eed_1234_abcd_9876);
    let span = YEARS * 365 * DAY_MS;
    let step = span / RECORDS as i64;
    (0..RECORDS)
        .map(|i| {
            let at = FIRST + i as i64 * step + (random.below(60) as i64) * SECOND_MS;
            // Favourites come back: a skewed pick of the catalogue.
            let track = random.index(TRACKS).min(random.index(TRACKS));
            let roll = random.below(1_000);
            let ms_played = if roll < 200 { 4_000 + random.below(25_000) } else { 30_000 + random.below(240_000) } as i64;
            let record = if roll >= 990 {
                json!({"ts": ts(at), "ms_played": 1_500_000, "master_metadata_track_name": null,
                       "master_metadata_album_artist_name": null, "master_metadata_album_album_name": null,
                       "spotify_track_uri": null, "episode_name": format!("Episode {}", i % 300),
                       "episode_show_name": "A Podcast", "spotify_episode_uri": format!("spotify:episode:{}", track_id(i % 300)),
                       "reason_start": "clickrow", "reason_end": "endplay", "shuffle": false, "skipped": null,
                       "offline": false, "offline_timestamp": at / 1_000, "incognito_mode": false})
            } else {
                json!({"ts": ts(at), "ms_played": ms_played,
                       "master_metadata_track_name": format!("Track {track}"),
                       "master_metadata_album_artist_name": format!("Artist {}", track % ARTISTS),
                       "master_metadata_album_album_name": format!("Album {}", track / 4),
                       "spotify_track_uri": format!("spotify:track:{}", track_id(track)),
                       "episode_name": null, "episode_show_name": null, "spotify_episode_uri": null,
                       "reason_start": "trackdone", "reason_end": if ms_played < 30_000 { "fwdbtn" } else { "trackdone" },
                       "shuffle": roll.is_multiple_of(2), "skipped": ms_played < 30_000, "offline": false,
                       "offline_timestamp": 0, "incognito_mode": roll == 500})
            };
            (at, record)
        })
        .collect()
}

/// The web world of the one importing user, `scale`, a month after the history ends.
struct Bench {
    web: WebWorld,
    cookie: String,
    now: UnixMillis,
}

impl Bench {
    fn new() -> Self {
        let web = WebWorld::new();
        let now = FIRST + (YEARS * 365 + 30) * DAY_MS;
        let cookie = web.sign_in("scale", now);
        Self { web, cookie, now }
    }

    fn post(&self, path: &str, body: String) -> WebResponse {
        // The body moves in: a copy would count in the timings.
        let mut request = post(path, Some(&self.cookie), "");
        request.body = body;
        self.web.send(&request, self.now)
    }

    /// Polls the export's last listens, a few seconds off, in pages of 50.
    fn poll(&self, history: &[(UnixMillis, Value)]) {
        for page in history[history.len() - POLLED..].chunks(50) {
            let items: Vec<Value> = page
                .iter()
                .filter(|(_, record)| record["spotify_track_uri"].is_string())
                .map(|(at, record)| {
                    let id = record["spotify_track_uri"].as_str().unwrap().trim_start_matches("spotify:track:").to_owned();
                    json!({"played_at": to_rfc3339(at + 3_250), "context": null, "track": {
                        "id": id, "uri": record["spotify_track_uri"], "name": record["master_metadata_track_name"],
                        "duration_ms": 200_000, "is_local": false, "explicit": false,
                        "artists": [{"id": format!("ar-{}", record["master_metadata_album_artist_name"].as_str().unwrap()),
                                     "name": record["master_metadata_album_artist_name"], "uri": null}],
                        "album": {"id": format!("al-{id}"), "name": record["master_metadata_album_album_name"], "images": []}}})
                })
                .collect();
            let page = parse_recently_played(&json!({ "items": items }).to_string()).expect("page");
            let state = PollState {
                cursor_after: None,
                last_success_at: None,
                after_downtime: false,
            };
            let plan = plan_archive(&page, &state, &PollingPolicy::default(), self.now);
            block_on(Store::new(&self.web.db).write_archive(
                "scale",
                &plan,
                None,
                Default::default(),
            ))
            .expect("poll write");
        }
    }

    /// Imports the history as the page would; answers the final report and the timings.
    fn import(&self, history: &[(UnixMillis, Value)]) -> (Value, Timings) {
        self.import_files(history, FILES, "Streaming_History_Audio_{}.json")
    }

    /// Imports the records as the page would, in `files` files named by `pattern` (`{}`:
    /// the file's number).
    fn import_files(
        &self,
        history: &[(UnixMillis, Value)],
        files: usize,
        pattern: &str,
    ) -> (Value, Timings) {
        let mut timings = Timings::default();
        let started = Instant::now();
        let created = self.post("/api/imports", String::new());
        assert_eq!(created.status, 201);
        let id = serde_json::from_str::<Value>(&created.body).unwrap()["id"]
            .as_i64()
            .unwrap();
        let per_file = history.len().div_ceil(files);
        for (number, file) in history.chunks(per_file).enumerate() {
            let name = pattern.replace("{}", &number.to_string());
            let mut offset = 0;
            while offset < file.len() {
                let mut parts = Vec::new();
                let mut bytes = 0;
                while offset + parts.len() < file.len() && parts.len() < CHUNK_RECORDS {
                    let part = file[offset + parts.len()].1.to_string();
                    if !parts.is_empty() && bytes + part.len() > CHUNK_BYTES {
                        break;
                    }
                    bytes += part.len() + 1;
                    parts.push(part);
                }
                let body = format!(
                    r#"{{"file":{},"offset":{offset},"records":[{}]}}"#,
                    json!(name),
                    parts.join(",")
                );
                // The Worker's own part, measured apart: read the chunk, plan it, encode
                // the plan's JSON parameters. The best of three runs: the machine may be
                // busy with other work, and the Worker's CPU time is what is wanted.
                let mut best = Duration::MAX;
                for _ in 0..3 {
                    let core = Instant::now();
                    let chunk = read_chunk(&body).expect("chunk");
                    let plan = plan_chunk(&chunk, "0123456789abcdef", self.now);
                    let plays_param = serde_json::to_string(&plan.plays).unwrap();
                    let tracks_param = serde_json::to_string(&plan.tracks).unwrap();
                    best = best.min(core.elapsed());
                    // Each goes to a statement of its own, whose limit on D1 is 100 KB.
                    timings.param_bytes = timings
                        .param_bytes
                        .max(plays_param.len().max(tracks_param.len()));
                }
                timings.core.push(best);
                timings.body_bytes.push(body.len());

                let request = Instant::now();
                let response = self.post(&format!("/api/imports/{id}/chunks"), body);
                timings.request.push(request.elapsed());
                assert_eq!(response.status, 200, "{}", response.body);
                offset += parts.len();
            }
        }
        let finished = self.post(&format!("/api/imports/{id}/finish"), String::new());
        assert_eq!(finished.status, 200);
        timings.total = started.elapsed();
        (
            serde_json::from_str::<Value>(&finished.body).unwrap()["import"].clone(),
            timings,
        )
    }
}

#[derive(Default)]
struct Timings {
    total: Duration,
    request: Vec<Duration>,
    core: Vec<Duration>,
    body_bytes: Vec<usize>,
    param_bytes: usize,
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}

fn summary(mut values: Vec<Duration>) -> String {
    values.sort();
    let mean = values.iter().sum::<Duration>() / values.len().max(1) as u32;
    let at = |q: f64| values[((values.len() - 1) as f64 * q) as usize];
    format!(
        "mean {:.2} ms, p50 {:.2}, p95 {:.2}, max {:.2}",
        ms(mean),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(1.0))
    )
}

/// A line of /proc/self/status (Linux), e.g. VmHWM: the peak resident memory.
fn proc_status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .map(|line| line[field.len() + 1..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn print(label: &str, report: &Value, timings: &Timings) {
    let records = report["records_read"].as_i64().unwrap_or(0);
    println!("{label}");
    println!(
        "  {records} records in {} chunks, {:.2} s: {:.0} records/s",
        timings.request.len(),
        timings.total.as_secs_f64(),
        records as f64 / timings.total.as_secs_f64()
    );
    println!(
        "  per chunk, whole request (SQL on the twin included): {}",
        summary(timings.request.clone())
    );
    println!(
        "  per chunk, the Worker's own part (read, judge, plan, encode): {}",
        summary(timings.core.clone())
    );
    let bodies = &timings.body_bytes;
    println!(
        "  chunk bodies: mean {} KiB, max {} KiB; largest JSON parameter (plays or tracks) {} KiB",
        bodies.iter().sum::<usize>() / bodies.len().max(1) / 1024,
        bodies.iter().max().unwrap_or(&0) / 1024,
        timings.param_bytes / 1024
    );
    println!(
        "  report: imported {}, merged {}, skipped {}, errors {}",
        report["imported"], report["merged"], report["skipped"], report["errors"]
    );
}

#[test]
fn ten_years_of_extended_history_import_in_page_sized_chunks() {
    let history = history();
    let bench = Bench::new();
    bench.poll(&history);
    println!(
        "setup (the history generated and held, {POLLED} listens polled): VmHWM {}, VmRSS {}",
        proc_status("VmHWM"),
        proc_status("VmRSS")
    );
    let polled = bench
        .web
        .db
        .sql("SELECT count(*) AS n FROM play_events", vec![])[0]["n"]
        .as_i64()
        .unwrap();

    let (first, timings) = bench.import(&history);
    print("first import", &first, &timings);
    println!(
        "  VmHWM {}, VmRSS {}",
        proc_status("VmHWM"),
        proc_status("VmRSS")
    );
    let plays = bench
        .web
        .db
        .sql("SELECT count(*) AS n FROM play_events", vec![])[0]["n"]
        .as_i64()
        .unwrap();
    assert_eq!(first["records_read"], RECORDS);
    assert_eq!(first["errors"], 0);
    assert_eq!(plays, polled + first["imported"].as_i64().unwrap());
    assert!(first["merged"].as_i64().unwrap() > 0);

    let (again, timings) = bench.import(&history);
    print("the same files again", &again, &timings);
    assert_eq!(again["imported"], 0);
    let after = bench
        .web
        .db
        .sql("SELECT count(*) AS n FROM play_events", vec![])[0]["n"]
        .as_i64()
        .unwrap();
    assert_eq!(after, plays, "a re-import adds nothing");

    println!(
        "peak memory (VmHWM) {}, now (VmRSS) {}; {} plays archived, {} polled before",
        proc_status("VmHWM"),
        proc_status("VmRSS"),
        plays,
        polled
    );
}

/// Scrobbles in a Last.fm history: 100,000, as issue 17 asks the rate of.
const SCROBBLES: usize = if cfg!(debug_assertions) {
    5_000
} else {
    100_000
};

/// A Last.fm history as the headed CSV of the common export tools has it, each row as
/// the page sends it (its cells under the header's names), oldest first.
fn scrobbles() -> Vec<(UnixMillis, Value)> {
    let mut random = SplitMix64::new(0x1a57_f00d_0042_0017);
    let step = YEARS * 365 * DAY_MS / SCROBBLES as i64;
    (0..SCROBBLES)
        .map(|i| {
            let at = FIRST + i as i64 * step + (random.below(60) as i64) * SECOND_MS;
            let track = random.index(TRACKS).min(random.index(TRACKS));
            let uts = at / 1_000;
            let row = json!({"uts": uts.to_string(), "utc_time": "", "artist": format!("Artist {}", track % ARTISTS),
                             "artist_mbid": "", "album": format!("Album {}", track / 4), "album_mbid": "",
                             "track": format!("Track {track}"), "track_mbid": ""});
            (at, row)
        })
        .collect()
}

/// The import rate of a Last.fm history of 100,000 scrobbles (names only: each is
/// matched by name, the catalogue's rows made for the importing user), and that a
/// second import of it adds nothing.
#[test]
fn a_hundred_thousand_lastfm_scrobbles_import_in_page_sized_chunks() {
    let history = scrobbles();
    let bench = Bench::new();
    let (first, timings) = bench.import_files(&history, 1, "scrobbles{}.csv");
    print("Last.fm scrobbles", &first, &timings);
    assert_eq!(first["records_read"], SCROBBLES);
    assert_eq!(first["errors"], 0);
    let plays = bench
        .web
        .db
        .sql("SELECT count(*) AS n FROM play_events", vec![])[0]["n"]
        .as_i64()
        .unwrap();
    assert_eq!(plays, first["imported"].as_i64().unwrap());
    let (again, timings) = bench.import_files(&history, 1, "scrobbles{}.csv");
    print("the same scrobbles again", &again, &timings);
    assert_eq!(again["imported"], 0);
    println!("peak memory (VmHWM) {}", proc_status("VmHWM"));
}
