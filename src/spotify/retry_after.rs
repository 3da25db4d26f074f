//! `Retry-After`, as Spotify sends it with a 429: whole seconds, sometimes hours.

use crate::time::{parse_rfc2822, UnixMillis};

/// Seconds to wait, from a `Retry-After` value: delta-seconds, or an HTTP date (the
/// other form HTTP allows). `None` when the value is neither.
pub fn parse_retry_after(value: &str, now: UnixMillis) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = parse_rfc2822(value)?;
    // A date in the past means "now"; round up so we never come back early.
    let millis = u64::try_from(at - now).unwrap_or(0);
    Some(millis.div_ceil(1_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    #[test]
    fn reads_seconds_including_hours_of_them() {
        assert_eq!(parse_retry_after("30", 0), Some(30));
        assert_eq!(parse_retry_after(" 14400 ", 0), Some(14_400));
    }

    #[test]
    fn reads_an_http_date() {
        let now = parse_rfc3339("2026-11-28T13:00:00Z").expect("instant");
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 13:02:00 GMT", now),
            Some(120)
        );
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 12:00:00 GMT", now),
            Some(0)
        );
    }

    #[test]
    fn refuses_what_is_neither() {
        assert_eq!(parse_retry_after("-5", 0), None);
        assert_eq!(parse_retry_after("soon", 0), None);
        assert_eq!(parse_retry_after("", 0), None);
    }
}
