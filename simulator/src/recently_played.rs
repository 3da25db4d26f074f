//! `GET /v1/me/player/recently-played`: which plays a request sees and how the page looks.
//!
//! Spotify keeps only the newest 50 plays; anything older does not exist as far as this
//! endpoint is concerned, whatever cursor is sent. Within that window `after` keeps plays
//! strictly newer than the cursor and `before` plays strictly older; the page lists the
//! newest `limit` of them, newest first.

use std::fmt;

use serde_json::{json, Value};

use crate::stream::Play;
use crate::timefmt;

/// The most plays the endpoint will ever return, and the size of the visible window.
pub const MAX_LIMIT: u32 = 50;
/// Spotify's default page size.
pub const DEFAULT_LIMIT: u32 = 20;

/// The endpoint's query: a page size and at most one of the two cursors, in Unix ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    pub limit: u32,
    pub after: Option<i64>,
    pub before: Option<i64>,
}

impl Default for Query {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            after: None,
            before: None,
        }
    }
}

/// Why a query string was refused; the message goes into the 400 body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    InvalidLimit(String),
    InvalidCursor { name: &'static str, value: String },
    BothCursors,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidLimit(value) => {
                write!(
                    f,
                    "Invalid limit '{value}': must be an integer from 1 to {MAX_LIMIT}"
                )
            }
            Self::InvalidCursor { name, value } => {
                write!(
                    f,
                    "Invalid {name} '{value}': must be a Unix time in milliseconds"
                )
            }
            Self::BothCursors => f.write_str("Only one of after and before can be specified"),
        }
    }
}

impl std::error::Error for QueryError {}

impl Query {
    /// Reads the query parameters as Spotify does; absent parameters take their defaults.
    pub fn parse(
        limit: Option<&str>,
        after: Option<&str>,
        before: Option<&str>,
    ) -> Result<Self, QueryError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                .ok_or_else(|| QueryError::InvalidLimit(raw.to_owned()))?,
        };
        let cursor = |name: &'static str, raw: Option<&str>| {
            raw.map(|raw| {
                raw.parse::<i64>().map_err(|_| QueryError::InvalidCursor {
                    name,
                    value: raw.to_owned(),
                })
            })
            .transpose()
        };
        let after = cursor("after", after)?;
        let before = cursor("before", before)?;
        if after.is_some() && before.is_some() {
            return Err(QueryError::BothCursors);
        }
        Ok(Self {
            limit,
            after,
            before,
        })
    }

    fn to_query_string(self) -> String {
        match (self.after, self.before) {
            (Some(after), _) => format!("limit={}&after={after}", self.limit),
            (None, Some(before)) => format!("limit={}&before={before}", self.limit),
            (None, None) => format!("limit={}", self.limit),
        }
    }
}

/// The response body for `query` over a user's history.
///
/// `plays_oldest_first` may run past `now_ms`: only plays that ended at or before `now_ms`
/// count. `base_url` (no trailing slash) prefixes `href`, `next` and context hrefs.
pub fn page(plays_oldest_first: &[Play], now_ms: i64, query: &Query, base_url: &str) -> Value {
    let limit = query.limit.min(MAX_LIMIT);
    let ended = &plays_oldest_first
        [..plays_oldest_first.partition_point(|play| play.played_at_ms <= now_ms)];
    let window = &ended[ended.len().saturating_sub(MAX_LIMIT as usize)..];

    let selected: Vec<&Play> = window
        .iter()
        .rev()
        .filter(|play| query.after.is_none_or(|after| play.played_at_ms > after))
        .filter(|play| query.before.is_none_or(|before| play.played_at_ms < before))
        .take(limit as usize)
        .collect();

    let endpoint = format!("{base_url}/v1/me/player/recently-played");
    let (cursors, next) = match (selected.first(), selected.last()) {
        (Some(newest), Some(oldest)) => {
            let older_visible = window
                .first()
                .is_some_and(|first| first.played_at_ms < oldest.played_at_ms);
            let next = older_visible
                .then(|| format!("{endpoint}?before={}&limit={limit}", oldest.played_at_ms));
            let cursors = json!({
                "after": newest.played_at_ms.to_string(),
                "before": oldest.played_at_ms.to_string(),
            });
            (cursors, next)
        }
        _ => (Value::Null, None),
    };

    json!({
        "items": selected.iter().map(|play| item(play, base_url)).collect::<Vec<_>>(),
        "next": next,
        "cursors": cursors,
        "limit": limit,
        "href": format!("{endpoint}?{}", Query { limit, ..*query }.to_query_string()),
    })
}

fn item(play: &Play, base_url: &str) -> Value {
    json!({
        "track": play.track,
        "played_at": timefmt::played_at(play.played_at_ms),
        "context": play.context_uri.as_deref().map(|uri| context(uri, base_url)),
    })
}

/// `{"type","uri","href","external_urls"}` for a `spotify:<type>:<id>` context uri.
fn context(uri: &str, base_url: &str) -> Value {
    let mut parts = uri.splitn(3, ':');
    let (Some("spotify"), Some(kind), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return json!({ "type": null, "uri": uri, "href": null, "external_urls": {} });
    };
    json!({
        "type": kind,
        "uri": uri,
        "href": format!("{base_url}/v1/{kind}s/{id}"),
        "external_urls": { "spotify": format!("https://open.spotify.com/{kind}/{id}") },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::make_plays;

    const BASE: &str = "http://sim.test";
    const END_MS: i64 = 1_795_871_112_345;

    /// `count` plays one minute apart, the newest ending at `END_MS`.
    fn history(count: usize) -> Vec<Play> {
        make_plays(1, count, END_MS, 60_000)
    }

    fn query(limit: u32, after: Option<i64>, before: Option<i64>) -> Query {
        Query {
            limit,
            after,
            before,
        }
    }

    fn played_at_ms(page: &Value) -> Vec<i64> {
        page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| {
                        let text = item["played_at"].as_str().unwrap_or_default();
                        chrono::DateTime::parse_from_rfc3339(text)
                            .map_or(0, |t| t.timestamp_millis())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn only_the_newest_fifty_plays_exist() {
        let plays = history(80);
        let page = page(&plays, END_MS, &query(50, None, None), BASE);
        let times = played_at_ms(&page);
        assert_eq!(times.len(), 50);
        assert_eq!(times[0], END_MS);
        assert_eq!(times[49], END_MS - 49 * 60_000);
        assert_eq!(page["next"], Value::Null, "nothing older is visible");
    }

    #[test]
    fn a_before_cursor_cannot_reach_past_the_window() {
        let plays = history(80);
        let oldest_visible = END_MS - 49 * 60_000;
        let page = page(&plays, END_MS, &query(50, None, Some(oldest_visible)), BASE);
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["cursors"], Value::Null);
        assert_eq!(page["next"], Value::Null);
    }

    #[test]
    fn plays_that_have_not_ended_are_invisible() {
        let plays = history(3);
        let page = page(&plays, END_MS - 1, &query(50, None, None), BASE);
        assert_eq!(played_at_ms(&page), vec![END_MS - 60_000, END_MS - 120_000]);
    }

    #[test]
    fn items_are_newest_first_and_limited() {
        let plays = history(10);
        let page = page(&plays, END_MS, &query(3, None, None), BASE);
        assert_eq!(
            played_at_ms(&page),
            vec![END_MS, END_MS - 60_000, END_MS - 120_000]
        );
        assert_eq!(page["limit"], 3);
    }

    #[test]
    fn after_keeps_strictly_newer_plays() {
        let plays = history(10);
        let page = page(
            &plays,
            END_MS,
            &query(50, Some(END_MS - 120_000), None),
            BASE,
        );
        assert_eq!(played_at_ms(&page), vec![END_MS, END_MS - 60_000]);
    }

    #[test]
    fn after_the_newest_play_gives_an_empty_page() {
        let plays = history(10);
        let page = page(&plays, END_MS, &query(50, Some(END_MS), None), BASE);
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["cursors"], Value::Null);
        assert_eq!(page["next"], Value::Null);
    }

    #[test]
    fn before_keeps_strictly_older_plays() {
        let plays = history(10);
        let page = page(&plays, END_MS, &query(2, None, Some(END_MS - 60_000)), BASE);
        assert_eq!(
            played_at_ms(&page),
            vec![END_MS - 120_000, END_MS - 180_000]
        );
    }

    #[test]
    fn cursors_and_next_point_at_the_page_edges() {
        let plays = history(10);
        let page = page(&plays, END_MS, &query(4, None, None), BASE);
        let oldest = END_MS - 3 * 60_000;
        assert_eq!(
            page["cursors"],
            json!({ "after": END_MS.to_string(), "before": oldest.to_string() })
        );
        assert_eq!(
            page["next"],
            format!("{BASE}/v1/me/player/recently-played?before={oldest}&limit=4")
        );
        assert_eq!(
            page["href"],
            format!("{BASE}/v1/me/player/recently-played?limit=4")
        );
    }

    #[test]
    fn following_next_walks_the_whole_window_once() {
        let plays = history(60);
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = page(&plays, END_MS, &query(20, None, cursor), BASE);
            seen.extend(played_at_ms(&page));
            if page["next"].is_null() {
                break;
            }
            cursor = page["cursors"]["before"]
                .as_str()
                .and_then(|ms| ms.parse().ok());
        }
        let expected: Vec<i64> = (0..50).map(|step| END_MS - step * 60_000).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn an_empty_history_gives_an_empty_page() {
        let page = page(&[], END_MS, &Query::default(), BASE);
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["cursors"], Value::Null);
        assert_eq!(page["next"], Value::Null);
        assert_eq!(page["limit"], 20);
    }

    #[test]
    fn an_item_carries_the_track_played_at_and_context() {
        let mut plays = history(1);
        plays[0].context_uri = Some("spotify:playlist:abc".to_owned());
        let page = page(&plays, END_MS, &Query::default(), BASE);
        let item = &page["items"][0];
        assert_eq!(item["played_at"], "2026-11-28T13:05:12.345Z");
        assert_eq!(item["track"]["uri"], json!(plays[0].track.uri));
        assert_eq!(
            item["context"],
            json!({
                "type": "playlist",
                "uri": "spotify:playlist:abc",
                "href": "http://sim.test/v1/playlists/abc",
                "external_urls": { "spotify": "https://open.spotify.com/playlist/abc" },
            })
        );
        plays[0].context_uri = None;
        let page = super::page(&plays, END_MS, &Query::default(), BASE);
        assert_eq!(page["items"][0]["context"], Value::Null);
    }

    #[test]
    fn query_parsing_applies_spotify_rules() {
        assert_eq!(Query::parse(None, None, None), Ok(Query::default()));
        assert_eq!(
            Query::parse(Some("50"), Some("5"), None),
            Ok(query(50, Some(5), None))
        );
        assert!(matches!(
            Query::parse(Some("0"), None, None),
            Err(QueryError::InvalidLimit(_))
        ));
        assert!(matches!(
            Query::parse(Some("51"), None, None),
            Err(QueryError::InvalidLimit(_))
        ));
        assert!(matches!(
            Query::parse(Some("ten"), None, None),
            Err(QueryError::InvalidLimit(_))
        ));
        assert!(matches!(
            Query::parse(None, Some("soon"), None),
            Err(QueryError::InvalidCursor { .. })
        ));
        assert_eq!(
            Query::parse(None, Some("1"), Some("2")),
            Err(QueryError::BothCursors)
        );
    }
}
