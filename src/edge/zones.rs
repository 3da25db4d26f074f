//! The platform's time zone rules: `Intl.DateTimeFormat`, whose ICU data the runtime
//! carries, so that the bundle does not carry the tz database too.

use std::rc::Rc;

use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::bindings::ConsoleLog;
use crate::history::zone::day_of_date_parts;
use crate::ports::{Log, LogLine, TimeZones, UtcOffsets};
use crate::time::{UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS};

/// The runtime's zones. Each lookup builds one formatter; a request looks up one zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct IntlZones;

impl TimeZones for IntlZones {
    fn offsets(&self, name: &'static str) -> Option<Rc<dyn UtcOffsets>> {
        let format = zone_format(name).ok()?;
        let offsets = IntlOffsets { zone: name, format };
        // The wall clock is read from the formatted text (see `wall_clock`); a runtime
        // whose text we cannot read has no zone for us rather than wrong offsets.
        wall_clock(&offsets.format, 0)?;
        Some(Rc::new(offsets))
    }
}

/// `new Intl.DateTimeFormat("en-US", {timeZone, hourCycle: "h23", …numeric fields})`,
/// or the `RangeError` of a zone the runtime does not know.
fn zone_format(name: &str) -> Result<Intl::DateTimeFormat, JsValue> {
    let options = Object::new();
    for (key, value) in [
        ("timeZone", name),
        ("hourCycle", "h23"),
        ("year", "numeric"),
        ("month", "numeric"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "numeric"),
        ("second", "numeric"),
    ] {
        Reflect::set(&options, &key.into(), &value.into())?;
    }
    let intl = Reflect::get(&js_sys::global(), &"Intl".into())?;
    let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())?.dyn_into()?;
    let arguments = Array::of2(&"en-US".into(), &options);
    // `Reflect.construct` rather than the binding's constructor: an unknown zone throws,
    // and a throw must come back as an error, not a trap.
    Reflect::construct(&constructor, &arguments)?.dyn_into()
}

struct IntlOffsets {
    zone: &'static str,
    format: Intl::DateTimeFormat,
}

impl UtcOffsets for IntlOffsets {
    fn offset_ms(&self, at: UnixMillis) -> i64 {
        // `Intl` shows whole seconds: the offset is the wall clock less the instant's
        // whole second. Every instant the core asks about lies in 1970–9999, where the
        // text always reads (the check in `offsets` proved the format).
        let second = at.div_euclid(SECOND_MS) * SECOND_MS;
        match wall_clock(&self.format, second) {
            Some(local) => local - second,
            None => {
                // Not expected (see above), and not silent if it happens: UTC is shown,
                // and the log says which instant the runtime would not format.
                ConsoleLog.write(
                    LogLine::error("zone_offset_unreadable")
                        .field("zone", self.zone)
                        .field("at", at),
                );
                0
            }
        }
    }
}

/// The wall clock at `at` as milliseconds of the local calendar, read from en-US text
/// such as `3/29/2026, 14:05:09`: its six numbers are month, day, year, hour, minute and
/// second whatever the separators. `format` is three times faster than `formatToParts`.
fn wall_clock(format: &Intl::DateTimeFormat, at: UnixMillis) -> Option<i64> {
    let date = Date::new(&JsValue::from_f64(at as f64));
    let text: String = format.format().call1(format, &date).ok()?.as_string()?;
    let mut numbers = [0_i64; 6];
    let mut count = 0;
    for run in text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
    {
        *numbers.get_mut(count)? = run.parse().ok()?;
        count += 1;
    }
    let [month, day, year, hour, minute, second] = numbers;
    if count != 6 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let day_number = day_of_date_parts(year, month, day)?;
    Some(day_number * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * SECOND_MS)
}
