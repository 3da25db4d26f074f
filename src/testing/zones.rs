//! The native twin of the platform's time zone rules: the tz database compiled into
//! chrono-tz, which the Worker's bundle no longer carries.

use std::rc::Rc;

use chrono::{Offset, TimeZone};
use chrono_tz::Tz;

use crate::ports::{TimeZones, UtcOffsets};
use crate::time::{UnixMillis, SECOND_MS};

/// Every zone of the tz database release chrono-tz compiles in.
#[derive(Debug, Clone, Copy, Default)]
pub struct TzdbZones;

impl TimeZones for TzdbZones {
    fn offsets(&self, name: &'static str) -> Option<Rc<dyn UtcOffsets>> {
        let zone: Tz = name.parse().ok()?;
        Some(Rc::new(TzdbOffsets(zone)))
    }
}

struct TzdbOffsets(Tz);

impl UtcOffsets for TzdbOffsets {
    fn offset_ms(&self, at: UnixMillis) -> i64 {
        // Instants past chrono's range (±262,000 years) do not occur: every instant the
        // core hands in is checked to lie in 1970–9999 first.
        let Some(utc) = chrono::DateTime::from_timestamp_millis(at) else {
            return 0;
        };
        let seconds = self
            .0
            .offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc();
        i64::from(seconds) * SECOND_MS
    }
}

/// The offsets of `name` by the tz database, for tests; panics on a name it lacks.
pub fn zone(name: &str) -> crate::history::zone::Zone {
    crate::history::zone::parse_zone(name, &TzdbZones)
        .unwrap_or_else(|| panic!("{name} is a zone of the tz database"))
}
