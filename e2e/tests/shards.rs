//! Users spread over several D1 databases ("shards"). One stack with three: new users go
//! to the shard with the fewest (the lowest on a tie), so three listeners land in shards
//! 0, 1 and 2. Each is archived by the login's backfill and by the sweep, two import a
//! Spotify export, every export is the archive, and one account of a shard past the
//! directory is deleted. Then SQL on every shard: each user's rows (and the catalogue
//! their imports brought) are in the shard the directory names and nowhere else, the
//! deleted user's rows are nowhere, and the counts the operator sees agree.

use std::collections::{BTreeMap, BTreeSet};

use e2e::{assert_success, shard_binding, sql_text, Member, Play, Reply, Stack, ARCHIVE_DEADLINE};
use serde_json::{json, Value};

const SHARDS: usize = 3;
/// Plays each listener has before logging in, and plays injected before the sweep.
const HISTORY: usize = 3;
const NEW_PLAYS: usize = 2;

/// Instants of the imported plays (an old year of the export: nothing Spotify still shows).
const IMPORTED: [(&str, i64); 3] = [
    ("2025-03-04T05:06:07Z", 1_741_064_767_000),
    ("2025-03-04T06:10:00Z", 1_741_068_600_000),
    ("2025-03-05T21:45:30Z", 1_741_211_130_000),
];

/// A JSON request with the member's session, as the dashboard's scripts send it.
#[track_caller]
fn api(stack: &Stack, member: &Member<'_>, method: &str, path: &str, body: Option<Value>) -> Reply {
    let session = member
        .browser
        .cookie("stm_session")
        .unwrap_or_else(|| stack.fail(&format!("{} has no session", member.sim_user)));
    stack.http(
        method,
        &format!("{}{path}", stack.worker_url),
        &[
            ("Origin", stack.worker_url.clone()),
            ("Cookie", format!("stm_session={session}")),
        ],
        body.map(|body| ("application/json", body.to_string())),
    )
}

/// The track URI of the `n`th imported play of the user in `shard`: a track of its own
/// (not in the simulator's catalogue), so that its catalogue row can be found.
fn imported_uri(shard: usize, n: usize) -> String {
    format!("spotify:track:0E2Eshard{shard}Import00000{n}")
}

/// Imports three plays of an old export for `member` (in `shard`) and adds a webhook
/// channel first, so that the finished import is told (a notification row of theirs).
/// Returns the imported plays.
#[track_caller]
fn import_export(stack: &Stack, member: &Member<'_>, shard: usize) -> Vec<Play> {
    let sink = format!("hooks-{shard}");
    let added = api(
        stack,
        member,
        "POST",
        "/api/notifications/channels",
        Some(json!({ "kind": "webhook", "url": stack.sink_url(&sink) })),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    let secret = added.json()["signing_secret"].clone();
    stack.configure_sink(&sink, json!({ "secret": secret }));

    let records: Vec<Value> = IMPORTED
        .iter()
        .enumerate()
        .map(|(n, (ts, _))| {
            json!({ "ts": ts, "ms_played": 200_000, "spotify_track_uri": imported_uri(shard, n),
                    "master_metadata_track_name": format!("Shard {shard} import {n}"),
                    "master_metadata_album_artist_name": "E2E Shards",
                    "master_metadata_album_album_name": "Shards" })
        })
        .collect();
    let import = api(stack, member, "POST", "/api/imports", Some(json!({})));
    assert_eq!(import.status, 201, "{}", import.body);
    let id = import.json()["id"]
        .as_i64()
        .unwrap_or_else(|| stack.fail(&format!("no import id: {}", import.body)));
    let chunk = api(
        stack,
        member,
        "POST",
        &format!("/api/imports/{id}/chunks"),
        Some(
            json!({ "file": "Streaming_History_Audio_2025.json", "offset": 0, "records": records }),
        ),
    );
    assert_eq!(chunk.status, 200, "{}", chunk.body);
    let finished = api(
        stack,
        member,
        "POST",
        &format!("/api/imports/{id}/finish"),
        None,
    );
    assert_eq!(finished.status, 200, "{}", finished.body);
    let report = finished.json()["import"].clone();
    assert_eq!(report["records_read"], IMPORTED.len(), "{report}");
    assert_eq!(report["imported"], IMPORTED.len(), "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    stack.wait_until(
        ARCHIVE_DEADLINE,
        &format!(
            "the sink {sink} is told that {}'s import finished",
            member.sim_user
        ),
        || {
            let received = stack.sink(&sink);
            let told = received.iter().any(|delivery| {
                delivery["json"]["type"] == "import_finished"
                    && delivery["status"]
                        .as_u64()
                        .is_some_and(|status| status < 300)
            });
            if told {
                Ok(())
            } else {
                Err(received)
            }
        },
    );
    IMPORTED
        .iter()
        .enumerate()
        .map(|(n, (_, played_at))| Play {
            played_at: *played_at,
            track_uri: imported_uri(shard, n),
        })
        .collect()
}

/// The rows of a CSV text (RFC 4180: quoted cells may hold commas, quotes, line breaks).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// The member's CSV and JSON exports, each as plays sorted.
#[track_caller]
fn exports(stack: &Stack, member: &Member<'_>) -> (Vec<Play>, Vec<Play>) {
    let csv = member.browser.get("/api/export?format=csv");
    assert_eq!(csv.status, 200, "{}", csv.body);
    let rows = csv_rows(&csv.body);
    let header = &rows[0];
    let column = |name: &str| {
        header
            .iter()
            .position(|cell| cell == name)
            .unwrap_or_else(|| stack.fail(&format!("the CSV has no {name}: {header:?}")))
    };
    let (at, uri) = (column("played_at_ms"), column("track_uri"));
    let mut from_csv: Vec<Play> = rows[1..]
        .iter()
        .map(|row| Play {
            played_at: row[at]
                .parse()
                .unwrap_or_else(|_| stack.fail(&format!("a CSV row without a time: {row:?}"))),
            track_uri: row[uri].clone(),
        })
        .collect();
    from_csv.sort();

    let exported = member.browser.get("/api/export?format=json");
    assert_eq!(exported.status, 200, "{}", exported.body);
    let exported = exported.json();
    assert_eq!(exported["user_id"], member.user_id.as_str());
    let mut from_json: Vec<Play> = exported["plays"]
        .as_array()
        .unwrap_or_else(|| stack.fail(&format!("the JSON export has no plays: {exported}")))
        .iter()
        .map(|play| Play {
            played_at: play["played_at"].as_i64().expect("played_at"),
            track_uri: play["track_uri"].as_str().expect("track_uri").to_owned(),
        })
        .collect();
    from_json.sort();
    (from_csv, from_json)
}

/// What one shard holds, per user: one query (one wrangler process) per shard.
#[derive(Debug, Default)]
struct Census {
    /// users.id → users.key.
    users: BTreeMap<String, i64>,
    /// Per table with a user_id column: user_id → rows.
    by_user: BTreeMap<&'static str, BTreeMap<String, i64>>,
    /// play_events.user_key → rows.
    plays: BTreeMap<i64, i64>,
    /// Plays whose track, and import rows whose import, is not in this shard.
    orphans: i64,
    /// The imported tracks (by URI) in this shard's catalogue.
    imported_tracks: BTreeSet<String>,
    /// user_shards (the directory, shard 0 only): user_id → shard.
    directory: BTreeMap<String, i64>,
}

/// The tables that name a user, and the column that does: a user's catalogue rows (what
/// their imports named) are theirs by `owner_user_id` (`''` once they are forgotten).
const USER_TABLES: [(&str, &str); 7] = [
    ("sessions", "user_id"),
    ("data_gaps", "user_id"),
    ("imports", "user_id"),
    ("notification_channels", "user_id"),
    ("notification_outbox", "user_id"),
    ("tracks", "owner_user_id"),
    ("albums", "owner_user_id"),
];

#[track_caller]
fn census(stack: &Stack, shard: usize) -> Census {
    let per_user = |(table, column): (&str, &str)| {
        format!(
            "(SELECT json_group_object({column}, n) FROM \
               (SELECT {column}, count(*) AS n FROM {table} \
                 WHERE {column} IS NOT NULL AND {column} != '' GROUP BY {column})) AS {table}"
        )
    };
    let sql = format!(
        "SELECT (SELECT json_group_object(id, key) FROM users) AS users, {}, \
           (SELECT json_group_object(user_key, n) FROM \
              (SELECT user_key, count(*) AS n FROM play_events GROUP BY user_key)) AS plays, \
           (SELECT count(*) FROM play_events WHERE track_key NOT IN (SELECT key FROM tracks)) \
             + (SELECT count(*) FROM import_chunks WHERE import_id NOT IN (SELECT id FROM imports)) \
             + (SELECT count(*) FROM import_errors WHERE import_id NOT IN (SELECT id FROM imports)) \
             AS orphans, \
           (SELECT json_group_array(coalesce(uri, 'spotify:track:' || id)) FROM tracks \
              WHERE id LIKE '0E2Eshard%') \
             AS imported_tracks, \
           (SELECT json_group_object(user_id, shard) FROM user_shards) AS directory",
        USER_TABLES.map(per_user).join(", ")
    );
    let rows = stack.d1_in(shard, &sql);
    let row = rows
        .first()
        .unwrap_or_else(|| stack.fail(&format!("no census of shard {shard}")));
    let object = |column: &str| -> BTreeMap<String, i64> {
        let text = row[column].as_str().unwrap_or("{}");
        let parsed: BTreeMap<String, Value> = serde_json::from_str(text).unwrap_or_else(|error| {
            stack.fail(&format!("{column} of shard {shard}: {error}: {text}"))
        });
        parsed
            .into_iter()
            .map(|(key, value)| (key, value.as_i64().unwrap_or(-1)))
            .collect()
    };
    let by_user = USER_TABLES
        .iter()
        .map(|(table, _)| (*table, object(table)))
        .collect();
    let imported_tracks: Vec<String> =
        serde_json::from_str(row["imported_tracks"].as_str().unwrap_or("[]")).unwrap_or_default();
    Census {
        users: object("users"),
        by_user,
        plays: object("plays")
            .into_iter()
            .map(|(key, n)| (key.parse().unwrap_or(-1), n))
            .collect(),
        orphans: row["orphans"].as_i64().unwrap_or(-1),
        // An imported track's id may carry a variant after `~` (its URI is without it).
        imported_tracks: imported_tracks
            .into_iter()
            .map(|uri| uri.split('~').next().unwrap_or_default().to_owned())
            .collect(),
        directory: object("directory"),
    }
}

/// The shards in which `user_id` has any row (users, its plays by key, or a table with
/// a user_id).
fn shards_holding(censuses: &[Census], user_id: &str) -> BTreeSet<usize> {
    censuses
        .iter()
        .enumerate()
        .filter(|(_, census)| {
            census.users.contains_key(user_id)
                || census
                    .by_user
                    .values()
                    .any(|counts| counts.contains_key(user_id))
        })
        .map(|(shard, _)| shard)
        .collect()
}

#[track_caller]
fn health(stack: &Stack) -> Value {
    let reply = stack.browser().get("/api/health");
    assert_eq!(reply.status, 200, "health: {}", reply.body);
    reply.json()
}

#[track_caller]
fn assert_every_shard_ok(health: &Value) {
    let shards = health["shards"].as_array().cloned().unwrap_or_default();
    assert_eq!(shards.len(), SHARDS, "{health}");
    for (shard, entry) in shards.iter().enumerate() {
        assert_eq!(entry["shard"], shard, "{health}");
        assert_eq!(entry["binding"], shard_binding(shard).as_str(), "{health}");
        assert_eq!(entry["status"], "ok", "{health}");
    }
    assert_eq!(health["ok"], true, "{health}");
}

/// `GET /api/admin/shards`: each shard's users, as the directory counts them.
#[track_caller]
fn admin_shards(stack: &Stack) -> Vec<Value> {
    let reply = stack.admin_get("/api/admin/shards");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let shards = reply.json()["shards"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(shards.len(), SHARDS, "{}", reply.body);
    for (shard, entry) in shards.iter().enumerate() {
        assert_eq!(entry["shard"], shard, "{entry}");
        assert_eq!(entry["binding"], shard_binding(shard).as_str(), "{entry}");
        assert_eq!(entry["weight"], 1, "{entry}");
        assert_eq!(entry["status"], "ok", "{entry}");
    }
    shards
}

#[test]
fn users_live_in_one_shard_each_and_leave_nothing_behind() {
    let stack = Stack::start_with_shards(SHARDS);
    assert_every_shard_ok(&health(&stack));

    // Three listeners; each new user goes to the emptiest shard, the lowest first.
    let members: Vec<Member<'_>> = (0..SHARDS)
        .map(|n| stack.join(&format!("sharded-{n}"), HISTORY))
        .collect();
    let directory = stack.user_shards();
    let placed: Vec<Option<usize>> = members
        .iter()
        .map(|member| directory.get(&member.user_id).copied())
        .collect();
    assert_eq!(
        placed,
        (0..SHARDS).map(Some).collect::<Vec<_>>(),
        "the 1st, 2nd and 3rd users go to shards 0, 1, 2: {directory:?}"
    );
    assert_eq!(directory.len(), SHARDS, "{directory:?}");
    let covered: BTreeSet<usize> = directory.values().copied().collect();
    assert_eq!(covered, (0..SHARDS).collect(), "every shard has a user");

    // The session cookie names the shard past the directory; a token sent to another
    // shard finds no session there.
    for (shard, member) in members.iter().enumerate() {
        let cookie = member.browser.cookie("stm_session").expect("a session");
        match cookie.split_once('.') {
            None => assert_eq!(shard, 0, "shard {shard}'s cookie has no shard: {cookie}"),
            Some((named, _)) => assert_eq!(named, shard.to_string(), "{cookie}"),
        }
    }
    let token = members[1]
        .browser
        .cookie("stm_session")
        .and_then(|cookie| cookie.split_once('.').map(|(_, token)| token.to_owned()))
        .expect("shard 1's token");
    let misdirected = stack.http(
        "GET",
        &format!("{}/api/status", stack.worker_url),
        &[("Cookie", format!("stm_session=2.{token}"))],
        None,
    );
    assert_eq!(misdirected.status, 401, "{}", misdirected.body);

    // The login's backfill archives each one in their shard.
    let backfilled: Vec<Value> = members
        .iter()
        .map(|member| {
            let status = member.browser.wait_for_poll(&json!({}), ARCHIVE_DEADLINE);
            assert_success(&status);
            let archive = stack.assert_archive_is_truth(&member.browser, &member.sim_user, &status);
            assert_eq!(archive.len(), HISTORY, "{}", member.sim_user);
            status
        })
        .collect();

    // New listening; everyone is due; one sweep claims each shard's users.
    for member in &members {
        stack.inject(&member.sim_user, NEW_PLAYS, 20_000);
    }
    for shard in 0..SHARDS {
        stack.d1_in(shard, "UPDATE users SET next_due_at = 0");
    }
    let summary = stack.sweep();
    assert_eq!(summary["enqueued"], SHARDS, "{summary}");
    for (member, before) in members.iter().zip(&backfilled) {
        let status = member.browser.wait_for_poll(before, ARCHIVE_DEADLINE);
        assert_success(&status);
        let truth = stack.truth(&member.sim_user);
        let archive = stack.assert_archive_is(&member.browser, &truth, &truth);
        assert_eq!(archive.len(), HISTORY + NEW_PLAYS, "{}", member.sim_user);
    }
    let last_sweep = health(&stack)["last_sweep"].clone();
    assert_eq!(last_sweep["enqueued"], SHARDS, "{last_sweep}");
    for shard in 0..SHARDS {
        let part = last_sweep["shards"]
            .as_array()
            .and_then(|parts| parts.iter().find(|part| part["shard"] == shard))
            .unwrap_or_else(|| stack.fail(&format!("no shard {shard} in {last_sweep}")));
        assert_eq!(part["users_due"], 1, "{part}");
        assert_eq!(part["enqueued"], 1, "{part}");
        assert_eq!(part["messages"], 1, "{part}");
        assert!(part["error"].is_null(), "{part}");
    }

    // The users of shards 1 and 2 import an old export (and are told when it is done).
    let mut imported: BTreeMap<usize, Vec<Play>> = BTreeMap::new();
    for (shard, member) in members.iter().enumerate().skip(1) {
        imported.insert(shard, import_export(&stack, member, shard));
    }

    // Every export is the archive: the simulator's plays and the imported ones.
    for (shard, member) in members.iter().enumerate() {
        let mut expected = stack.truth(&member.sim_user);
        expected.extend(imported.get(&shard).cloned().unwrap_or_default());
        let mut archive = stack.assert_archive_is(&member.browser, &expected, &expected);
        archive.sort();
        expected.sort();
        assert_eq!(archive, expected, "{}'s archive", member.sim_user);
        let (csv, json) = exports(&stack, member);
        assert_eq!(csv, archive, "{}'s CSV export", member.sim_user);
        assert_eq!(json, archive, "{}'s JSON export", member.sim_user);
    }
    let users: Vec<Value> = admin_shards(&stack)
        .iter()
        .map(|entry| entry["users"].clone())
        .collect();
    assert_eq!(users, vec![json!(1); SHARDS], "one user per shard");

    // The user of shard 2 leaves. Their rows are there until then (so that "nowhere"
    // below says something).
    let leaving = &members[2];
    let id = sql_text(&leaving.user_id);
    let before = stack.d1_in(
        2,
        &format!(
            "SELECT \
               (SELECT count(*) FROM sessions WHERE user_id = {id}) AS sessions, \
               (SELECT count(*) FROM play_events WHERE user_key = users.key) AS plays, \
               (SELECT count(*) FROM imports WHERE user_id = {id}) AS imports, \
               (SELECT count(*) FROM import_chunks WHERE import_id IN \
                  (SELECT id FROM imports WHERE user_id = {id})) AS chunks, \
               (SELECT count(*) FROM notification_channels WHERE user_id = {id}) AS channels, \
               (SELECT count(*) FROM notification_outbox WHERE user_id = {id}) AS outbox, \
               (SELECT count(*) FROM tracks WHERE owner_user_id = {id}) AS tracks \
             FROM users WHERE id = {id}"
        ),
    );
    let row = before
        .first()
        .unwrap_or_else(|| stack.fail(&format!("{} is not in shard 2", leaving.user_id)));
    assert_eq!(row["plays"], HISTORY + NEW_PLAYS + IMPORTED.len(), "{row}");
    for column in [
        "sessions", "imports", "chunks", "channels", "outbox", "tracks",
    ] {
        assert!(row[column].as_i64().unwrap_or(0) >= 1, "{column}: {row}");
    }
    let deleted = leaving.browser.post("/api/account/delete", "confirm=on");
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(
        leaving.browser.try_status().is_none(),
        "the session is gone"
    );

    // Every shard, by SQL: each staying user's rows are in their shard alone, and the
    // leaving user's nowhere.
    let censuses: Vec<Census> = (0..SHARDS).map(|shard| census(&stack, shard)).collect();
    let directory: BTreeMap<String, i64> = censuses[0].directory.clone();
    let expected_directory: BTreeMap<String, i64> = members[..2]
        .iter()
        .enumerate()
        .map(|(shard, member)| (member.user_id.clone(), shard as i64))
        .collect();
    assert_eq!(
        directory, expected_directory,
        "the directory after the deletion"
    );
    for (shard, census) in censuses.iter().enumerate() {
        if shard > 0 {
            assert!(
                census.directory.is_empty(),
                "shard {shard} files users: {census:?}"
            );
        }
        assert_eq!(census.orphans, 0, "shard {shard}: {census:?}");
        // Every play belongs to a user of this shard (keys are per shard).
        let keys: BTreeSet<i64> = census.users.values().copied().collect();
        for user_key in census.plays.keys() {
            assert!(
                keys.contains(user_key),
                "shard {shard} has plays of key {user_key}, no user of its own: {census:?}"
            );
        }
        // Each import's catalogue rows are in its user's shard only.
        let tracks: BTreeSet<String> = (0..IMPORTED.len())
            .map(|n| imported_uri(shard, n))
            .collect();
        // (A forgotten user's tracks keep no name: `spotify:deleted`.)
        let foreign: Vec<&String> = census
            .imported_tracks
            .iter()
            .filter(|uri| !tracks.contains(*uri) && *uri != "spotify:deleted")
            .collect();
        assert!(
            foreign.is_empty(),
            "shard {shard} holds another shard's tracks: {foreign:?}"
        );
        if shard == 1 {
            assert_eq!(census.imported_tracks, tracks, "shard 1's imported tracks");
        }
        if shard == 2 {
            assert!(
                census
                    .imported_tracks
                    .iter()
                    .all(|uri| uri == "spotify:deleted"),
                "the deleted user's tracks are forgotten: {:?}",
                census.imported_tracks
            );
        }
    }
    for (shard, member) in members[..2].iter().enumerate() {
        assert_eq!(
            shards_holding(&censuses, &member.user_id),
            BTreeSet::from([shard]),
            "{}'s rows are in shard {shard} alone: {censuses:#?}",
            member.user_id
        );
        let census = &censuses[shard];
        let key = census.users.get(&member.user_id).unwrap_or_else(|| {
            stack.fail(&format!("{} has no users row: {census:?}", member.user_id))
        });
        let archived = member.browser.plays().len() as i64;
        assert_eq!(census.plays.get(key), Some(&archived), "{census:?}");
        assert!(
            census.by_user["sessions"].contains_key(&member.user_id),
            "{census:?}"
        );
    }
    assert_eq!(
        censuses[1].by_user["imports"].get(&members[1].user_id),
        Some(&1),
        "{:?}",
        censuses[1]
    );
    assert!(censuses[1].by_user["notification_outbox"].contains_key(&members[1].user_id));
    assert_eq!(
        censuses[1].by_user["tracks"].get(&members[1].user_id),
        Some(&(IMPORTED.len() as i64)),
        "the imported tracks are the importer's, in their shard: {:?}",
        censuses[1]
    );
    assert_eq!(
        shards_holding(&censuses, &leaving.user_id),
        BTreeSet::new(),
        "the deleted user's rows: {censuses:#?}"
    );
    assert!(censuses[2].users.is_empty(), "{:?}", censuses[2]);
    assert!(censuses[2].plays.is_empty(), "{:?}", censuses[2]);

    // What the operator sees agrees.
    let users: Vec<Value> = admin_shards(&stack)
        .iter()
        .map(|entry| entry["users"].clone())
        .collect();
    assert_eq!(users, vec![json!(1), json!(1), json!(0)]);
    assert_every_shard_ok(&health(&stack));
    for member in &members[..2] {
        assert_success(&member.browser.status());
    }
}
