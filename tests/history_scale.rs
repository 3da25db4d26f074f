//! A measurement, not a pass/fail benchmark: one user with 200,000 plays in D1's twin
//! (SQLite, the same SQL), timing `/api/plays` pages, `/api/stats` over a year and more,
//! and a whole export. Timings are printed, never asserted; only the answers' sizes are.
//!
//! ```sh
//! cargo test -p spotify-time-machine --release --test history_scale -- --nocapture
//! ```
//!
//! A debug build (plain `cargo test`) seeds 5,000 plays, to stay quick.

use std::time::{Duration, Instant};

use futures::executor::block_on;
use serde_json::{json, Value};
use time_machine::testing::web::{get, json_of, WebWorld};
use time_machine::time::{parse_rfc3339, UnixMillis, MINUTE_MS};
use time_machine::web::WebResponse;

const PLAYS: i64 = if cfg!(debug_assertions) {
    5_000
} else {
    200_000
};
const TRACKS: i64 = 20_000;
const ARTISTS: i64 = 3_000;
const ALBUMS: i64 = 6_000;
/// One play every ten minutes: 200,000 plays reach back about 3.8 years.
const SPACING_MS: i64 = 10 * MINUTE_MS;

fn at(text: &str) -> UnixMillis {
    parse_rfc3339(text).expect("instant")
}

/// The web world of one signed-in user at a fixed `now`, timing each request.
struct Bench {
    web: WebWorld,
    cookie: String,
    now: UnixMillis,
}

impl Bench {
    fn send(&self, path: &str) -> (WebResponse, Duration) {
        let request = get(path, Some(&self.cookie));
        let started = Instant::now();
        let response = self.web.send(&request, self.now);
        (response, started.elapsed())
    }

    fn json(&self, path: &str) -> (Value, Duration) {
        let (response, took) = self.send(path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        (json_of(&response), took)
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1_000.0)
}

#[test]
fn two_hundred_thousand_plays() {
    let now = at("2026-11-01T12:00:00Z");
    let web = WebWorld::new();
    let seeding = Instant::now();
    web.db.sql(
        "INSERT INTO users (id, spotify_id, authorized_at, created_at, updated_at, next_due_at, time_zone)
         VALUES ('u', 'u', ?1, ?1, ?1, ?1, 'Europe/Berlin')",
        vec![json!(now)],
    );
    let cookie = web.open_session("u", now);
    let bench = Bench { web, cookie, now };
    let db = &bench.web.db;
    db.sql(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
         INSERT INTO artists (id, name) SELECT 'ar' || i, 'Artist ' || i FROM n",
        vec![json!(ARTISTS)],
    );
    db.sql(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
         INSERT INTO albums (id, name, image)
         SELECT 'al' || i, 'Album ' || i, 'al' || i FROM n",
        vec![json!(ALBUMS)],
    );
    db.sql(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
         INSERT INTO tracks (id, name, duration_ms, album_key)
         SELECT 'tr' || i, 'Track ' || i, 150000 + (i % 120) * 1000, al.key
           FROM n JOIN albums al ON al.id = 'al' || (i % CAST(?2 AS INTEGER))",
        vec![json!(TRACKS), json!(ALBUMS)],
    );
    db.sql(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
         INSERT INTO track_artists (track_key, artist_key, position)
         SELECT t.key, a.key, r.position
           FROM (SELECT 'tr' || i AS track_id, 'ar' || (i % CAST(?2 AS INTEGER)) AS artist_id, 0 AS position FROM n
                 UNION ALL SELECT 'tr' || i, 'ar' || ((i * 7 + 1) % CAST(?2 AS INTEGER)), 1 FROM n WHERE i % 5 = 0) AS r
           JOIN tracks t ON t.id = r.track_id JOIN artists a ON a.id = r.artist_id",
        vec![json!(TRACKS), json!(ARTISTS)],
    );
    // A skewed choice of tracks: a few favourites, a long tail.
    db.sql(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
         INSERT INTO play_events (user_key, track_key, played_at)
         SELECT (SELECT key FROM users WHERE id = 'u'), t.key, ?2 - i * ?4
           FROM n JOIN tracks t ON t.id = 'tr' || ((i * i + i * 31) % (CASE WHEN i % 3 = 0 THEN 50 ELSE CAST(?3 AS INTEGER) END))",
        vec![json!(PLAYS), json!(now - MINUTE_MS), json!(TRACKS), json!(SPACING_MS)],
    );
    let seeded = seeding.elapsed();
    let count = db.sql("SELECT count(*) AS n FROM play_events", vec![])[0]["n"]
        .as_i64()
        .unwrap_or(0);
    assert_eq!(count, PLAYS);
    println!("\n== history at scale: {PLAYS} plays of one user, {TRACKS} tracks, {ARTISTS} artists, {ALBUMS} albums");
    println!("seeding: {}", ms(seeded));

    // /api/plays: the first page, a page deep in the history, and a walk through it all.
    let (first, took) = bench.json("/api/plays?limit=50");
    println!("GET /api/plays?limit=50 (first page): {}", ms(took));
    assert_eq!(first["plays"].as_array().map(Vec::len), Some(50));
    let deep_before = now - (PLAYS / 2) * SPACING_MS;
    let (deep, took) = bench.json(&format!(
        "/api/plays?limit=200&before={deep_before}&before_id=1"
    ));
    println!("GET /api/plays?limit=200, halfway back: {}", ms(took));
    assert_eq!(deep["plays"].as_array().map(Vec::len), Some(200));
    let (mut pages, mut walked, mut slowest) = (0, 0, Duration::ZERO);
    let walk = Instant::now();
    let mut path = "/api/plays?limit=200".to_owned();
    loop {
        let (page, took) = bench.json(&path);
        slowest = slowest.max(took);
        pages += 1;
        walked += page["plays"].as_array().map_or(0, Vec::len);
        match (
            page["next_before"].as_i64(),
            page["next_before_id"].as_i64(),
        ) {
            (Some(before), Some(id)) => {
                path = format!("/api/plays?limit=200&before={before}&before_id={id}")
            }
            _ => break,
        }
    }
    let walk = walk.elapsed();
    assert_eq!(walked as i64, PLAYS);
    println!(
        "walking all {pages} pages of 200: {} in all, {} a page on average, slowest {}",
        ms(walk),
        ms(walk / pages),
        ms(slowest)
    );

    // /api/stats.
    for (label, query) in [
        ("30 days (default range)", String::new()),
        (
            "one year, Europe/Berlin",
            "from=2025-11-01&to=2026-11-01".to_owned(),
        ),
        (
            "one year, America/New_York",
            "from=2025-11-01&to=2026-11-01&tz=America/New_York".to_owned(),
        ),
        (
            "everything (4 years)",
            "from=2022-01-01&to=2026-11-02".to_owned(),
        ),
    ] {
        let mut best = Duration::MAX;
        let mut answer = Value::Null;
        for _ in 0..3 {
            let (stats, took) = bench.json(&format!("/api/stats?{query}"));
            best = best.min(took);
            answer = stats;
        }
        println!(
            "GET /api/stats, {label}: {} (best of 3; {} plays, {} days, {} distinct tracks)",
            ms(best),
            answer["totals"]["plays"],
            answer["days"].as_array().map_or(0, Vec::len),
            answer["totals"]["distinct_tracks"]
        );
        assert!(answer["totals"]["plays"].as_i64().unwrap_or(0) > 0);
    }

    // A whole export, chunk by chunk as the edge streams it.
    for format in ["csv", "jsonl", "json"] {
        let (mut response, _) = bench.send(&format!("/api/export?format={format}"));
        let mut plan = response.stream.take().expect("streamed");
        let started = Instant::now();
        let (mut bytes, mut chunks, mut largest) = (0, 0, 0);
        while let Some(chunk) = block_on(plan.next_chunk(db)).expect("chunk") {
            bytes += chunk.len();
            largest = largest.max(chunk.len());
            chunks += 1;
        }
        assert_eq!(plan.rows_written() as i64, PLAYS);
        println!(
            "GET /api/export?format={format}: {} for {:.1} MB in {chunks} chunks (largest {:.0} KB)",
            ms(started.elapsed()),
            bytes as f64 / 1e6,
            largest as f64 / 1e3
        );
    }
}
