//! Imports end to end through `App::handle` against the SQLite twin: polled plays and
//! imported records of the same listens, re-imports, broken records, gaps, and other
//! users.

use chrono::{TimeZone, Utc};
use futures::executor::block_on;
use serde_json::{json, Value};

use crate::engine::schedule::PollingPolicy;
use crate::engine::write_plan::{plan_archive, PollState};
use crate::ports::Method;
use crate::spotify::recently_played::parse_recently_played;
use crate::store::Store;
use crate::testing::web::{get, json_of, post, request, WebWorld};
use crate::time::{UnixMillis, MINUTE_MS, SECOND_MS};
use crate::web::{WebRequest, WebResponse};

pub(super) const NOW: UnixMillis = 1_800_000_000_000;
/// Saturday 1 June 2019, 12:00 UTC.
pub(super) const T0: UnixMillis = 1_559_390_400_000;

/// The web world and the import steps the page takes, for users signed in by [`Self::user`].
pub(super) struct World {
    pub(super) web: WebWorld,
}

impl World {
    pub(super) fn new() -> Self {
        Self {
            web: WebWorld::new(),
        }
    }

    pub(super) fn send(&self, request: WebRequest) -> WebResponse {
        self.web.send(&request, NOW)
    }

    /// A user with a live session; answers the session cookie.
    pub(super) fn user(&self, id: &str) -> String {
        self.web.sign_in(id, NOW)
    }

    /// Archives a recently-played page through the poll's own write path; answers the
    /// plays it inserted.
    pub(super) fn poll(&self, user: &str, plays: &[(&str, &str, &str, UnixMillis)]) -> usize {
        let items: Vec<Value> = plays
            .iter()
            .map(|(id, name, artist, at)| {
                json!({"played_at": crate::time::to_rfc3339(*at), "context": null, "track": {
                    "id": id, "uri": format!("spotify:track:{id}"), "name": name, "duration_ms": 200_000,
                    "is_local": false, "explicit": false,
                    "artists": [{"id": format!("ar-{artist}"), "name": artist, "uri": null}],
                    "album": {"id": format!("al-{id}"), "name": "Real Album", "images": []}}})
            })
            .collect();
        let page = parse_recently_played(&json!({"items": items}).to_string()).expect("page");
        let state = PollState {
            cursor_after: None,
            last_success_at: None,
            after_downtime: false,
        };
        let plan = plan_archive(&page, &state, &PollingPolicy::default(), NOW);
        let write =
            block_on(Store::new(&self.web.db).write_archive(user, &plan, None, Default::default()))
                .expect("write");
        assert_eq!(
            write.statements, 8,
            "the archive batch keeps its eight statements"
        );
        write.plays_inserted
    }

    pub(super) fn post(&self, cookie: Option<&str>, path: &str, body: &str) -> WebResponse {
        self.send(post(path, cookie, body))
    }

    pub(super) fn get(&self, cookie: Option<&str>, path: &str) -> WebResponse {
        self.send(get(path, cookie))
    }

    pub(super) fn create(&self, cookie: &str) -> i64 {
        let response = self.post(Some(cookie), "/api/imports", "");
        assert_eq!(response.status, 201, "{}", response.body);
        json_of(&response)["id"].as_i64().expect("id")
    }

    pub(super) fn chunk(
        &self,
        cookie: &str,
        id: i64,
        file: &str,
        offset: usize,
        records: &[Value],
    ) -> Value {
        let response = self.post(
            Some(cookie),
            &format!("/api/imports/{id}/chunks"),
            &json!({"file": file, "offset": offset, "records": records}).to_string(),
        );
        assert_eq!(response.status, 200, "{}", response.body);
        json_of(&response)
    }

    /// Imports the files the way the page does: one import, chunks of `size`, finish.
    pub(super) fn import(&self, cookie: &str, files: &[(&str, Vec<Value>)], size: usize) -> Value {
        let id = self.create(cookie);
        for (file, records) in files {
            for (index, part) in records.chunks(size).enumerate() {
                self.chunk(cookie, id, file, index * size, part);
            }
        }
        let finish = self.post(Some(cookie), &format!("/api/imports/{id}/finish"), "");
        assert_eq!(finish.status, 200, "{}", finish.body);
        json_of(&finish)["import"].clone()
    }

    /// The user's plays, oldest first, each with the id its track is shown under.
    pub(super) fn plays(&self, user: &str) -> Vec<serde_json::Map<String, Value>> {
        let mut plays = self.web.db.sql(
            "SELECT t.id AS track_id, p.played_at,
                    CASE p.source WHEN 0 THEN 'poll' WHEN 1 THEN 'import' WHEN 2 THEN 'import_account'
                         WHEN 3 THEN 'import_lastfm' WHEN 4 THEN 'import_lastfm_minute'
                         WHEN 5 THEN 'import_listenbrainz' END AS source,
                    CASE p.kind WHEN 0 THEN 'track' WHEN 1 THEN 'episode' WHEN 2 THEN 'audiobook' END AS kind,
                    p.ms_played, p.skipped, t.name
               FROM play_events p JOIN tracks t ON t.key = p.track_key
              WHERE p.user_key = (SELECT key FROM users WHERE id = ?1) ORDER BY p.played_at",
            vec![json!(user)],
        );
        for play in &mut plays {
            let shown = play["track_id"]
                .as_str()
                .map(|id| crate::ids::public_id(id).to_owned());
            play.insert("track_id".into(), json!(shown));
        }
        plays
    }
}

pub(super) fn ts(at: UnixMillis) -> String {
    Utc.timestamp_millis_opt(at)
        .single()
        .expect("time")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// An extended streaming history record of a track, every documented field present.
pub(super) fn extended(
    at: UnixMillis,
    id: &str,
    name: &str,
    artist: &str,
    ms_played: i64,
) -> Value {
    json!({
        "ts": ts(at), "platform": "linux", "ms_played": ms_played, "conn_country": "SE",
        "ip_addr": "192.0.2.7", "master_metadata_track_name": name,
        "master_metadata_album_artist_name": artist, "master_metadata_album_album_name": "Album",
        "spotify_track_uri": format!("spotify:track:{id}"), "episode_name": null,
        "episode_show_name": null, "spotify_episode_uri": null, "audiobook_title": null,
        "audiobook_uri": null, "audiobook_chapter_uri": null, "audiobook_chapter_title": null,
        "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": false, "skipped": false,
        "offline": false, "offline_timestamp": 0, "incognito_mode": false
    })
}

/// An account data record: minute precision, names only.
pub(super) fn account(at: UnixMillis, artist: &str, track: &str, ms_played: i64) -> Value {
    let end = Utc.timestamp_millis_opt(at).single().expect("time");
    json!({"endTime": end.format("%Y-%m-%d %H:%M").to_string(), "artistName": artist,
           "trackName": track, "msPlayed": ms_played})
}

pub(super) fn n(report: &Value, field: &str) -> i64 {
    report[field]
        .as_i64()
        .unwrap_or_else(|| panic!("{field} in {report}"))
}

pub(super) fn skipped(report: &Value, reason: &str) -> i64 {
    report["skipped"][reason].as_i64().expect("a skip count")
}

#[test]
fn an_import_over_polled_plays_keeps_each_listen_once() {
    let world = World::new();
    let ada = world.user("ada");
    assert_eq!(
        world.poll(
            "ada",
            &[
                ("t1", "One", "Band", T0 + 1_234),
                ("t2", "Two", "Band", T0 + 4 * MINUTE_MS + 500),
                ("t3", "Three", "Band", T0 + 8 * MINUTE_MS),
            ]
        ),
        3
    );
    let records = vec![
        // The same three listens, the export's end a little off the poll's played_at.
        extended(T0, "t1", "One", "Band", 200_000),
        extended(
            T0 + 4 * MINUTE_MS - 40 * SECOND_MS,
            "t2",
            "Two",
            "Band",
            200_000,
        ),
        extended(
            T0 + 8 * MINUTE_MS + 2 * MINUTE_MS,
            "t3",
            "Three",
            "Band",
            200_000,
        ),
        // Two listens the poll never saw.
        extended(T0 - 10 * MINUTE_MS, "t4", "Four", "Band", 200_000),
        extended(T0 + 20 * MINUTE_MS, "t1", "One", "Band", 200_000),
    ];
    let report = world.import(
        &ada,
        &[("Streaming_History_Audio_2019_0.json", records)],
        500,
    );
    assert_eq!(
        (
            n(&report, "records_read"),
            n(&report, "imported"),
            n(&report, "merged")
        ),
        (5, 2, 3)
    );
    let plays = world.plays("ada");
    assert_eq!(plays.len(), 5, "{plays:?}");
    let sources: Vec<&str> = plays
        .iter()
        .map(|p| p["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["import", "poll", "poll", "poll", "import"]);
    // The import created the track it did not know, and left the known ones alone.
    let t1 = world.web.db.sql(
        "SELECT t.name, al.id AS album_id, t.import_artist_name FROM tracks t
           LEFT JOIN albums al ON al.key = t.album_key WHERE t.id = 't1'",
        vec![],
    );
    assert_eq!(
        (&t1[0]["album_id"], &t1[0]["import_artist_name"]),
        (&json!("al-t1"), &Value::Null)
    );
    // It is the user's own row: what an export says reaches nobody else.
    let t4 = world.web.db.sql(
        "SELECT id, name, import_artist_name, owner_user_id FROM tracks WHERE id GLOB 't4*'",
        vec![],
    );
    assert_eq!(t4.len(), 1, "{t4:?}");
    assert_eq!(
        (
            &t4[0]["name"],
            &t4[0]["import_artist_name"],
            &t4[0]["owner_user_id"]
        ),
        (&json!("Four"), &json!("Band"), &json!("ada"))
    );
    assert_ne!(
        t4[0]["id"], "t4",
        "never under the Spotify id another user's poll files"
    );
}

#[test]
fn a_poll_after_an_import_adds_only_what_the_import_did_not_have() {
    let world = World::new();
    let ada = world.user("ada");
    let report = world.import(
        &ada,
        &[(
            "Streaming_History_Audio_2019_0.json",
            vec![
                extended(T0, "t1", "One", "Band", 200_000),
                extended(T0 + 5 * MINUTE_MS, "t2", "Two", "Band", 200_000),
            ],
        )],
        500,
    );
    assert_eq!(n(&report, "imported"), 2);
    // The poll sees both listens (its played_at within the window) and one new play.
    let inserted = world.poll(
        "ada",
        &[
            ("t1", "One", "Band", T0 + 1_500),
            ("t2", "Two", "Band", T0 + 5 * MINUTE_MS - 119 * SECOND_MS),
            ("t3", "Three", "Band", T0 + 9 * MINUTE_MS),
            // Just outside the window: another listen.
            ("t1", "One", "Band", T0 - 2 * MINUTE_MS - SECOND_MS),
        ],
    );
    assert_eq!(inserted, 2);
    assert_eq!(world.plays("ada").len(), 4);
    // The poll's track rows take over what the import wrote; no play is doubled.
    let t1 = world
        .web
        .db
        .sql("SELECT al.id AS album_id FROM tracks t JOIN albums al ON al.key = t.album_key WHERE t.id = 't1'", vec![]);
    assert_eq!(t1[0]["album_id"], "al-t1");
}

#[test]
fn account_data_is_matched_by_name_and_merged_to_the_minute() {
    let world = World::new();
    let ada = world.user("ada");
    world.poll("ada", &[("real1", "Song", "Singer", T0 + 50 * SECOND_MS)]);
    let report = world.import(
        &ada,
        &[(
            "StreamingHistory_music_0.json",
            vec![
                // The polled listen: 12:00:50 is in the minute 12:00.
                account(T0, "Singer", "Song", 180_000),
                // Another listen of the known track: filed under its real id.
                account(T0 + HOUR, "Singer", "Song", 180_000),
                // A track the catalogue does not have: an id from its names.
                account(T0 + 2 * HOUR, "Someone", "Unknown", 180_000),
            ],
        )],
        500,
    );
    assert_eq!((n(&report, "imported"), n(&report, "merged")), (2, 1));
    let plays = world.plays("ada");
    let ids: Vec<&str> = plays
        .iter()
        .map(|p| p["track_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[..2], ["real1", "real1"]);
    assert!(ids[2].starts_with("import:"), "{ids:?}");
    assert_eq!(plays[1]["source"], "import_account");

    // Later the poll meets the unknown track under its real id, at the same listen.
    let inserted = world.poll(
        "ada",
        &[(
            "real2",
            "Unknown",
            "Someone",
            T0 + 2 * HOUR + 30 * SECOND_MS,
        )],
    );
    assert_eq!(inserted, 0, "the account data's play is that listen");
}

pub(super) const HOUR: i64 = 60 * MINUTE_MS;

#[test]
fn extended_history_and_account_data_of_the_same_listens_merge() {
    let world = World::new();
    let ada = world.user("ada");
    let at = T0 + 42 * SECOND_MS;
    let report = world.import(
        &ada,
        &[
            (
                "StreamingHistory_music_0.json",
                vec![account(at, "Band", "One", 200_000)],
            ),
            (
                "Streaming_History_Audio_2019_0.json",
                vec![extended(at, "t1", "One", "Band", 200_000)],
            ),
        ],
        500,
    );
    assert_eq!((n(&report, "imported"), n(&report, "merged")), (1, 1));
    assert_eq!(world.plays("ada").len(), 1);
}

#[test]
fn importing_the_same_files_twice_changes_nothing() {
    let world = World::new();
    let ada = world.user("ada");
    let records: Vec<Value> = (0..1_200)
        .map(|i| {
            extended(
                T0 + i * 4 * MINUTE_MS,
                &format!("t{}", i % 37),
                "Song",
                "Band",
                150_000,
            )
        })
        .collect();
    // The second file overlaps the first by 200 records, as Spotify's files may.
    let files = [
        (
            "Streaming_History_Audio_2019_0.json",
            records[..700].to_vec(),
        ),
        (
            "Streaming_History_Audio_2019_1.json",
            records[500..].to_vec(),
        ),
    ];
    let first = world.import(&ada, &files, 500);
    assert_eq!(n(&first, "records_read"), 1_400);
    assert_eq!(n(&first, "imported"), 1_200);
    assert_eq!(skipped(&first, "already_archived"), 200);
    let snapshot = world.plays("ada");

    let again = world.import(&ada, &files, 300);
    assert_eq!((n(&again, "imported"), n(&again, "merged")), (0, 0));
    assert_eq!(skipped(&again, "already_archived"), 1_400);
    assert_eq!(world.plays("ada"), snapshot);
}

#[test]
fn a_resent_chunk_is_counted_once() {
    let world = World::new();
    let ada = world.user("ada");
    let id = world.create(&ada);
    let records = vec![extended(T0, "t1", "One", "Band", 200_000), json!("broken")];
    let first = world.chunk(&ada, id, "a.json", 0, &records);
    let again = world.chunk(&ada, id, "a.json", 0, &records);
    assert_eq!(first["chunk"]["resent"], false);
    assert_eq!(again["chunk"]["resent"], true);
    assert_eq!(again["import"]["records_read"], 2);
    assert_eq!(again["import"]["imported"], 1);
    assert_eq!(again["import"]["errors"], 1);
}

#[test]
fn a_broken_record_is_reported_with_its_file_and_position_and_the_rest_goes_in() {
    let world = World::new();
    let ada = world.user("ada");
    let id = world.create(&ada);
    let mut records: Vec<Value> = (0..6)
        .map(|i| extended(T0 + i * 5 * MINUTE_MS, "t1", "One", "Band", 200_000))
        .collect();
    records[3] = json!({"ts": "2019-06-01 12:15", "ms_played": 200_000, "spotify_track_uri": "spotify:track:t1"});
    let answer = world.chunk(
        &ada,
        id,
        "Streaming_History_Audio_2019_1.json",
        500,
        &records,
    );
    assert_eq!(answer["chunk"]["imported"], 5);
    assert_eq!(answer["chunk"]["errors"][0]["position"], 503);
    let report = world.get(Some(&ada), &format!("/api/imports/{id}"));
    assert_eq!(report.status, 200);
    let report = json_of(&report)["import"].clone();
    assert_eq!((n(&report, "imported"), n(&report, "errors")), (5, 1));
    let error = &report["error_list"][0];
    assert_eq!(error["file"], "Streaming_History_Audio_2019_1.json");
    assert_eq!(error["position"], 503);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("`ts` is not a time"),
        "{error}"
    );
}

#[test]
fn the_stored_error_list_is_capped_and_every_error_counted() {
    let world = World::new();
    let ada = world.user("ada");
    let id = world.create(&ada);
    world.chunk(&ada, id, "a.json", 0, &vec![json!(1); 80]);
    world.chunk(&ada, id, "a.json", 80, &vec![json!(2); 80]);
    let report = json_of(&world.get(Some(&ada), &format!("/api/imports/{id}")))["import"].clone();
    assert_eq!(n(&report, "errors"), 160);
    assert_eq!(report["error_list"].as_array().unwrap().len(), 100);
}

#[test]
fn skipped_incognito_short_and_nameless_streams_are_counted_by_reason() {
    let world = World::new();
    let ada = world.user("ada");
    let mut private = extended(T0 + MINUTE_MS, "t2", "Two", "Band", 200_000);
    private["incognito_mode"] = json!(true);
    let mut skipped_late = extended(T0 + 2 * MINUTE_MS, "t3", "Three", "Band", 45_000);
    skipped_late["skipped"] = json!(null);
    skipped_late["reason_end"] = json!("fwdbtn");
    let nameless = json!({"ts": ts(T0 + 3 * MINUTE_MS), "ms_played": 90_000, "spotify_track_uri": null,
                          "master_metadata_track_name": null, "episode_name": null, "incognito_mode": false});
    let report = world.import(
        &ada,
        &[(
            "endsong_0.json",
            vec![
                extended(T0, "t1", "One", "Band", 29_999),
                private,
                skipped_late,
                nameless,
            ],
        )],
        500,
    );
    assert_eq!(n(&report, "imported"), 1);
    assert_eq!(skipped(&report, "under_30s"), 1);
    assert_eq!(skipped(&report, "incognito"), 1);
    assert_eq!(skipped(&report, "unidentified"), 1);
    let plays = world.plays("ada");
    assert_eq!(
        (
            &plays[0]["track_id"],
            &plays[0]["skipped"],
            &plays[0]["ms_played"]
        ),
        (&json!("t3"), &json!(1), &json!(45_000))
    );
}

#[test]
fn episodes_and_audiobooks_are_stored_typed_and_stay_out_of_music() {
    let world = World::new();
    let ada = world.user("ada");
    let episode = json!({"ts": ts(T0), "ms_played": 1_200_000, "master_metadata_track_name": null,
        "master_metadata_album_artist_name": null, "master_metadata_album_album_name": null,
        "spotify_track_uri": null, "episode_name": "Ep. 1", "episode_show_name": "The Show",
        "spotify_episode_uri": "spotify:episode:0Q86acNRm6V9GYx55SXKwf", "reason_end": "endplay",
        "skipped": null, "incognito_mode": false});
    let chapter = json!({"ts": ts(T0 + HOUR), "ms_played": 600_000, "spotify_track_uri": null,
        "audiobook_title": "The Book", "audiobook_uri": "spotify:show:7iHfbu1YPACw6oZPAFJtqe",
        "audiobook_chapter_title": "Chapter 1", "audiobook_chapter_uri": "spotify:episode:5B2aYkZcvHxEDsy3MTR4aN"});
    let podcast_account = json!({"endTime": "2019-06-01 15:00", "podcastName": "The Show",
        "episodeName": "Ep. 2", "msPlayed": 900_000});
    world.import(
        &ada,
        &[
            (
                "Streaming_History_Audio_2019_0.json",
                vec![
                    episode,
                    chapter,
                    extended(T0 + 2 * HOUR, "t1", "One", "Band", 200_000),
                ],
            ),
            ("StreamingHistory_podcast_0.json", vec![podcast_account]),
        ],
        500,
    );
    let kinds: Vec<(String, String)> = world
        .plays("ada")
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("episode".to_owned(), "Ep. 1".to_owned()),
            ("audiobook".to_owned(), "Chapter 1".to_owned()),
            ("track".to_owned(), "One".to_owned()),
            ("episode".to_owned(), "Ep. 2".to_owned()),
        ]
    );
    let music = world.web.db.sql(
        "SELECT count(*) AS n FROM play_events WHERE user_key = (SELECT key FROM users WHERE id = 'ada') AND kind = 0",
        vec![],
    );
    assert_eq!(music[0]["n"], 1);
}

#[test]
fn a_gap_the_import_covers_is_marked_filled_and_one_it_does_not_stays_open() {
    let world = World::new();
    let ada = world.user("ada");
    let gap = |from: UnixMillis, to: UnixMillis| {
        world.web.db.sql(
            "INSERT INTO data_gaps (user_id, gap_from, gap_to, reason, detected_at) VALUES ('ada', ?1, ?2, 'window_overflow', 0)",
            vec![json!(from), json!(to)],
        );
    };
    // Covered, across the boundary of two chunks of one file.
    gap(T0 + 30 * MINUTE_MS, T0 + 90 * MINUTE_MS);
    // After the export's last record: not covered.
    gap(T0 + 10 * HOUR, T0 + 11 * HOUR);
    let records: Vec<Value> = (0..40)
        .map(|i| extended(T0 + i * 3 * MINUTE_MS, "t1", "One", "Band", 170_000))
        .collect();
    let report = world.import(
        &ada,
        &[("Streaming_History_Audio_2019_0.json", records)],
        15,
    );
    assert_eq!(n(&report, "gaps_filled"), 1);
    let gaps = world.web.db.sql(
        "SELECT gap_from, filled_at FROM data_gaps ORDER BY gap_from",
        vec![],
    );
    assert_eq!(gaps[0]["filled_at"], NOW);
    assert_eq!(gaps[1]["filled_at"], Value::Null);
}

#[test]
fn an_import_is_its_users_alone() {
    let world = World::new();
    let ada = world.user("ada");
    let bob = world.user("bob");
    let id = world.create(&ada);
    let chunk = json!({"file": "a.json", "offset": 0, "records": [extended(T0, "t1", "One", "Band", 200_000)]}).to_string();
    assert_eq!(
        world
            .post(Some(&bob), &format!("/api/imports/{id}/chunks"), &chunk)
            .status,
        404
    );
    assert_eq!(
        world
            .post(Some(&bob), &format!("/api/imports/{id}/finish"), "")
            .status,
        404
    );
    assert_eq!(
        world.get(Some(&bob), &format!("/api/imports/{id}")).status,
        404
    );
    assert!(world.plays("bob").is_empty() && world.plays("ada").is_empty());
    // No session, or a request from another site.
    assert_eq!(
        world
            .post(None, &format!("/api/imports/{id}/chunks"), &chunk)
            .status,
        401
    );
    assert_eq!(world.get(None, &format!("/api/imports/{id}")).status, 401);
    let mut cross_site = request(
        Method::Post,
        &format!("/api/imports/{id}/chunks"),
        Some(&ada),
    );
    cross_site
        .headers
        .push(("Origin".into(), "https://evil.example".into()));
    cross_site.body = chunk.clone();
    assert_eq!(world.send(cross_site).status, 403);
    let mut no_origin = request(Method::Post, "/api/imports", Some(&ada));
    no_origin.body = String::new();
    assert_eq!(world.send(no_origin).status, 403);
    assert!(world.plays("ada").is_empty());
    // Ada herself can.
    assert_eq!(
        world.chunk(
            &ada,
            id,
            "a.json",
            0,
            &[extended(T0, "t1", "One", "Band", 200_000)]
        )["import"]["imported"],
        1
    );
}

#[test]
fn a_finished_import_takes_no_more_chunks_and_bad_chunks_are_refused_whole() {
    let world = World::new();
    let ada = world.user("ada");
    let id = world.create(&ada);
    let path = format!("/api/imports/{id}/chunks");
    assert_eq!(world.post(Some(&ada), &path, "not json").status, 400);
    assert_eq!(
        world
            .post(Some(&ada), &path, r#"{"file": "a.json", "offset": 0}"#)
            .status,
        400
    );
    let huge = format!(
        r#"{{"file": "a.json", "offset": 0, "records": ["{}"]}}"#,
        "x".repeat(600 * 1024)
    );
    assert_eq!(world.post(Some(&ada), &path, &huge).status, 413);
    assert_eq!(
        world
            .post(Some(&ada), &format!("/api/imports/{id}/finish"), "")
            .status,
        200
    );
    let late = json!({"file": "a.json", "offset": 0, "records": []}).to_string();
    assert_eq!(world.post(Some(&ada), &path, &late).status, 409);
    assert_eq!(
        world
            .post(Some(&ada), "/api/imports/nope/chunks", &late)
            .status,
        404
    );
    assert_eq!(world.get(Some(&ada), "/api/imports/999").status, 404);
    assert_eq!(
        world
            .send(request(Method::Delete, "/api/imports/1", Some(&ada)))
            .status,
        405
    );
}

#[test]
fn the_import_page_needs_a_session_and_the_script_is_served() {
    let world = World::new();
    let ada = world.user("ada");
    let page = world.get(Some(&ada), "/import");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("/assets/import.js"));
    assert_eq!(world.get(None, "/import").status, 303);
    let script = world.get(None, "/assets/import.js");
    assert_eq!(script.status, 200);
    assert!(script.body.contains("deflate-raw"));
}

#[test]
fn deleting_the_account_deletes_its_imports() {
    let world = World::new();
    let ada = world.user("ada");
    world.import(
        &ada,
        &[(
            "a.json",
            vec![extended(T0, "t1", "One", "Band", 200_000), json!(0)],
        )],
        500,
    );
    block_on(Store::new(&world.web.db).delete_account("ada")).expect("deleted");
    for table in ["imports", "import_chunks", "import_errors"] {
        let rows = world
            .web
            .db
            .sql(&format!("SELECT count(*) AS n FROM {table}"), vec![]);
        assert_eq!(rows[0]["n"], 0, "{table}");
    }
}

#[test]
fn two_plays_of_one_track_a_minute_apart_in_one_export_stay_two() {
    let world = World::new();
    let ada = world.user("ada");
    let records = vec![
        extended(T0, "t1", "One", "Band", 40_000),
        extended(T0 + 40 * SECOND_MS, "t1", "One", "Band", 40_000),
    ];
    // In one chunk, and again with each in its own chunk of a second import.
    let first = world.import(&ada, &[("a.json", records.clone())], 500);
    assert_eq!(n(&first, "imported"), 2);
    world.web.db.sql("DELETE FROM play_events", vec![]);
    let second = world.import(&ada, &[("a.json", records)], 1);
    assert_eq!(n(&second, "imported"), 2);
    assert_eq!(world.plays("ada").len(), 2);
}

#[test]
fn what_one_users_import_names_never_reaches_another_user() {
    let world = World::new();
    let (eve, ada) = (world.user("eve"), world.user("ada"));
    // Eve claims a real Spotify id under a name of her choosing, and plants a track of
    // a popular title under an id Spotify never issued.
    world.import(
        &eve,
        &[(
            "Streaming_History_Audio_2019_0.json",
            vec![
                extended(
                    T0,
                    "4uLU6hMCjMI75M1A2tKUQC",
                    "BUY CHEAP PILLS",
                    "Spam",
                    200_000,
                ),
                extended(
                    T0 + 5 * MINUTE_MS,
                    "FakeIdOfEve0000000000",
                    "Song",
                    "Artist",
                    200_000,
                ),
            ],
        )],
        500,
    );
    // Ada imports her own history of the same id, and account data naming the title.
    world.import(
        &ada,
        &[
            (
                "Streaming_History_Audio_2020_0.json",
                vec![extended(
                    T0 + HOUR,
                    "4uLU6hMCjMI75M1A2tKUQC",
                    "Never Gonna Give You Up",
                    "Rick Astley",
                    200_000,
                )],
            ),
            (
                "StreamingHistory_music_0.json",
                vec![account(T0 + 2 * HOUR, "Artist", "Song", 200_000)],
            ),
        ],
        500,
    );

    let history = json_of(&world.get(Some(&ada), "/api/plays"));
    let names: Vec<&str> = history["plays"]
        .as_array()
        .expect("plays")
        .iter()
        .map(|play| play["track_name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Song", "Never Gonna Give You Up"], "{history}");
    assert!(!history.to_string().contains("PILLS") && !history.to_string().contains("Spam"));
    assert_eq!(
        history["plays"][1]["track_id"], "4uLU6hMCjMI75M1A2tKUQC",
        "the export's id is shown"
    );
    let ada_rows = world.web.db.sql(
        "SELECT t.owner_user_id FROM play_events p JOIN tracks t ON t.key = p.track_key
          WHERE p.user_key = (SELECT key FROM users WHERE id = 'ada')",
        vec![],
    );
    assert!(
        ada_rows.iter().all(|row| row["owner_user_id"] == "ada"),
        "every play of Ada's is on a row of her own: {ada_rows:?}"
    );
    let export = world.get(Some(&ada), "/api/export?format=csv");
    assert!(!export.body.contains("PILLS"), "{}", export.body);

    // A poll makes the Spotify row; imports of that id then use it, for everyone.
    world.poll(
        "ada",
        &[(
            "4uLU6hMCjMI75M1A2tKUQC",
            "Never Gonna Give You Up",
            "Rick Astley",
            T0 + 3 * HOUR,
        )],
    );
    let cy = world.user("cy");
    world.import(
        &cy,
        &[(
            "Streaming_History_Audio_2021_0.json",
            vec![extended(
                T0 + 4 * HOUR,
                "4uLU6hMCjMI75M1A2tKUQC",
                "Whatever",
                "X",
                200_000,
            )],
        )],
        500,
    );
    let cy_plays = world.plays("cy");
    assert_eq!(
        cy_plays[0]["name"], "Never Gonna Give You Up",
        "Spotify's row: {cy_plays:?}"
    );
}

#[test]
fn a_user_may_start_ten_imports_a_day_and_is_told_when_to_come_back() {
    let world = World::new();
    let ada = world.user("ada");
    for _ in 0..crate::web::imports::MAX_IMPORTS_PER_DAY {
        world.create(&ada);
    }
    let refused = world.post(Some(&ada), "/api/imports", "");
    assert_eq!(refused.status, 429, "{}", refused.body);
    let body = json_of(&refused);
    assert_eq!(body["error"]["code"], "import_quota_exceeded");
    assert_eq!(
        (&body["limit"], &body["used"], &body["per"]),
        (&json!(10), &json!(10), &json!("day"))
    );
    assert_eq!(body["retry_after_seconds"], json!(24 * 3600));
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("at most 10 imports a day"));
    // Another user is not held back by Ada's imports.
    let bo = world.user("bo");
    world.create(&bo);
}

#[test]
fn the_records_of_a_day_are_capped_across_a_users_imports() {
    let world = World::new();
    let ada = world.user("ada");
    let id = world.create(&ada);
    world.web.db.sql(
        "UPDATE imports SET records_read = ?1 WHERE id = ?2",
        vec![
            json!(crate::web::imports::MAX_RECORDS_PER_DAY - 1),
            json!(id),
        ],
    );
    let records = [
        extended(T0, "t1", "One", "Band", 200_000),
        extended(T0 + MINUTE_MS, "t2", "Two", "Band", 200_000),
    ];
    let refused = world.post(
        Some(&ada),
        &format!("/api/imports/{id}/chunks"),
        &json!({"file": "a.json", "offset": 0, "records": records}).to_string(),
    );
    assert_eq!(refused.status, 429, "{}", refused.body);
    let body = json_of(&refused);
    assert_eq!(body["error"]["code"], "import_quota_exceeded");
    assert_eq!(body["limit"], json!(1_000_000));
    assert!(
        world.plays("ada").is_empty(),
        "nothing of the refused chunk is written"
    );
    // One record still fits.
    world.chunk(&ada, id, "a.json", 0, &records[..1]);
    assert_eq!(world.plays("ada").len(), 1);
}

#[test]
fn a_finished_import_is_told_to_the_users_channels_once_with_its_report() {
    let world = World::new();
    let ada = world.user("ada");
    world.web.db.sql(
        "INSERT INTO notification_channels (user_id, kind, target_enc, target_hint, created_at)
         VALUES ('ada', 'ntfy', 'sealed', 'https://ntfy.sh/…', ?1)",
        vec![json!(NOW)],
    );
    let report = world.import(
        &ada,
        &[(
            "Streaming_History_Audio_2019.json",
            vec![
                extended(T0, "t1", "One", "Artist", 200_000),
                extended(T0 + 600_000, "t2", "Two", "Artist", 1_000),
            ],
        )],
        100,
    );
    // Finishing again (a retried request) tells no one twice.
    let id = report["id"].as_i64().expect("an id");
    let again = world.post(Some(&ada), &format!("/api/imports/{id}/finish"), "");
    assert_eq!(again.status, 200);

    let outbox = world.web.db.sql(
        "SELECT id, event, data FROM notification_outbox WHERE user_id = 'ada'",
        vec![],
    );
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    assert_eq!(outbox[0]["event"], "import_finished");
    let data: Value =
        serde_json::from_str(outbox[0]["data"].as_str().expect("text")).expect("JSON");
    assert_eq!(
        (
            data["import_id"].as_i64(),
            data["imported"].as_i64(),
            data["skipped"].as_i64()
        ),
        (Some(id), Some(n(&report, "imported")), Some(1)),
        "{data} vs {report}"
    );
    // Sent to the queue as the import finished.
    assert_eq!(
        world.web.queue.take_notifications(),
        [crate::notify::NotifyMessage::Delivery(
            outbox[0]["id"].as_i64().expect("id")
        )]
    );
}
