//! A public link through `wrangler dev --local`: a user's plays are archived, the user
//! makes a link to their recently played tracks with the dashboard's form, a visitor
//! without a session sees them, the link is revoked, and the visitor gets 404; then the
//! same in headless Chromium, pressing what a person presses.

use std::time::Duration;

use e2e::webdriver::{Browser as Chromium, By};
use e2e::Stack;
use serde_json::json;

const ARCHIVE: Duration = Duration::from_secs(60);
/// How long a page may take to show.
const PAGE: Duration = Duration::from_secs(30);
const PLAYS: u64 = 6;

#[test]
fn a_public_link_is_seen_logged_out_until_it_is_revoked() {
    let stack = Stack::start();
    let ada = stack.join("ada", PLAYS as usize);
    stack.wait_until(ARCHIVE, "the login's backfill is archived", || {
        let archived = ada.browser.status()["plays_archived"].as_u64().unwrap_or(0);
        if archived == PLAYS {
            Ok(())
        } else {
            Err(archived)
        }
    });
    let newest = ada.browser.get("/api/plays?limit=1");
    assert_eq!(newest.status, 200, "{}", newest.body);
    let newest_track = newest.json()["plays"][0]["track_name"]
        .as_str()
        .expect("a track name")
        .to_owned();
    let display_name = ada.browser.status()["display_name"]
        .as_str()
        .map(str::to_owned);

    // Made by the dashboard's form: the address comes back on a page, once.
    let created = ada.browser.post(
        "/api/shares/new",
        "kind=recent&year=&from=&to=&expires=7d&show_name=on",
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let start = created
        .body
        .find("/s/")
        .unwrap_or_else(|| stack.fail(&format!("no link on the page: {}", created.body)));
    let path: String = created.body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'))
        .collect();
    let token = path.trim_start_matches("/s/").to_owned();

    // A visitor without a session.
    let visitor = stack.browser();
    let page = visitor.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&newest_track), "{}", page.body);
    if let Some(name) = &display_name {
        assert!(
            page.body.contains(name.as_str()),
            "the name was chosen: {}",
            page.body
        );
    }
    assert!(
        !page.body.contains(&ada.user_id),
        "the page shows the user's id"
    );
    assert!(!page.body.contains(&token), "the page shows its token");
    assert_eq!(page.header("X-Robots-Tag"), Some("noindex, nofollow"));
    assert_eq!(page.header("Referrer-Policy"), Some("no-referrer"));
    assert_eq!(page.header("Cache-Control"), Some("private, no-store"));
    assert!(page
        .body
        .contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
    assert_eq!(visitor.cookie("stm_session"), None);

    // The owner's list names it, never its token; the dashboard offers to revoke it.
    let listed = ada.browser.get("/api/shares");
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(!listed.body.contains(&token));
    let id = listed.json()["shares"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| stack.fail(&format!("no link listed: {}", listed.body)));
    let dashboard = ada.browser.get("/");
    assert!(dashboard
        .body
        .contains(&format!("id=\"revoke-share-{id}\"")));

    let revoked = ada.browser.post(&format!("/api/shares/{id}/revoke"), "");
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let gone = visitor.get(&path);
    assert_eq!(gone.status, 404, "{}", gone.body);
    assert_eq!(gone.header("X-Robots-Tag"), Some("noindex, nofollow"));
    let unknown = visitor.get("/s/AAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!((unknown.status, unknown.body), (404, gone.body));
}

/// A person makes a link on the dashboard (the Sharing form: a recap of this year, with
/// their name, for 7 days), copies it from the page that shows it once, opens it, then
/// revokes it with its button: the link then shows "Not found".
#[test]
fn a_person_makes_opens_and_revokes_a_link_in_a_browser() {
    let stack = Stack::start();
    stack.create_user("hal", 0.0, 0.0);
    stack.inject("hal", 3, 60_000);
    let chrome = Chromium::start(&stack.dir().join("downloads"));
    stack.connect_in_browser(&chrome, "hal");

    chrome.wait_for(By::Css("#new-share"), PAGE);
    chrome.select_value("#share-kind", "recap");
    chrome.execute(
        "document.querySelector('#share-year').value = String(new Date().getUTCFullYear());",
        json!([]),
    );
    chrome.select_value("#share-expires", "7d");
    let show_name = chrome.wait_for(By::Css("#share-show-name"), PAGE);
    chrome.click(&show_name);
    let create = chrome.wait_for(By::Css("#create-share"), PAGE);
    chrome.click(&create);
    chrome.wait_until("the Worker shows the new link", PAGE, |chrome| {
        chrome.text_of_page().contains("Link created")
    });
    let url = chrome
        .execute(
            "return document.querySelector('#share-url').value",
            json!([]),
        )
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no link on the page: {}", chrome.text_of_page()));
    assert!(
        url.starts_with(&format!("{}/s/", stack.worker_url)),
        "{url}"
    );

    chrome.goto(&url);
    chrome.wait_until("the link's page shows the recap", PAGE, |chrome| {
        chrome.text_of_page().contains("in music")
    });
    let plays = chrome.text(&chrome.wait_for(By::Css("#total-plays"), PAGE));
    assert_eq!(plays, "3", "the three plays");
    assert!(
        chrome.exists(By::Css("#top-tracks li")),
        "{}",
        chrome.text_of_page()
    );

    chrome.goto(&stack.worker_url);
    chrome.wait_for(By::Css("#shares"), PAGE);
    let button = chrome
        .execute(
            "const b = document.querySelector('[id^=\"revoke-share-\"]'); return b ? b.id : null",
            json!([]),
        )
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no revoke button: {}", chrome.text_of_page()));
    let revoke = chrome.wait_for(By::Css(&format!("#{button}")), PAGE);
    chrome.click(&revoke);
    chrome.wait_for(By::Css("#shares li[data-state=\"revoked\"]"), PAGE);

    chrome.goto(&url);
    chrome.wait_until("the revoked link is not found", PAGE, |chrome| {
        chrome.text_of_page().contains("Not found")
    });
}
