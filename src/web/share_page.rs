//! `GET /s/{token}`: the public page of a link, for a visitor without a session.
//!
//! One read finds the link by its token's hash in the shard the token names; an unknown,
//! garbled, revoked or expired token gets the same 404 page. What the page may show is
//! fixed here: plays, figures and (when the link says so) the display name; never the
//! user's email, ids, the token, its hash or anything of a session. Every answer is
//! `noindex` and not cached, so a revocation takes effect at once.
//!
//! A recap link shows the range's year in review, as its owner sees it (without their
//! links onwards), with its card drawn into the page (the page never repeats its own
//! address, which holds the token).

use super::pages::{cover_html, escape, public_layout, public_layout_with};
use super::review::review_for;
use super::review_card::card_svg;
use super::review_page::{self, card_of, review_main, CardLink, PageLinks};
use super::{App, Bindings, WebResponse};
use crate::history::review::{ReviewPeriod, ReviewRange};
use crate::history::zone::{parse_zone, Zone};
use crate::history::ZoneSource;
use crate::ports::{KeyValueStore, LogLine};
use crate::shards::ShardIndex;
use crate::share::{read_url_token, ShareKind, ShareRange, RECENT_PLAYS};
use crate::store::history::HistoryPlay;
use crate::store::shares::LiveShareLink;
use crate::store::{Store, StoreError};
use crate::time::{parse_date, utc_date, UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS};

/// Headers of every public answer, on top of the pages' own (CSP, framing, sniffing):
/// kept out of search engines, never cached (a revoked link must stop at once), and no
/// referrer leaves the page (it has no forms, so `Origin: null` costs nothing here).
const PUBLIC_HEADERS: &[(&str, &str)] = &[
    ("X-Robots-Tag", "noindex, nofollow"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "private, no-store"),
];

/// A public page: the HTML page's headers with [`PUBLIC_HEADERS`] in place of their own.
fn public_response(status: u16, body: String) -> WebResponse {
    let mut response = WebResponse::html(status, body);
    response.headers.retain(|(name, _)| {
        !PUBLIC_HEADERS
            .iter()
            .any(|(public, _)| name.eq_ignore_ascii_case(public))
    });
    response.headers.extend(
        PUBLIC_HEADERS
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    response
}

/// The one answer to every link that does not work, whatever the reason.
fn no_such_link() -> WebResponse {
    public_response(
        404,
        public_layout(
            "Not found",
            "<main><h1>Not found</h1><p>This link does not exist, or it no longer works.</p></main>",
        ),
    )
}

pub(super) async fn page<P: Bindings>(
    app: &App<'_, P>,
    url_token: &str,
    now: UnixMillis,
) -> WebResponse {
    let Some((shard, token_hash)) = read_url_token(url_token) else {
        return no_such_link();
    };
    let Ok(db) = app.shards.get(shard) else {
        return no_such_link();
    };
    match render(app, (shard, db), &token_hash, now).await {
        Ok(Some(response)) => response,
        Ok(None) => no_such_link(),
        Err(error) => {
            // The cause is a storage message: never the token or its hash.
            app.log.write(
                LogLine::error("share_page_unavailable")
                    .field("shard", shard)
                    .field("cause", error.to_string()),
            );
            public_response(
                503,
                public_layout(
                    "Try again soon",
                    "<main><h1>Try again soon</h1><p>This page could not be read just now.</p></main>",
                ),
            )
        }
    }
}

/// The live link `token_hash` names in `db`, with the zone its owner reads time in.
async fn live_link<P: Bindings>(
    app: &App<'_, P>,
    store: &Store<'_, P::Database>,
    token_hash: &str,
    now: UnixMillis,
) -> Result<Option<(LiveShareLink, Zone, ZoneSource)>, StoreError> {
    let Some(link) = store.live_share_link(token_hash, now).await? else {
        return Ok(None);
    };
    let zone = link
        .time_zone
        .as_deref()
        .and_then(|name| parse_zone(name, app.zones));
    let (zone, zone_source) = match zone {
        Some(zone) => (zone, ZoneSource::Saved),
        None => (Zone::utc(), ZoneSource::Default),
    };
    Ok(Some((link, zone, zone_source)))
}

/// The range a recap link shows, or `None` when its stored range is no longer one.
fn recap_range(link: &LiveShareLink, zone: Zone, zone_source: ZoneSource) -> Option<ReviewRange> {
    let range = stored_range(link)?;
    let period = match range.year {
        Some(year) => ReviewPeriod::Year(year),
        None => ReviewPeriod::Days {
            first: range.first_day,
            last: range.last_day,
        },
    };
    ReviewRange::new(period, zone, zone_source).ok()
}

/// How long a recap's page is kept, by whether its range has ended: a review reads every
/// play of its range (hundreds of thousands of rows for a heavy year), and a link is made
/// to be passed around. An ended range changes only by an import; one under way shows
/// figures at most this old. The link itself is read on every view: a revocation or an
/// expiry still takes effect at once.
fn recap_cache_seconds(range: &ReviewRange, now: UnixMillis) -> u64 {
    if range.to <= now {
        24 * 60 * 60
    } else {
        6 * 60 * 60
    }
}

/// The KV key of a recap link's page, by its shard and token hash (never the token).
fn recap_cache_key(shard: ShardIndex, token_hash: &str) -> String {
    format!("share_recap_{shard}_{token_hash}")
}

/// A recap link's page: kept in KV (see [`recap_cache_seconds`]), made from the review
/// when it is not there. KV failing costs a review, never the page.
async fn recap_page<P: Bindings>(
    app: &App<'_, P>,
    db: &P::Database,
    (shard, token_hash): (ShardIndex, &str),
    link: &LiveShareLink,
    range: &ReviewRange,
    now: UnixMillis,
) -> Result<String, StoreError> {
    let key = recap_cache_key(shard, token_hash);
    match app.kv.get(&key).await {
        Ok(Some(page)) => return Ok(page),
        Ok(None) => {}
        Err(error) => app
            .log
            .write(LogLine::warn("share_recap_cache_unread").field("error", error.to_string())),
    }
    let mut review = review_for(db, &link.user_id, range, now).await?;
    // The range before was not shared: a link shows only the range it names.
    review.previous = None;
    let owner = shown_name(link).map(escape);
    let label = escape(&review.range.label);
    let heading = match &owner {
        Some(name) => format!("{name}’s {label} in music"),
        None => format!("{label} in music"),
    };
    let links = PageLinks {
        card: CardLink {
            svg: card_svg(&card_of(&review, shown_name(link))),
            file: format!("time-machine-{}.svg", review.range.first_day),
        },
        owner: None,
    };
    let page = public_layout_with(
        &format!("{} in music", review.range.label),
        &format!("{}{SHARED}", review_main(&review, &heading, &links)),
        review_page::STYLE,
    );
    if let Err(error) = app
        .kv
        .put(&key, &page, recap_cache_seconds(range, now))
        .await
    {
        app.log
            .write(LogLine::warn("share_recap_cache_unkept").field("error", error.to_string()));
    }
    Ok(page)
}

/// The line every public page ends with.
const SHARED: &str = "<p class=\"muted\">Shared from Spotify Time Machine.</p>";

/// The page of the live link `token_hash` names in `db`, or `None` when none does.
async fn render<P: Bindings>(
    app: &App<'_, P>,
    (shard, db): (ShardIndex, &P::Database),
    token_hash: &str,
    now: UnixMillis,
) -> Result<Option<WebResponse>, StoreError> {
    let store = Store::new(db);
    let Some((link, zone, zone_source)) = live_link(app, &store, token_hash, now).await? else {
        return Ok(None);
    };
    let page = match ShareKind::parse(&link.kind) {
        Some(ShareKind::Recent) => {
            let plays = store.plays_page(&link.user_id, None, RECENT_PLAYS).await?;
            let heading = match shown_name(&link).map(escape) {
                Some(name) => format!("Recently played: {name}"),
                None => "Recently played".to_owned(),
            };
            public_layout(
                "Recently played",
                &format!(
                    "<main><h1>{heading}</h1>{}{SHARED}</main>",
                    recent_body(&plays, &zone)
                ),
            )
        }
        Some(ShareKind::Recap) => {
            let Some(range) = recap_range(&link, zone, zone_source) else {
                return Ok(None);
            };
            recap_page(app, db, (shard, token_hash), &link, &range, now).await?
        }
        None => return Ok(None),
    };
    Ok(Some(public_response(200, page)))
}

/// The display name, only when the link's maker chose to show it (never the user's id
/// in its place).
fn shown_name(link: &LiveShareLink) -> Option<&str> {
    (link.show_name != 0)
        .then_some(link.display_name.as_deref())
        .flatten()
        .filter(|name| !name.trim().is_empty())
}

/// The recap's range as the link stored it.
fn stored_range(link: &LiveShareLink) -> Option<ShareRange> {
    if let Some(year) = link.range_year {
        return ShareRange::year(i32::try_from(year).ok()?);
    }
    let day = |text: &Option<String>| text.as_deref().and_then(parse_date);
    Some(ShareRange {
        year: None,
        first_day: day(&link.range_from)?,
        last_day: day(&link.range_to)?,
    })
}

/// The latest plays, newest first, at their local time. We archive what Spotify reports
/// as played (a play appears once it has ended); we never ask what is playing now, so the
/// page says "recently played", not "now playing".
fn recent_body(plays: &[HistoryPlay], zone: &Zone) -> String {
    let items: String = plays
        .iter()
        .map(|play| {
            let cover = cover_html(play.image_url.as_deref());
            format!(
                "<li class=\"play\">{cover}<span><strong>{}</strong><br><span class=\"muted\">{} · {}</span><br>\
                 <time>{}</time></span></li>",
                escape(&play.track_name),
                escape(play.artist_names.as_deref().unwrap_or("Unknown artist")),
                escape(play.album_name.as_deref().unwrap_or("")),
                local_time(zone, play.played_at),
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<li class=\"muted\">Nothing played yet.</li>".to_owned()
    } else {
        items
    };
    format!(
        "<p>The latest {RECENT_PLAYS} plays at most, newest first, at their local time ({zone}). \
         A track appears once it has been played; this page does not show what is playing right now.</p>\
         <ol class=\"timeline\" id=\"recent-plays\">{list}</ol>",
        zone = escape(zone.name()),
    )
}

/// `YYYY-MM-DD HH:MM` on the zone's wall clock at `at`.
fn local_time(zone: &Zone, at: UnixMillis) -> String {
    let local = at.saturating_add(zone.offset_ms(at));
    let Some(date) = utc_date(local) else {
        return String::new();
    };
    let time = local.rem_euclid(DAY_MS);
    format!(
        "{} {:02}:{:02}",
        date,
        time / HOUR_MS,
        time / MINUTE_MS % 60
    )
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::history::zone::FixedOffset;

    #[test]
    fn a_play_shows_at_the_zone_wall_clock() {
        let berlin_winter = Zone::new("Europe/Berlin", Rc::new(FixedOffset(HOUR_MS)));
        // 2026-11-28T23:30:00Z is half past midnight the next day in Berlin.
        assert_eq!(
            local_time(&berlin_winter, 1_795_908_600_000),
            "2026-11-29 00:30"
        );
        assert_eq!(
            local_time(&Zone::utc(), 1_795_908_600_000),
            "2026-11-28 23:30"
        );
    }

    #[test]
    fn every_public_answer_is_noindex_uncached_and_sends_no_referrer() {
        let response = no_such_link();
        assert_eq!(response.status, 404);
        let value = |name: &str| {
            response
                .headers
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(value("X-Robots-Tag"), ["noindex, nofollow"]);
        assert_eq!(value("Referrer-Policy"), ["no-referrer"]);
        assert_eq!(value("Cache-Control"), ["private, no-store"]);
        assert_eq!(value("Content-Security-Policy").len(), 1);
        assert!(response
            .body
            .contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
    }
}
