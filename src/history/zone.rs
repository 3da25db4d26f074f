//! Time zones: a user's local days and hours, correct across daylight-saving changes.
//!
//! SQL cannot know a zone's rules, so we hand it the zone's UTC offsets as *segments*: the
//! spans of `[from, to)` within which the offset stays the same. The stats queries bucket
//! each play by `played_at + offset` of the segment it falls in, which is its local wall
//! clock time.

use chrono::{Duration, LocalResult, NaiveDate, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

use crate::time::{to_datetime, UnixMillis, DAY_MS, HOUR_MS, SECOND_MS};

/// The longest zone name we look up (the longest IANA name has 30 characters).
pub const MAX_ZONE_NAME: usize = 64;

/// An IANA zone name (`Europe/Berlin`, `America/New_York`, `UTC`), exactly as the tz
/// database spells it.
pub fn parse_zone(name: &str) -> Option<Tz> {
    if name.is_empty() || name.len() > MAX_ZONE_NAME {
        return None;
    }
    name.parse::<Tz>().ok()
}

/// The zone's offset from UTC at `at`, in milliseconds (east positive).
pub fn offset_ms(zone: Tz, at: UnixMillis) -> i64 {
    let Some(utc) = to_datetime(at) else {
        return 0;
    };
    let seconds = zone
        .offset_from_utc_datetime(&utc.naive_utc())
        .fix()
        .local_minus_utc();
    i64::from(seconds) * SECOND_MS
}

/// A span `[start, end)` in which the zone's offset is `offset_ms`. Serialised with
/// one-letter keys: it travels as one JSON parameter to `json_each`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Segment {
    #[serde(rename = "s")]
    pub start: UnixMillis,
    #[serde(rename = "e")]
    pub end: UnixMillis,
    #[serde(rename = "o")]
    pub offset_ms: i64,
}

/// How far apart we probe for an offset change. No zone changes its offset twice within
/// six hours, so a change is never stepped over.
const PROBE_STEP_MS: i64 = 6 * HOUR_MS;

/// The zone's offset segments covering `[from, to)`, in order, each change found to the
/// millisecond. Empty when the range is.
pub fn offset_segments(zone: Tz, from: UnixMillis, to: UnixMillis) -> Vec<Segment> {
    let mut segments = Vec::new();
    if from >= to {
        return segments;
    }
    let last = to - 1;
    let mut start = from;
    let mut offset = offset_ms(zone, from);
    let mut low = from;
    while low < last {
        let high = low.saturating_add(PROBE_STEP_MS).min(last);
        if offset_ms(zone, high) == offset {
            low = high;
            continue;
        }
        // offset(low) is the current offset and offset(high) is not: bisect to the first
        // instant of the new one.
        let (mut same, mut changed) = (low, high);
        while changed - same > 1 {
            let middle = same + (changed - same) / 2;
            if offset_ms(zone, middle) == offset {
                same = middle;
            } else {
                changed = middle;
            }
        }
        segments.push(Segment {
            start,
            end: changed,
            offset_ms: offset,
        });
        start = changed;
        offset = offset_ms(zone, changed);
        low = changed;
    }
    segments.push(Segment {
        start,
        end: to,
        offset_ms: offset,
    });
    segments
}

/// The local day number (days since 1970-01-01 on the local calendar) of a local wall
/// clock time given as `instant + offset`.
pub fn day_number(local_ms: i64) -> i64 {
    local_ms.div_euclid(DAY_MS)
}

/// The calendar date of a local day number.
pub fn date_of_day(day: i64) -> Option<NaiveDate> {
    to_datetime(day.checked_mul(DAY_MS)?).map(|at| at.date_naive())
}

/// The local day number of a date.
pub fn day_of_date(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days()
}

/// The local date at `at` in `zone`.
pub fn local_date(zone: Tz, at: UnixMillis) -> Option<NaiveDate> {
    date_of_day(day_number(at.checked_add(offset_ms(zone, at))?))
}

/// The instant the local day `date` begins in `zone`: its midnight, or, where the clocks
/// skip midnight (a few zones start summer time at 00:00), the first instant that exists.
pub fn start_of_day(zone: Tz, date: NaiveDate) -> Option<UnixMillis> {
    let midnight = date.and_time(NaiveTime::MIN);
    for minutes in 0..=180 {
        let local = midnight + Duration::minutes(minutes);
        match zone.from_local_datetime(&local) {
            LocalResult::Single(at) => return Some(at.timestamp_millis()),
            LocalResult::Ambiguous(earliest, _) => return Some(earliest.timestamp_millis()),
            LocalResult::None => continue,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    fn at(text: &str) -> UnixMillis {
        parse_rfc3339(text).expect("test instant")
    }

    fn berlin() -> Tz {
        parse_zone("Europe/Berlin").expect("zone")
    }

    #[test]
    fn zone_names_are_the_tz_databases() {
        assert!(parse_zone("America/New_York").is_some());
        assert!(parse_zone("UTC").is_some());
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "europe/berlin ",
            "+02:00",
            &"A".repeat(65),
        ] {
            assert!(parse_zone(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_spring_change_splits_the_range_at_the_exact_instant() {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST, at 01:00 UTC.
        let from = at("2026-03-28T00:00:00Z");
        let to = at("2026-03-31T00:00:00Z");
        let segments = offset_segments(berlin(), from, to);
        assert_eq!(
            segments,
            vec![
                Segment {
                    start: from,
                    end: at("2026-03-29T01:00:00Z"),
                    offset_ms: HOUR_MS
                },
                Segment {
                    start: at("2026-03-29T01:00:00Z"),
                    end: to,
                    offset_ms: 2 * HOUR_MS
                },
            ]
        );
    }

    #[test]
    fn a_year_has_two_changes_in_new_york_and_none_in_utc() {
        let from = at("2026-01-01T05:00:00Z");
        let to = at("2027-01-01T05:00:00Z");
        let segments = offset_segments(parse_zone("America/New_York").expect("zone"), from, to);
        assert_eq!(segments.len(), 3);
        assert_eq!(segments[1].start, at("2026-03-08T07:00:00Z"));
        assert_eq!(segments[2].start, at("2026-11-01T06:00:00Z"));
        assert_eq!(segments[1].offset_ms, -4 * HOUR_MS);
        let utc = offset_segments(Tz::UTC, from, to);
        assert_eq!(
            utc,
            vec![Segment {
                start: from,
                end: to,
                offset_ms: 0
            }]
        );
        assert!(offset_segments(Tz::UTC, to, from).is_empty());
    }

    #[test]
    fn segments_tile_the_range() {
        let from = at("2020-01-01T00:00:00Z");
        let to = at("2026-01-01T00:00:00Z");
        let segments = offset_segments(berlin(), from, to);
        assert_eq!(segments.len(), 13);
        assert_eq!(segments[0].start, from);
        assert_eq!(segments.last().map(|s| s.end), Some(to));
        for pair in segments.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert_ne!(pair[0].offset_ms, pair[1].offset_ms);
        }
    }

    #[test]
    fn local_days_start_at_local_midnight() {
        let date = NaiveDate::from_ymd_opt(2026, 10, 25).expect("date");
        assert_eq!(
            start_of_day(berlin(), date),
            Some(at("2026-10-24T22:00:00Z"))
        );
        let next = date.succ_opt().expect("date");
        // The autumn day has 25 hours.
        assert_eq!(
            start_of_day(berlin(), next)
                .zip(start_of_day(berlin(), date))
                .map(|(b, a)| b - a),
            Some(25 * HOUR_MS)
        );
        assert_eq!(local_date(berlin(), at("2026-10-24T22:30:00Z")), Some(date));
        assert_eq!(
            day_of_date(NaiveDate::from_ymd_opt(1970, 1, 2).expect("date")),
            1
        );
        assert_eq!(date_of_day(1), NaiveDate::from_ymd_opt(1970, 1, 2));
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_change() {
        // Santiago de Chile moved its clocks from 00:00 to 01:00 on 12 August 2018.
        let zone = parse_zone("America/Santiago").expect("zone");
        let date = NaiveDate::from_ymd_opt(2018, 8, 12).expect("date");
        assert_eq!(start_of_day(zone, date), Some(at("2018-08-12T04:00:00Z")));
    }
}
