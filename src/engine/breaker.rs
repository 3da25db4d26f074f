//! The circuit breaker: how long a user rests after a failure, by kind of failure.
//!
//! Each kind doubles from a base to a cap with the number of consecutive failures, so a
//! user whose token or network keeps failing costs us less and less, and one success
//! closes the breaker again. A rate limit is not the user's fault: it waits exactly as
//! long as Spotify's `Retry-After` asks and does not count as a failure.

use std::fmt;
use std::str::FromStr;

use crate::time::{UnixMillis, HOUR_MS, MINUTE_MS, SECOND_MS};

/// Why an archive failed, as recorded on the user (`users.last_failure_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// Spotify refused our credentials (401 after a refresh, 403, invalid client).
    Auth,
    /// No answer, a broken connection or a 5xx.
    Network,
    /// 429 with `Retry-After`.
    RateLimited,
    /// Anything else: a body we could not read, an unexpected status.
    Unknown,
}

impl FailureKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "AUTH",
            Self::Network => "NETWORK",
            Self::RateLimited => "RATE_LIMITED",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// Base and cap of the doubling cooldown; `None` for rate limits, which follow Spotify.
    const fn backoff(self) -> Option<(i64, i64)> {
        match self {
            Self::Auth => Some((30 * MINUTE_MS, 4 * HOUR_MS)),
            Self::Network => Some((10 * MINUTE_MS, HOUR_MS)),
            Self::Unknown => Some((20 * MINUTE_MS, 3 * HOUR_MS)),
            Self::RateLimited => None,
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FailureKind {
    type Err = UnknownFailureKind;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "AUTH" => Ok(Self::Auth),
            "NETWORK" => Ok(Self::Network),
            "RATE_LIMITED" => Ok(Self::RateLimited),
            "UNKNOWN" => Ok(Self::Unknown),
            _ => Err(UnknownFailureKind),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownFailureKind;

/// What a failure does to the user's polling state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cooldown {
    /// The user is not swept before this instant.
    pub until: UnixMillis,
    /// The new count of consecutive failures (a rate limit leaves it as it was).
    pub consecutive_failures: u32,
}

/// The cooldown after a failure of `kind`, given the failures already in a row.
///
/// `retry_after_seconds` is Spotify's `Retry-After` and only matters for rate limits.
pub fn cooldown_after(
    kind: FailureKind,
    failures_before: u32,
    retry_after_seconds: Option<u64>,
    now: UnixMillis,
) -> Cooldown {
    match kind.backoff() {
        Some((base, cap)) => {
            let failures = failures_before.saturating_add(1);
            // 2^(failures-1) grows past any cap by 2^20; stop there so nothing overflows.
            let doublings = failures.saturating_sub(1).min(20);
            let wait = base.saturating_mul(1_i64 << doublings).min(cap);
            Cooldown {
                until: now.saturating_add(wait),
                consecutive_failures: failures,
            }
        }
        None => {
            // Spotify's wait, but never longer than a week: a user must never rest for
            // good, and instants stay far below 2^53 (D1 hands numbers to JavaScript).
            let seconds = retry_after_seconds
                .unwrap_or(DEFAULT_RETRY_AFTER_SECONDS)
                .min(MAX_RETRY_AFTER_SECONDS);
            let wait = i64::try_from(seconds).unwrap_or(i64::MAX / SECOND_MS) * SECOND_MS;
            Cooldown {
                until: now.saturating_add(wait),
                consecutive_failures: failures_before,
            }
        }
    }
}

/// What we wait when a 429 comes without a readable `Retry-After`.
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = 60;

/// The longest rest a `Retry-After` can impose: a week. (Spotify's run to hours; a
/// value of 10^13 s once stored a `cooldown_until` past 2^53, which D1 cannot hand back
/// exactly: the user's status failed to read and they rested for millennia.)
pub const MAX_RETRY_AFTER_SECONDS: u64 = 7 * 24 * 60 * 60;

/// Whether the breaker is open (the user rests) at `now`.
pub fn is_cooling_down(cooldown_until: Option<UnixMillis>, now: UnixMillis) -> bool {
    cooldown_until.is_some_and(|until| until > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixMillis = 1_800_000_000_000;

    fn wait(kind: FailureKind, failures_before: u32) -> i64 {
        cooldown_after(kind, failures_before, None, NOW).until - NOW
    }

    #[test]
    fn auth_failures_double_from_thirty_minutes_to_four_hours() {
        let waits: Vec<i64> = (0..6)
            .map(|n| wait(FailureKind::Auth, n) / MINUTE_MS)
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 240, 240]);
    }

    #[test]
    fn network_failures_double_from_ten_minutes_to_one_hour() {
        let waits: Vec<i64> = (0..5)
            .map(|n| wait(FailureKind::Network, n) / MINUTE_MS)
            .collect();
        assert_eq!(waits, [10, 20, 40, 60, 60]);
    }

    #[test]
    fn unknown_failures_double_from_twenty_minutes_to_three_hours() {
        let waits: Vec<i64> = (0..6)
            .map(|n| wait(FailureKind::Unknown, n) / MINUTE_MS)
            .collect();
        assert_eq!(waits, [20, 40, 80, 160, 180, 180]);
    }

    #[test]
    fn each_failure_counts_one_more_in_a_row() {
        assert_eq!(
            cooldown_after(FailureKind::Network, 2, None, NOW).consecutive_failures,
            3
        );
    }

    #[test]
    fn a_long_run_of_failures_stays_at_the_cap_without_overflow() {
        assert_eq!(wait(FailureKind::Auth, u32::MAX), 4 * HOUR_MS);
    }

    #[test]
    fn a_rate_limit_waits_what_spotify_asks_and_is_not_a_failure() {
        let cooldown = cooldown_after(FailureKind::RateLimited, 2, Some(7_200), NOW);
        assert_eq!(cooldown.until, NOW + 2 * HOUR_MS);
        assert_eq!(cooldown.consecutive_failures, 2);
    }

    #[test]
    fn a_rate_limit_without_retry_after_waits_a_minute() {
        assert_eq!(wait(FailureKind::RateLimited, 0), MINUTE_MS);
    }

    #[test]
    fn the_breaker_is_open_only_before_the_cooldown_ends() {
        assert!(is_cooling_down(Some(NOW + 1), NOW));
        assert!(!is_cooling_down(Some(NOW), NOW));
        assert!(!is_cooling_down(None, NOW));
    }

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [
            FailureKind::Auth,
            FailureKind::Network,
            FailureKind::RateLimited,
            FailureKind::Unknown,
        ] {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
        assert_eq!("TIMEOUT".parse::<FailureKind>(), Err(UnknownFailureKind));
    }
}
