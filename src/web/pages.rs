//! The HTML pages, rendered on the server: no framework, nothing from a CDN; the
//! dashboard's charts and buttons come alive through one script of ours, `/assets/app.js`.

use crate::account::{AccountStatus, Connection};
use crate::forward::ForwardConfig;
use crate::history::zone::zone_name;
use crate::history::ArchiveRequestState;
use crate::store::accounts::UserStatus;
use crate::store::forwarding::DestinationView;
use crate::store::gaps::GapView;
use crate::store::history::{HistoryPlay, HistorySettings};
use crate::store::shares::ShareLinkView;
use crate::time::{to_rfc3339, UnixMillis};
use crate::web::forwarding;
use crate::web::notifications::{panel_html, NotificationsPanel};
use crate::web::shares;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:52rem;padding:1rem;color:#111;background:#fafafa;line-height:1.45}\
h1{font-size:1.6rem}a{color:#0b6b3a}.button{display:inline-block;background:#1db954;color:#000;border:0;border-radius:2rem;\
padding:.7rem 1.4rem;font-weight:600;text-decoration:none;font-size:1rem;cursor:pointer}.muted{color:#555}\
.card{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:1rem 0}\
ol.timeline{list-style:none;padding:0}ol.timeline li{display:flex;gap:.75rem;align-items:center;padding:.4rem 0;border-bottom:1px solid #eee}\
ol.timeline img,.cover{width:48px;height:48px;border-radius:4px;background:#ddd;flex:none}\
li.gap{background:#fff4e5;border-left:4px solid #d97706;padding-left:.5rem!important}\
.state-active{color:#0b6b3a}.state-attention{color:#b45309}";

fn layout(title: &str, body: &str) -> String {
    layout_with(title, body, "")
}

/// A page with extra styles of its own.
pub fn layout_with(title: &str, body: &str, style: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Spotify Time Machine</title><style>{STYLE}{style}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// A page anyone may be sent to by a public link: kept out of search engines by its
/// `<meta>` as well as by its answer's `X-Robots-Tag`.
pub fn public_layout(title: &str, body: &str) -> String {
    public_layout_with(title, body, "")
}

/// [`public_layout`] with styles of its own.
pub fn public_layout_with(title: &str, body: &str, style: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex, nofollow\">\
         <title>{} · Spotify Time Machine</title><style>{STYLE}{style}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

pub fn landing() -> String {
    layout(
        "Welcome",
        "<main><h1>Spotify Time Machine</h1>\
         <p>Spotify remembers only your last 50 plays. Connect your account and we keep every play, for good, \
         and show you where we could not see.</p>\
         <p><a class=\"button\" id=\"connect\" href=\"/login\">Connect Spotify</a></p></main>",
    )
}

/// A page that says one thing, with an optional link onwards.
pub fn message_page(title: &str, text: &str, link: Option<(&str, &str)>) -> String {
    let link = link
        .map(|(href, label)| {
            format!(
                "<p><a class=\"button\" href=\"{}\">{}</a></p>",
                escape(href),
                escape(label)
            )
        })
        .unwrap_or_default();
    layout(
        title,
        &format!(
            "<main><h1>{}</h1><p>{}</p>{link}<p><a href=\"/\">Home</a></p></main>",
            escape(title),
            escape(text)
        ),
    )
}

fn when(at: Option<UnixMillis>) -> String {
    at.map(to_rfc3339).unwrap_or_else(|| "never".to_owned())
}

/// A `<time>` element: UTC on the server, shown in the user's zone by the script.
fn time_element(at: UnixMillis) -> String {
    let iso = escape(&to_rfc3339(at));
    format!("<time datetime=\"{iso}\">{iso}</time>")
}

/// Styles of the dashboard's history parts: charts, heatmap, top lists, forms.
const HISTORY_STYLE: &str = "\
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}.button:disabled{background:#ccc;color:#333;cursor:not-allowed}\
.secondary{background:#e8f5ee;color:#0b4d2a;border:1px solid #0b6b3a}.sr-only{position:absolute;width:1px;height:1px;\
overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}\
.range{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}.range label{display:flex;flex-direction:column;font-size:.9rem}\
input,select{font:inherit;padding:.35rem;border:1px solid #767676;border-radius:.3rem;max-width:100%}\
.chart svg{width:100%;height:auto;display:block}.chart{min-height:4rem}.scroll{overflow-x:auto}\
table{border-collapse:collapse}td,th{padding:.15rem .35rem;text-align:right;font-size:.85rem}\
table.heatmap td{min-width:1.45rem;padding:.15rem .1rem;text-align:center;border:1px solid #fff;font-size:.75rem}\
table.heatmap th{font-size:.75rem;padding:.1rem}\
.tops{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem}.tops ol{padding-left:1.4rem}\
.tops li{margin:.2rem 0}.exports{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0}\
ol.timeline time{font-size:.85rem;color:#555}";

/// The dashboard's sections on what the archive tells the user and sends elsewhere.
pub struct Panels<'a> {
    pub notifications: &'a NotificationsPanel,
    pub forwarding: &'a [DestinationView],
    /// Which services this deployment forwards to.
    pub forward: &'a ForwardConfig,
    /// The user's public links.
    pub shares: &'a [ShareLinkView],
}

pub fn dashboard(
    status: &UserStatus,
    settings: &HistorySettings,
    plays: &[HistoryPlay],
    more_plays: bool,
    gaps: &[GapView],
    panels: &Panels<'_>,
    now: UnixMillis,
) -> String {
    let account = AccountStatus::new(status, now);
    let state = account.connection.describe();
    let attention = account.connection != Connection::Active;
    let active = matches!(
        account.connection,
        Connection::Active | Connection::CoolingDown
    );
    let name = status.display_name.as_deref().unwrap_or(&status.id);
    let repair = if account.connection == Connection::NeedsReauth {
        "<p><a class=\"button\" id=\"repair\" href=\"/login\">Repair connection</a></p>"
    } else {
        ""
    };
    let expiry_warning = match account.action {
        Some(action) if account.connection != Connection::NeedsReauth => format!(
            "<p class=\"state-attention\" id=\"expiry\">{} (ends {}.) <a href=\"/login\">Log in again</a></p>",
            escape(action),
            escape(&to_rfc3339(account.refresh_token_expires_at))
        ),
        _ => String::new(),
    };
    let pause_or_resume = if account.connection == Connection::Paused {
        ("/api/account/resume", "Resume archiving")
    } else {
        ("/api/account/pause", "Pause archiving")
    };
    let request = ArchiveRequestState::new(
        settings.archive_requested_at,
        status.last_success_at,
        status.last_failure_at,
        active,
        now,
    );
    let archive_note = if !active {
        "Archiving is not running, so there is nothing to archive now.".to_owned()
    } else if request.archive_pending {
        format!(
            "Archive requested at {}; it is on its way.",
            time_element(request.archive_requested_at.unwrap_or(now))
        )
    } else if let Some(available) = request.archive_available_at {
        format!("You can ask again after {}.", time_element(available))
    } else {
        String::new()
    };
    let zone = settings
        .time_zone
        .as_deref()
        .and_then(zone_name)
        .unwrap_or("UTC");
    let timeline = timeline_items(plays, more_plays, gaps);
    let next = plays
        .last()
        .filter(|_| more_plays)
        .map(|play| {
            format!(
                " data-next-before=\"{}\" data-next-before-id=\"{}\"",
                play.played_at, play.id
            )
        })
        .unwrap_or_default();
    // While an archive is on its way its plays will land on top of the list (app.js):
    // the list says so, for assistive technology and for tests that must not click
    // while the page is about to move.
    let busy = if active && request.archive_pending {
        " aria-busy=\"true\""
    } else {
        ""
    };
    let body = format!(
        "<main><h1>Your archive</h1><p>Logged in as <strong id=\"user\">{name}</strong>.</p>\
         <section class=\"card\" aria-labelledby=\"state-h\"><h2 id=\"state-h\">Connection</h2>\
         <p id=\"state\" class=\"{class}\">{state}</p>{repair}{expiry_warning}\
         <dl><dt>Plays archived</dt><dd id=\"plays-archived\">{count}</dd>\
         <dt>Last archived</dt><dd id=\"last-archived\">{last}</dd><dt>Next archive due</dt><dd>{next_due}</dd>\
         <dt>Last failure</dt><dd>{failure}</dd></dl>\
         <form class=\"inline\" id=\"archive-form\" method=\"post\" action=\"/api/archive\">\
         <button class=\"button\" id=\"archive-now\" type=\"submit\"{disabled}{available}>Archive now</button>\
         <span id=\"archive-status\" role=\"status\" aria-live=\"polite\">{archive_note}</span></form></section>\
         <section class=\"card\" id=\"stats\" aria-labelledby=\"stats-h\"><h2 id=\"stats-h\">Your listening</h2>\
         <form class=\"range\" id=\"range-form\" action=\"/\" method=\"get\">\
         <label for=\"range-preset\">Range<select id=\"range-preset\" name=\"preset\">\
         <option value=\"7\">Last 7 days</option><option value=\"30\" selected>Last 30 days</option>\
         <option value=\"90\">Last 90 days</option><option value=\"365\">Last 12 months</option>\
         <option value=\"custom\">Custom dates</option></select></label>\
         <label for=\"range-from\">From<input type=\"date\" id=\"range-from\" name=\"from\"></label>\
         <label for=\"range-to\">To (inclusive)<input type=\"date\" id=\"range-to\" name=\"to\"></label>\
         <label for=\"range-tz\">Time zone<input id=\"range-tz\" name=\"tz\" value=\"{zone}\" autocomplete=\"off\" spellcheck=\"false\"></label>\
         <button class=\"button\" id=\"range-apply\" type=\"submit\">Show</button></form>\
         <p id=\"stats-summary\" role=\"status\" aria-live=\"polite\">\
         <noscript>The charts need JavaScript; the exports below work without it.</noscript></p>\
         <h3 id=\"chart-days-h\">Listening per day</h3>\
         <div class=\"chart\" id=\"chart-days\" role=\"img\" aria-labelledby=\"chart-days-h\"></div>\
         <details><summary>Listening per day as a table</summary><div class=\"scroll\">\
         <table id=\"days-table\"><caption class=\"sr-only\">Plays and minutes per day</caption></table></div></details>\
         <h3 id=\"heatmap-h\">When you listen: weekday by hour</h3>\
         <div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"heatmap-h\">\
         <table class=\"heatmap\" id=\"heatmap\"><caption class=\"sr-only\">Plays by weekday and hour of day, local time</caption></table></div>\
         <div class=\"tops\">\
         <section aria-labelledby=\"top-artists-h\"><h3 id=\"top-artists-h\">Top artists</h3><ol id=\"top-artists\"></ol></section>\
         <section aria-labelledby=\"top-tracks-h\"><h3 id=\"top-tracks-h\">Top tracks</h3><ol id=\"top-tracks\"></ol></section>\
         <section aria-labelledby=\"top-albums-h\"><h3 id=\"top-albums-h\">Top albums</h3><ol id=\"top-albums\"></ol></section>\
         </div></section>\
         <section class=\"card\" aria-labelledby=\"timeline-h\"><h2 id=\"timeline-h\">Recent plays</h2>\
         <ol class=\"timeline\" id=\"timeline\"{next}{busy}>{timeline}</ol>\
         <p><button class=\"button secondary\" id=\"load-more\" type=\"button\"{load_more_hidden}>Load older plays</button></p></section>\
         <section class=\"card\" aria-labelledby=\"export-h\"><h2 id=\"export-h\">Export</h2>\
         <p>Download your whole archive. The ListenBrainz file can be imported there.</p><ul class=\"exports\">\
         <li><a class=\"button secondary\" id=\"export-csv\" href=\"/api/export?format=csv\" download>CSV (spreadsheets)</a></li>\
         <li><a class=\"button secondary\" id=\"export-json\" href=\"/api/export?format=json\" download>JSON</a></li>\
         <li><a class=\"button secondary\" id=\"export-jsonl\" href=\"/api/export?format=jsonl\" download>ListenBrainz (JSONL)</a></li></ul></section>\
         <section class=\"card\" aria-labelledby=\"import-h\"><h2 id=\"import-h\">Import your older history</h2>\
         <p>We can only see your plays from the day you connected. Spotify sends every user their whole \
         history on request (Account privacy, Download your data); bring it in here, without duplicates.</p>\
         <p><a class=\"button secondary\" id=\"import-link\" href=\"/import\">Import Spotify data</a> \
         <a class=\"button secondary\" id=\"review-link\" href=\"/year\">Your year in review</a></p></section>\
         <section class=\"card\" aria-labelledby=\"settings-h\"><h2 id=\"settings-h\">Settings</h2>\
         <form class=\"inline\" id=\"settings-form\" method=\"post\" action=\"/api/settings\">\
         <label for=\"time-zone\">Default time zone</label>\
         <input id=\"time-zone\" name=\"time_zone\" value=\"{zone_saved}\" placeholder=\"UTC\" autocomplete=\"off\" spellcheck=\"false\">\
         <button class=\"button\" type=\"submit\" id=\"save-settings\">Save</button>\
         <button class=\"button secondary\" type=\"button\" id=\"use-device-zone\" hidden>Use this device's zone</button>\
         <span id=\"settings-status\" role=\"status\" aria-live=\"polite\"></span></form></section>\
         {notifications}{forwarding}{sharing}\
         <section class=\"card\" aria-labelledby=\"account-h\"><h2 id=\"account-h\">Account</h2>\
         <form method=\"post\" action=\"{pause_action}\"><button class=\"button\" id=\"pause-resume\" type=\"submit\">{pause_label}</button></form>\
         <form class=\"inline\" method=\"post\" action=\"/logout\"><button class=\"button\" id=\"logout\" type=\"submit\">Log out</button></form>\
         <form class=\"inline\" method=\"post\" action=\"/logout/everywhere\"><button class=\"button secondary\" id=\"logout-everywhere\" type=\"submit\">\
         Log out everywhere</button> <span>ends every session of yours, on every device</span></form>\
         <form method=\"post\" action=\"/api/account/delete\"><p><label><input type=\"checkbox\" id=\"delete-confirm\" name=\"confirm\" required> \
         Delete my archive: every play, gap and session, for good.</label> <button id=\"delete-account\" type=\"submit\">Delete</button></p></form>\
         </section></main><script src=\"/assets/app.js\" defer></script>",
        pause_action = pause_or_resume.0,
        pause_label = pause_or_resume.1,
        name = escape(name),
        class = if attention { "state-attention" } else { "state-active" },
        count = status.plays_archived,
        last = status.last_success_at.map_or_else(|| "never".to_owned(), time_element),
        next_due = time_element(status.next_due_at),
        failure = escape(&match (&status.last_failure_type, status.last_failure_at) {
            (Some(kind), at) => format!("{kind} at {}", when(at)),
            _ => "none".to_owned(),
        }),
        disabled = if active { "" } else { " disabled" },
        available = request
            .archive_available_at
            .map(|at| format!(" data-available-at=\"{at}\""))
            .unwrap_or_default(),
        zone = escape(zone),
        zone_saved = escape(settings.time_zone.as_deref().and_then(zone_name).unwrap_or("")),
        load_more_hidden = if more_plays { "" } else { " hidden" },
        notifications = panel_html(panels.notifications, time_element),
        forwarding = forwarding::panel_html(panels.forwarding, panels.forward, time_element),
        sharing = shares::panel_html(panels.shares, now, time_element),
    );
    layout_with("Your archive", &body, HISTORY_STYLE)
}

/// The timeline: plays newest first, each gap between the plays it separates. Gaps older
/// than the oldest play shown wait for the next page, unless there is none.
fn timeline_items(plays: &[HistoryPlay], more_plays: bool, gaps: &[GapView]) -> String {
    let mut timeline = String::new();
    let mut gaps_left = gaps.iter().peekable();
    for play in plays {
        // A gap lies between its newer end (`gap_to`, a play we have) and its older end.
        while let Some(gap) = gaps_left.next_if(|gap| gap.gap_to > play.played_at) {
            timeline.push_str(&gap_item(gap));
        }
        timeline.push_str(&play_item(play));
    }
    if !more_plays {
        for gap in gaps_left {
            timeline.push_str(&gap_item(gap));
        }
    }
    if timeline.is_empty() {
        timeline.push_str(
            "<li class=\"muted\" id=\"timeline-empty\">No plays archived yet. The first archive runs in a moment.</li>",
        );
    }
    timeline
}

/// A play's cover in a list, or the grey square of a play without one.
pub(super) fn cover_html(image_url: Option<&str>) -> String {
    match image_url {
        Some(url) => format!(
            "<img src=\"{}\" alt=\"\" loading=\"lazy\" width=\"48\" height=\"48\">",
            escape(url)
        ),
        None => "<span class=\"cover\" aria-hidden=\"true\"></span>".to_owned(),
    }
}

fn play_item(play: &HistoryPlay) -> String {
    let cover = cover_html(play.image_url.as_deref());
    format!(
        "<li class=\"play\" data-played-at=\"{at}\" data-id=\"{id}\">{cover}<span><strong>{}</strong><br>\
         <span class=\"muted\">{} · {}</span><br>{}</span></li>",
        escape(&play.track_name),
        escape(play.artist_names.as_deref().unwrap_or("Unknown artist")),
        escape(play.album_name.as_deref().unwrap_or("")),
        time_element(play.played_at),
        at = play.played_at,
        id = play.id,
    )
}

fn gap_item(gap: &GapView) -> String {
    format!(
        "<li class=\"gap\" role=\"note\" data-from=\"{}\" data-to=\"{}\">Possible gap: plays between {} and {} may be missing ({}).</li>",
        gap.gap_from,
        gap.gap_to,
        time_element(gap.gap_from),
        time_element(gap.gap_to),
        escape(&gap.reason.replace('_', " ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_names() {
        assert_eq!(
            escape("<b>\"Tom & Jerry's\"</b>"),
            "&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;&lt;/b&gt;"
        );
    }

    #[test]
    fn the_landing_page_offers_to_connect() {
        assert!(landing().contains("href=\"/login\""));
    }
}
