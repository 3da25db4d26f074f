//! Our calendar and parsers held to chrono, which they replace: for every input tried, the
//! same answer (the same date or instant, or the same refusal). The chrono side of each
//! comparison is the exact call the Worker made before.

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Timelike, Utc,
};
use proptest::prelude::*;

use super::*;
use crate::engine::slot::{slot_key, SlotKind};

/// chrono's day number of 1970-01-01 counted from 0001-01-01 as day 1.
const EPOCH_FROM_CE: i64 = 719_163;

fn chrono_date(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(days + EPOCH_FROM_CE).ok()?)
}

fn chrono_ymd(date: NaiveDate) -> (i32, u32, u32) {
    (date.year(), date.month(), date.day())
}

// The old code, verbatim but for names.

fn old_to_rfc3339(ms: UnixMillis) -> String {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

fn old_parse_rfc3339(text: &str) -> Option<UnixMillis> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc).timestamp_millis())
}

fn old_parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn old_parse_date_minute(text: &str) -> Option<UnixMillis> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .ok()
        .map(|at| at.and_utc().timestamp_millis())
}

fn old_parse_rfc2822(text: &str) -> Option<UnixMillis> {
    DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|at| at.timestamp_millis())
}

fn old_slot_key(user_id: &str, kind: SlotKind, at: UnixMillis) -> String {
    let Some(time) = Utc.timestamp_millis_opt(at).single() else {
        return format!("archive_{user_id}_{at}");
    };
    let hour = format!(
        "{:04}_{:02}_{:02}_{:02}",
        time.year(),
        time.month(),
        time.day(),
        time.hour()
    );
    match kind {
        SlotKind::Hourly => format!("archive_{user_id}_{hour}"),
        SlotKind::Extra => format!("archive_{user_id}_{hour}_{:02}", time.minute()),
        SlotKind::Manual => format!("archive_{user_id}_{hour}_manual_{at}"),
    }
}

fn same_date(ours: Option<Date>, theirs: Option<NaiveDate>) -> bool {
    ours.map(|date| (date.days(), date.ymd()))
        == theirs.map(|date| {
            (
                date.signed_duration_since(NaiveDate::default()).num_days(),
                chrono_ymd(date),
            )
        })
}

#[test]
fn every_day_from_1900_to_9999_is_chronos() {
    let first = NaiveDate::from_ymd_opt(1900, 1, 1).expect("date");
    let last = NaiveDate::from_ymd_opt(9999, 12, 31).expect("date");
    let mut theirs = first;
    for days in -25_567..=2_932_896 {
        let ours = Date::from_days(days).expect("in range");
        assert_eq!(ours.ymd(), chrono_ymd(theirs), "{days}");
        let (year, month, day) = ours.ymd();
        assert_eq!(Date::from_ymd_opt(year, month, day), Some(ours));
        assert_eq!(
            ours.weekday_from_monday(),
            theirs.weekday().num_days_from_monday()
        );
        if year <= 2100 {
            assert_eq!(ours.to_string(), theirs.format("%Y-%m-%d").to_string());
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        }
        if days < 2_932_896 {
            theirs = theirs.succ_opt().expect("a date");
        }
    }
    assert_eq!(theirs, last);
}

#[test]
fn the_range_ends_where_chronos_does() {
    for (days, date) in [
        (chrono_date(-1_000_000_000), None),
        (Some(NaiveDate::MIN), Date::from_ymd_opt(-262_143, 1, 1)),
        (Some(NaiveDate::MAX), Date::from_ymd_opt(262_142, 12, 31)),
    ] {
        assert_eq!(days.map(chrono_ymd), date.map(Date::ymd));
    }
    let min = Date::from_ymd_opt(-262_143, 1, 1).expect("min");
    let max = Date::from_ymd_opt(262_142, 12, 31).expect("max");
    assert_eq!(min.checked_add_days(-1), None);
    assert_eq!(max.succ_opt(), None);
    assert_eq!(Date::from_ymd_opt(-262_144, 12, 31), None);
    assert_eq!(Date::from_ymd_opt(262_143, 1, 1), None);
    assert_eq!(min.to_string(), format!("{:?}", NaiveDate::MIN));
    assert_eq!(max.to_string(), format!("{:?}", NaiveDate::MAX));
}

#[test]
fn invalid_dates_are_refused() {
    for (year, month, day) in [
        (2023, 2, 29),
        (2100, 2, 29),
        (2024, 13, 1),
        (2024, 0, 1),
        (2024, 4, 31),
        (2024, 1, 0),
        (2024, 1, 32),
    ] {
        assert_eq!(Date::from_ymd_opt(year, month, day), None);
        assert_eq!(NaiveDate::from_ymd_opt(year, month, day), None);
    }
    assert!(Date::from_ymd_opt(2024, 2, 29).is_some());
    assert!(Date::from_ymd_opt(2000, 2, 29).is_some());
}

/// Instants around and beyond chrono's range, and the archive's years most.
fn any_millis() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -8_300_000_000_000_000_i64..8_300_000_000_000_000,
        -8_210_298_412_800_000_i64..-8_210_298_412_700_000,
        8_210_266_876_700_000_i64..8_210_266_876_800_000,
        -2_208_988_800_000_i64..253_402_300_800_000,
        0_i64..4_102_444_800_000,
    ]
}

/// Instants a day inside chrono's range (a local time at any offset stays in it), and
/// the archive's years most.
fn inner_millis() -> impl Strategy<Value = i64> {
    prop_oneof![
        -8_200_000_000_000_000_i64..8_200_000_000_000_000,
        -2_208_988_800_000_i64..253_402_300_800_000,
    ]
}

/// Text near the parsers' forms: their characters and the ones chrono skips or refuses.
fn noise() -> impl Strategy<Value = String> {
    "[0-9 +:.,TtZz\\-\t\u{2212}\u{3000}()GMTSunNovJjA]{0,32}"
}

fn pad_number() -> impl Strategy<Value = String> {
    (
        0_i64..400_000,
        0_usize..8,
        "[ +\\-]{0,2}",
        "[ \t\u{3000}]{0,1}",
    )
        .prop_map(|(n, width, sign, space)| format!("{space}{sign}{n:0width$}"))
}

/// A number of one to three digits or more, maybe after whitespace or a sign.
fn small_field(range: std::ops::Range<u32>) -> impl Strategy<Value = String> {
    (range, 0_usize..4, "[ +\\-]{0,1}", "[ \t]{0,2}")
        .prop_map(|(n, width, sign, space)| format!("{space}{sign}{n:0width$}"))
}

/// `YYYY-MM-DD`-like text: fields of any width, signs, whitespace, wrong separators.
fn date_like() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            pad_number(),
            pad_number(),
            pad_number(),
            "[\\-/ ]",
            "[\\-/ ]"
        )
            .prop_map(|(y, m, d, a, b)| format!("{y}{a}{m}{b}{d}")),
        (1_i32..10_000, 0_u32..14, 0_u32..33).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (1_i32..10_000, 0_u32..14, 0_u32..33).prop_map(|(y, m, d)| format!("{y}-{m}-{d}")),
        (
            small_field(0..300_000),
            small_field(0..14),
            small_field(0..33)
        )
            .prop_map(|(y, m, d)| format!("{y}-{m}-{d}")),
        noise(),
    ]
}

fn date_minute_like() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            date_like(),
            "[ \tT]{0,2}",
            pad_number(),
            "[: ]",
            pad_number(),
            "[ :0-9]{0,2}"
        )
            .prop_map(|(date, space, h, colon, m, tail)| format!(
                "{date}{space}{h}{colon}{m}{tail}"
            )),
        (1_i32..10_000, 1_u32..13, 1_u32..29, 0_u32..30, 0_u32..70)
            .prop_map(|(y, mo, d, h, mi)| format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")),
        (any_millis(), "[ \t]{0,3}").prop_map(|(ms, space)| {
            let text = Utc
                .timestamp_millis_opt(ms)
                .single()
                .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            text.replacen(' ', &space, 1)
        }),
        noise(),
    ]
}

fn rfc3339_like() -> impl Strategy<Value = String> {
    let offset = prop_oneof![
        Just(String::new()),
        "[Zz]",
        (
            "[+\\-\u{2212}x]",
            0_u32..30,
            "[:]{0,1}",
            0_u32..70,
            "[0-9]{0,1}"
        )
            .prop_map(|(sign, h, colon, m, tail)| format!("{sign}{h:02}{colon}{m:02}{tail}")),
        ("[+\\-]", 0_u32..10).prop_map(|(sign, h)| format!("{sign}{h}")),
    ];
    let fraction = prop_oneof![
        Just(String::new()),
        "\\.[0-9]{0,12}",
        "\\.[0-9]{1,3}[a-z]{0,1}",
    ];
    prop_oneof![
        (
            0_u32..10_000,
            0_u32..14,
            0_u32..33,
            "[Tt x]",
            0_u32..26,
            0_u32..62,
            0_u32..62,
            fraction,
            offset,
        )
            .prop_map(|(y, mo, d, t, h, mi, s, fraction, offset)| {
                format!("{y:04}-{mo:02}-{d:02}{t}{h:02}:{mi:02}:{s:02}{fraction}{offset}")
            }),
        (inner_millis(), -86_400_i32..86_400).prop_map(|(ms, offset)| {
            chrono::FixedOffset::east_opt(offset)
                .and_then(|offset| offset.timestamp_millis_opt(ms).single())
                .map(|at| at.to_rfc3339_opts(SecondsFormat::AutoSi, false))
                .unwrap_or_default()
        }),
        // Leap seconds, at any time of day and any offset.
        (inner_millis(), -86_400_i32..86_400, "[0-9]{0,4}").prop_map(|(ms, offset, fraction)| {
            chrono::FixedOffset::east_opt(offset)
                .and_then(|offset| offset.timestamp_millis_opt(ms).single())
                .map(|at| {
                    at.format(&format!("%Y-%m-%dT%H:%M:60.{fraction}%:z"))
                        .to_string()
                })
                .unwrap_or_default()
        }),
        noise(),
    ]
}

fn rfc2822_like() -> impl Strategy<Value = String> {
    let weekday = prop_oneof![
        Just(String::new()),
        "(Mon|Tue|Wed|Thu|Fri|Sat|Sun|mon|SUN|Xyz|Mo)(, ?)",
        "(Mon|Sun)",
    ];
    let space = "[ \t]{0,2}|\r\n ";
    let month = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|nov|DEC|Foo|Ju";
    let zone = "(GMT|gmt|UT|Z|z|EST|EDT|CST|CDT|MST|MDT|PST|PDT|A|J|K|Y|UTC|[+\\-\u{2212}][0-9]{4}|\\+[0-9]{2}:[0-9]{2}|\\+[0-9]{2})?";
    let comment = "(\\(c\\)| \\(a \\(b\\) c\\)|\\(\\\\\\)\\)|\\(|\\(\\)x| )?";
    let date = (weekday, "[ ]{0,2}", 0_u32..40, 0_usize..3);
    let month = (space, month, space, 0_u64..300_000, 1_usize..6);
    let time = (
        space,
        (
            0_u32..30,
            0_u32..70,
            proptest::option::of(0_u32..70),
            "[ ]{0,1}:[ ]{0,1}",
        ),
        space,
        zone,
        comment,
    );
    prop_oneof![
        (date, month, time).prop_map(
            |((wd, lead, day, dw), (s1, mon, s2, year, yw), (s3, (h, mi, sec, colon), s4, zone, comment))| {
                let seconds = sec.map(|s| format!(":{s:02}")).unwrap_or_default();
                format!(
                    "{wd}{lead}{day:0dw$}{s1}{mon}{s2}{year:0yw$}{s3}{h:02}{colon}{mi:02}{seconds}{s4}{zone}{comment}"
                )
            }
        ),
        any_millis().prop_map(|ms| {
            Utc.timestamp_millis_opt(ms)
                .single()
                .map(|at| at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
                .unwrap_or_default()
        }),
        // Real dates, the weekday right or not, leap seconds, zones and comments.
        (
            inner_millis(),
            "(%a|Mon|Sun)(, )",
            "(%S|60|61|%S:%S)",
            "(GMT|UT|EST|PDT|M|Z|[+\\-][01][0-9][0-5][0-9]|\\+2359|\\+2400|\\-9959)",
            "( \\(c\\)| \\(a \\(b\\) c\\)\\(\\\\\\)\\)| \\(| \\(\\)x| )?",
        )
            .prop_map(|(ms, weekday, second, zone, comment)| {
                Utc.timestamp_millis_opt(ms)
                    .single()
                    .map(|at| {
                        at.format(&format!("{weekday}%d %b %Y %H:%M:{second} {zone}{comment}"))
                            .to_string()
                    })
                    .unwrap_or_default()
            }),
        (inner_millis(), -86_400_i32..86_400).prop_map(|(ms, offset)| {
            chrono::FixedOffset::east_opt(offset)
                .and_then(|offset| offset.timestamp_millis_opt(ms).single())
                // (`to_rfc2822` panics outside years 0–9999.)
                .map(|at| at.format("%a, %d %b %Y %H:%M:%S %z").to_string())
                .unwrap_or_default()
        }),
        noise(),
    ]
}

proptest! {
    // 4,096 cases each, or more by `PROPTEST_CASES`.
    #![proptest_config(ProptestConfig::with_cases(ProptestConfig::default().cases.max(4_096)))]

    #[test]
    fn dates_are_chronos(days in prop_oneof![any::<i32>().prop_map(i64::from), -100_000_000_i64..100_000_000]) {
        let ours = Date::from_days(days);
        let theirs = chrono_date(days);
        prop_assert!(same_date(ours, theirs), "{days}");
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            prop_assert_eq!(ours.to_string(), theirs.format("%Y-%m-%d").to_string());
            prop_assert_eq!(ours.succ_opt().map(Date::ymd), theirs.succ_opt().map(chrono_ymd));
            prop_assert_eq!(
                ours.checked_add_days(-29).map(Date::ymd),
                theirs.checked_sub_days(chrono::Days::new(29)).map(chrono_ymd)
            );
        }
    }

    #[test]
    fn ymd_is_chronos(year in any::<i32>(), month in 0_u32..14, day in 0_u32..33) {
        prop_assert!(same_date(Date::from_ymd_opt(year, month, day), NaiveDate::from_ymd_opt(year, month, day)));
        let year = year % 300_000;
        prop_assert!(same_date(Date::from_ymd_opt(year, month, day), NaiveDate::from_ymd_opt(year, month, day)));
    }

    #[test]
    fn instants_are_chronos(ms in any_millis()) {
        prop_assert!(same_date(utc_date(ms), DateTime::from_timestamp_millis(ms).map(|at| at.date_naive())));
        prop_assert_eq!(to_rfc3339(ms), old_to_rfc3339(ms));
        for kind in [SlotKind::Hourly, SlotKind::Extra, SlotKind::Manual] {
            prop_assert_eq!(slot_key("u1", kind, ms), old_slot_key("u1", kind, ms));
        }
    }

    #[test]
    fn rfc3339_round_trips(ms in 0_i64..253_402_300_800_000) {
        prop_assert_eq!(parse_rfc3339(&to_rfc3339(ms)), Some(ms));
    }

    #[test]
    fn rfc3339_is_chronos(text in rfc3339_like()) {
        prop_assert_eq!(parse_rfc3339(&text), old_parse_rfc3339(&text), "{:?}", text);
    }

    #[test]
    fn dates_parse_as_chronos(text in date_like()) {
        prop_assert!(same_date(parse_date(&text), old_parse_date(&text)), "{:?}", text);
    }

    #[test]
    fn minutes_parse_as_chronos(text in date_minute_like()) {
        prop_assert_eq!(parse_date_minute(&text), old_parse_date_minute(&text), "{:?}", text);
    }

    #[test]
    fn rfc2822_is_chronos(text in rfc2822_like()) {
        prop_assert_eq!(parse_rfc2822(&text), old_parse_rfc2822(&text), "{:?}", text);
    }
}

#[test]
fn fixed_cases_are_chronos() {
    for text in [
        "2026-03-29",
        "2023-02-29",
        "2024-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-1-5",
        " 2024-01-05",
        "2024- 1- 5",
        "+2024-1-05",
        "-2024-1-05",
        "2024-01-05 ",
        "20240-1-05",
        "2024/01/05",
        "",
        "+",
        "-",
        "+99999999999999999999-01-01",
    ] {
        assert!(
            same_date(parse_date(text), old_parse_date(text)),
            "{text:?}"
        );
    }
    for text in [
        "2020-01-31 12:34",
        "2020-01-31 24:00",
        "2020-01-31 23:60",
        "2020-01-31 9:5",
        "2020-01-3112:34",
        "2020-01-31\t 12:34",
        "2020-01-31T12:34",
        "2020-01-31 12:34:56",
        "2020-01-31 12 :34",
        "2020-01-31 12: 34",
        "2020-02-30 12:34",
        "-0001-01-01 00:00",
        "+262142-12-31 23:59",
        "+262143-01-01 00:00",
    ] {
        assert_eq!(
            parse_date_minute(text),
            old_parse_date_minute(text),
            "{text:?}"
        );
    }
    for text in [
        "2026-11-28T13:05:12.345Z",
        "2026-11-28T13:05:12Z",
        "2026-11-28t13:05:12z",
        "2026-11-28 13:05:12+01:00",
        "2026-11-28T13:05:12.1234567891234-01:30",
        "2026-11-28T13:05:12\u{2212}01:30",
        "2026-11-28T13:05:12+0130",
        "2026-11-28T13:05:12+01",
        "2026-11-28T13:05:12+24:00",
        "2026-11-28T13:05:12+23:59",
        "2026-11-28T13:05:12+23:60",
        "2026-11-28T13:05:12.Z",
        "2016-12-31T23:59:60.5Z",
        "2016-12-31T23:59:61Z",
        "2026-02-29T00:00:00Z",
        "0000-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59.999-23:59",
        "yesterday",
    ] {
        assert_eq!(parse_rfc3339(text), old_parse_rfc3339(text), "{text:?}");
    }
    for text in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Mon, 06 Nov 1994 08:49:37 GMT",
        "06 Nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 94 08:49 +0000",
        "Sun,6 Nov 1994 08:49:37 GMT",
        "Sun , 06 Nov 1994 08:49:37 GMT",
        "Sat, 28 Nov 2026 13:02:00 GMT",
        "Sat, 28 Nov 2026 13:02:00 GMT (comment (nested) \\) )",
        "Sat, 28 Nov 2026 13:02:00 GMT ",
        "Sat, 28 Nov 2026 13 : 02 : 00 EST",
        "Sat, 28 Nov 126 13:02:00 J",
        "Sat, 28 Nov 2026 13:02:60 A",
        "Thu, 31 Dec 2016 23:59:60 +0000",
        "Sat, 28 Nov 2026 13:02:00 +2400",
        "Sat, 28 Nov 2026 13:02:00 \u{2212}0100",
        "Sunday, 06 Nov 1994 08:49:37 GMT",
        "30",
        "",
    ] {
        assert_eq!(parse_rfc2822(text), old_parse_rfc2822(text), "{text:?}");
    }
}
