//! The user's archive, seen and taken away: the ranges, time zones and limits of the
//! history API, the stats built from the store's buckets, the year in review, the exports, and the rules of
//! "Archive now". Pure: the SQL lives in [`crate::store::history`], the routes in
//! [`crate::web::history`].

pub mod export;
pub mod review;
pub mod stats;
pub mod zone;
mod zone_names;

use crate::pairs::first;
use crate::ports::TimeZones;
use zone::Zone;

use crate::time::{parse_date, parse_rfc3339, Date, UnixMillis, DAY_MS, MINUTE_MS};

/// The latest instant we accept: the end of the year 9999.
pub const MAX_INSTANT: UnixMillis = 253_402_300_799_999;

/// The longest stats range: twenty years (the per-day series stays a few thousand long).
pub const MAX_STATS_SPAN_MS: i64 = 20 * 366 * DAY_MS;

/// How many days the stats cover when no `from` is given.
pub const DEFAULT_STATS_DAYS: i64 = 30;

/// Top lists hold this many by default, and at most `MAX_TOP`.
pub const DEFAULT_TOP: usize = 10;
pub const MAX_TOP: usize = 50;

/// A user may ask for an archive once in this long.
pub const ARCHIVE_REQUEST_INTERVAL_MS: i64 = 5 * MINUTE_MS;

/// A parameter the API refuses: a 400 with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub code: &'static str,
    pub message: String,
}

impl ParamError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// One end of a range as given: a local calendar day or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `YYYY-MM-DD`: the start of that day in the range's time zone.
    Day(Date),
    /// Unix milliseconds, or an RFC 3339 instant.
    Instant(UnixMillis),
}

impl Bound {
    pub fn parse(text: &str) -> Option<Self> {
        if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
            return text
                .parse::<i64>()
                .ok()
                .filter(|ms| (0..=MAX_INSTANT).contains(ms))
                .map(Self::Instant);
        }
        if text.len() == 10 {
            return parse_date(text)
                .filter(|date| (1970..=9999).contains(&date.year()))
                .map(Self::Day);
        }
        parse_rfc3339(text)
            .filter(|ms| (0..=MAX_INSTANT).contains(ms))
            .map(Self::Instant)
    }

    /// The instant this bound stands for in `zone`.
    pub fn resolve(self, zone: &Zone) -> Option<UnixMillis> {
        match self {
            Self::Day(date) => zone::start_of_day(zone, date),
            Self::Instant(at) => Some(at),
        }
    }
}

fn bound(
    pairs: &[(String, String)],
    name: &'static str,
    zone: &Zone,
) -> Result<Option<UnixMillis>, ParamError> {
    let Some(text) = first(pairs, name) else {
        return Ok(None);
    };
    Bound::parse(text)
        .and_then(|bound| bound.resolve(zone))
        .map(Some)
        .ok_or_else(|| {
            ParamError::new(
                if name == "from" { "invalid_from" } else { "invalid_to" },
                format!(
                    "`{name}` must be a date (YYYY-MM-DD, in the time zone), an RFC 3339 instant or Unix milliseconds."
                ),
            )
        })
}

/// Where the zone of a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneSource {
    /// The `tz` parameter.
    Query,
    /// The user's saved default.
    Saved,
    /// Neither: UTC.
    Default,
}

/// The zone of a request: `tz` when given (and then it must be valid), else the user's
/// saved default, else UTC.
pub fn request_zone(
    pairs: &[(String, String)],
    saved: Option<&str>,
    zones: &dyn TimeZones,
) -> Result<(Zone, ZoneSource), ParamError> {
    if let Some(name) = first(pairs, "tz") {
        return zone::parse_zone(name, zones)
            .map(|zone| (zone, ZoneSource::Query))
            .ok_or_else(|| unknown_zone(name));
    }
    Ok(saved
        .and_then(|name| zone::parse_zone(name, zones))
        .map_or((Zone::utc(), ZoneSource::Default), |zone| {
            (zone, ZoneSource::Saved)
        }))
}

pub fn unknown_zone(name: &str) -> ParamError {
    let shown: String = name.chars().take(zone::MAX_ZONE_NAME).collect();
    ParamError::new(
        "unknown_time_zone",
        format!(
            "`{shown}` is not an IANA time zone name such as Europe/Berlin or America/New_York."
        ),
    )
}

/// What `/api/stats` was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsQuery {
    pub from: UnixMillis,
    pub to: UnixMillis,
    pub zone: Zone,
    pub zone_source: ZoneSource,
    pub top: usize,
}

impl StatsQuery {
    /// Reads `from`, `to`, `tz` and `limit`. Without `to`, the range ends with today
    /// (local); without `from`, it starts 30 local days before its end.
    pub fn parse(
        pairs: &[(String, String)],
        saved_zone: Option<&str>,
        zones: &dyn TimeZones,
        now: UnixMillis,
    ) -> Result<Self, ParamError> {
        let (zone, zone_source) = request_zone(pairs, saved_zone, zones)?;
        let to = match bound(pairs, "to", &zone)? {
            Some(to) => to,
            None => zone::local_date(&zone, now)
                .and_then(|today| today.succ_opt())
                .and_then(|tomorrow| zone::start_of_day(&zone, tomorrow))
                .unwrap_or(now),
        };
        let from = match bound(pairs, "from", &zone)? {
            Some(from) => from,
            None => zone::local_date(&zone, to - 1)
                .and_then(|last| last.checked_add_days(1 - DEFAULT_STATS_DAYS))
                .and_then(|first| zone::start_of_day(&zone, first))
                .unwrap_or(to - DEFAULT_STATS_DAYS * DAY_MS),
        };
        check_range(from, to)?;
        if from < DAY_MS {
            return Err(ParamError::new(
                "invalid_range",
                "Stats start on 2 January 1970 at the earliest.",
            ));
        }
        if to - from > MAX_STATS_SPAN_MS {
            return Err(ParamError::new(
                "invalid_range",
                "Stats cover at most twenty years at a time.",
            ));
        }
        let top = match first(pairs, "limit").map(str::parse::<usize>) {
            None => DEFAULT_TOP,
            Some(Ok(top)) if (1..=MAX_TOP).contains(&top) => top,
            Some(_) => {
                return Err(ParamError::new(
                    "invalid_limit",
                    format!("`limit` must be between 1 and {MAX_TOP}."),
                ))
            }
        };
        Ok(Self {
            from,
            to,
            zone,
            zone_source,
            top,
        })
    }
}

fn check_range(from: UnixMillis, to: UnixMillis) -> Result<(), ParamError> {
    if from >= to {
        return Err(ParamError::new(
            "invalid_range",
            "`from` must come before `to` (the range is [from, to)).",
        ));
    }
    Ok(())
}

/// What `/api/export` was asked for: by default the whole archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportQuery {
    pub format: export::ExportFormat,
    pub from: UnixMillis,
    pub to: UnixMillis,
}

impl ExportQuery {
    pub fn parse(
        pairs: &[(String, String)],
        saved_zone: Option<&str>,
        zones: &dyn TimeZones,
    ) -> Result<Self, ParamError> {
        let format = match first(pairs, "format") {
            None => export::ExportFormat::Csv,
            Some(name) => export::ExportFormat::parse(name).ok_or_else(|| {
                ParamError::new("invalid_format", "`format` must be csv, json or jsonl.")
            })?,
        };
        let (zone, _) = request_zone(pairs, saved_zone, zones)?;
        let from = bound(pairs, "from", &zone)?.unwrap_or(0);
        let to = bound(pairs, "to", &zone)?.unwrap_or(MAX_INSTANT + 1);
        check_range(from, to)?;
        Ok(Self { format, from, to })
    }
}

/// Where the user's last "Archive now" stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ArchiveRequestState {
    /// When the user last asked.
    pub archive_requested_at: Option<UnixMillis>,
    /// Asked, and no archive has succeeded (or failed) since.
    pub archive_pending: bool,
    /// When the user may ask again; `None`: now.
    pub archive_available_at: Option<UnixMillis>,
}

impl ArchiveRequestState {
    /// `active`: the user is being archived at all (not paused, no login needed).
    pub fn new(
        requested_at: Option<UnixMillis>,
        last_success_at: Option<UnixMillis>,
        last_failure_at: Option<UnixMillis>,
        active: bool,
        now: UnixMillis,
    ) -> Self {
        let pending = requested_at.is_some_and(|requested| {
            active
                && last_success_at.is_none_or(|success| success < requested)
                && last_failure_at.is_none_or(|failure| failure < requested)
        });
        Self {
            archive_requested_at: requested_at,
            archive_pending: pending,
            archive_available_at: requested_at
                .map(|requested| requested + ARCHIVE_REQUEST_INTERVAL_MS)
                .filter(|available| *available > now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::zones::TzdbZones;
    use crate::time::{parse_rfc3339, Date, HOUR_MS};

    fn at(text: &str) -> UnixMillis {
        parse_rfc3339(text).expect("test instant")
    }

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    fn stats(query: &str, saved: Option<&str>) -> Result<StatsQuery, ParamError> {
        StatsQuery::parse(&pairs(query), saved, &TzdbZones, at("2026-03-29T12:00:00Z"))
    }

    #[test]
    fn bounds_are_days_instants_or_milliseconds() {
        assert_eq!(
            Bound::parse("2026-03-29"),
            Date::from_ymd_opt(2026, 3, 29).map(Bound::Day)
        );
        assert_eq!(Bound::parse("1000"), Some(Bound::Instant(1000)));
        assert_eq!(
            Bound::parse("2026-03-29T01:00:00+02:00"),
            Some(Bound::Instant(at("2026-03-28T23:00:00Z")))
        );
        for bad in [
            "",
            "-5",
            "2026-02-30",
            "yesterday",
            "99999999999999999999",
            "1e9",
            "2026-3-1",
        ] {
            assert_eq!(Bound::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_default_range_is_the_last_thirty_local_days() {
        let query = stats("tz=Europe/Berlin", None).expect("valid");
        assert_eq!(
            query.to,
            at("2026-03-29T22:00:00Z"),
            "the end of today in Berlin"
        );
        assert_eq!(query.from, at("2026-02-27T23:00:00Z"));
        assert_eq!(query.zone_source, ZoneSource::Query);
        assert_eq!(query.top, DEFAULT_TOP);
    }

    #[test]
    fn the_zone_is_the_parameter_else_the_saved_one_else_utc() {
        assert_eq!(stats("", None).expect("valid").zone, Zone::utc());
        let saved = stats("", Some("America/New_York")).expect("valid");
        assert_eq!(
            (saved.zone.name(), saved.zone_source),
            ("America/New_York", ZoneSource::Saved)
        );
        let given = stats("tz=Asia/Tokyo", Some("America/New_York")).expect("valid");
        assert_eq!(given.zone.name(), "Asia/Tokyo");
        assert_eq!(
            stats("tz=Nowhere/City", None).map_err(|e| e.code),
            Err("unknown_time_zone")
        );
    }

    #[test]
    fn dates_are_local_midnights_of_the_zone() {
        let query = stats("from=2026-03-29&to=2026-03-30&tz=Europe/Berlin", None).expect("valid");
        assert_eq!(query.from, at("2026-03-28T23:00:00Z"));
        assert_eq!(
            query.to - query.from,
            23 * HOUR_MS,
            "the spring day is short"
        );
    }

    #[test]
    fn bad_ranges_and_limits_are_refused_with_their_codes() {
        let code = |query: &str| stats(query, None).map(|_| ()).map_err(|error| error.code);
        assert_eq!(code("from=2026-13-01"), Err("invalid_from"));
        assert_eq!(code("to=tomorrow"), Err("invalid_to"));
        assert_eq!(code("from=2026-03-02&to=2026-03-01"), Err("invalid_range"));
        assert_eq!(code("from=2026-03-01&to=2026-03-01"), Err("invalid_range"));
        assert_eq!(code("from=1990-01-01&to=2026-01-01"), Err("invalid_range"));
        assert_eq!(code("from=0&to=1000"), Err("invalid_range"));
        assert_eq!(code("limit=0"), Err("invalid_limit"));
        assert_eq!(code("limit=51"), Err("invalid_limit"));
        assert_eq!(code("limit=-1"), Err("invalid_limit"));
        assert_eq!(code("limit=10"), Ok(()));
    }

    #[test]
    fn an_export_defaults_to_everything_as_csv() {
        let query = ExportQuery::parse(&[], None, &TzdbZones).expect("valid");
        assert_eq!(
            (query.format, query.from, query.to),
            (export::ExportFormat::Csv, 0, MAX_INSTANT + 1)
        );
        let code = |query: &str| {
            ExportQuery::parse(&pairs(query), None, &TzdbZones).map_err(|error| error.code)
        };
        assert_eq!(code("format=xml"), Err("invalid_format"));
        assert_eq!(code("format=jsonl&from=x"), Err("invalid_from"));
        assert_eq!(code("from=2026-01-02&to=2026-01-01"), Err("invalid_range"));
    }

    #[test]
    fn an_archive_request_is_pending_until_an_archive_ends_after_it() {
        let now = 10 * MINUTE_MS;
        let requested = Some(now);
        let pending = ArchiveRequestState::new(requested, Some(now - 1), None, true, now);
        assert!(pending.archive_pending);
        assert_eq!(
            pending.archive_available_at,
            Some(now + ARCHIVE_REQUEST_INTERVAL_MS)
        );
        assert!(
            !ArchiveRequestState::new(requested, Some(now + 1), None, true, now).archive_pending
        );
        assert!(
            !ArchiveRequestState::new(requested, None, Some(now + 1), true, now).archive_pending
        );
        assert!(!ArchiveRequestState::new(requested, None, None, false, now).archive_pending);
        let later = ArchiveRequestState::new(
            requested,
            None,
            None,
            true,
            now + ARCHIVE_REQUEST_INTERVAL_MS,
        );
        assert_eq!(later.archive_available_at, None);
        assert!(!ArchiveRequestState::new(None, None, None, true, now).archive_pending);
    }
}
