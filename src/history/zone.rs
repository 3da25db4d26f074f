//! Time zones: a user's local days and hours, correct across daylight-saving changes.
//!
//! SQL cannot know a zone's rules, so we hand it the zone's UTC offsets as *segments*: the
//! spans of `[from, to)` within which the offset stays the same. The stats queries bucket
//! each play by `played_at + offset` of the segment it falls in, which is its local wall
//! clock time.
//!
//! The rules themselves are the platform's ([`TimeZones`]): on the Workers runtime its
//! `Intl`, natively the tz database compiled into chrono-tz. The names we accept are ours
//! ([`ZONE_NAMES`]), so that both sides accept exactly the same ones.

use std::fmt;
use std::rc::Rc;

use serde::Serialize;

use crate::ports::{TimeZones, UtcOffsets};
use crate::time::{Date, UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS};

pub use super::zone_names::ZONE_NAMES;

/// The longest zone name we look up (the longest IANA name has 30 characters).
pub const MAX_ZONE_NAME: usize = 64;

/// A time zone: its IANA name and the platform's offsets for it. Two zones are equal
/// when their names are.
#[derive(Clone)]
pub struct Zone {
    name: &'static str,
    offsets: Rc<dyn UtcOffsets>,
}

impl Zone {
    /// UTC, which needs no rules.
    pub fn utc() -> Self {
        Self {
            name: "UTC",
            offsets: Rc::new(FixedOffset(0)),
        }
    }

    /// The zone named `name` in `rules`.
    pub fn new(name: &'static str, offsets: Rc<dyn UtcOffsets>) -> Self {
        Self { name, offsets }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The zone's offset from UTC at `at`, in milliseconds (east positive).
    pub fn offset_ms(&self, at: UnixMillis) -> i64 {
        self.offsets.offset_ms(at)
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Zone").field(&self.name).finish()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

/// An offset that never changes.
#[derive(Debug, Clone, Copy)]
pub struct FixedOffset(pub i64);

impl UtcOffsets for FixedOffset {
    fn offset_ms(&self, _at: UnixMillis) -> i64 {
        self.0
    }
}

/// The name as the list spells it, when `name` is one of [`ZONE_NAMES`] exactly.
pub fn zone_name(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > MAX_ZONE_NAME {
        return None;
    }
    ZONE_NAMES
        .binary_search(&name)
        .ok()
        .map(|index| ZONE_NAMES[index])
}

/// An IANA zone name (`Europe/Berlin`, `America/New_York`, `UTC`), exactly as the tz
/// database spells it, with the rules of `zones`; `None` when the name is not one of
/// ours or the platform has no rules for it.
pub fn parse_zone(name: &str, zones: &dyn TimeZones) -> Option<Zone> {
    let name = zone_name(name)?;
    zones.offsets(name).map(|offsets| Zone::new(name, offsets))
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

/// How far apart we probe for an offset change. Since 1970 no zone has changed its offset
/// twice within a week (the closest: Brazil's north-east in October 2000, 6 days 23
/// hours apart; `no_two_changes_fall_within_two_probe_steps` checks the tz database), so
/// a probe step of three days never steps over a change and back. Each probe is a call
/// into the platform's `Intl` (microseconds, not nanoseconds): a year costs 122 probes
/// and about twenty more per change.
const PROBE_STEP_MS: i64 = 3 * DAY_MS;

/// The zone's offset segments covering `[from, to)`, in order, each change found to the
/// millisecond. Empty when the range is.
pub fn offset_segments(zone: &Zone, from: UnixMillis, to: UnixMillis) -> Vec<Segment> {
    let mut segments = Vec::new();
    if from >= to {
        return segments;
    }
    let last = to - 1;
    let mut start = from;
    let mut offset = zone.offset_ms(from);
    let mut low = from;
    while low < last {
        let high = low.saturating_add(PROBE_STEP_MS).min(last);
        if zone.offset_ms(high) == offset {
            low = high;
            continue;
        }
        let changed = first_change(zone, offset, low, high);
        segments.push(Segment {
            start,
            end: changed,
            offset_ms: offset,
        });
        start = changed;
        offset = zone.offset_ms(changed);
        low = changed;
    }
    segments.push(Segment {
        start,
        end: to,
        offset_ms: offset,
    });
    segments
}

/// The first instant of `(same, changed]` whose offset is not `offset`, given that
/// `same` has it and `changed` does not. Offsets change on whole seconds (the tz
/// database's resolution, and all `Intl` reports), so the bisection runs over seconds and
/// the platform is asked about twenty times, not thirty.
fn first_change(zone: &Zone, offset: i64, same: UnixMillis, changed: UnixMillis) -> UnixMillis {
    // The whole second at or before `changed`; if that still has the offset, the change
    // is within its last millisecond fraction, i.e. at `changed` itself.
    let (mut same_s, mut changed_s) = (same.div_euclid(SECOND_MS), changed.div_euclid(SECOND_MS));
    if changed_s * SECOND_MS <= same || zone.offset_ms(changed_s * SECOND_MS) == offset {
        return changed;
    }
    while changed_s - same_s > 1 {
        let middle = same_s + (changed_s - same_s) / 2;
        if zone.offset_ms(middle * SECOND_MS) == offset {
            same_s = middle;
        } else {
            changed_s = middle;
        }
    }
    (changed_s * SECOND_MS).max(same + 1)
}

/// The local day number (days since 1970-01-01 on the local calendar) of a local wall
/// clock time given as `instant + offset`.
pub fn day_number(local_ms: i64) -> i64 {
    local_ms.div_euclid(DAY_MS)
}

/// The calendar date of a local day number.
pub fn date_of_day(day: i64) -> Option<Date> {
    Date::from_days(day)
}

/// The local day number of a date.
pub fn day_of_date(date: Date) -> i64 {
    date.days()
}

/// The local day number of a calendar date given by its numbers, if it is one.
pub fn day_of_date_parts(year: i64, month: i64, day: i64) -> Option<i64> {
    let date = Date::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )?;
    Some(day_of_date(date))
}

/// The local date at `at` in `zone`.
pub fn local_date(zone: &Zone, at: UnixMillis) -> Option<Date> {
    date_of_day(day_number(at.checked_add(zone.offset_ms(at))?))
}

/// The instant the local day `date` begins in `zone`: its midnight, or, where the clocks
/// skip midnight (a few zones start summer time at 00:00), the first instant that exists.
pub fn start_of_day(zone: &Zone, date: Date) -> Option<UnixMillis> {
    let midnight = date.days() * DAY_MS;
    // An instant whose wall clock reads `local` is `local - offset` for an offset in force
    // near it. Offsets are within a day of UTC, and no zone changes its offset twice in
    // the 51 hours from a day before midnight to a day after the last minute tried (see
    // `PROBE_STEP_MS`), so the offsets at those two ends and at midnight are all the
    // candidates.
    let mut offsets: Vec<i64> = [midnight - DAY_MS, midnight, midnight + DAY_MS + 3 * HOUR_MS]
        .into_iter()
        .map(|at| zone.offset_ms(at))
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    // Each minute of the first three hours, as the wall clock shows it, until one exists;
    // of two instants that show it (the clocks went back), the earlier.
    (0..=180).find_map(|minute| {
        let local = midnight + minute * MINUTE_MS;
        offsets
            .iter()
            .map(|offset| local - offset)
            .filter(|at| at + zone.offset_ms(*at) == local)
            .min()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::zones::{zone, TzdbZones};
    use crate::time::parse_rfc3339;

    use crate::time::Date;

    fn at(text: &str) -> UnixMillis {
        parse_rfc3339(text).expect("test instant")
    }

    fn berlin() -> Zone {
        zone("Europe/Berlin")
    }

    #[test]
    fn zone_names_are_the_tz_databases() {
        assert!(parse_zone("America/New_York", &TzdbZones).is_some());
        assert!(parse_zone("UTC", &TzdbZones).is_some());
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "europe/berlin ",
            "+02:00",
            &"A".repeat(65),
        ] {
            assert!(parse_zone(bad, &TzdbZones).is_none(), "{bad:?}");
        }
        let tz_database: Vec<&str> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|zone| zone.name())
            .collect();
        assert_eq!(ZONE_NAMES.as_slice(), tz_database.as_slice());
        for name in ZONE_NAMES {
            assert!(TzdbZones.offsets(name).is_some(), "{name}");
        }
    }

    #[test]
    fn a_spring_change_splits_the_range_at_the_exact_instant() {
        // 29 March 2026: 02:00 CET becomes 03:00 CEST, at 01:00 UTC.
        let from = at("2026-03-28T00:00:00Z");
        let to = at("2026-03-31T00:00:00Z");
        let segments = offset_segments(&berlin(), from, to);
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
        let segments = offset_segments(&zone("America/New_York"), from, to);
        assert_eq!(segments.len(), 3);
        assert_eq!(segments[1].start, at("2026-03-08T07:00:00Z"));
        assert_eq!(segments[2].start, at("2026-11-01T06:00:00Z"));
        assert_eq!(segments[1].offset_ms, -4 * HOUR_MS);
        let utc = offset_segments(&Zone::utc(), from, to);
        assert_eq!(
            utc,
            vec![Segment {
                start: from,
                end: to,
                offset_ms: 0
            }]
        );
        assert!(offset_segments(&Zone::utc(), to, from).is_empty());
    }

    #[test]
    fn segments_tile_the_range() {
        let from = at("2020-01-01T00:00:00Z");
        let to = at("2026-01-01T00:00:00Z");
        let segments = offset_segments(&berlin(), from, to);
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
        let date = Date::from_ymd_opt(2026, 10, 25).expect("date");
        assert_eq!(
            start_of_day(&berlin(), date),
            Some(at("2026-10-24T22:00:00Z"))
        );
        let next = date.succ_opt().expect("date");
        // The autumn day has 25 hours.
        assert_eq!(
            start_of_day(&berlin(), next)
                .zip(start_of_day(&berlin(), date))
                .map(|(b, a)| b - a),
            Some(25 * HOUR_MS)
        );
        assert_eq!(
            local_date(&berlin(), at("2026-10-24T22:30:00Z")),
            Some(date)
        );
        assert_eq!(
            day_of_date(Date::from_ymd_opt(1970, 1, 2).expect("date")),
            1
        );
        assert_eq!(date_of_day(1), Date::from_ymd_opt(1970, 1, 2));
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_change() {
        // Santiago de Chile moved its clocks from 00:00 to 01:00 on 12 August 2018.
        let santiago = zone("America/Santiago");
        let date = Date::from_ymd_opt(2018, 8, 12).expect("date");
        assert_eq!(
            start_of_day(&santiago, date),
            Some(at("2018-08-12T04:00:00Z"))
        );
    }

    /// The probe step's premise, on the tz database the native twin compiles in: every
    /// zone's segments over 2000–2040 agree with its offset on every day, and no two
    /// changes lie within two probe steps of each other.
    #[test]
    fn no_two_changes_fall_within_two_probe_steps() {
        let from = at("2000-01-01T00:00:00Z");
        let to = at("2040-01-01T00:00:00Z");
        for name in ZONE_NAMES {
            let zone = zone(name);
            let segments = offset_segments(&zone, from, to);
            // The first and last segments are cut by the range; the others are whole.
            let inner = segments.len().saturating_sub(1);
            for inner in segments.iter().take(inner).skip(1) {
                assert!(
                    inner.end - inner.start >= 2 * PROBE_STEP_MS,
                    "{name}: {inner:?}"
                );
            }
            let mut segment = segments.iter().peekable();
            for day in 0..(to - from) / DAY_MS {
                let instant = from + day * DAY_MS;
                while segment.peek().is_some_and(|s| s.end <= instant) {
                    segment.next();
                }
                let found = segment.peek().map(|s| s.offset_ms);
                assert_eq!(found, Some(zone.offset_ms(instant)), "{name} at {instant}");
            }
        }
    }

    #[test]
    fn a_change_off_the_minute_is_found_to_the_second() {
        // Monrovia left its -0:44:30 for UTC at 1972-01-07 00:44:30 UTC.
        let monrovia = zone("Africa/Monrovia");
        let from = at("1972-01-01T00:00:00Z");
        let to = at("1972-02-01T00:00:00Z");
        let segments = offset_segments(&monrovia, from, to);
        assert_eq!(
            segments
                .iter()
                .map(|s| (s.end, s.offset_ms))
                .collect::<Vec<_>>(),
            [
                (
                    at("1972-01-07T00:44:30Z"),
                    -(44 * MINUTE_MS + 30 * SECOND_MS)
                ),
                (to, 0)
            ]
        );
    }
}
