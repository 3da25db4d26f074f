//! Last.fm and ListenBrainz histories end to end through `App::handle` against the SQLite
//! twin: read in their layouts, matched by Spotify id or by name, merged with polled and
//! imported plays by the one-listen rule, and our own ListenBrainz export brought back.

use serde_json::{json, Value};

use super::flow_tests::{account, extended, n, skipped, World, HOUR, T0};
use crate::time::{UnixMillis, MINUTE_MS, SECOND_MS};

/// A scrobble's Unix time, as Last.fm writes it (text, in the API's pages).
fn uts(at: UnixMillis) -> String {
    (at / SECOND_MS).to_string()
}

/// Last.fm's written date of an instant: `1 Jun 2019 12:00`.
fn written(at: UnixMillis) -> String {
    chrono::DateTime::from_timestamp_millis(at)
        .expect("time")
        .format("%-d %b %Y %H:%M")
        .to_string()
}

/// A row of the headed CSV (`uts,utc_time,artist,artist_mbid,album,album_mbid,track,
/// track_mbid`) as the page sends it: its cells under the header's names, empty ones out.
fn csv_row(at: UnixMillis, artist: &str, track: &str) -> Value {
    json!({"uts": uts(at), "utc_time": written(at), "artist": artist, "album": "Album", "track": track})
}

/// A row of the headerless CSV (`artist,album,track,date`), named by the page.
fn csv_minute_row(at: UnixMillis, artist: &str, track: &str) -> Value {
    json!({"artist": artist, "album": "Album", "track": track, "date": written(at)})
}

/// A track of a saved `user.getRecentTracks` page.
fn api_track(at: UnixMillis, artist: &str, track: &str) -> Value {
    json!({"artist": {"mbid": "", "#text": artist}, "streamable": "0", "mbid": "",
           "album": {"mbid": "", "#text": "Album"}, "name": track,
           "url": "https://www.last.fm/music/x", "date": {"uts": uts(at), "#text": written(at)}})
}

/// A line of a ListenBrainz export; `spotify` names the track when it came from Spotify.
fn listen(at: UnixMillis, artist: &str, track: &str, spotify: Option<&str>) -> Value {
    let mut info = json!({"submission_client": "ListenBrainz Spotify Importer"});
    if let Some(id) = spotify {
        info["spotify_id"] = json!(format!("https://open.spotify.com/track/{id}"));
        info["music_service"] = json!("spotify.com");
        info["duration_ms"] = json!(200_000);
    }
    json!({"listened_at": at / SECOND_MS, "inserted_at": at / SECOND_MS + 60,
           "recording_msid": "0b2a3a48-5c1e-4e5c-9a57-a0bd5b3c3f8e", "user_name": "someone",
           "track_metadata": {"artist_name": artist, "track_name": track, "release_name": "Album",
                              "additional_info": info}})
}

fn sources(world: &World, user: &str) -> Vec<String> {
    world
        .plays(user)
        .iter()
        .map(|play| play["source"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn scrobbles_are_matched_by_name_and_merged_with_the_polled_listens_they_started() {
    let world = World::new();
    let ada = world.user("ada");
    // The poll saw "Song" end four minutes after the scrobble says it started.
    world.poll("ada", &[("real1", "Song", "Singer", T0 + 4 * MINUTE_MS)]);
    let report = world.import(
        &ada,
        &[(
            "scrobbles.csv",
            vec![
                csv_row(T0, "Singer", "Song"),
                // Another listen of the known track: filed under its real id.
                csv_row(T0 + HOUR, "Singer", "Song"),
                // A track the catalogue does not have: an id from its names.
                csv_row(T0 + 2 * HOUR, "Someone", "Unknown"),
            ],
        )],
        500,
    );
    assert_eq!(
        (
            n(&report, "records_read"),
            n(&report, "imported"),
            n(&report, "merged"),
            skipped(&report, "under_30s"),
        ),
        (3, 2, 1, 0),
        "a scrobble has no duration and is never too short: {report}"
    );
    let plays = world.plays("ada");
    let ids: Vec<&str> = plays
        .iter()
        .map(|play| play["track_id"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(ids[..2], ["real1", "real1"]);
    assert!(ids[2].starts_with("import:"), "{ids:?}");
    assert_eq!(
        sources(&world, "ada"),
        ["poll", "import_lastfm", "import_lastfm"]
    );
    assert_eq!(plays[1]["ms_played"], Value::Null, "Last.fm does not say");

    // Later the poll meets the unknown track under its real id, three minutes after the
    // scrobble's start: that listen is archived already.
    let inserted = world.poll(
        "ada",
        &[("real2", "Unknown", "Someone", T0 + 2 * HOUR + 3 * MINUTE_MS)],
    );
    assert_eq!(inserted, 0, "the scrobble is that listen");
    // Long after the start, it is another listen.
    let inserted = world.poll(
        "ada",
        &[(
            "real2",
            "Unknown",
            "Someone",
            T0 + 2 * HOUR + 30 * MINUTE_MS,
        )],
    );
    assert_eq!(inserted, 1);
}

#[test]
fn each_last_fm_layout_lands_the_same_scrobbles_once() {
    let world = World::new();
    let ada = world.user("ada");
    let at = |i: i64| T0 + i * 4 * MINUTE_MS + 17 * SECOND_MS;
    let headed: Vec<Value> = (0..5).map(|i| csv_row(at(i), "Band", "One")).collect();
    let first = world.import(&ada, &[("scrobbles.csv", headed.clone())], 2);
    assert_eq!(n(&first, "imported"), 5);

    // The JSON backup of the same account: the same instants, from the same source.
    let tracks: Vec<Value> = (0..5).map(|i| api_track(at(i), "Band", "One")).collect();
    for (file, records) in [("recenttracks.json", tracks), ("scrobbles.csv", headed)] {
        let again = world.import(&ada, &[(file, records)], 500);
        assert_eq!(
            (n(&again, "imported"), skipped(&again, "already_archived")),
            (0, 5),
            "{file}: {again}"
        );
    }

    // The headerless CSV has the minute only: merged with the scrobbles of that minute.
    let minutes: Vec<Value> = (0..5)
        .map(|i| csv_minute_row(at(i), "Band", "One"))
        .collect();
    let report = world.import(&ada, &[("lastfm-to-csv.csv", minutes)], 500);
    assert_eq!(
        (n(&report, "imported"), n(&report, "merged")),
        (0, 5),
        "{report}"
    );
    assert_eq!(world.plays("ada").len(), 5);
}

#[test]
fn a_track_playing_now_is_skipped_and_a_broken_row_reported_where_it_is() {
    let world = World::new();
    let ada = world.user("ada");
    let mut playing = api_track(T0, "Band", "Now");
    playing.as_object_mut().expect("object").remove("date");
    playing["@attr"] = json!({"nowplaying": "true"});
    let report = world.import(
        &ada,
        &[(
            "recenttracks.json",
            vec![
                playing,
                api_track(T0 - HOUR, "Band", "One"),
                json!({"artist": "Band", "track": "Two", "date": "sometime"}),
            ],
        )],
        500,
    );
    assert_eq!(
        (
            n(&report, "records_read"),
            n(&report, "imported"),
            skipped(&report, "under_30s"),
            n(&report, "errors")
        ),
        (3, 1, 1, 1),
        "{report}"
    );
    assert_eq!(
        report["error_list"],
        json!([{"file": "recenttracks.json", "position": 2,
                "message": "`date` is not a time: sometime"}])
    );
}

#[test]
fn a_listenbrainz_listen_from_spotify_is_filed_under_its_id_and_others_by_name() {
    let world = World::new();
    let ada = world.user("ada");
    world.poll("ada", &[("t1", "One", "Band", T0 - HOUR)]);
    let report = world.import(
        &ada,
        &[(
            "export.zip/listens/2019/6.jsonl",
            vec![
                listen(T0, "Band", "One (Remastered)", Some("t1")),
                listen(T0 + HOUR, "Band", "One", None),
                listen(T0 + 2 * HOUR, "Elsewhere", "Unknown", None),
            ],
        )],
        500,
    );
    assert_eq!(n(&report, "imported"), 3, "{report}");
    let ids: Vec<String> = world
        .plays("ada")
        .iter()
        .map(|play| play["track_id"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert_eq!(ids[..3], ["t1", "t1", "t1"], "by id, then by name: {ids:?}");
    assert!(ids[3].starts_with("import:"), "{ids:?}");
}

#[test]
fn a_listen_merges_with_the_extended_history_of_the_same_listen_and_a_scrobble_of_it() {
    let world = World::new();
    let ada = world.user("ada");
    let start = T0 + 5 * SECOND_MS;
    let report = world.import(
        &ada,
        &[
            (
                "Streaming_History_Audio_2019_0.json",
                vec![extended(start + 200_000, "t1", "One", "Band", 200_000)],
            ),
            (
                "listens.jsonl",
                vec![listen(start, "Band", "One", Some("t1"))],
            ),
            (
                "scrobbles.csv",
                vec![csv_row(start + SECOND_MS, "Band", "One")],
            ),
            (
                "StreamingHistory_music_0.json",
                vec![account(start + 200_000, "Band", "One", 200_000)],
            ),
        ],
        500,
    );
    assert_eq!(
        (n(&report, "imported"), n(&report, "merged")),
        (1, 3),
        "{report}"
    );
    assert_eq!(sources(&world, "ada"), ["import"]);
}

/// Our ListenBrainz export of a user's archive, as its lines.
fn export_listens(world: &World, cookie: &str) -> Vec<Value> {
    let mut export = world.get(Some(cookie), "/api/export?format=jsonl");
    assert_eq!(export.status, 200, "{}", export.body);
    world
        .web
        .drain(&mut export)
        .concat()
        .lines()
        .map(|line| serde_json::from_str(line).expect("a listen a line"))
        .collect()
}

#[test]
fn our_listenbrainz_export_comes_back_whole_and_merges_into_its_own_archive() {
    let world = World::new();
    let ada = world.user("ada");
    world.poll(
        "ada",
        &[
            ("t1", "One", "Band", T0 + 1_234),
            ("t2", "Two", "Band", T0 + 4 * MINUTE_MS + 500),
            ("t1", "One", "Band", T0 + 8 * MINUTE_MS + 999),
        ],
    );
    world.import(
        &ada,
        &[
            (
                "Streaming_History_Audio_2019_0.json",
                vec![
                    extended(T0 - HOUR, "t3", "Three", "Band", 200_000),
                    extended(T0 - 2 * HOUR, "t1", "One", "Band", 200_000),
                ],
            ),
            (
                "StreamingHistory_music_0.json",
                vec![account(T0 - 3 * HOUR, "Singer", "Named Only", 200_000)],
            ),
        ],
        500,
    );
    let archived = world.plays("ada").len();
    assert_eq!(archived, 6);
    let listens = export_listens(&world, &ada);
    assert_eq!(listens.len(), archived);

    // Into a fresh account: every play lands, under the same tracks.
    let bob = world.user("bob");
    let report = world.import(&bob, &[("listens.jsonl", listens.clone())], 4);
    assert_eq!(
        (n(&report, "imported"), n(&report, "errors")),
        (6, 0),
        "{report}"
    );
    let track_ids = |user: &str| -> Vec<(Value, String)> {
        world
            .plays(user)
            .iter()
            .map(|play| {
                let id = play["track_id"].as_str().unwrap_or("?");
                // A track filed by its names is the user's own row: same names, same id.
                (
                    play["name"].clone(),
                    id.split('~').next().unwrap_or(id).to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(track_ids("bob"), track_ids("ada"));

    // Into the archive it came from: nothing new.
    let report = world.import(&ada, &[("listens.jsonl", listens.clone())], 500);
    assert_eq!(
        (
            n(&report, "imported"),
            n(&report, "merged") + skipped(&report, "already_archived")
        ),
        (0, 6),
        "{report}"
    );
    assert_eq!(world.plays("ada").len(), archived);
    // And bob's, imported from it, takes it again as already archived.
    let report = world.import(&bob, &[("listens.jsonl", listens)], 500);
    assert_eq!(
        (n(&report, "imported"), skipped(&report, "already_archived")),
        (0, 6),
        "{report}"
    );
}
