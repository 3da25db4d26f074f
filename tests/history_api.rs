//! The history API against D1's twin: keyset pages that stay put while plays arrive,
//! stats bucketed by local days and hours across daylight-saving changes, streamed
//! exports that hold every play once, "Archive now" and its rate limit, the session and
//! Origin guards, and 400s with stable codes for bad parameters.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use time_machine::history::export::{ExportFormat, CSV_COLUMNS};
use time_machine::ports::Method;
use time_machine::testing::web::{
    header, json_of, session_cookie, RequestBuilder, WebWorld, ORIGIN,
};
use time_machine::time::{parse_rfc3339, UnixMillis, DAY_MS, MINUTE_MS, SECOND_MS};
use time_machine::web::{WebRequest, WebResponse};

/// Sunday 1 November 2026, 12:00 UTC.
const NOW: UnixMillis = 1_793_534_400_000;
const TRACK_MS: i64 = 180_000;

fn at(text: &str) -> UnixMillis {
    parse_rfc3339(text).expect("test instant")
}

/// The web world with `u1` and a small catalogue to play from.
struct World {
    web: WebWorld,
}

impl World {
    /// One user, `u1`, logged in as cookie `c-u1`, with a small catalogue: tracks
    /// `t0`…`t9` on albums `al0`…`al4`, each by artist `a{n % 3}`, and `t9` featuring `a9`.
    fn new() -> Self {
        let world = Self {
            web: WebWorld::new(),
        };
        world.user("u1");
        for artist in [0, 1, 2, 9] {
            world.web.db.sql(
                "INSERT INTO artists (id, name) VALUES (?1, ?2)",
                vec![
                    json!(format!("a{artist}")),
                    json!(format!("Artist {artist}")),
                ],
            );
        }
        for album in 0..5 {
            world.web.db.sql(
                "INSERT INTO albums (id, name, image) VALUES (?1, ?2, ?3)",
                vec![
                    json!(format!("al{album}")),
                    json!(format!("Album {album}")),
                    // The cover's hash on Spotify's image host: the API shows its URL.
                    json!(format!("al{album}")),
                ],
            );
        }
        for track in 0..10 {
            world.track(
                &format!("t{track}"),
                &format!("Track {track}"),
                &format!("al{}", track / 2),
            );
            world.web.db.sql(
                "INSERT INTO track_artists (track_key, artist_key, position)
                 SELECT t.key, a.key, 0 FROM tracks t, artists a WHERE t.id = ?1 AND a.id = ?2",
                vec![json!(format!("t{track}")), json!(format!("a{}", track % 3))],
            );
        }
        world.web.db.sql(
            "INSERT INTO track_artists (track_key, artist_key, position)
             SELECT t.key, a.key, 1 FROM tracks t, artists a WHERE t.id = 't9' AND a.id = 'a9'",
            vec![],
        );
        world
    }

    fn user(&self, id: &str) {
        self.web.sign_in(id, NOW);
    }

    fn track(&self, id: &str, name: &str, album: &str) {
        self.web.db.sql(
            // No URI stored: it is `spotify:track:<id>`, derived.
            "INSERT INTO tracks (id, name, duration_ms, album_key)
             VALUES (?1, ?2, ?3, (SELECT key FROM albums WHERE id = ?4))",
            vec![json!(id), json!(name), json!(TRACK_MS), json!(album)],
        );
    }

    fn play(&self, user: &str, track: &str, played_at: UnixMillis) {
        self.web.db.sql(
            "INSERT INTO play_events (user_key, track_key, played_at)
             SELECT u.key, t.key, ?3 FROM users u, tracks t WHERE u.id = ?1 AND t.id = ?2",
            vec![json!(user), json!(track), json!(played_at)],
        );
    }

    /// `count` plays of `u1`, one a minute up to `end`, cycling through the tracks.
    fn plays(&self, count: i64, end: UnixMillis) {
        self.web.db.sql(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
             INSERT INTO play_events (user_key, track_key, played_at)
             SELECT (SELECT key FROM users WHERE id = 'u1'), t.key, ?2 - i * 60000
               FROM n JOIN tracks t ON t.id = 't' || (i % 10)",
            vec![json!(count), json!(end)],
        );
    }

    fn send_at(&self, request: WebRequest, now: UnixMillis) -> WebResponse {
        self.web.send(&request, now)
    }

    fn send(&self, request: WebRequest) -> WebResponse {
        self.send_at(request, NOW)
    }

    /// A GET of `u1`, answered 200 with JSON.
    fn get_json(&self, path: &str) -> Value {
        let response = self.send(get(path, Some("u1")));
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        json_of(&response)
    }

    /// The streamed body of an export, with the number of chunks it came in.
    fn export(&self, path: &str) -> (WebResponse, String, usize) {
        let mut response = self.send(get(path, Some("u1")));
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        let chunks = self.web.drain(&mut response);
        (response, chunks.concat(), chunks.len())
    }

    fn count_plays(&self, user: &str) -> usize {
        self.web.db.sql(
            "SELECT count(*) AS n FROM play_events WHERE user_key = (SELECT key FROM users WHERE id = ?1)",
            vec![json!(user)],
        )[0]["n"]
            .as_u64()
            .expect("count") as usize
    }
}

/// A request of `user` (by the session `WebWorld::sign_in` gave it), no Origin header.
fn request(method: Method, path_and_query: &str, user: Option<&str>) -> WebRequest {
    let cookie = user.map(session_cookie);
    time_machine::testing::web::request(method, path_and_query, cookie.as_deref())
}

fn get(path: &str, user: Option<&str>) -> WebRequest {
    request(Method::Get, path, user)
}

/// A POST from our own pages (the Origin header a browser sends).
fn post(path: &str, user: Option<&str>, body: &str) -> WebRequest {
    request(Method::Post, path, user)
        .with_our_origin()
        .with_body(body)
}

fn error_code(response: &WebResponse) -> String {
    json_of(response)["error"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

// ---------------------------------------------------------------------------------------
// Plays

/// Walks `/api/plays` back to the start, calling `between` after each page.
fn walk(world: &World, limit: usize, mut between: impl FnMut(usize)) -> Vec<Value> {
    let mut plays = Vec::new();
    let mut path = format!("/api/plays?limit={limit}");
    for page in 0.. {
        let answer = world.get_json(&path);
        plays.extend(answer["plays"].as_array().expect("plays").iter().cloned());
        between(page);
        match (
            answer["next_before"].as_i64(),
            answer["next_before_id"].as_i64(),
        ) {
            (Some(before), Some(id)) => {
                path = format!("/api/plays?limit={limit}&before={before}&before_id={id}")
            }
            _ => return plays,
        }
    }
    unreachable!()
}

#[test]
fn plays_pages_stay_put_while_new_plays_arrive_and_ties_are_not_lost() {
    let world = World::new();
    world.plays(100, at("2026-10-30T12:00:00Z"));
    // Five plays of one instant (imports have second precision) astride a page boundary.
    let tie = at("2026-10-30T10:20:30Z") - 30 * SECOND_MS;
    for track in ["t1", "t2", "t3", "t4", "t5"] {
        world.play("u1", track, tie);
    }
    // A play is (played_at, id): `id` is its track's key, plays of one instant come in
    // the order of their tracks' keys, descending.
    let expected: Vec<(i64, i64)> = world
        .web
        .db
        .sql(
            "SELECT played_at, track_key FROM play_events
              WHERE user_key = (SELECT key FROM users WHERE id = 'u1')
              ORDER BY played_at DESC, track_key DESC",
            vec![],
        )
        .iter()
        .map(|row| {
            (
                row["played_at"].as_i64().expect("played_at"),
                row["track_key"].as_i64().expect("track_key"),
            )
        })
        .collect();
    let mut minute = 0;
    let seen = walk(&world, 7, |_| {
        // A new play arrives between every two pages, newer than anything paged.
        minute += 1;
        world.play("u1", "t0", at("2026-10-31T00:00:00Z") + minute * MINUTE_MS);
    });
    let ids: Vec<(i64, i64)> = seen
        .iter()
        .map(|play| {
            (
                play["played_at"].as_i64().expect("played_at"),
                play["id"].as_i64().expect("id"),
            )
        })
        .collect();
    assert_eq!(
        ids, expected,
        "every play once, newest first, none of the newcomers"
    );
    assert!(seen
        .windows(2)
        .all(|pair| pair[0]["played_at"].as_i64() >= pair[1]["played_at"].as_i64()));
}

#[test]
fn a_play_has_its_track_artists_album_cover_and_duration() {
    let world = World::new();
    world.play("u1", "t9", at("2026-10-30T12:00:00Z"));
    let answer = world.get_json("/api/plays");
    let play = &answer["plays"][0];
    assert_eq!(play["track_name"], "Track 9");
    assert_eq!(play["track_uri"], "spotify:track:t9");
    assert_eq!(play["duration_ms"], TRACK_MS);
    assert_eq!(play["album_name"], "Album 4");
    assert_eq!(play["image_url"], "https://i.scdn.co/image/al4");
    assert_eq!(play["artist_names"], "Artist 0, Artist 9");
    assert_eq!(
        play["artists"],
        json!([{"id": "a0", "name": "Artist 0"}, {"id": "a9", "name": "Artist 9"}])
    );
    assert_eq!(play["played_at"], at("2026-10-30T12:00:00Z"));
    assert!(play["id"].is_i64());
    assert_eq!(
        answer["next_before"],
        Value::Null,
        "a short page is the last"
    );
}

#[test]
fn plays_of_other_users_never_show() {
    let world = World::new();
    world.user("u2");
    world.play("u2", "t1", at("2026-10-30T12:00:00Z"));
    world.play("u1", "t2", at("2026-10-29T12:00:00Z"));
    let answer = world.get_json("/api/plays");
    assert_eq!(answer["plays"].as_array().map(Vec::len), Some(1));
    assert_eq!(answer["plays"][0]["track_id"], "t2");
    let stats = world.get_json("/api/stats?from=2026-10-01&to=2026-11-01");
    assert_eq!(stats["totals"]["plays"], 1);
}

// ---------------------------------------------------------------------------------------
// Stats

fn day(stats: &Value, date: &str) -> i64 {
    stats["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|day| day["date"] == date)
        .unwrap_or_else(|| panic!("no {date} in {}", stats["days"]))["plays"]
        .as_i64()
        .expect("plays")
}

fn hour(stats: &Value, hour: usize) -> i64 {
    stats["hours"][hour]["plays"].as_i64().expect("plays")
}

#[test]
fn berlin_spring_forward_buckets_by_the_local_clock() {
    let world = World::new();
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    for instant in [
        "2026-03-28T22:59:00Z", // 23:59 CET, Saturday 28
        "2026-03-28T23:30:00Z", // 00:30 CET, Sunday 29
        "2026-03-29T00:30:00Z", // 01:30 CET
        "2026-03-29T01:30:00Z", // 03:30 CEST
        "2026-03-29T21:59:00Z", // 23:59 CEST
        "2026-03-29T22:00:00Z", // 00:00 CEST, Monday 30
    ] {
        world.play("u1", "t1", at(instant));
    }
    let stats = world.get_json("/api/stats?from=2026-03-28&to=2026-03-31&tz=Europe/Berlin");
    assert_eq!(stats["range"]["from"], at("2026-03-27T23:00:00Z"));
    assert_eq!(stats["range"]["to"], at("2026-03-30T22:00:00Z"));
    assert_eq!(stats["days"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        (
            day(&stats, "2026-03-28"),
            day(&stats, "2026-03-29"),
            day(&stats, "2026-03-30")
        ),
        (1, 4, 1)
    );
    assert_eq!(
        (
            hour(&stats, 0),
            hour(&stats, 1),
            hour(&stats, 2),
            hour(&stats, 3),
            hour(&stats, 23)
        ),
        (2, 1, 0, 1, 2)
    );
    // Monday is row 0: Saturday 28 is row 5, Sunday 29 row 6, Monday 30 row 0.
    let grid = &stats["heatmap"]["plays"];
    assert_eq!(
        (
            grid[5][23].as_i64(),
            grid[6][0].as_i64(),
            grid[6][23].as_i64(),
            grid[0][0].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(stats["totals"]["plays"], 6);
    assert_eq!(stats["totals"]["minutes"], 18);
    assert_eq!(stats["range"]["time_zone"], "Europe/Berlin");

    // The same plays by UTC days: a different answer, which is the point.
    let utc = world.get_json("/api/stats?from=2026-03-28&to=2026-03-31&tz=UTC");
    assert_eq!(
        (
            day(&utc, "2026-03-28"),
            day(&utc, "2026-03-29"),
            day(&utc, "2026-03-30")
        ),
        (2, 4, 0)
    );
}

#[test]
fn berlin_fall_back_has_a_25_hour_day_with_hour_two_twice() {
    let world = World::new();
    // 25 October 2026: 03:00 CEST falls back to 02:00 CET at 01:00 UTC.
    for instant in [
        "2026-10-24T21:59:00Z", // 23:59 CEST, Saturday 24
        "2026-10-24T22:30:00Z", // 00:30 CEST, Sunday 25
        "2026-10-25T00:30:00Z", // 02:30 CEST
        "2026-10-25T01:30:00Z", // 02:30 CET, the second time round
        "2026-10-25T22:30:00Z", // 23:30 CET
        "2026-10-25T23:00:00Z", // 00:00 CET, Monday 26
    ] {
        world.play("u1", "t2", at(instant));
    }
    let stats = world.get_json("/api/stats?from=2026-10-25&to=2026-10-26&tz=Europe/Berlin");
    let (from, to) = (
        stats["range"]["from"].as_i64(),
        stats["range"]["to"].as_i64(),
    );
    assert_eq!(
        to.zip(from).map(|(to, from)| to - from),
        Some(25 * 60 * MINUTE_MS)
    );
    assert_eq!(stats["days"].as_array().map(Vec::len), Some(1));
    assert_eq!(day(&stats, "2026-10-25"), 4);
    assert_eq!(
        (hour(&stats, 0), hour(&stats, 2), hour(&stats, 23)),
        (1, 2, 1)
    );
}

#[test]
fn new_york_days_follow_eastern_time_across_both_changes() {
    let world = World::new();
    for instant in [
        "2026-03-08T04:30:00Z", // 23:30 EST, 7 March
        "2026-03-08T06:59:00Z", // 01:59 EST, 8 March
        "2026-03-08T07:00:00Z", // 03:00 EDT
        "2026-03-09T03:59:00Z", // 23:59 EDT
        "2026-03-09T04:00:00Z", // 00:00 EDT, 9 March
        "2026-11-01T05:30:00Z", // 01:30 EDT, 1 November
        "2026-11-01T06:30:00Z", // 01:30 EST, the second time
        "2026-11-02T04:59:00Z", // 23:59 EST
    ] {
        world.play("u1", "t3", at(instant));
    }
    let spring = world.get_json("/api/stats?from=2026-03-07&to=2026-03-10&tz=America/New_York");
    assert_eq!(
        (
            day(&spring, "2026-03-07"),
            day(&spring, "2026-03-08"),
            day(&spring, "2026-03-09")
        ),
        (1, 3, 1)
    );
    assert_eq!(
        (hour(&spring, 1), hour(&spring, 2), hour(&spring, 3)),
        (1, 0, 1)
    );
    let autumn = world.get_json("/api/stats?from=2026-11-01&to=2026-11-02&tz=America/New_York");
    assert_eq!(day(&autumn, "2026-11-01"), 3);
    assert_eq!(hour(&autumn, 1), 2);
    // A year across both changes adds up.
    let year = world.get_json("/api/stats?from=2026-01-01&to=2027-01-01&tz=America/New_York");
    assert_eq!(year["totals"]["plays"], 8);
    assert_eq!(year["days"].as_array().map(Vec::len), Some(365));
}

#[test]
fn ranges_may_be_instants_and_are_half_open() {
    let world = World::new();
    world.play("u1", "t1", at("2026-06-01T10:00:00Z"));
    world.play("u1", "t1", at("2026-06-01T11:00:00Z"));
    let from = at("2026-06-01T10:00:00Z");
    let to = at("2026-06-01T11:00:00Z");
    let stats = world.get_json(&format!("/api/stats?from={from}&to={to}"));
    assert_eq!(stats["totals"]["plays"], 1, "from is in, to is out");
    let iso = world
        .get_json("/api/stats?from=2026-06-01T12:00:00%2B02:00&to=2026-06-01T13:00:00%2B02:00");
    assert_eq!(iso["totals"]["plays"], 1);
}

#[test]
fn top_lists_count_plays_and_minutes_and_credit_every_artist() {
    let world = World::new();
    let base = at("2026-10-01T12:00:00Z");
    for (index, track) in ["t9", "t9", "t9", "t0", "t0", "t4", "t7"]
        .iter()
        .enumerate()
    {
        world.play("u1", track, base + index as i64 * MINUTE_MS);
    }
    let stats = world.get_json("/api/stats?from=2026-10-01&to=2026-10-02&limit=2");
    let tracks = stats["top_tracks"].as_array().expect("tracks");
    assert_eq!(tracks.len(), 2);
    assert_eq!(
        (tracks[0]["id"].as_str(), tracks[0]["plays"].as_i64()),
        (Some("t9"), Some(3))
    );
    assert_eq!(tracks[0]["minutes"], 9);
    assert_eq!(tracks[0]["artist_names"], "Artist 0, Artist 9");
    assert_eq!(tracks[0]["album_name"], "Album 4");
    assert_eq!(tracks[1]["id"], "t0");
    // a0: t9 ×3 and t0 ×2; a9: t9 ×3 (featured); a1: t4 and t7.
    let artists: Vec<(String, i64)> = stats["top_artists"]
        .as_array()
        .expect("artists")
        .iter()
        .map(|entry| {
            (
                entry["id"].as_str().unwrap_or("").to_owned(),
                entry["plays"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(artists, [("a0".to_owned(), 5), ("a9".to_owned(), 3)]);
    let albums = stats["top_albums"].as_array().expect("albums");
    assert_eq!(
        (albums[0]["id"].as_str(), albums[0]["plays"].as_i64()),
        (Some("al4"), Some(3))
    );
    assert_eq!(albums[0]["image_url"], "https://i.scdn.co/image/al4");
    assert_eq!(stats["totals"]["distinct_tracks"], 4);
    assert_eq!(stats["totals"]["plays"], 7);
}

#[test]
fn the_saved_time_zone_is_the_default_and_is_validated() {
    let world = World::new();
    let status = world.get_json("/api/status");
    assert_eq!(
        (
            status["time_zone"].as_str(),
            status["time_zone_saved"].as_bool()
        ),
        (Some("UTC"), Some(false))
    );
    let saved = world.send(post(
        "/api/settings",
        Some("u1"),
        r#"{"time_zone":"America/New_York"}"#,
    ));
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(json_of(&saved)["time_zone"], "America/New_York");
    assert_eq!(
        world.get_json("/api/status")["time_zone"],
        "America/New_York"
    );
    let stats = world.get_json("/api/stats");
    assert_eq!(stats["range"]["time_zone"], "America/New_York");
    assert_eq!(stats["range"]["time_zone_source"], "saved");
    assert_eq!(stats["days"].as_array().map(Vec::len), Some(30));
    assert_eq!(stats["days"][29]["date"], "2026-11-01", "today in New York");
    let given = world.get_json("/api/stats?tz=Asia/Tokyo");
    assert_eq!(given["range"]["time_zone_source"], "query");

    for (body_text, code) in [
        (r#"{"time_zone":"Mars/Olympus"}"#, "unknown_time_zone"),
        (r#"{"time_zone":""}"#, "unknown_time_zone"),
        (r#"{"time_zone":5}"#, "invalid_body"),
        ("not json", "invalid_body"),
        ("{}", "invalid_body"),
    ] {
        let refused = world.send(post("/api/settings", Some("u1"), body_text));
        assert_eq!(
            (refused.status, error_code(&refused)),
            (400, code.to_owned()),
            "{body_text}"
        );
    }
    assert_eq!(
        world.get_json("/api/status")["time_zone"],
        "America/New_York",
        "unchanged"
    );

    // A form (no script) saves too, and goes back to the dashboard; empty means UTC.
    let mut form = post("/api/settings", Some("u1"), "time_zone=");
    form.headers.push((
        "Content-Type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    assert_eq!(world.send(form).status, 303);
    assert_eq!(world.get_json("/api/status")["time_zone_saved"], false);

    let mut cross_site = post("/api/settings", Some("u1"), r#"{"time_zone":"UTC"}"#);
    cross_site.headers.retain(|(name, _)| name != "Origin");
    assert_eq!(world.send(cross_site).status, 403);
}

// ---------------------------------------------------------------------------------------
// Exports

#[test]
fn every_export_format_holds_every_play_once() {
    let world = World::new();
    world.user("u2");
    world.plays(2_345, at("2026-10-30T12:00:00Z"));
    let tie = at("2026-10-30T00:00:00Z") + 30 * SECOND_MS;
    for track in ["t1", "t2", "t3"] {
        world.play("u1", track, tie);
    }
    world.play("u2", "t1", at("2026-10-30T12:00:00Z"));
    let archived = world.count_plays("u1");
    assert_eq!(archived, 2_348);

    let (csv_response, csv, chunks) = world.export("/api/export?format=csv");
    assert!(chunks >= 4, "header and three pages of 1,000: {chunks}");
    assert_eq!(
        header(&csv_response, "Content-Type"),
        Some(ExportFormat::Csv.content_type())
    );
    assert!(header(&csv_response, "Content-Disposition")
        .is_some_and(|value| value
            .starts_with("attachment; filename=\"spotify-time-machine-2026-11-01.csv\"")));
    let lines: Vec<&str> = csv.split("\r\n").filter(|line| !line.is_empty()).collect();
    assert_eq!(lines[0], CSV_COLUMNS.join(","));
    assert_eq!(lines.len() - 1, archived);
    let instants: Vec<i64> = lines[1..]
        .iter()
        .map(|line| {
            line.split(',')
                .nth(1)
                .and_then(|ms| ms.parse().ok())
                .expect("played_at_ms")
        })
        .collect();
    assert!(
        instants.windows(2).all(|pair| pair[0] <= pair[1]),
        "oldest first"
    );

    let (_, json_text, _) = world.export("/api/export?format=json");
    let document: Value = serde_json::from_str(&json_text).expect("one JSON document");
    let plays = document["plays"].as_array().expect("plays");
    assert_eq!(plays.len(), archived);
    let ids: BTreeSet<(i64, i64)> = plays
        .iter()
        .map(|play| {
            (
                play["played_at"].as_i64().expect("played_at"),
                play["id"].as_i64().expect("id"),
            )
        })
        .collect();
    assert_eq!(ids.len(), archived, "no play twice");
    assert_eq!(document["user_id"], "u1");

    let (jsonl_response, jsonl, _) = world.export("/api/export?format=jsonl");
    assert_eq!(
        header(&jsonl_response, "Content-Type"),
        Some(ExportFormat::Jsonl.content_type())
    );
    let listens: Vec<Value> = jsonl
        .lines()
        .map(|line| serde_json::from_str(line).expect("a listen per line"))
        .collect();
    assert_eq!(listens.len(), archived);
    let listen = &listens[0];
    assert!(listen["listened_at"].is_i64());
    assert_eq!(
        listen["track_metadata"]["additional_info"]["music_service"],
        "spotify.com"
    );
    assert_eq!(
        listen["track_metadata"]["additional_info"]["duration_ms"],
        TRACK_MS
    );
}

#[test]
fn an_empty_archive_exports_valid_empty_files() {
    let world = World::new();
    let (_, csv, _) = world.export("/api/export?format=csv");
    assert_eq!(csv, format!("{}\r\n", CSV_COLUMNS.join(",")));
    let (_, json_text, _) = world.export("/api/export?format=json");
    let document: Value = serde_json::from_str(&json_text).expect("json");
    assert_eq!(document["plays"], json!([]));
    let (_, jsonl, _) = world.export("/api/export?format=jsonl");
    assert_eq!(jsonl, "");
}

#[test]
fn an_export_of_a_range_holds_the_range() {
    let world = World::new();
    world.plays(3 * 24 * 60, at("2026-10-03T23:59:00Z"));
    let (_, csv, _) = world.export("/api/export?format=csv&from=2026-10-02&to=2026-10-03");
    assert_eq!(
        csv.split("\r\n").filter(|line| !line.is_empty()).count() - 1,
        24 * 60
    );
    let (_, berlin, _) =
        world.export("/api/export?format=jsonl&from=2026-10-02&to=2026-10-03&tz=Europe/Berlin");
    let first: Value = serde_json::from_str(berlin.lines().next().expect("a line")).expect("json");
    assert_eq!(
        first["listened_at"],
        at("2026-10-01T22:00:00Z") / 1000,
        "Berlin's midnight"
    );
}

#[test]
fn a_formula_in_a_track_name_is_neutralised_in_the_csv() {
    let world = World::new();
    world.track("evil", "=HYPERLINK(\"http://evil.example\",\"x\")", "al0");
    world.track("plus", "+SUM(1,2)", "al0");
    world.play("u1", "evil", at("2026-10-30T12:00:00Z"));
    world.play("u1", "plus", at("2026-10-30T12:01:00Z"));
    let (_, csv, _) = world.export("/api/export?format=csv");
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\","),
        "{csv}"
    );
    assert!(csv.contains(",\"'+SUM(1,2)\","), "{csv}");
    assert!(
        !csv.contains(",=") && !csv.contains(",+"),
        "no cell starts a formula: {csv}"
    );
}

// ---------------------------------------------------------------------------------------
// Archive now

#[test]
fn archive_now_queues_once_per_five_minutes_and_shows_pending_then_done() {
    let world = World::new();
    let accepted = world.send(post("/api/archive", Some("u1"), ""));
    assert_eq!(accepted.status, 202, "{}", accepted.body);
    assert_eq!(
        json_of(&accepted)["archive_available_at"],
        NOW + 5 * MINUTE_MS
    );
    let jobs = world.web.queue.take();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].users[0].user_id, "u1");
    assert!(jobs[0].users[0].manual);

    let status = world.get_json("/api/status");
    assert_eq!(status["archive_pending"], true);
    assert_eq!(status["archive_requested_at"], NOW);
    // The page's list of plays says it is about to change (app.js clears it once the
    // archive's plays are on it).
    let busy_list = "id=\"timeline\" aria-busy=\"true\"";
    let page = world.send(get("/", Some("u1")));
    assert!(page.body.contains(busy_list), "{}", page.body);

    let soon = world.send_at(post("/api/archive", Some("u1"), ""), NOW + MINUTE_MS);
    assert_eq!(soon.status, 429);
    assert_eq!(error_code(&soon), "archive_rate_limited");
    assert_eq!(json_of(&soon)["retry_after_seconds"], 240);
    assert_eq!(json_of(&soon)["archive_available_at"], NOW + 5 * MINUTE_MS);
    assert_eq!(header(&soon, "Retry-After"), Some("240"));
    let last_second = world.send_at(
        post("/api/archive", Some("u1"), ""),
        NOW + 5 * MINUTE_MS - 1,
    );
    assert_eq!(
        (
            last_second.status,
            json_of(&last_second)["retry_after_seconds"].as_i64()
        ),
        (429, Some(1))
    );
    assert!(
        world.web.queue.take().is_empty(),
        "nothing queued while refused"
    );

    // The archive ran and succeeded after the request: done.
    world.web.db.sql(
        "UPDATE users SET last_success_at = ?1, last_polled_at = ?1 WHERE id = 'u1'",
        vec![json!(NOW + 30 * SECOND_MS)],
    );
    assert_eq!(world.get_json("/api/status")["archive_pending"], false);
    let page = world.send(get("/", Some("u1")));
    assert!(page.body.contains("id=\"timeline\""));
    assert!(!page.body.contains("aria-busy"), "{}", page.body);

    let again = world.send_at(post("/api/archive", Some("u1"), ""), NOW + 5 * MINUTE_MS);
    assert_eq!(again.status, 202);
    assert_eq!(world.web.queue.take().len(), 1);
}

#[test]
fn archive_now_needs_our_origin_an_active_user_and_a_working_queue() {
    let world = World::new();
    let mut cross_site = post("/api/archive", Some("u1"), "");
    cross_site.headers.retain(|(name, _)| name != "Origin");
    assert_eq!(world.send(cross_site).status, 403);

    world.web.queue.fail.set(true);
    let down = world.send(post("/api/archive", Some("u1"), ""));
    assert_eq!(
        (down.status, error_code(&down)),
        (503, "queue_unavailable".to_owned())
    );
    world.web.queue.fail.set(false);
    assert_eq!(
        world.send(post("/api/archive", Some("u1"), "")).status,
        202,
        "a failed request does not count"
    );

    world.web.db.sql(
        "UPDATE users SET paused = 1, is_active = 0 WHERE id = 'u1'",
        vec![],
    );
    let paused = world.send_at(post("/api/archive", Some("u1"), ""), NOW + DAY_MS);
    assert_eq!(
        (paused.status, error_code(&paused)),
        (409, "archiving_paused".to_owned())
    );
    world.web.db.sql(
        "UPDATE users SET paused = 0, needs_reauth = 1 WHERE id = 'u1'",
        vec![],
    );
    let reauth = world.send_at(post("/api/archive", Some("u1"), ""), NOW + DAY_MS);
    assert_eq!(
        (reauth.status, error_code(&reauth)),
        (409, "needs_reauth".to_owned())
    );
    assert_eq!(
        world.get_json("/api/status")["archive_pending"],
        false,
        "nothing will run"
    );
}

// ---------------------------------------------------------------------------------------
// Guards and parameters

#[test]
fn every_session_route_refuses_a_missing_or_unknown_session() {
    let world = World::new();
    let routes = [
        (Method::Get, "/api/status"),
        (Method::Get, "/api/plays"),
        (Method::Get, "/api/gaps"),
        (Method::Get, "/api/stats"),
        (Method::Get, "/api/export?format=csv"),
        (Method::Post, "/api/archive"),
        (Method::Post, "/api/settings"),
        (Method::Post, "/api/account/pause"),
        (Method::Post, "/api/account/resume"),
        (Method::Delete, "/api/account"),
    ];
    for (method, path) in routes {
        for user in [None, Some("nobody")] {
            let mut request = request(method, path, user);
            request.headers.push(("Origin".into(), ORIGIN.into()));
            request.body = r#"{"time_zone":"UTC"}"#.into();
            let response = world.send(request);
            assert_eq!(response.status, 401, "{method:?} {path} as {user:?}");
            assert_eq!(error_code(&response), "not_logged_in");
            assert!(response.stream.is_none());
        }
    }
}

#[test]
fn bad_parameters_are_400s_with_stable_codes() {
    let world = World::new();
    let cases = [
        ("/api/plays?limit=0", "invalid_limit"),
        ("/api/plays?limit=201", "invalid_limit"),
        ("/api/plays?limit=-5", "invalid_limit"),
        ("/api/plays?limit=99999999999999999999999", "invalid_limit"),
        ("/api/plays?before=yesterday", "invalid_before"),
        ("/api/plays?before=-1", "invalid_before"),
        ("/api/plays?before=100&before_id=x", "invalid_before_id"),
        ("/api/plays?before_id=5", "invalid_before_id"),
        ("/api/stats?from=2026-02-30", "invalid_from"),
        ("/api/stats?to=soon", "invalid_to"),
        ("/api/stats?from=2026-03-02&to=2026-03-01", "invalid_range"),
        ("/api/stats?from=1990-01-01&to=2026-01-01", "invalid_range"),
        ("/api/stats?tz=Mars/Olympus_Mons", "unknown_time_zone"),
        ("/api/stats?tz=", "unknown_time_zone"),
        ("/api/stats?limit=500", "invalid_limit"),
        ("/api/stats?limit=-1", "invalid_limit"),
        ("/api/export?format=xml", "invalid_format"),
        ("/api/export?from=then", "invalid_from"),
        ("/api/export?tz=Nowhere", "unknown_time_zone"),
    ];
    for (path, code) in cases {
        let response = world.send(get(path, Some("u1")));
        assert_eq!(response.status, 400, "{path}: {}", response.body);
        assert_eq!(error_code(&response), code, "{path}");
        assert!(json_of(&response)["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
        assert_eq!(header(&response, "Content-Type"), Some("application/json"));
    }
}

#[test]
fn new_routes_refuse_other_methods() {
    let world = World::new();
    for (method, path) in [
        (Method::Post, "/api/stats"),
        (Method::Post, "/api/export"),
        (Method::Get, "/api/archive"),
        (Method::Get, "/api/settings"),
    ] {
        assert_eq!(
            world.send(request(method, path, Some("u1"))).status,
            405,
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The dashboard

#[test]
fn the_dashboard_has_the_history_parts_and_its_script() {
    let world = World::new();
    world.plays(60, at("2026-10-30T12:00:00Z"));
    world.web.db.sql(
        "INSERT INTO data_gaps (user_id, gap_from, gap_to, reason, detected_at) VALUES ('u1', ?1, ?2, 'window_overflow', 0)",
        vec![json!(at("2026-10-30T11:50:00Z") - 30 * SECOND_MS), json!(at("2026-10-30T11:50:00Z"))],
    );
    let page = world.send(get("/", Some("u1")));
    assert_eq!(page.status, 200);
    for id in [
        "timeline",
        "archive-now",
        "archive-status",
        "chart-days",
        "heatmap",
        "top-artists",
        "top-tracks",
        "top-albums",
        "range-form",
        "range-from",
        "range-to",
        "range-tz",
        "export-csv",
        "export-json",
        "export-jsonl",
        "load-more",
        "settings-form",
        "time-zone",
        "stats-summary",
    ] {
        assert!(page.body.contains(&format!("id=\"{id}\"")), "#{id}");
    }
    assert!(page
        .body
        .contains("<script src=\"/assets/app.js\" defer></script>"));
    // The gap sits between the play at its newer end and the one before its older end.
    let gap = page
        .body
        .find("class=\"gap\"")
        .expect("a gap in the timeline");
    let newer = page
        .body
        .find(&format!(
            "data-played-at=\"{}\"",
            at("2026-10-30T11:50:00Z")
        ))
        .expect("newer");
    let older = page
        .body
        .find(&format!(
            "data-played-at=\"{}\"",
            at("2026-10-30T11:49:00Z")
        ))
        .expect("older");
    assert!(newer < gap && gap < older);
    assert_eq!(page.body.matches("class=\"play\"").count(), 50);
    assert!(page.body.contains("data-next-before="));

    let script = world.send(get("/assets/app.js", None));
    assert_eq!(script.status, 200);
    assert_eq!(
        header(&script, "Content-Type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("/api/stats"));
}

#[test]
fn imported_listening_counts_by_time_played_and_its_artist_name_while_episodes_stay_out() {
    let world = World::new();
    let base = at("2026-10-01T12:00:00Z");
    // A track an import created: no artist links, only the export's artist name.
    world.web.db.sql(
        "INSERT INTO tracks (id, name, uri, duration_ms, import_artist_name)
         VALUES ('import:x', 'Old Song', 'spotify:track:x', 0, 'Imported Artist'),
                ('episode:e', 'An Episode', 'spotify:episode:e', 0, 'A Show')",
        vec![],
    );
    world.web.db.sql(
        "INSERT INTO play_events (user_key, track_key, played_at, source, kind, ms_played)
         SELECT u.key, t.key, ?1 + p.after_ms, 1, p.kind, p.ms_played
           FROM (SELECT 'import:x' AS track_id, 0 AS after_ms, 0 AS kind, 90000 AS ms_played
                 UNION ALL SELECT 'import:x', 600000, 0, 150000
                 UNION ALL SELECT 'episode:e', 1200000, 1, 1800000) AS p
           JOIN users u ON u.id = 'u1' JOIN tracks t ON t.id = p.track_id",
        vec![json!(base)],
    );
    world.play("u1", "t0", base + 1_800_000);

    let stats = world.get_json("/api/stats?from=2026-10-01&to=2026-10-02");
    assert_eq!(stats["totals"]["plays"], 3, "the episode is not music");
    let tracks = stats["top_tracks"].as_array().expect("tracks");
    assert_eq!(tracks[0]["id"], "import:x");
    assert_eq!(
        tracks[0]["minutes"], 4,
        "90 s + 150 s played, not the unknown track length"
    );
    assert_eq!(tracks[0]["artist_names"], "Imported Artist");
    let artists: Vec<&str> = stats["top_artists"]
        .as_array()
        .expect("artists")
        .iter()
        .filter_map(|artist| artist["name"].as_str())
        .collect();
    assert_eq!(artists.first(), Some(&"Imported Artist"));
    assert!(!artists.contains(&"A Show"));
}
