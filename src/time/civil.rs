//! Calendar dates of the proleptic Gregorian calendar, as day numbers.
//!
//! Howard Hinnant's `days_from_civil` / `civil_from_days`
//! (<https://howardhinnant.github.io/date_algorithms.html>): exact integer arithmetic over
//! 400-year eras, no tables. The range is chrono's `NaiveDate`'s, years -262143 to 262142,
//! so that every `None` the code returned with chrono it still returns.

use std::fmt;

/// The first and last years a [`Date`] holds (chrono's `NaiveDate` range).
pub const MIN_YEAR: i32 = (i32::MIN >> 13) + 1;
pub const MAX_YEAR: i32 = (i32::MAX >> 13) - 1;

/// Day numbers (days since 1970-01-01) of the first and last dates.
const MIN_DAY: i64 = days_from_civil(MIN_YEAR as i64, 1, 1);
const MAX_DAY: i64 = days_from_civil(MAX_YEAR as i64, 12, 31);

/// Days since 1970-01-01 of a valid (year, month, day).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Years start on 1 March, so that the leap day ends them.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400; // 0..=399
    let month_from_march = (month + 9) % 12; // March 0 … February 11
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1; // 0..=365
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// (year, month, day) of a day number.
const fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468; // day 0 is 0000-03-01
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097; // 0..=146096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153; // March 0 … February 11
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month as u32, day as u32)
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A calendar date. Ordered by time; shown as `YYYY-MM-DD` (a sign and at least four
/// digits outside years 0–9999, as chrono wrote them).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Days since 1970-01-01, within `MIN_DAY..=MAX_DAY`.
    days: i64,
}

impl Date {
    /// The date of the day number `days` (days since 1970-01-01), if in range.
    pub fn from_days(days: i64) -> Option<Self> {
        (MIN_DAY..=MAX_DAY).contains(&days).then_some(Self { days })
    }

    /// The date of these numbers, if it is one (and in range). Named as chrono's.
    pub fn from_ymd_opt(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(i64::from(year), month)
        {
            return None;
        }
        Some(Self {
            days: days_from_civil(i64::from(year), i64::from(month), i64::from(day)),
        })
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.days
    }

    /// (year, month 1–12, day 1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        let (year, month, day) = civil_from_days(self.days);
        // In range by construction: |year| < 2^18.
        (year as i32, month, day)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    pub fn month(self) -> u32 {
        self.ymd().1
    }

    pub fn day(self) -> u32 {
        self.ymd().2
    }

    /// Days since Monday: Monday 0 … Sunday 6.
    pub fn weekday_from_monday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        (self.days + 3).rem_euclid(7) as u32
    }

    /// `days` later (earlier when negative), if still in range.
    pub fn checked_add_days(self, days: i64) -> Option<Self> {
        Self::from_days(self.days.checked_add(days)?)
    }

    /// The next day, if in range. Named as chrono's.
    pub fn succ_opt(self) -> Option<Self> {
        self.checked_add_days(1)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}-{month:02}-{day:02}")
        } else {
            write!(f, "{year:+05}-{month:02}-{day:02}")
        }
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
