//! The runtime's time zones against the tz database: `IntlZones` (the Worker's, over
//! `Intl.DateTimeFormat`) and chrono-tz (the native twin's) agree on every zone's offsets
//! from 2000 to 2040, and the DST cases of `history::zone` hold on `Intl` too.
//!
//! Runs on wasm32 under Node, whose `Intl` is V8's with ICU's tz data as the Workers
//! runtime's is: `scripts/test` runs `cargo test --target wasm32-unknown-unknown --test
//! zones_intl` with `wasm-bindgen-test-runner` as the runner.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use chrono::{Offset, TimeZone};
use wasm_bindgen_test::wasm_bindgen_test;

use time_machine::edge::zones::IntlZones;
use time_machine::history::zone::{
    offset_segments, parse_zone, start_of_day, Segment, Zone, ZONE_NAMES,
};
use time_machine::ports::UtcOffsets;
use time_machine::time::{parse_rfc3339, Date, UnixMillis, DAY_MS, HOUR_MS, SECOND_MS};

/// chrono-tz's offsets, compiled into this test alone.
struct TzdbOffsets(chrono_tz::Tz);

impl UtcOffsets for TzdbOffsets {
    fn offset_ms(&self, at: UnixMillis) -> i64 {
        let utc = chrono::DateTime::from_timestamp_millis(at).expect("an instant in range");
        let seconds = self
            .0
            .offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc();
        i64::from(seconds) * SECOND_MS
    }
}

fn at(text: &str) -> UnixMillis {
    parse_rfc3339(text).expect("test instant")
}

fn tz_database(name: &'static str) -> Zone {
    let zone: chrono_tz::Tz = name.parse().expect("a zone of the tz database");
    Zone::new(name, Rc::new(TzdbOffsets(zone)))
}

fn intl(name: &str) -> Zone {
    parse_zone(name, &IntlZones).unwrap_or_else(|| panic!("Intl knows {name}"))
}

/// Instants to compare within a segment: its ends, and every 29 days between them (so
/// that a change only one side knows of, which lasts longer than that, is met).
fn probes(segment: &Segment) -> impl Iterator<Item = UnixMillis> + '_ {
    (segment.start..segment.end)
        .step_by(29 * DAY_MS as usize)
        .chain([segment.end - 1])
}

#[wasm_bindgen_test]
fn every_zone_has_the_tz_databases_offsets_from_2000_to_2040() {
    let from = at("2000-01-01T00:00:00Z");
    let to = at("2040-01-01T00:00:00Z");
    let mut disagreements = Vec::new();
    for name in ZONE_NAMES {
        let (reference, platform) = (tz_database(name), intl(name));
        for segment in offset_segments(&reference, from, to) {
            for instant in probes(&segment) {
                let found = platform.offset_ms(instant);
                if found != segment.offset_ms {
                    disagreements.push(format!(
                        "{name} at {instant}: Intl {found}, tz database {}",
                        segment.offset_ms
                    ));
                    break;
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[wasm_bindgen_test]
fn intls_segments_are_the_tz_databases_to_the_millisecond() {
    let from = at("2000-01-01T00:00:00Z");
    let to = at("2040-01-01T00:00:00Z");
    for name in [
        "Europe/Berlin",
        "America/New_York",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Africa/Casablanca",
        "America/Sao_Paulo",
        "UTC",
    ] {
        assert_eq!(
            offset_segments(&intl(name), from, to),
            offset_segments(&tz_database(name), from, to),
            "{name}"
        );
    }
}

#[wasm_bindgen_test]
fn the_dst_cases_hold_on_intl() {
    let berlin = intl("Europe/Berlin");
    let spring = offset_segments(
        &berlin,
        at("2026-03-28T00:00:00Z"),
        at("2026-03-31T00:00:00Z"),
    );
    assert_eq!(spring[0].end, at("2026-03-29T01:00:00Z"));
    assert_eq!(
        (spring[0].offset_ms, spring[1].offset_ms),
        (HOUR_MS, 2 * HOUR_MS)
    );
    let autumn = Date::from_ymd_opt(2026, 10, 25).expect("date");
    let start = start_of_day(&berlin, autumn);
    assert_eq!(start, Some(at("2026-10-24T22:00:00Z")));
    let next = autumn.succ_opt().and_then(|day| start_of_day(&berlin, day));
    assert_eq!(next.zip(start).map(|(b, a)| b - a), Some(25 * HOUR_MS));
    let santiago = intl("America/Santiago");
    let skipped = Date::from_ymd_opt(2018, 8, 12).expect("date");
    assert_eq!(
        start_of_day(&santiago, skipped),
        Some(at("2018-08-12T04:00:00Z"))
    );
}

#[wasm_bindgen_test]
fn names_intl_would_take_are_ours_to_refuse() {
    // Intl matches names case-insensitively and takes UTC offsets; the list does not.
    for name in [
        "europe/berlin",
        "+02:00",
        "Europe/Berlin ",
        "Mars/Olympus_Mons",
    ] {
        assert!(parse_zone(name, &IntlZones).is_none(), "{name}");
    }
}
