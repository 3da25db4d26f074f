//! What the archive takes on disk: plays archived through the real write path (the
//! simulator's pages, the archive batch) into the native twin, then SQLite's `dbstat`
//! says how many bytes each table and index holds (pages of 4 KiB, as D1's).

use futures::executor::block_on;
use serde_json::json;
use time_machine::archive::Archiver;
use time_machine::job::JobUser;
use time_machine::slot::scheduled_kind;
use time_machine::time::{MINUTE_MS, SECOND_MS};

use crate::archive_cost::{connect, last_polled_at};
use crate::support::World;

#[derive(Debug, Clone)]
pub struct Storage {
    pub users: usize,
    pub plays: i64,
    pub tracks: i64,
    /// `play_events` with its two indexes, bytes.
    pub play_bytes: i64,
    /// `tracks`, `albums`, `artists`, `track_artists` and their indexes, bytes.
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
}

pub fn measure(users: usize, archives: usize) -> Storage {
    let world = World::new();
    let ids: Vec<String> = (0..users)
        .map(|n| {
            let sim_id = format!("store-{n:03}");
            world.create_listener(&sim_id, json!({ "plays_per_hour": 0, "history_hours": 0 }));
            connect(&world, &world.db, &sim_id)
        })
        .collect();
    let archiver = Archiver {
        db: &world.db,
        kv: &world.kv,
        http: &world.spotify,
        endpoints: &world.endpoints,
        credentials: &world.credentials,
        cipher: &world.cipher,
        policy: world.policy,
    };
    for _ in 0..archives {
        // 45 plays per user and interval: a busy hour, never a full window.
        world.advance(40 * MINUTE_MS);
        for (n, user) in ids.iter().enumerate() {
            let sim_id = format!("store-{n:03}");
            world.inject(&sim_id, 45, world.now() - SECOND_MS, 50 * SECOND_MS);
            let now = world.now();
            let job = JobUser::new(user, scheduled_kind(last_polled_at(&world, user), now), now);
            block_on(archiver.archive_user(&job, now, now));
        }
    }
    let count = |table: &str| {
        world
            .db
            .sql(&format!("SELECT count(*) AS n FROM {table}"), vec![])[0]["n"]
            .as_i64()
            .unwrap_or(0)
    };
    let bytes = |names: &[&str]| -> i64 {
        let list = names
            .iter()
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(",");
        world.db.sql(
            &format!("SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat WHERE name IN ({list})"),
            vec![],
        )[0]["n"]
            .as_i64()
            .unwrap_or(0)
    };
    let index_names = |table: &str| -> Vec<String> {
        world
            .db
            .sql(
                "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1",
                vec![json!(table)],
            )
            .iter()
            .filter_map(|row| row["name"].as_str().map(str::to_owned))
            .collect()
    };
    let with_indexes = |tables: &[&str]| -> i64 {
        let mut names: Vec<String> = tables.iter().map(|t| (*t).to_owned()).collect();
        for table in tables {
            names.extend(index_names(table));
        }
        bytes(&names.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let total = world
        .db
        .sql("SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat", vec![])[0]["n"]
        .as_i64()
        .unwrap_or(0);
    Storage {
        users,
        plays: count("play_events"),
        tracks: count("tracks"),
        play_bytes: with_indexes(&["play_events"]),
        catalogue_bytes: with_indexes(&["tracks", "albums", "artists", "track_artists"]),
        total_bytes: total,
    }
}
