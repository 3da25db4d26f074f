//! What the archive takes on disk: plays archived through the real write path (the
//! simulator's pages, the archive batch) into the native twin, then SQLite's `dbstat`
//! says how many bytes each table and index holds (pages of 4 KiB, as D1's).
//!
//! A play's bytes are `play_events` (a WITHOUT ROWID table: its primary key's B-tree is
//! the table) and every index on it; the catalogue's are `tracks`, `albums`, `artists`,
//! `track_artists` and `contexts` with every index on them, autoindexes included.

use futures::executor::block_on;
use serde_json::json;
use support::{sim_config, World};
use time_machine::engine::job::JobUser;
use time_machine::engine::schedule::PollingPolicy;
use time_machine::engine::slot::scheduled_kind;
use time_machine::time::{MINUTE_MS, SECOND_MS};

use crate::archive_cost::connect;
use spotify_simulator::ServerConfig;

/// Where the integer keys start in a run at scale: as a deployment half-way to one D1
/// database's target of 3,000 user-years has them (1,500 users; 7.5 M tracks, half of
/// 3,000 users' 5,000 unshared tracks; albums, artists and contexts in proportion), so
/// that a key takes the bytes most keys of such a database take (SQLite stores an integer
/// in 1, 2, 3, 4, 6 or 8 bytes by its size: a user's key 2 bytes past 127 users, a
/// track's 3 past 32,767 tracks, 4 past 8.4 M). A placeholder row with the key holds each
/// sequence there (a new row takes the largest key + 1); the placeholders are deleted
/// before the database is sized.
pub const KEY_OFFSETS: [(&str, i64, &str); 5] = [
    (
        "users",
        1_500,
        "INSERT INTO users (id, spotify_id, authorized_at, created_at, updated_at, is_active, key)
         VALUES ('bench-keys', 'bench-keys', 0, 0, 0, 0, {key})",
    ),
    (
        "tracks",
        7_500_000,
        "INSERT INTO tracks (key, id, name, duration_ms) VALUES ({key}, 'bench-keys', '', 0)",
    ),
    (
        "albums",
        1_500_000,
        "INSERT INTO albums (key, id, name) VALUES ({key}, 'bench-keys', '')",
    ),
    (
        "artists",
        1_500_000,
        "INSERT INTO artists (key, id, name) VALUES ({key}, 'bench-keys', '')",
    ),
    (
        "contexts",
        500_000,
        "INSERT INTO contexts (key, uri) VALUES ({key}, 'bench-keys')",
    ),
];

/// The tables that make up the catalogue, shared by every user.
pub const CATALOGUE_TABLES: [&str; 5] =
    ["tracks", "albums", "artists", "track_artists", "contexts"];

#[derive(Debug, Clone)]
pub struct Storage {
    /// Whether the keys started at [`KEY_OFFSETS`] (a deployment's), or at 1.
    pub at_scale: bool,
    pub users: usize,
    pub archives: usize,
    pub plays: i64,
    pub tracks: i64,
    pub albums: i64,
    pub artists: i64,
    pub contexts: i64,
    /// `play_events` and every index on it, by name: bytes (dbstat).
    pub play_objects: Vec<(String, i64)>,
    /// The catalogue's tables and every index on them (autoindexes included), by name.
    pub catalogue_objects: Vec<(String, i64)>,
    /// The sum of [`Storage::play_objects`].
    pub play_bytes: i64,
    /// The sum of [`Storage::catalogue_objects`].
    pub catalogue_bytes: i64,
    pub total_bytes: i64,
}

impl Storage {
    pub fn bytes_per_play(&self) -> f64 {
        self.play_bytes as f64 / self.plays.max(1) as f64
    }

    pub fn catalogue_bytes_per_track(&self) -> f64 {
        self.catalogue_bytes as f64 / self.tracks.max(1) as f64
    }

    /// "play_events 1,234,567" for each object counted.
    pub fn describe(objects: &[(String, i64)]) -> String {
        objects
            .iter()
            .map(|(name, bytes)| format!("`{name}` {}", crate::stats::int(*bytes)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `users` listeners, each archived `archives` times in turn (45 new plays each time, the
/// users interleaved as the queue interleaves them), then sized by `dbstat`. Each listener
/// draws from a catalogue of its own (a simulator of its own, seeded apart), so no track,
/// album, artist or context is shared between users: the catalogue grows as the model's
/// worst case has it, and its bytes per track are those of a catalogue of thousands of
/// tracks, not of the one simulator's few hundred.
pub fn measure(users: usize, archives: usize, at_scale: bool) -> Storage {
    let worlds: Vec<World> = (0..users.max(1))
        .map(|n| {
            World::with(
                ServerConfig {
                    seed: 1_000 + n as u64,
                    ..sim_config()
                },
                PollingPolicy::default(),
            )
        })
        .collect();
    // One database for every listener: the first world's.
    let db = &worlds[0].db;
    let offsets: &[(&str, i64, &str)] = if at_scale { &KEY_OFFSETS } else { &[] };
    for (_, key, insert) in offsets {
        db.sql(&insert.replace("{key}", &key.to_string()), vec![]);
    }
    let listeners: Vec<(String, String)> = worlds
        .iter()
        .enumerate()
        .take(users)
        .map(|(n, world)| {
            let sim_id = format!("store-{n:03}");
            world.create_listener(&sim_id, json!({ "plays_per_hour": 0, "history_hours": 0 }));
            let user_id = connect(world, db, &sim_id);
            (sim_id, user_id)
        })
        .collect();
    let last_polled_at = |user_id: &str| {
        db.sql(
            "SELECT last_polled_at FROM users WHERE id = ?1",
            vec![json!(user_id)],
        )[0]["last_polled_at"]
            .as_i64()
    };
    for _ in 0..archives {
        // 45 plays per user and interval: a busy hour, never a full window.
        for world in &worlds {
            world.advance(40 * MINUTE_MS);
        }
        for (world, (sim_id, user)) in worlds.iter().zip(&listeners) {
            let archiver = world.archiver_over(db);
            world.inject(sim_id, 45, world.now() - SECOND_MS, 50 * SECOND_MS);
            let now = world.now();
            let job = JobUser::new(user, scheduled_kind(last_polled_at(user), now), now);
            block_on(archiver.archive_user(0, &job, now, now));
        }
    }
    for (table, key, _) in offsets {
        db.sql(&format!("DELETE FROM {table} WHERE key = {key}"), vec![]);
    }
    let world = &worlds[0];
    let count = |table: &str| {
        world
            .db
            .sql(&format!("SELECT count(*) AS n FROM {table}"), vec![])[0]["n"]
            .as_i64()
            .unwrap_or(0)
    };
    // Every table and index with its bytes: all of its pages (interior, leaf, overflow).
    let sizes: Vec<(String, String, i64)> = world
        .db
        .sql(
            "SELECT s.name AS name, coalesce(m.tbl_name, s.name) AS tbl, sum(s.pgsize) AS bytes
               FROM dbstat s LEFT JOIN sqlite_schema m ON m.name = s.name
              GROUP BY s.name ORDER BY s.name",
            vec![],
        )
        .iter()
        .map(|row| {
            (
                row["name"].as_str().unwrap_or_default().to_owned(),
                row["tbl"].as_str().unwrap_or_default().to_owned(),
                row["bytes"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    // A table's objects: itself and every index whose table it is (sqlite_schema's
    // tbl_name: `sqlite_autoindex_*` of its UNIQUE constraints included).
    let objects = |tables: &[&str]| -> Vec<(String, i64)> {
        let mut found: Vec<(String, i64)> = Vec::new();
        for table in tables {
            found.extend(
                sizes
                    .iter()
                    .filter(|(_, tbl, _)| tbl == table)
                    .map(|(name, _, bytes)| (name.clone(), *bytes)),
            );
        }
        found
    };
    let play_objects = objects(&["play_events"]);
    let catalogue_objects = objects(&CATALOGUE_TABLES);
    Storage {
        at_scale,
        users,
        archives,
        plays: count("play_events"),
        tracks: count("tracks"),
        albums: count("albums"),
        artists: count("artists"),
        contexts: count("contexts"),
        play_bytes: play_objects.iter().map(|(_, bytes)| bytes).sum(),
        catalogue_bytes: catalogue_objects.iter().map(|(_, bytes)| bytes).sum(),
        play_objects,
        catalogue_objects,
        total_bytes: sizes.iter().map(|(_, _, bytes)| bytes).sum(),
    }
}
