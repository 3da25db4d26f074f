//! Adaptive polling: when a user is due again.
//!
//! Spotify shows only the newest 50 plays, so a user must be polled before 50 new plays
//! pile up. A quiet listener stays hourly (one Spotify call an hour); a busy one is polled
//! sooner, down to a minimum interval, so that even 120 plays an hour (a 30-second play
//! each, the shortest Spotify counts) fit in the window with room to spare.

use crate::time::{UnixMillis, HOUR_MS, MINUTE_MS};

/// The page size Spotify allows, and so the number of plays it remembers.
pub const SPOTIFY_WINDOW: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollingPolicy {
    /// How often a quiet listener is polled.
    pub regular_interval_ms: i64,
    /// The shortest interval, however busy the listener; the cron must run at least
    /// this often, and a little more often still, since a poll lands on the next cron.
    pub min_interval_ms: i64,
    /// How many new plays we aim to find per poll: well under the window, so that a
    /// listener speeding up between two polls still fits.
    pub target_plays_per_poll: u32,
}

impl Default for PollingPolicy {
    fn default() -> Self {
        Self {
            regular_interval_ms: HOUR_MS,
            min_interval_ms: 15 * MINUTE_MS,
            target_plays_per_poll: 25,
        }
    }
}

/// What one poll saw, for estimating the listener's pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollObservation {
    /// New plays on the page (played after the cursor).
    pub new_plays: usize,
    /// Played-at of the oldest and newest new play.
    pub oldest_new: Option<UnixMillis>,
    pub newest_new: Option<UnixMillis>,
    /// Since when the page counts plays: the previous poll, or for a first poll the
    /// oldest play seen.
    pub since: UnixMillis,
    pub now: UnixMillis,
}

/// Fewer plays than this on a page say little about their density.
const MIN_PLAYS_FOR_DENSITY: usize = 10;

impl PollingPolicy {
    /// The interval until the next poll after `observation`.
    pub fn next_interval(&self, observation: &PollObservation) -> i64 {
        if observation.new_plays >= SPOTIFY_WINDOW {
            return self.min_interval_ms;
        }
        let plays_per_ms = estimated_pace(observation);
        if plays_per_ms <= 0.0 {
            return self.regular_interval_ms;
        }
        let interval = f64::from(self.target_plays_per_poll) / plays_per_ms;
        // Clamped in f64 first: a tiny pace would overflow an i64.
        let interval = interval.clamp(self.min_interval_ms as f64, self.regular_interval_ms as f64);
        interval as i64
    }

    /// When the user is due again after a successful poll at `observation.now`.
    pub fn next_due(&self, observation: &PollObservation) -> UnixMillis {
        observation
            .now
            .saturating_add(self.next_interval(observation))
    }
}

/// Plays per millisecond: the larger of the pace since the last poll and, when the page
/// holds enough plays, the pace within the page (a listener who just started a burst).
fn estimated_pace(observation: &PollObservation) -> f64 {
    let count = observation.new_plays as f64;
    let elapsed = (observation.now - observation.since).max(MINUTE_MS) as f64;
    let overall = count / elapsed;
    let recent = match (observation.oldest_new, observation.newest_new) {
        (Some(oldest), Some(newest)) if observation.new_plays >= MIN_PLAYS_FOR_DENSITY => {
            // Measured up to now, not to the newest play, so a burst that ended long
            // ago does not keep the user on the fast track.
            let span = (observation.now - oldest)
                .max(newest - oldest)
                .max(MINUTE_MS) as f64;
            (count - 1.0) / span
        }
        _ => 0.0,
    };
    overall.max(recent)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixMillis = 1_800_000_000_000;

    fn observation(new_plays: usize, spread_ms: i64, since_ago_ms: i64) -> PollObservation {
        PollObservation {
            new_plays,
            oldest_new: (new_plays > 0).then_some(NOW - spread_ms),
            newest_new: (new_plays > 0).then_some(NOW),
            since: NOW - since_ago_ms,
            now: NOW,
        }
    }

    #[test]
    fn a_quiet_listener_stays_hourly() {
        let policy = PollingPolicy::default();
        assert_eq!(policy.next_interval(&observation(0, 0, HOUR_MS)), HOUR_MS);
        assert_eq!(
            policy.next_interval(&observation(15, 55 * MINUTE_MS, HOUR_MS)),
            HOUR_MS
        );
    }

    #[test]
    fn a_full_page_means_the_shortest_interval() {
        let policy = PollingPolicy::default();
        assert_eq!(
            policy.next_interval(&observation(50, HOUR_MS, HOUR_MS)),
            15 * MINUTE_MS
        );
    }

    #[test]
    fn a_busy_listener_is_polled_before_the_window_fills() {
        let policy = PollingPolicy::default();
        // 40 plays in the last hour: 25 more take 37.5 minutes.
        let interval = policy.next_interval(&observation(40, 59 * MINUTE_MS, HOUR_MS));
        assert!(
            (35 * MINUTE_MS..=39 * MINUTE_MS).contains(&interval),
            "{interval}"
        );
    }

    #[test]
    fn a_burst_that_just_started_counts_at_its_own_pace() {
        let policy = PollingPolicy::default();
        // 30 plays in the last quarter hour of an hour: 120 an hour right now.
        let interval = policy.next_interval(&observation(30, 15 * MINUTE_MS, HOUR_MS));
        assert_eq!(interval, 15 * MINUTE_MS);
    }

    #[test]
    fn at_the_shortest_interval_120_plays_an_hour_fit_in_the_window() {
        let policy = PollingPolicy::default();
        // The poll lands on the next cron (every 5 minutes), so allow for that too.
        let worst_gap_ms = policy.min_interval_ms + 5 * MINUTE_MS;
        let plays = 120 * worst_gap_ms / HOUR_MS;
        assert!(plays < SPOTIFY_WINDOW as i64, "{plays} plays between polls");
    }

    #[test]
    fn a_few_quick_skips_do_not_make_a_user_busy() {
        let policy = PollingPolicy::default();
        assert_eq!(
            policy.next_interval(&observation(3, MINUTE_MS, HOUR_MS)),
            HOUR_MS
        );
    }

    #[test]
    fn next_due_is_now_plus_the_interval() {
        let policy = PollingPolicy::default();
        assert_eq!(policy.next_due(&observation(0, 0, HOUR_MS)), NOW + HOUR_MS);
    }
}
