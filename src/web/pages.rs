//! The HTML pages, rendered on the server: no framework, no script, nothing from a CDN.

use crate::account::{AccountStatus, Connection};
use crate::store::{GapView, PlayView, UserStatus};
use crate::time::{to_rfc3339, UnixMillis};

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
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Spotify Time Machine</title><style>{STYLE}</style></head><body>{body}</body></html>",
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

pub fn dashboard(
    status: &UserStatus,
    plays: &[PlayView],
    gaps: &[GapView],
    now: UnixMillis,
) -> String {
    let account = AccountStatus::new(status, now);
    let state = account.connection.describe();
    let attention = account.connection != Connection::Active;
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
    let mut timeline = String::new();
    let mut gaps_left: Vec<&GapView> = gaps.iter().collect();
    for play in plays {
        // A gap shows where it happened: just before the first play older than its end.
        while let Some(gap) = gaps_left.first().filter(|gap| gap.gap_to >= play.played_at) {
            timeline.push_str(&gap_item(gap));
            gaps_left.remove(0);
        }
        let cover = match &play.image_url {
            Some(url) => format!("<img src=\"{}\" alt=\"\" loading=\"lazy\">", escape(url)),
            None => "<span class=\"cover\" aria-hidden=\"true\"></span>".to_owned(),
        };
        timeline.push_str(&format!(
            "<li class=\"play\">{cover}<span><strong>{}</strong><br><span class=\"muted\">{} · {}</span><br>\
             <time datetime=\"{t}\">{t}</time></span></li>",
            escape(&play.track_name),
            escape(play.artist_names.as_deref().unwrap_or("Unknown artist")),
            escape(play.album_name.as_deref().unwrap_or("")),
            t = escape(&to_rfc3339(play.played_at)),
        ));
    }
    for gap in gaps_left {
        timeline.push_str(&gap_item(gap));
    }
    if timeline.is_empty() {
        timeline.push_str(
            "<li class=\"muted\">No plays archived yet. The first archive runs in a moment.</li>",
        );
    }
    layout(
        "Your archive",
        &format!(
            "<main><h1>Your archive</h1><p>Logged in as <strong id=\"user\">{name}</strong>.</p>\
             <section class=\"card\" aria-labelledby=\"state-h\"><h2 id=\"state-h\">Connection</h2>\
             <p id=\"state\" class=\"{class}\">{state}</p>{repair}{expiry_warning}\
             <dl><dt>Plays archived</dt><dd id=\"plays-archived\">{count}</dd>\
             <dt>Last archived</dt><dd>{last}</dd><dt>Next archive due</dt><dd>{next}</dd>\
             <dt>Last failure</dt><dd>{failure}</dd></dl></section>\
             <section class=\"card\" aria-labelledby=\"timeline-h\"><h2 id=\"timeline-h\">Recent plays</h2>\
             <ol class=\"timeline\" id=\"timeline\">{timeline}</ol></section>\
             <section class=\"card\" aria-labelledby=\"account-h\"><h2 id=\"account-h\">Account</h2>\
             <form method=\"post\" action=\"{pause_action}\"><button class=\"button\" type=\"submit\">{pause_label}</button></form>\
             <form method=\"post\" action=\"/logout\"><p><button class=\"button\" type=\"submit\">Log out</button></p></form>\
             <form method=\"post\" action=\"/api/account/delete\"><p><label><input type=\"checkbox\" name=\"confirm\" required> \
             Delete my archive: every play, gap and session, for good.</label> <button type=\"submit\">Delete</button></p></form>\
             </section></main>",
            pause_action = pause_or_resume.0,
            pause_label = pause_or_resume.1,
            name = escape(name),
            class = if attention { "state-attention" } else { "state-active" },
            count = status.plays_archived,
            last = escape(&when(status.last_success_at)),
            next = escape(&to_rfc3339(status.next_due_at)),
            failure = escape(&match (&status.last_failure_type, status.last_failure_at) {
                (Some(kind), at) => format!("{kind} at {}", when(at)),
                _ => "none".to_owned(),
            }),
        ),
    )
}

fn gap_item(gap: &GapView) -> String {
    format!(
        "<li class=\"gap\" role=\"note\">Possible gap: plays between {} and {} may be missing ({}).</li>",
        escape(&to_rfc3339(gap.gap_from)),
        escape(&to_rfc3339(gap.gap_to)),
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
