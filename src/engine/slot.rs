//! Idempotency slots: the KV key that says "this poll already ran".
//!
//! The hourly poll of a user owns `archive_{userId}_{YYYY_MM_DD_HH}` (UTC). Polls that are
//! not the hour's first (adaptive polling of a busy listener) and manual archives get keys
//! of their own, so that they run, while a redelivered message carries the key it was
//! sent with and is skipped.

use crate::time::{utc_date, UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS};

/// How long a slot key lives in KV: a day, well past any redelivery.
pub const SLOT_TTL_SECONDS: u64 = (DAY_MS / 1_000) as u64;

/// Why a user is being archived; it decides the slot key's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    /// The first scheduled poll of the hour.
    Hourly,
    /// A scheduled poll after another one in the same hour (adaptive polling).
    Extra,
    /// An archive asked for by the user, an operator or the first login.
    Manual,
}

/// The slot key of a poll of `user_id` at `at`.
pub fn slot_key(user_id: &str, kind: SlotKind, at: UnixMillis) -> String {
    let Some(date) = utc_date(at) else {
        // Out of the calendar's range: never in practice; keep the key unique anyway.
        return format!("archive_{user_id}_{at}");
    };
    let (year, month, day) = date.ymd();
    let hour = format!(
        "{year:04}_{month:02}_{day:02}_{:02}",
        at.rem_euclid(DAY_MS) / HOUR_MS
    );
    match kind {
        SlotKind::Hourly => format!("archive_{user_id}_{hour}"),
        SlotKind::Extra => format!(
            "archive_{user_id}_{hour}_{:02}",
            at.rem_euclid(HOUR_MS) / MINUTE_MS
        ),
        SlotKind::Manual => format!("archive_{user_id}_{hour}_manual_{at}"),
    }
}

/// The kind of a scheduled poll at `now`, given when the user was last polled: the
/// first one in a UTC hour is the hourly poll, later ones are extra.
pub fn scheduled_kind(last_polled_at: Option<UnixMillis>, now: UnixMillis) -> SlotKind {
    let hour_of = |at: UnixMillis| at.div_euclid(crate::time::HOUR_MS);
    match last_polled_at {
        Some(last) if hour_of(last) == hour_of(now) => SlotKind::Extra,
        _ => SlotKind::Hourly,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    fn at(text: &str) -> UnixMillis {
        parse_rfc3339(text).expect("test instant")
    }

    #[test]
    fn the_hourly_key_names_the_utc_hour() {
        assert_eq!(
            slot_key("u1", SlotKind::Hourly, at("2026-03-05T07:59:59Z")),
            "archive_u1_2026_03_05_07"
        );
    }

    #[test]
    fn an_extra_poll_in_the_same_hour_gets_its_own_key() {
        let hourly = slot_key("u1", SlotKind::Hourly, at("2026-03-05T07:10:00Z"));
        let extra = slot_key("u1", SlotKind::Extra, at("2026-03-05T07:30:00Z"));
        assert_eq!(extra, "archive_u1_2026_03_05_07_30");
        assert_ne!(hourly, extra);
    }

    #[test]
    fn manual_archives_never_share_a_key() {
        let first = slot_key("u1", SlotKind::Manual, at("2026-03-05T07:10:00.001Z"));
        let second = slot_key("u1", SlotKind::Manual, at("2026-03-05T07:10:00.002Z"));
        assert_ne!(first, second);
        assert!(first.starts_with("archive_u1_2026_03_05_07_manual_"));
    }

    #[test]
    fn the_first_poll_of_an_hour_is_the_hourly_one() {
        let now = at("2026-03-05T08:05:00Z");
        assert_eq!(scheduled_kind(None, now), SlotKind::Hourly);
        assert_eq!(
            scheduled_kind(Some(at("2026-03-05T07:50:00Z")), now),
            SlotKind::Hourly
        );
        assert_eq!(
            scheduled_kind(Some(at("2026-03-05T08:01:00Z")), now),
            SlotKind::Extra
        );
    }

    #[test]
    fn the_key_lives_a_day() {
        assert_eq!(SLOT_TTL_SECONDS, 86_400);
    }
}
