//! Time as the archive stores it: Unix milliseconds, UTC.
//!
//! D1 hands numbers to JavaScript as doubles, so every stored instant is an integer
//! count of milliseconds, far below 2^53.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

/// An instant in Unix milliseconds (UTC).
pub type UnixMillis = i64;

pub const SECOND_MS: i64 = 1_000;
pub const MINUTE_MS: i64 = 60 * SECOND_MS;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// The instant as a `DateTime`, or `None` when it is outside chrono's range.
pub fn to_datetime(ms: UnixMillis) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

/// RFC 3339 with milliseconds, as Spotify writes `played_at`.
pub fn to_rfc3339(ms: UnixMillis) -> String {
    to_datetime(ms)
        .map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

/// Parses an RFC 3339 instant with or without fractional seconds.
pub fn parse_rfc3339(text: &str) -> Option<UnixMillis> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc).timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_played_at_with_and_without_milliseconds() {
        assert_eq!(
            parse_rfc3339("2026-11-28T13:05:12.345Z"),
            Some(1_795_871_112_345)
        );
        assert_eq!(
            parse_rfc3339("2026-11-28T13:05:12Z"),
            Some(1_795_871_112_000)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn formats_with_milliseconds() {
        assert_eq!(to_rfc3339(1_795_871_112_345), "2026-11-28T13:05:12.345Z");
    }
}
