//! A person in a real browser: headless Chromium (Debian's package) driven over WebDriver
//! connects Spotify on the Worker's page, approves on the simulator's consent page, lands
//! back logged in and sees the backfilled plays; another person denies and is told so.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use e2e::webdriver::{Browser as Chromium, By};
use e2e::Stack;

const PAGE: Duration = Duration::from_secs(30);
const BACKFILL: Duration = Duration::from_secs(60);

fn screenshots() -> PathBuf {
    e2e::workspace_root().join("target").join("e2e-screenshots")
}

fn timeline_plays(chrome: &Chromium) -> u64 {
    chrome
        .execute(
            "return document.querySelectorAll('#timeline li.play').length",
            json!([]),
        )
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn a_person_connects_spotify_in_a_browser_and_sees_their_backfilled_plays() {
    let stack = Stack::start();
    stack.create_user("ada", 20.0, 2.0);
    let made = stack.truth("ada").len();
    assert!(made > 0, "the simulated listener has a history to backfill");
    let chrome = Chromium::start(&stack.dir().join("downloads"));

    chrome.goto(&stack.worker_url);
    let connect = chrome.wait_for(By::Css("#connect"), PAGE);
    chrome.click(&connect);

    // Spotify's (the simulator's) consent page.
    chrome.wait_for(By::Css("#approve"), PAGE);
    assert!(
        chrome.current_url().starts_with(&stack.sim_url),
        "at {}",
        chrome.current_url()
    );
    chrome.select_value("#user", "ada");
    let approve = chrome.wait_for(By::Css("#approve"), PAGE);
    chrome.click(&approve);

    // Back on the Worker, logged in; the backfill runs through the queue.
    chrome.wait_for(By::Css("#timeline"), PAGE);
    assert!(
        chrome.current_url().starts_with(&stack.worker_url),
        "at {}",
        chrome.current_url()
    );
    chrome.wait_until("the backfilled plays are on the page", BACKFILL, |chrome| {
        if timeline_plays(chrome) > 0 {
            return true;
        }
        chrome.goto(&stack.worker_url);
        false
    });
    let shown = timeline_plays(&chrome) as usize;
    assert_eq!(shown, made.min(50), "the timeline shows the newest plays");
    let page = chrome.text_of_page();
    assert!(page.contains("E2E ada"), "the page names the user: {page}");
    chrome.screenshot(&screenshots().join("dashboard-after-login.png"));
}

#[test]
fn a_person_who_denies_access_is_told_and_nothing_is_stored() {
    let stack = Stack::start();
    stack.create_user("bo", 20.0, 1.0);
    let chrome = Chromium::start(&stack.dir().join("downloads"));

    chrome.goto(&format!("{}/login", stack.worker_url));
    let deny = chrome.wait_for(By::Css("#deny"), PAGE);
    chrome.click(&deny);

    chrome.wait_until("the Worker explains the refusal", PAGE, |chrome| {
        chrome.current_url().starts_with(&stack.worker_url)
            && chrome.text_of_page().contains("chose not to connect")
    });
    assert!(!chrome.exists(By::Css("#timeline")));
    chrome.screenshot(&screenshots().join("login-denied.png"));
    let users = stack.d1("SELECT count(*) AS n FROM users");
    assert_eq!(users[0]["n"], 0, "a refused login creates no user");
}
