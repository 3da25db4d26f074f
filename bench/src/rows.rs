//! Rows written per new play: one listener's hourly polls (the access token refreshed
//! first, as every hourly poll does), on a catalogue that holds none of the page's tracks
//! (cold) and on one that holds every one of them (warm), and a poll that finds nothing.
//!
//! Each run is a fresh database: a listener logs in and is polled once with nothing to
//! find; an hour later N plays have been made and the next poll archives them (**cold**:
//! every track, album, artist and context is new to D1, each written once however often
//! the page repeats it). Then the plays (and the possible gap) are deleted and the user's
//! cursor and poll times put back, so the following poll archives **the same N plays
//! again** (**warm**: every catalogue row they need is stored). An hour later a poll finds
//! nothing new (its overlap behind the cursor brings a few plays back, which it reads and
//! does not write). The resets are filed as setup, as is the login. The user's first
//! hearings (`track_firsts`, migration 0010) are not reset: the warm poll's tracks are
//! ones the user has heard, as most plays are, and write nothing there; a track heard
//! for the first time writes 2 rows more (its row and index entry), as the cold poll
//! shows.
//!
//! Rows written per new play, two ways: **marginal**, (rows of the poll with N new plays −
//! rows of the poll that finds nothing) / N, what one more play costs; and **whole**, rows
//! of the poll / N, what a poll's plays cost with the poll's own writes (the user's row)
//! shared among them. Rows are counted twice: natively ([`crate::written`], what
//! `bench check` guards) and by D1's own counters ([`crate::meter`]).

use futures::executor::block_on;
use serde_json::{json, Value};
use support::{World, START};
use time_machine::engine::archive::ArchiveOutcome;
use time_machine::engine::job::JobUser;
use time_machine::engine::slot::scheduled_kind;
use time_machine::ports::{Database, Statement};
use time_machine::time::{UnixMillis, HOUR_MS, MINUTE_MS, SECOND_MS};

use crate::archive_cost::{connect, last_polled_at};
use crate::meter::{migration_statements, MeterDb, Metered};
use crate::twins::{Recorder, RoundTrip};
use crate::written::{self, Written};

/// The sizes measured: a day hour of a typical listener, and a full page.
pub const PLAY_COUNTS: [usize; 2] = [15, 50];

/// One poll, counted.
#[derive(Debug, Clone)]
pub struct Poll {
    pub key: &'static str,
    pub round_trips: usize,
    pub statements: usize,
    pub spotify_calls: usize,
    pub plays_inserted: usize,
    pub gap: bool,
    pub outcome: String,
    /// Rows written, counted natively.
    pub native: Written,
    /// D1's own counters.
    pub d1: Option<Metered>,
}

impl Poll {
    /// D1's rows written, or the native count when D1's could not be read.
    pub fn rows_written(&self) -> i64 {
        self.d1
            .as_ref()
            .map_or(self.native.total(), |d1| d1.rows_written as i64)
    }
}

/// N new plays, cold and warm, and a poll that finds nothing.
#[derive(Debug, Clone)]
pub struct RowsRun {
    pub plays: usize,
    pub cold: Poll,
    pub warm: Poll,
    pub nothing: Poll,
    /// Every round trip, the login's and the resets' included, in order.
    pub trips: Vec<RoundTrip>,
}

/// Rows per new play: (marginal, whole) of `rows` written by a poll of `plays` new plays,
/// against `nothing` written by a poll that finds nothing.
pub fn per_play(rows: i64, nothing: i64, plays: usize) -> (f64, f64) {
    let plays = plays.max(1) as f64;
    ((rows - nothing) as f64 / plays, rows as f64 / plays)
}

impl RowsRun {
    /// (marginal, whole), by D1's counters (native when D1's could not be read).
    pub fn per_play(&self, poll: &Poll) -> (f64, f64) {
        per_play(poll.rows_written(), self.nothing.rows_written(), self.plays)
    }

    /// (marginal, whole), natively counted.
    pub fn per_play_native(&self, poll: &Poll) -> (f64, f64) {
        per_play(poll.native.total(), self.nothing.native.total(), self.plays)
    }
}

/// The user's poll state before the cold poll, put back before the warm one.
const RESET_PLAYS: &str =
    "DELETE FROM play_events WHERE user_key = (SELECT key FROM users WHERE id = ?1)";
const RESET_GAPS: &str = "DELETE FROM data_gaps WHERE user_id = ?1";
const RESET_USER: &str = "\
UPDATE users SET cursor_after = ?2, last_success_at = ?3, last_polled_at = ?4 WHERE id = ?1";

fn silent() -> Value {
    json!({ "plays_per_hour": 0, "history_hours": 0 })
}

pub fn measure(plays: usize) -> RowsRun {
    let world = World::new();
    world.create_listener("ana", silent());
    let rec = Recorder::new(&world.db);
    let archiver = world.archiver_over(&rec);
    rec.label("setup");
    let ana = connect(&world, &rec, "ana");
    let archive = |at: UnixMillis| {
        world.set_time(at);
        let job = JobUser::new(&ana, scheduled_kind(last_polled_at(&world, &ana), at), at);
        block_on(archiver.archive_user(0, &job, at, at))
    };
    let poll = |key: &'static str, at: UnixMillis| -> Poll {
        rec.label(key);
        let calls = world.spotify.requests();
        let before = written::snapshot(&world.db);
        let outcome = archive(at);
        let native = written::written(&before, &written::snapshot(&world.db));
        let (round_trips, statements) = rec.counts(key);
        let (plays_inserted, gap) = match &outcome {
            ArchiveOutcome::Archived {
                plays_inserted,
                gap,
                ..
            } => (*plays_inserted, gap.is_some()),
            _ => (0, false),
        };
        Poll {
            key,
            round_trips,
            statements,
            spotify_calls: world.spotify.requests() - calls,
            plays_inserted,
            gap,
            outcome: outcome.label().to_owned(),
            native,
            d1: None,
        }
    };

    // Logged in, and polled once with nothing to find: the user's last success.
    archive(START);
    // Tokens live an hour: a poll a few minutes before the hour refreshes it first. The
    // plays fill the hour: 15 three minutes apart, or 50 as close as a full hour takes.
    let first = START + HOUR_MS - MINUTE_MS;
    let spacing = (3 * MINUTE_MS).min((HOUR_MS - 5 * MINUTE_MS) / plays.max(1) as i64);
    world.set_time(first);
    world.inject("ana", plays, first - SECOND_MS, spacing);
    let user = world.user_row(&ana);
    let cold = poll("cold", first);

    // The same plays again, on a catalogue that now holds every row they need.
    rec.label("setup");
    block_on(rec.batch(vec![
        Statement::new(RESET_PLAYS, vec![json!(ana)]),
        Statement::new(RESET_GAPS, vec![json!(ana)]),
        Statement::new(
            RESET_USER,
            vec![
                json!(ana),
                user["cursor_after"].clone(),
                user["last_success_at"].clone(),
                user["last_polled_at"].clone(),
            ],
        ),
    ]))
    .expect("the reset runs");
    let warm = poll("warm", START + 2 * HOUR_MS - 2 * MINUTE_MS);
    let nothing = poll("nothing", START + 3 * HOUR_MS - 3 * MINUTE_MS);
    RowsRun {
        plays,
        cold,
        warm,
        nothing,
        trips: rec.round_trips(),
    }
}

/// What the meter replays for a run: a fresh database, then every round trip.
pub fn meter_db(run: &RowsRun) -> MeterDb {
    MeterDb {
        setup: migration_statements(),
        steps: run.trips.clone(),
    }
}

pub fn attach(run: &mut RowsRun, metered: &[Metered]) {
    let totals = crate::meter::by_label(metered);
    for poll in [&mut run.cold, &mut run.warm, &mut run.nothing] {
        poll.d1 = totals.get(poll.key).cloned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_play_is_marginal_and_whole() {
        assert_eq!(per_play(17, 2, 15), (1.0, 17.0 / 15.0));
        assert_eq!(per_play(2, 2, 0), (0.0, 2.0));
    }
}
