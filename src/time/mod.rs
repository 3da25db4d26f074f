//! Time as the archive stores it: Unix milliseconds, UTC.
//!
//! D1 hands numbers to JavaScript as doubles, so every stored instant is an integer
//! count of milliseconds, far below 2^53.
//!
//! The calendar and the few text forms we read and write are our own (`civil`, `text`)
//! rather than chrono's: its strftime and parsing machinery weighed on the Worker's bundle
//! for five fixed formats. They answer as chrono did, input for input (`oracle_tests`).

mod civil;
mod text;

#[cfg(test)]
mod oracle_tests;

pub use civil::Date;
pub use text::{parse_date, parse_date_minute, parse_rfc2822, parse_rfc3339};

/// An instant in Unix milliseconds (UTC).
pub type UnixMillis = i64;

pub const SECOND_MS: i64 = 1_000;
pub const MINUTE_MS: i64 = 60 * SECOND_MS;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// The UTC date of an instant; `None` outside years -262143 to 262142 (chrono's range,
/// which the callers' fallbacks were written for).
pub fn utc_date(ms: UnixMillis) -> Option<Date> {
    Date::from_days(ms.div_euclid(DAY_MS))
}

/// RFC 3339 with milliseconds, as Spotify writes `played_at`; the number itself outside
/// [`utc_date`]'s range.
pub fn to_rfc3339(ms: UnixMillis) -> String {
    let Some(date) = utc_date(ms) else {
        return ms.to_string();
    };
    let time = ms.rem_euclid(DAY_MS);
    format!(
        "{date}T{:02}:{:02}:{:02}.{:03}Z",
        time / HOUR_MS,
        time / MINUTE_MS % 60,
        time / SECOND_MS % 60,
        time % SECOND_MS
    )
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
