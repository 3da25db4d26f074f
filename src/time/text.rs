//! The text forms of dates and instants we read: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, RFC 3339
//! and RFC 2822. Each accepts exactly what the chrono call it replaces accepted (its
//! `parse_from_str` with `%Y-%m-%d` / `%Y-%m-%d %H:%M`, `parse_from_rfc3339`,
//! `parse_from_rfc2822`), quirks included, so that no input changes its answer:
//! `oracle_tests` holds them to chrono. Hence the leniencies below, each chrono's.

use super::civil::{Date, MAX_YEAR, MIN_YEAR};
use super::{UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS};

/// Seconds of an offset must stay within a day either way (chrono's `FixedOffset`).
const MAX_OFFSET_SECONDS: i64 = 86_399;

/// `min` to `max` ASCII digits as a number, and the rest; `None` on fewer digits or on
/// overflow (chrono's `scan::number`).
fn digits(s: &str, min: usize, max: usize) -> Option<(&str, i64)> {
    let count = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if count < min {
        return None;
    }
    let value = s.bytes().take(count).try_fold(0_i64, |n, b| {
        n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })?;
    // `count` ASCII bytes: the rest starts on a character.
    Some((s.get(count..)?, value))
}

/// A strftime numeric field as chrono parses it: leading whitespace skipped, then one
/// to `width` digits; a year may instead carry a sign and any number of digits.
fn field(s: &str, width: usize, signed: bool) -> Option<(&str, i64)> {
    let s = s.trim_start();
    if signed {
        if let Some(rest) = s.strip_prefix('-') {
            let (rest, value) = digits(rest, 1, usize::MAX)?;
            return Some((rest, value.checked_neg()?));
        }
        if let Some(rest) = s.strip_prefix('+') {
            return digits(rest, 1, usize::MAX);
        }
    }
    digits(s, 1, width)
}

/// `%Y-%m-%d` at the start of `s`, and the rest.
fn date_fields(s: &str) -> Option<(&str, Date)> {
    let (s, year) = field(s, 4, true)?;
    let (s, month) = field(s.strip_prefix('-')?, 2, false)?;
    let (s, day) = field(s.strip_prefix('-')?, 2, false)?;
    let date = Date::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )?;
    Some((s, date))
}

/// A date as chrono's `NaiveDate::parse_from_str(text, "%Y-%m-%d")` read it.
pub fn parse_date(text: &str) -> Option<Date> {
    match date_fields(text)? {
        ("", date) => Some(date),
        _ => None,
    }
}

/// A UTC minute as chrono's `NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")`
/// read it (the format's space matches any whitespace, none included).
pub fn parse_date_minute(text: &str) -> Option<UnixMillis> {
    let (s, date) = date_fields(text)?;
    let (s, hour) = field(s, 2, false)?;
    let (s, minute) = field(s.strip_prefix(':')?, 2, false)?;
    if !s.is_empty() || !(0..24).contains(&hour) || !(0..60).contains(&minute) {
        return None;
    }
    Some(date.days() * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS)
}

/// A fraction of a second after its dot: at least one digit, nanoseconds from the first
/// nine, the others skipped (chrono's `scan::nanosecond`).
fn nanoseconds(s: &str) -> Option<(&str, i64)> {
    let (rest, value) = digits(s, 1, 9)?;
    let consumed = s.len() - rest.len();
    let scale = 10_i64.pow(9 - consumed as u32);
    Some((
        rest.trim_start_matches(|c: char| c.is_ascii_digit()),
        value * scale,
    ))
}

/// A numeric UTC offset `±HH[:]MM` in seconds (chrono's `scan::timezone_offset` as its
/// RFC 3339 and RFC 2822 parsers call it): the colon mandatory or absent, `Z` and the
/// Unicode minus sign allowed or not.
fn numeric_offset(s: &str, colon: bool, zulu: bool, minus_sign: bool) -> Option<(&str, i64)> {
    if zulu {
        if let Some(rest) = s.strip_prefix(['Z', 'z']) {
            return Some((rest, 0));
        }
    }
    let (negative, s) = if let Some(rest) = s.strip_prefix('+') {
        (false, rest)
    } else if let Some(rest) = s.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = s.strip_prefix('\u{2212}').filter(|_| minus_sign) {
        (true, rest)
    } else {
        return None;
    };
    let (s, hours) = fixed_digits(s)?;
    let s = if colon { s.strip_prefix(':')? } else { s };
    let (s, minutes) = fixed_digits(s).filter(|(_, minutes)| *minutes < 60)?;
    let seconds = hours * 3_600 + minutes * 60;
    Some((s, if negative { -seconds } else { seconds }))
}

/// Exactly two ASCII digits.
fn fixed_digits(s: &str) -> Option<(&str, i64)> {
    match s.as_bytes() {
        [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some((s.get(2..)?, i64::from((a - b'0') * 10 + (b - b'0'))))
        }
        _ => None,
    }
}

/// Unix milliseconds of a local date and time at `offset` seconds east of UTC, if the
/// time is one (second 60, a leap second, is 59 and a second more), the offset is less
/// than a day and the instant's UTC date is in range. `fraction_ms` is added after the
/// range check, as chrono kept the fraction beside the time.
fn instant(
    date: Date,
    (hour, minute, second): (i64, i64, i64),
    offset: i64,
    fraction_ms: i64,
) -> Option<UnixMillis> {
    if hour >= 24 || minute >= 60 || second > 60 || offset.abs() > MAX_OFFSET_SECONDS {
        return None;
    }
    let (second, leap_ms) = if second == 60 {
        (59, 1_000)
    } else {
        (second, 0)
    };
    let local = date.days() * (DAY_MS / SECOND_MS) + hour * 3_600 + minute * 60 + second;
    let utc = local - offset;
    Date::from_days(utc.div_euclid(DAY_MS / SECOND_MS))?;
    Some(utc * SECOND_MS + leap_ms + fraction_ms)
}

/// An RFC 3339 instant as chrono's `DateTime::parse_from_rfc3339` read it: four-digit
/// year, `T`, `t` or a space between date and time, an optional fraction of at least one
/// digit (nanoseconds; milliseconds kept, rounded down), second 60 (a leap second) allowed,
/// then `Z`, `z` or `±HH:MM`.
pub fn parse_rfc3339(text: &str) -> Option<UnixMillis> {
    let bytes = text.as_bytes();
    let number = |from: usize, len: usize| -> Option<i64> {
        bytes.get(from..from + len)?.iter().try_fold(0_i64, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
        })
    };
    let separator = |at: usize, allowed: &[u8]| bytes.get(at).is_some_and(|b| allowed.contains(b));
    if bytes.len() < 19 {
        return None;
    }
    let year = number(0, 4)?;
    let month = number(5, 2)?;
    let day = number(8, 2)?;
    let hour = number(11, 2)?;
    let minute = number(14, 2)?;
    let second = number(17, 2)?;
    if !separator(4, b"-")
        || !separator(7, b"-")
        || !separator(10, b"tT ")
        || !separator(13, b":")
        || !separator(16, b":")
    {
        return None;
    }
    let date = Date::from_ymd_opt(year as i32, month as u32, day as u32)?;
    let (rest, nanos) = match text.get(19..)?.strip_prefix('.') {
        Some(fraction) => nanoseconds(fraction)?,
        None => (text.get(19..)?, 0),
    };
    let (rest, offset) = numeric_offset(rest, true, true, true)?;
    if !rest.is_empty() {
        return None;
    }
    instant(date, (hour, minute, second), offset, nanos / 1_000_000)
}

/// Three letters of `names`, any case, and the rest: the index of the name.
fn short_name<'a>(s: &'a str, names: &[&str]) -> Option<(&'a str, usize)> {
    let head = s.get(..3)?;
    let index = names
        .iter()
        .position(|name| head.eq_ignore_ascii_case(name))?;
    Some((s.get(3..)?, index))
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// At least one whitespace character, skipped (chrono's `scan::space`).
fn space(s: &str) -> Option<&str> {
    let rest = s.trim_start();
    (rest.len() < s.len()).then_some(rest)
}

/// RFC 2822's zone: a numeric offset without colon, or one of the obsolete names (the
/// military letters count as -0000, as RFC 2822 recommends).
fn offset_2822(s: &str) -> Option<(&str, i64)> {
    let letters = s
        .bytes()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(s.len());
    if letters == 0 {
        return numeric_offset(s, false, false, false);
    }
    let (name, rest) = s.split_at(letters);
    let hours = match name.to_ascii_lowercase().as_str() {
        "gmt" | "ut" | "z" => 0,
        "edt" => -4,
        "est" | "cdt" => -5,
        "cst" | "mdt" => -6,
        "mst" | "pdt" => -7,
        "pst" => -8,
        "j" => return None,
        letter if letter.len() == 1 => 0,
        _ => return None,
    };
    Some((rest, hours * 3_600))
}

/// One RFC 2822 comment, `(…)` with nesting and `\` escapes, after optional whitespace.
fn comment_2822(s: &str) -> Option<&str> {
    let s = s.trim_start().strip_prefix('(')?;
    let mut depth = 1_usize;
    let mut escaped = false;
    for (index, b) in s.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'(' => depth += 1,
            b')' if depth == 1 => return s.get(index + 1..),
            b')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// An RFC 2822 date-time as chrono's `DateTime::parse_from_rfc2822` read it (HTTP's
/// IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, among them): optional weekday, which must
/// then be the date's; two- and three-digit years of the obsolete syntax; optional
/// seconds; the obsolete zone names; trailing comments.
pub fn parse_rfc2822(text: &str) -> Option<UnixMillis> {
    let mut s = text.trim_start();
    let mut weekday = None;
    if let Some((rest, index)) = short_name(s, &WEEKDAYS) {
        s = rest.strip_prefix(',')?;
        weekday = Some(index);
    }
    let (rest, day) = digits(s.trim_start(), 1, 2)?;
    let (rest, month) = short_name(space(rest)?, &MONTHS)?;
    let rest = space(rest)?;
    let (after, year) = digits(rest, 2, usize::MAX)?;
    let year = match (rest.len() - after.len(), year) {
        (2, 0..=49) => year + 2000,
        (2, 50..=99) | (3, _) => year + 1900,
        _ => year,
    };
    let (rest, hour) = digits(space(after)?, 2, 2)?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let (mut rest, minute) = digits(rest, 2, 2)?;
    let mut second = 0;
    if let Some(after) = rest.trim_start().strip_prefix(':') {
        (rest, second) = digits(after, 2, 2)?;
    }
    let (mut rest, offset) = offset_2822(space(rest)?)?;
    while let Some(after) = comment_2822(rest) {
        rest = after;
    }
    if !rest.is_empty() {
        return None;
    }
    let year = i32::try_from(year)
        .ok()
        .filter(|year| (MIN_YEAR..=MAX_YEAR).contains(year))?;
    let date = Date::from_ymd_opt(year, month as u32 + 1, u32::try_from(day).ok()?)?;
    if weekday.is_some_and(|weekday| weekday as u32 != date.weekday_from_monday()) {
        return None;
    }
    instant(date, (hour, minute, second), offset, 0)
}
