//! The user's public links, by API and by the dashboard's forms: the list, a new link
//! (its URL shown this once), a revocation. The public page itself is
//! [`super::share_page`].
//!
//! Every change needs the session and a request from our own pages. The list never
//! carries a token or its hash: neither can be shown again, since only the hash is kept.

use serde_json::json;

use super::auth::{reader, writer, SignedIn};
use super::error::HttpError;
use super::fields::{self, fields};
use super::pages::{escape, layout_with};
use super::{App, Bindings, WebRequest, WebResponse};
use crate::history::zone::{local_date, parse_zone, Zone};
use crate::share::{read_new_share, LinkState, ShareToken, MAX_LIVE_LINKS_PER_USER};
use crate::store::shares::ShareLinkView;
use crate::store::Store;
use crate::time::{utc_date, UnixMillis};

/// Where a refused form's page leads back to.
const BACK: &str = "/#sharing-h";

fn refuse(request: &WebRequest, refusal: HttpError) -> Result<WebResponse, HttpError> {
    fields::refuse(request, refusal, BACK)
}

fn no_such_link() -> HttpError {
    HttpError::new(404, "not_found", "No such link.")
}

/// `GET /api/shares`: every link the user made, newest first, with its state.
pub(super) async fn list<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = reader(&app.shards, request, now).await?;
    let links = Store::new(user.db).share_links(&user.id).await?;
    let shares: Vec<_> = links.iter().map(|link| link_json(link, now)).collect();
    Ok(WebResponse::json(
        200,
        &json!({ "shares": shares, "max_live": MAX_LIVE_LINKS_PER_USER }),
    ))
}

fn link_json(link: &ShareLinkView, now: UnixMillis) -> serde_json::Value {
    let mut value = json!(link);
    value["state"] = json!(LinkState::of(link.revoked_at, link.expires_at, now).as_str());
    value
}

/// `POST /api/shares/new`: a new link. A form gets a page with the URL (shown once),
/// the API `201 {"share": …, "url": …}`.
pub(super) async fn create<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let SignedIn {
        id: user_id,
        shard,
        db,
    } = writer(&app.shards, request, now).await?;
    let Some(fields) = fields(request) else {
        return refuse(
            request,
            HttpError::new(
                400,
                "invalid_body",
                "Send a JSON object: {\"kind\": \"recap\", \"year\": 2025, \"expires\": \"30d\"}.",
            ),
        );
    };
    let store = Store::new(db);
    // "Today" for the range's check is the user's own: a recap of this year is allowed
    // from their new year's morning, wherever they are.
    let saved_zone = store
        .history_settings(&user_id)
        .await?
        .and_then(|s| s.time_zone);
    let zone = saved_zone
        .as_deref()
        .and_then(|name| parse_zone(name, app.zones))
        .unwrap_or_else(Zone::utc);
    let Some(today) = local_date(&zone, now).or_else(|| utc_date(now)) else {
        return Err(HttpError::storage_unavailable("today has no date"));
    };
    let link = match read_new_share(&fields, today) {
        Ok(link) => link,
        Err(refusal) => return refuse(request, HttpError::new(400, refusal.code, refusal.message)),
    };
    let token = ShareToken::generate(shard)
        .map_err(|error| HttpError::storage_unavailable(format!("no link token: {error}")))?;
    let Some(id) = store
        .create_share_link(&user_id, &link, &token.hash, now, MAX_LIVE_LINKS_PER_USER)
        .await?
    else {
        return refuse(
            request,
            HttpError::new(
                409,
                "too_many_shares",
                format!("You have {MAX_LIVE_LINKS_PER_USER} live links already; revoke one first."),
            ),
        );
    };
    let url = format!("{}/s/{}", request.origin, token.url_token);
    if request.is_form() {
        return Ok(WebResponse::html(201, created_page(&url)));
    }
    let view = ShareLinkView {
        id,
        kind: link.kind.as_str().to_owned(),
        range_year: link.range.and_then(|range| range.year).map(i64::from),
        range_from: link.range.map(|range| range.first_day.to_string()),
        range_to: link.range.map(|range| range.last_day.to_string()),
        show_name: i64::from(link.show_name),
        created_at: now,
        expires_at: link.expiry.expires_at(now),
        revoked_at: None,
    };
    Ok(WebResponse::json(
        201,
        &json!({ "share": link_json(&view, now), "url": url }),
    ))
}

/// The page after a form made a link: its URL, this once (only its hash is kept).
fn created_page(url: &str) -> String {
    let url = escape(url);
    layout_with(
        "Link created",
        &format!(
            "<main><h1>Link created</h1><p>Anyone with this link can see what you chose to share, \
             until it expires or you revoke it. Copy it now: it is not shown again.</p>\
             <p><label for=\"share-url\">Your link</label><br>\
             <input id=\"share-url\" readonly size=\"60\" value=\"{url}\" autocomplete=\"off\" spellcheck=\"false\"></p>\
             <p><a id=\"share-open\" href=\"{url}\" rel=\"noreferrer\">Open it</a></p>\
             <p><a class=\"button\" href=\"{BACK}\">Back to your archive</a></p></main>"
        ),
        "",
    )
}

/// `POST /api/shares/{id}/revoke`: the link answers 404 from now on. Revoking a revoked
/// link again changes nothing; another user's link is a 404, as a missing one.
pub(super) async fn revoke<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    id: &str,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let user = writer(&app.shards, request, now).await?;
    let Some(id) = id.parse::<i64>().ok().filter(|id| *id > 0) else {
        return refuse(request, no_such_link());
    };
    if !Store::new(user.db)
        .revoke_share_link(&user.id, id, now)
        .await?
    {
        return refuse(request, no_such_link());
    }
    if request.is_form() {
        return Ok(WebResponse::back_to_dashboard());
    }
    Ok(WebResponse::json(200, &json!({ "revoked": id })))
}

/// What a link shows, in the list's words.
fn describe(link: &ShareLinkView) -> String {
    match (
        link.kind.as_str(),
        link.range_year,
        &link.range_from,
        &link.range_to,
    ) {
        ("recent", ..) => "Recently played (live)".to_owned(),
        (_, Some(year), ..) => format!("Recap of {year}"),
        (_, None, Some(from), Some(to)) => format!("Recap of {from} to {to}"),
        _ => "Recap".to_owned(),
    }
}

/// The dashboard's section: a form to make a link, and every link made, each with its
/// state and a revoke button while it works.
pub fn panel_html(
    links: &[ShareLinkView],
    now: UnixMillis,
    time: impl Fn(UnixMillis) -> String,
) -> String {
    let items: String = links
        .iter()
        .map(|link| {
            let state = LinkState::of(link.revoked_at, link.expires_at, now);
            let expiry = match (state, link.revoked_at, link.expires_at) {
                (LinkState::Revoked, Some(at), _) => format!("revoked {}", time(at)),
                (LinkState::Expired, _, Some(at)) => format!("expired {}", time(at)),
                (_, _, Some(at)) => format!("expires {}", time(at)),
                _ => "never expires".to_owned(),
            };
            let revoke = if state == LinkState::Revoked {
                String::new()
            } else {
                format!(
                    " <form class=\"inline\" method=\"post\" action=\"/api/shares/{id}/revoke\">\
                     <button class=\"button secondary\" id=\"revoke-share-{id}\" type=\"submit\">Revoke</button></form>",
                    id = link.id
                )
            };
            format!(
                "<li id=\"share-{id}\" data-state=\"{state}\"><strong>{what}</strong>, made {made}, {expiry}; \
                 {name}{revoke}</li>",
                id = link.id,
                state = state.as_str(),
                what = escape(&describe(link)),
                made = time(link.created_at),
                name = if link.show_name != 0 {
                    "shows your name"
                } else {
                    "does not show your name"
                },
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<p id=\"no-shares\">No links yet: nothing of your archive is public.</p>".to_owned()
    } else {
        format!("<ul id=\"shares\">{items}</ul>")
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"sharing-h\"><h2 id=\"sharing-h\">Sharing</h2>\
         <p>Make a public link to a recap of a year or of dates, or to your recently played tracks. \
         A link never shows your email or account, shows your name only if you say so, and stops \
         working when it expires or you revoke it. Its address is shown once, when you make it.</p>\
         <form class=\"range\" method=\"post\" action=\"/api/shares/new\" id=\"new-share\">\
         <label for=\"share-kind\">Share<select id=\"share-kind\" name=\"kind\">\
         <option value=\"recap\">A recap</option><option value=\"recent\">My recently played tracks</option></select></label>\
         <label for=\"share-year\">Year (recap)<input id=\"share-year\" name=\"year\" type=\"number\" min=\"2000\" max=\"9999\"></label>\
         <label for=\"share-from\">or from<input id=\"share-from\" name=\"from\" type=\"date\"></label>\
         <label for=\"share-to\">to (inclusive)<input id=\"share-to\" name=\"to\" type=\"date\"></label>\
         <label for=\"share-expires\">Expires<select id=\"share-expires\" name=\"expires\">\
         <option value=\"never\">Never</option><option value=\"1d\">In a day</option>\
         <option value=\"7d\">In 7 days</option><option value=\"30d\" selected>In 30 days</option></select></label>\
         <label><input type=\"checkbox\" id=\"share-show-name\" name=\"show_name\"> Show my name</label>\
         <button class=\"button\" id=\"create-share\" type=\"submit\">Create link</button></form>{list}</section>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(
        id: i64,
        kind: &str,
        revoked_at: Option<i64>,
        expires_at: Option<i64>,
    ) -> ShareLinkView {
        ShareLinkView {
            id,
            kind: kind.into(),
            range_year: (kind == "recap").then_some(2025),
            range_from: (kind == "recap").then(|| "2025-01-01".into()),
            range_to: (kind == "recap").then(|| "2025-12-31".into()),
            show_name: 0,
            created_at: 1,
            expires_at,
            revoked_at,
        }
    }

    #[test]
    fn the_panel_offers_revoke_only_while_a_link_is_not_revoked() {
        let html = panel_html(
            &[
                link(1, "recap", None, None),
                link(2, "recent", Some(5), None),
                link(3, "recent", None, Some(5)),
            ],
            10,
            |at| at.to_string(),
        );
        assert!(html.contains("id=\"revoke-share-1\""));
        assert!(!html.contains("id=\"revoke-share-2\""));
        assert!(
            html.contains("id=\"revoke-share-3\""),
            "an expired link can still be revoked"
        );
        assert!(html.contains("Recap of 2025"));
        assert!(html.contains("data-state=\"expired\""));
        assert!(panel_html(&[], 0, |at| at.to_string()).contains("id=\"no-shares\""));
    }
}
