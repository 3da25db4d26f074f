//! `GET /s/{token}`: the public page of a link, for a visitor without a session.
//!
//! One read finds the link by its token's hash in the shard the token names; an unknown,
//! garbled, revoked or expired token gets the same 404 page. What the page may show is
//! fixed here: plays, figures and (when the link says so) the display name; never the
//! user's email, ids, the token, its hash or anything of a session. Every answer is
//! `noindex` and not cached, so a revocation takes effect at once.
//!
//! The recap's body is [`recap_body`], one function on its own: the year-in-review page
//! replaces it.

use super::pages::{escape, public_layout};
use super::{App, Bindings, WebResponse};
use crate::history::stats::{self, Stats};
use crate::history::zone::{offset_segments, parse_zone, start_of_day, Zone};
use crate::history::{StatsQuery, ZoneSource};
use crate::ports::{Database, LogLine};
use crate::share::{read_url_token, ShareKind, ShareRange, RECENT_PLAYS};
use crate::store::history::HistoryPlay;
use crate::store::shares::LiveShareLink;
use crate::store::{Store, StoreError};
use crate::time::{parse_date, utc_date, UnixMillis, DAY_MS, HOUR_MS, MINUTE_MS};

/// Top tracks and artists a recap lists.
const RECAP_TOP: usize = 5;

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
    match render(app, db, &token_hash, now).await {
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

/// The page of the live link `token_hash` names in `db`, or `None` when none does.
async fn render<P: Bindings>(
    app: &App<'_, P>,
    db: &P::Database,
    token_hash: &str,
    now: UnixMillis,
) -> Result<Option<WebResponse>, StoreError> {
    let store = Store::new(db);
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
    let owner = shown_name(&link);
    let (title, body) = match ShareKind::parse(&link.kind) {
        Some(ShareKind::Recent) => {
            let plays = store.plays_page(&link.user_id, None, RECENT_PLAYS).await?;
            ("Recently played", recent_body(&plays, &zone))
        }
        Some(ShareKind::Recap) => {
            let Some(range) = stored_range(&link) else {
                return Ok(None);
            };
            let body = recap_body(&store, &link.user_id, range, &zone, zone_source).await?;
            ("Listening recap", body)
        }
        None => return Ok(None),
    };
    let heading = match owner {
        Some(name) => format!("{title}: {}", escape(name)),
        None => title.to_owned(),
    };
    let page = public_layout(
        title,
        &format!(
            "<main><h1>{heading}</h1>{body}<p class=\"muted\">Shared from Spotify Time Machine.</p></main>"
        ),
    );
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

/// The seam: the body of a recap link's page. For now the range's totals and top 5 tracks
/// and artists, from the same read and figures as `GET /api/stats`; the year-in-review
/// page replaces this one function (its signature holds all it needs: the owner's store
/// and id, the local days, the zone they are local to). Whatever it renders must keep to
/// the module's rule: no email, no ids, no token.
pub async fn recap_body<D: Database>(
    store: &Store<'_, D>,
    user_id: &str,
    range: ShareRange,
    zone: &Zone,
    zone_source: ZoneSource,
) -> Result<String, StoreError> {
    let bounds = range.end_day().and_then(|end| {
        Some((
            start_of_day(zone, range.first_day)?,
            start_of_day(zone, end)?,
        ))
    });
    let Some((from, to)) = bounds else {
        return Ok("<p>This range has no days.</p>".to_owned());
    };
    let query = StatsQuery {
        from,
        to,
        zone: zone.clone(),
        zone_source,
        top: RECAP_TOP,
    };
    let segments = offset_segments(zone, from, to);
    let rows = store.stats(user_id, from, to, &segments, RECAP_TOP).await?;
    Ok(stats_html(&range, &stats::build(&query, &rows)))
}

fn stats_html(range: &ShareRange, stats: &Stats) -> String {
    let totals = &stats.totals;
    let tracks: String = stats
        .top_tracks
        .iter()
        .map(|track| {
            format!(
                "<li><strong>{}</strong> <span class=\"muted\">{}</span> ({} plays)</li>",
                escape(&track.name),
                escape(&track.artist_names),
                track.plays
            )
        })
        .collect();
    let artists: String = stats
        .top_artists
        .iter()
        .map(|artist| format!("<li>{} ({} plays)</li>", escape(&artist.name), artist.plays))
        .collect();
    let none = "<li class=\"muted\">No plays in this range.</li>";
    format!(
        "<p id=\"recap-range\">{range} ({zone})</p>\
         <dl id=\"recap-totals\"><dt>Plays</dt><dd>{plays}</dd><dt>Minutes</dt><dd>{minutes}</dd>\
         <dt>Different tracks</dt><dd>{tracks_count}</dd><dt>Days with music</dt><dd>{days}</dd></dl>\
         <h2>Top tracks</h2><ol id=\"recap-top-tracks\">{tracks}</ol>\
         <h2>Top artists</h2><ol id=\"recap-top-artists\">{artists}</ol>",
        range = escape(&range.label()),
        zone = escape(&stats.range.time_zone),
        plays = totals.plays,
        minutes = totals.minutes,
        tracks_count = totals.distinct_tracks,
        days = totals.listening_days,
        tracks = if tracks.is_empty() { none } else { &tracks },
        artists = if artists.is_empty() { none } else { &artists },
    )
}

/// The latest plays, newest first, at their local time. We archive what Spotify reports
/// as played (a play appears once it has ended); we never ask what is playing now, so the
/// page says "recently played", not "now playing".
fn recent_body(plays: &[HistoryPlay], zone: &Zone) -> String {
    let items: String = plays
        .iter()
        .map(|play| {
            let cover = match &play.image_url {
                Some(url) => format!(
                    "<img src=\"{}\" alt=\"\" loading=\"lazy\" width=\"48\" height=\"48\">",
                    escape(url)
                ),
                None => "<span class=\"cover\" aria-hidden=\"true\"></span>".to_owned(),
            };
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
