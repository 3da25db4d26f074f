//! The `played_at` timestamp format.
//!
//! Spotify sends `2026-11-28T13:05:12.345Z`, but times on a whole second have been seen
//! without the fraction (`2026-11-28T13:05:12Z`). The simulator emits both so that clients
//! are made to parse both.

use chrono::{DateTime, SecondsFormat};

/// Formats Unix milliseconds as an RFC 3339 UTC time, with milliseconds unless they are 0.
pub fn played_at(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(time) if ms.rem_euclid(1000) == 0 => time.to_rfc3339_opts(SecondsFormat::Secs, true),
        Some(time) => time.to_rfc3339_opts(SecondsFormat::Millis, true),
        // Only instants hundreds of millennia away are unrepresentable; show the raw number
        // rather than invent a date.
        None => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::played_at;

    #[test]
    fn milliseconds_are_shown_when_present() {
        assert_eq!(played_at(1_795_871_112_345), "2026-11-28T13:05:12.345Z");
    }

    #[test]
    fn whole_seconds_are_shown_without_a_fraction() {
        assert_eq!(played_at(1_795_871_112_000), "2026-11-28T13:05:12Z");
    }

    #[test]
    fn a_few_milliseconds_keep_their_leading_zeros() {
        assert_eq!(played_at(1_795_871_112_007), "2026-11-28T13:05:12.007Z");
    }
}
