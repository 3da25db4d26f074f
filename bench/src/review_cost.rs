//! What one year in review costs D1: a heavy listener's year (40,000 plays, 40,000 the
//! year before, 100,000 imported plays of nine years before that; 3,000 tracks by 600
//! artists), reviewed once on the twin with its round trips recorded, then replayed
//! through the local runtime's D1 ([`crate::meter`]) for D1's own rows read and written.
//!
//! `cargo run -q -p bench -- review-rows`

use futures::executor::block_on;
use time_machine::history::review::{ReviewPeriod, ReviewRange};
use time_machine::history::ZoneSource;
use time_machine::testing::zones::zone;
use time_machine::testing::SqliteDatabase;
use time_machine::time::UnixMillis;
use time_machine::web::review::review_for;

use crate::meter::{self, MeterDb, Metered};
use crate::twins::Recorder;

/// 15 January 2027: the year 2026 has ended.
const NOW: UnixMillis = 1_799_928_000_000;

/// The archive, as SQL both databases run: the user (in Berlin), the catalogue and the
/// plays (tracks chosen by a stride through the catalogue: every track of the range
/// played about equally).
pub fn archive_sql() -> Vec<String> {
    let day = 86_400_000_i64;
    let plays = |from: i64, count: i64, step: i64, tracks: i64, source: i64| {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {count})
             INSERT INTO play_events (user_key, track_key, played_at, source)
             SELECT (SELECT key FROM users WHERE id = 'u1'), (i * 7919) % {tracks} + 1, {from} + i * {step}, {source} FROM n"
        )
    };
    vec![
        "INSERT INTO users (id, spotify_id, display_name, authorized_at, created_at, updated_at, next_due_at, time_zone)
         VALUES ('u1', 'u1', 'u1', 0, 0, 0, 0, 'Europe/Berlin')".to_owned(),
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 599)
         INSERT INTO artists (id, name) SELECT 'a' || i, 'Artist ' || i FROM n".to_owned(),
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299)
         INSERT INTO albums (id, name) SELECT 'al' || i, 'Album ' || i FROM n".to_owned(),
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2999)
         INSERT INTO tracks (id, name, duration_ms, album_key)
         SELECT 't' || i, 'Track ' || i, 150000 + i, (SELECT key FROM albums WHERE id = 'al' || (i % 300)) FROM n".to_owned(),
        "INSERT INTO track_artists (track_key, artist_key, position)
         SELECT t.key, a.key, 0 FROM tracks t JOIN artists a ON a.id = 'a' || ((t.key - 1) % 600)".to_owned(),
        // 2016 to 2024: imported history of the first 2,000 tracks.
        plays(1_451_606_400_000, 100_000, 9 * 365 * day / 100_000, 2_000, 1),
        // 2025 and 2026 (UTC starts; the review's year is Berlin's).
        plays(1_735_689_600_000, 40_000, 365 * day / 40_000, 2_500, 0),
        plays(1_767_225_600_000, 40_000, 365 * day / 40_000, 3_000, 0),
    ]
}

/// The review's batch as measured: its round trips and statements on the twin, D1's
/// counters for the whole batch, and for each statement alone (its first SQL line).
pub struct ReviewCost {
    pub round_trips: usize,
    pub statements: usize,
    pub batch: Metered,
    pub each: Vec<(String, Metered)>,
}

/// The review's round trips on the twin, and D1's counters for them.
pub fn run() -> Result<ReviewCost, String> {
    let db = SqliteDatabase::new();
    for sql in archive_sql() {
        db.execute_batch(&sql);
    }
    let recorder = Recorder::new(&db);
    recorder.label("review");
    let range = ReviewRange::new(
        ReviewPeriod::Year(2026),
        zone("Europe/Berlin"),
        ZoneSource::Saved,
    )
    .map_err(|error| format!("{error:?}"))?;
    block_on(review_for(&recorder, "u1", &range, NOW)).map_err(|error| error.to_string())?;
    let (round_trips, statements) = recorder.counts("review");
    let mut setup = meter::migration_statements();
    setup.extend(archive_sql());
    let trips = recorder.trips("review");
    // The same statements once more, one round trip each: what each one reads.
    let mut steps = trips.clone();
    for trip in &trips {
        for statement in &trip.statements {
            let mut alone = trip.clone();
            alone.batch = false;
            alone.statements = vec![statement.clone()];
            alone.results = Vec::new();
            alone.label = statement.sql.lines().next().unwrap_or_default().to_owned();
            steps.push(alone);
        }
    }
    let results = meter::run(&e2e::workspace_root(), &[MeterDb { setup, steps }])?;
    let mut metered = results.into_iter().next().unwrap_or_default().into_iter();
    let batch = metered.next().ok_or("the meter answered nothing")?;
    let each = metered.map(|step| (step.label.clone(), step)).collect();
    Ok(ReviewCost {
        round_trips,
        statements,
        batch,
        each,
    })
}
