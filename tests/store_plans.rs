//! The store's SQL on SQLite (D1's engine): every statement reads through an index, and
//! the sweep, the login upsert and the shared catalogue behave as the schema promises.

use std::collections::{BTreeMap, BTreeSet};

use futures::executor::block_on;
use rusqlite::{Connection, StatementStatus};
use serde_json::json;
use time_machine::crypto::TokenCipher;
use time_machine::engine::breaker::{cooldown_after, FailureKind};
use time_machine::engine::schedule::PollingPolicy;
use time_machine::engine::sweep::{run_sweep, SweepConfig};
use time_machine::engine::write_plan::{plan_archive, PollState};
use time_machine::shards::Shards;
use time_machine::spotify::profile::Profile;
use time_machine::spotify::recently_played::parse_recently_played;
use time_machine::store::archive::SealedTokens;
use time_machine::store::{Store, ALL_STATEMENTS};
use time_machine::testing::{MemoryQueue, SqliteDatabase, MIGRATIONS};
use time_machine::time::{UnixMillis, HOUR_MS, MINUTE_MS};

const NOW: UnixMillis = 1_772_409_600_000;
const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

// ---------------------------------------------------------------------------------------
// Query plans

/// The real tables of the schema.
fn tables(db: &SqliteDatabase) -> BTreeSet<String> {
    db.sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        vec![],
    )
    .iter()
    .map(|row| row["name"].as_str().expect("a name").to_owned())
    .collect()
}

/// The identifiers a statement names (tables, aliases, columns, keywords).
fn words(sql: &str) -> BTreeSet<&str> {
    tokens(sql).into_iter().collect()
}

/// Identifiers and single punctuation characters, in order.
fn tokens(sql: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (index, c) in sql.char_indices() {
        let word_char = c.is_ascii_alphanumeric() || c == '_';
        match (word_char, start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                tokens.push(&sql[from..index]);
                start = None;
            }
            _ => {}
        }
        if !word_char && !c.is_whitespace() {
            tokens.push(&sql[index..index + c.len_utf8()]);
        }
    }
    if let Some(from) = start {
        tokens.push(&sql[from..]);
    }
    tokens
}

/// The real table behind each name a statement reads from: the tables themselves and
/// their aliases (`FROM play_events p`, `JOIN tracks AS t`). CTEs and subqueries are not
/// tables; scanning their materialised rows is fine.
fn table_names(sql: &str, tables: &BTreeSet<String>) -> BTreeMap<String, String> {
    const NOT_ALIASES: &[&str] = &[
        "WHERE",
        "JOIN",
        "LEFT",
        "INNER",
        "CROSS",
        "ON",
        "GROUP",
        "ORDER",
        "LIMIT",
        "UNION",
        "SET",
        "USING",
        "AND",
        "WINDOW",
        "HAVING",
        "VALUES",
        "RETURNING",
        "NATURAL",
        "INDEXED",
        "NOT",
    ];
    let tokens = tokens(sql);
    let mut names: BTreeMap<String, String> = tables
        .iter()
        .map(|table| (table.clone(), table.clone()))
        .collect();
    for (index, token) in tokens.iter().enumerate() {
        let opens = token.eq_ignore_ascii_case("FROM") || token.eq_ignore_ascii_case("JOIN");
        let Some(table) = tokens
            .get(index + 1)
            .filter(|next| opens && tables.contains(**next))
        else {
            continue;
        };
        let mut alias = tokens.get(index + 2).copied();
        if alias.is_some_and(|word| word.eq_ignore_ascii_case("AS")) {
            alias = tokens.get(index + 3).copied();
        }
        if let Some(alias) = alias.filter(|word| {
            word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !NOT_ALIASES
                    .iter()
                    .any(|keyword| word.eq_ignore_ascii_case(keyword))
        }) {
            names.insert(alias.to_owned(), (*table).to_owned());
        }
    }
    names
}

/// One line of a query plan, read.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Walks a whole table, or a whole index without a LIMIT to stop it: the table.
    FullScan(String),
    /// Reads part of a table or index, or reads no table at all (json_each, a CTE or
    /// subquery already built, a temporary b-tree).
    Fine,
}

fn read_step(line: &str, sql: &str, names: &BTreeMap<String, String>) -> Step {
    let Some(rest) = line.strip_prefix("SCAN ") else {
        return Step::Fine;
    };
    let target = rest.split_whitespace().next().unwrap_or_default();
    // An index walked in order is fine when a LIMIT stops it (the newest sweep).
    let stopped_early = rest.contains(" USING ") && words(sql).contains("LIMIT");
    match names.get(target) {
        Some(table) if !stopped_early => Step::FullScan(table.clone()),
        _ => Step::Fine,
    }
}

/// The full scans in a statement's plan, split into the statement's own reads and the
/// foreign-key checks SQLite plans on tables the statement does not name (the schema has
/// no triggers or views, so nothing else brings other tables into a plan).
fn full_scans(db: &SqliteDatabase, sql: &str) -> (Vec<String>, Vec<String>) {
    let tables = tables(db);
    let names = table_names(sql, &tables);
    let named = words(sql);
    let (mut own, mut foreign_key_checks) = (Vec::new(), Vec::new());
    for line in db.query_plan(sql) {
        if let Step::FullScan(table) = read_step(&line, sql, &names) {
            if named.contains(table.as_str()) {
                own.push(line);
            } else {
                foreign_key_checks.push(line);
            }
        }
    }
    (own, foreign_key_checks)
}

#[test]
fn the_plan_reader_catches_full_scans_and_passes_index_searches() {
    let db = SqliteDatabase::new();
    let scans = [
        "SELECT id FROM artists WHERE name = ?1",
        "SELECT count(*) AS n FROM play_events WHERE track_key = ?1",
        "SELECT p.played_at FROM play_events p WHERE p.context_key = ?1",
        "SELECT t.id FROM albums AS al JOIN tracks AS t ON t.album_key = al.key WHERE al.id = ?1",
    ];
    for sql in scans {
        assert_eq!(
            full_scans(&db, sql).0.len(),
            1,
            "{sql}: {:?}",
            db.query_plan(sql)
        );
    }
    let fine = [
        "SELECT display_name FROM users WHERE id = ?1",
        "SELECT p.played_at FROM play_events p WHERE p.user_key = ?1",
        "WITH mine AS MATERIALIZED (SELECT track_key FROM play_events WHERE user_key = ?1)
         SELECT count(*) FROM mine",
        "SELECT started_at FROM sweeps ORDER BY started_at DESC LIMIT 1",
    ];
    for sql in fine {
        assert_eq!(
            full_scans(&db, sql),
            (vec![], vec![]),
            "{sql}: {:?}",
            db.query_plan(sql)
        );
    }
}

#[test]
fn every_statement_of_the_store_reads_through_an_index() {
    let db = SqliteDatabase::new();
    // A trigger's statements do not show in the plan of the statement that fires it: each
    // trigger's statements (a new user's key; the directory's count of users per shard; a
    // polled play queued for its user's forwarding destinations; a track's first hearing,
    // for the year in review) are checked here with
    // the store's, their NEW and OLD columns as parameters.
    let triggers = db.sql(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name",
        vec![],
    );
    let names: Vec<&str> = triggers
        .iter()
        .filter_map(|trigger| trigger["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "play_events_forward",
            "play_events_track_first",
            "shard_users_on_delete",
            "shard_users_on_insert",
            "users_key_on_insert"
        ]
    );
    let trigger_statements: Vec<String> = triggers
        .iter()
        .flat_map(|trigger| {
            let body = trigger["sql"].as_str().expect("the trigger's SQL");
            let (_, rest) = body.split_once("BEGIN").expect("BEGIN");
            let (inner, _) = rest.rsplit_once("END").expect("END");
            inner
                .split(';')
                .map(str::trim)
                .filter(|statement| !statement.is_empty())
                .map(|statement| {
                    statement
                        .replace("NEW.id", "?1")
                        .replace("NEW.shard", "?1")
                        .replace("OLD.shard", "?1")
                        .replace("NEW.user_key", "?1")
                        .replace("NEW.played_at", "?2")
                        .replace("NEW.track_key", "?3")
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(trigger_statements.len(), 6, "{trigger_statements:?}");
    let offenders: Vec<String> = ALL_STATEMENTS
        .iter()
        .copied()
        .chain(trigger_statements.iter().map(String::as_str))
        .filter_map(|sql| {
            let (own, _) = full_scans(&db, sql);
            (!own.is_empty()).then(|| format!("{sql}\n  -> {own:?}"))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "full scans:\n{}",
        offenders.join("\n")
    );
}

/// The catalogue upserts are the only statements whose plans hold a foreign-key scan: the
/// check of child rows SQLite plans for each new parent row (`tracks` has no index on
/// `album_key`, `track_artists` none on `artist_key`; `play_events` declares no foreign
/// keys). SQLite runs that check only while
/// constraint violations are pending, which an immediate constraint never leaves behind,
/// so the scan never runs. Pinned here: the work does not grow with the child tables.
#[test]
fn the_foreign_key_scans_in_the_catalogue_upserts_never_run() {
    let db = SqliteDatabase::new();
    let with_checks: Vec<&str> = ALL_STATEMENTS
        .iter()
        .copied()
        .filter(|sql| !full_scans(&db, sql).1.is_empty())
        .collect();
    let heads: Vec<&str> = with_checks
        .iter()
        .map(|sql| sql.lines().next().unwrap_or_default())
        .collect();
    assert_eq!(
        heads,
        [
            "INSERT INTO artists (id, name)",
            "INSERT INTO albums (id, name, image, release_date)",
            // The import's album insert (src/store/imports.rs): the same check.
            "INSERT INTO albums (id, name, owner_user_id)",
        ]
    );

    let steps = |plays: usize| -> Vec<(i32, i32)> {
        let connection = catalogue_with_plays(plays);
        let artists = r#"[{"id":"ar-new","name":"New"},{"id":"ar-0","name":"Renamed"}]"#;
        let albums = r#"[{"id":"al-new","name":"New"},{"id":"al-0","name":"Renamed"}]"#;
        [(with_checks[0], artists), (with_checks[1], albums)]
            .into_iter()
            .map(|(sql, json)| {
                let mut statement = connection.prepare(sql).expect("prepares");
                statement.execute(rusqlite::params![json]).expect("runs");
                (
                    statement.get_status(StatementStatus::FullscanStep),
                    statement.get_status(StatementStatus::VmStep),
                )
            })
            .collect()
    };
    let small = steps(10);
    let large = steps(50_000);
    assert!(
        small.iter().all(|(full_scan, _)| *full_scan == 0),
        "{small:?}"
    );
    assert_eq!(small, large, "(full-scan steps, VM steps) per upsert");
}

/// A database like D1's with 1,000 tracks on one album by one artist and `plays` plays of
/// them from one context.
fn catalogue_with_plays(plays: usize) -> Connection {
    let connection = Connection::open_in_memory().expect("opens");
    connection
        .execute_batch("PRAGMA foreign_keys = ON;")
        .expect("pragma");
    for migration in MIGRATIONS {
        connection.execute_batch(migration).expect("migrates");
    }
    connection
        .execute_batch(&format!(
            "INSERT INTO users (id, spotify_id, authorized_at, created_at, updated_at)
                  VALUES ('u', 'u', 0, 0, 0);
             INSERT INTO albums (id, name) VALUES ('al-0', 'Album');
             INSERT INTO artists (id, name) VALUES ('ar-0', 'Artist');
             INSERT INTO contexts (uri) VALUES ('spotify:album:0');
             WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
             INSERT INTO tracks (id, name, duration_ms, album_key)
             SELECT 't-' || i, 'Track', 1, (SELECT key FROM albums WHERE id = 'al-0') FROM n;
             INSERT INTO track_artists (track_key, artist_key, position)
             SELECT key, (SELECT key FROM artists WHERE id = 'ar-0'), 0 FROM tracks;
             WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
             INSERT INTO play_events (user_key, track_key, played_at, context_key)
             SELECT (SELECT key FROM users WHERE id = 'u'), (SELECT key FROM tracks WHERE id = 't-' || (i % 1000)), i,
                    (SELECT key FROM contexts)
               FROM n;",
            last = plays - 1
        ))
        .expect("fills");
    connection
}

// ---------------------------------------------------------------------------------------
// Users, the sweep and the lease

fn profile(account_id: Option<&str>, spotify_id: &str, name: &str) -> Profile {
    Profile {
        id: spotify_id.to_owned(),
        account_id: account_id.map(str::to_owned),
        display_name: Some(name.to_owned()),
        email: None,
        country: Some("SE".to_owned()),
        product: Some("premium".to_owned()),
    }
}

fn sealed_tokens(user_id: &str, now: UnixMillis) -> SealedTokens {
    let cipher = TokenCipher::new(KEY, None).expect("key");
    SealedTokens {
        access_token_enc: cipher.seal("access", user_id).expect("seal"),
        refresh_token_enc: Some(cipher.seal("refresh", user_id).expect("seal")),
        expires_at: now + HOUR_MS,
    }
}

/// Logs a user in at `now` and sets when they are due.
fn user_due_at(db: &SqliteDatabase, id: &str, due: UnixMillis) {
    let store = Store::new(db);
    block_on(store.upsert_user_on_login(&profile(Some(id), id, id), &sealed_tokens(id, NOW), NOW))
        .expect("login");
    db.sql(
        "UPDATE users SET next_due_at = ?2 WHERE id = ?1",
        vec![json!(id), json!(due)],
    );
}

fn sweep(db: &SqliteDatabase, config: &SweepConfig, now: UnixMillis) -> (Vec<String>, usize) {
    let queue = MemoryQueue::default();
    let summary = block_on(run_sweep(
        &Shards::single(db),
        &queue,
        config,
        "cron",
        now,
        || now,
    ));
    assert_eq!(summary.error, None);
    let users: Vec<String> = queue
        .messages()
        .iter()
        .flat_map(|job| job.users.iter().map(|user| user.user_id.clone()))
        .collect();
    assert_eq!(users.len(), summary.enqueued);
    (users, summary.skipped_cooldown)
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn the_sweep_claims_the_most_overdue_users_first() {
    let db = SqliteDatabase::new();
    for (id, minutes_overdue) in [("a", 10), ("b", 40), ("c", 20), ("d", 30), ("e", -5)] {
        user_due_at(&db, id, NOW - minutes_overdue * MINUTE_MS);
    }
    let two = SweepConfig {
        max_users: 2,
        ..SweepConfig::default()
    };

    assert_eq!(sorted(sweep(&db, &two, NOW).0), ["b", "d"]);
    assert_eq!(sorted(sweep(&db, &two, NOW).0), ["a", "c"]);
    assert_eq!(
        sweep(&db, &two, NOW).0,
        Vec::<String>::new(),
        "e is not due"
    );
}

#[test]
fn the_sweep_skips_users_in_a_cooldown_and_counts_them() {
    let db = SqliteDatabase::new();
    user_due_at(&db, "resting", NOW - HOUR_MS);
    user_due_at(&db, "ready", NOW - HOUR_MS);
    let cooldown = cooldown_after(FailureKind::Network, 0, None, NOW - MINUTE_MS);
    block_on(Store::new(&db).record_failure(
        "resting",
        FailureKind::Network,
        cooldown,
        NOW - MINUTE_MS,
    ))
    .expect("failure recorded");
    // Overdue all the same: only the cooldown holds the user back.
    db.sql(
        "UPDATE users SET next_due_at = ?2 WHERE id = ?1",
        vec![json!("resting"), json!(NOW - HOUR_MS)],
    );

    assert_eq!(
        sweep(&db, &SweepConfig::default(), NOW),
        (vec!["ready".to_owned()], 1)
    );
    let after = cooldown.until;
    assert_eq!(
        sweep(&db, &SweepConfig::default(), after),
        (vec!["resting".to_owned()], 0)
    );
}

#[test]
fn a_claimed_user_is_not_claimed_again_within_the_lease() {
    let db = SqliteDatabase::new();
    user_due_at(&db, "solo", NOW);
    let config = SweepConfig::default();
    assert_eq!(config.lease_ms, 10 * MINUTE_MS);

    assert_eq!(sweep(&db, &config, NOW).0, ["solo"]);
    for minutes in [0, 1, 5, 9] {
        assert!(
            sweep(&db, &config, NOW + minutes * MINUTE_MS).0.is_empty(),
            "claimed again {minutes} min later"
        );
    }
    // The archive never ran: the user comes back when the lease ends.
    assert_eq!(sweep(&db, &config, NOW + config.lease_ms).0, ["solo"]);
}

#[test]
fn a_login_is_filed_under_the_account_id() {
    let db = SqliteDatabase::new();
    let store = Store::new(&db);
    let first = profile(Some("acc-1"), "spotify-a", "Ann");
    assert!(
        block_on(store.upsert_user_on_login(&first, &sealed_tokens("acc-1", NOW), NOW))
            .expect("login")
    );

    // The same account again, under a new Spotify id and name: the same row.
    let later = NOW + HOUR_MS;
    let again = profile(Some("acc-1"), "spotify-b", "Ann B.");
    assert!(
        !block_on(store.upsert_user_on_login(&again, &sealed_tokens("acc-1", later), later))
            .expect("login")
    );
    let rows = db.sql(
        "SELECT id, spotify_id, display_name, created_at, next_due_at FROM users",
        vec![],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            &rows[0]["id"],
            &rows[0]["spotify_id"],
            &rows[0]["display_name"]
        ),
        (&json!("acc-1"), &json!("spotify-b"), &json!("Ann B."))
    );
    assert_eq!(
        (&rows[0]["created_at"], &rows[0]["next_due_at"]),
        (&json!(NOW), &json!(later)),
        "kept its creation, due at once"
    );

    // Without an account id, the Spotify id is the key.
    let legacy = profile(None, "spotify-c", "Cy");
    assert!(
        block_on(store.upsert_user_on_login(&legacy, &sealed_tokens("spotify-c", NOW), NOW))
            .expect("login")
    );
    assert_eq!(
        db.sql("SELECT id FROM users WHERE id = 'spotify-c'", vec![])
            .len(),
        1
    );
}

// ---------------------------------------------------------------------------------------
// The shared catalogue

fn page_body(played_at: &str) -> String {
    json!({ "items": [
        { "played_at": played_at, "context": { "uri": "spotify:album:al1" },
          "track": { "id": "t1", "uri": "spotify:track:t1", "name": "Shared", "duration_ms": 200000,
                     "is_local": false, "explicit": false,
                     "artists": [ { "id": "a1", "name": "One", "uri": "spotify:artist:a1" },
                                  { "id": "a2", "name": "Two", "uri": "spotify:artist:a2" } ],
                     "album": { "id": "al1", "name": "Album", "uri": "spotify:album:al1",
                                "images": [ { "url": "https://i.test/300", "width": 300 } ],
                                "release_date": "2020-01-01" } } }
    ] })
    .to_string()
}

#[test]
fn catalogue_rows_shared_by_two_users_are_written_once() {
    let db = SqliteDatabase::new();
    user_due_at(&db, "u1", NOW);
    user_due_at(&db, "u2", NOW);
    let store = Store::new(&db);
    let first_write = NOW + MINUTE_MS;
    let second_write = NOW + 2 * MINUTE_MS;
    let total_changes = || db.sql("SELECT total_changes() AS n", vec![])[0]["n"].as_i64();
    let mut changes = Vec::new();
    for (user, at, played_at) in [
        ("u1", first_write, "2026-03-02T00:00:30.000Z"),
        ("u2", second_write, "2026-03-02T00:01:30.000Z"),
    ] {
        let before = total_changes();
        let page = parse_recently_played(&page_body(played_at)).expect("page");
        let state = PollState {
            cursor_after: None,
            last_success_at: None,
            after_downtime: false,
        };
        let plan = plan_archive(&page, &state, &PollingPolicy::default(), at);
        block_on(store.write_archive(user, &plan, None, Default::default())).expect("written");
        changes.push(
            total_changes()
                .zip(before)
                .map(|(after, before)| after - before),
        );
    }

    let count =
        |table: &str| db.sql(&format!("SELECT count(*) AS n FROM {table}"), vec![])[0]["n"].clone();
    assert_eq!(
        [
            count("tracks"),
            count("albums"),
            count("artists"),
            count("track_artists"),
            count("play_events")
        ],
        [json!(1), json!(1), json!(2), json!(2), json!(2)]
    );
    // The first write: the track, its album, two artists and their links, the context,
    // the play, the user's first hearing of the track (`track_firsts`, for the year in
    // review) and the user's state. The second finds the catalogue as it is and writes
    // only the play, the second user's first hearing and their state: unchanged rows are
    // not rewritten.
    assert_eq!(changes, [Some(10), Some(3)]);
}
