//! The dashboard of a real archive in headless Chromium: the timeline with its gap, the
//! charts drawn by the page's script, the top lists, and an export downloaded whole.

use std::fs;
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use e2e::webdriver::{Browser as Chromium, By};
use e2e::Stack;

const PAGE: Duration = Duration::from_secs(30);
const ARCHIVE: Duration = Duration::from_secs(60);

fn count(chrome: &Chromium, selector: &str) -> u64 {
    chrome
        .execute(
            "return document.querySelectorAll(arguments[0]).length",
            json!([selector]),
        )
        .as_u64()
        .unwrap_or(0)
}

/// The archive's count of plays, through the API: reading D1 from another process
/// while the Worker writes can make the Worker's write fail (SQLITE_BUSY).
fn plays_archived(http: &e2e::Browser<'_>) -> u64 {
    http.status()["plays_archived"].as_u64().unwrap_or(0)
}

/// The finished download of that extension in `dir`, if there is one yet.
fn downloaded(dir: &Path, extension: &str) -> Option<String> {
    let entry = fs::read_dir(dir).ok()?.flatten().find(|entry| {
        entry
            .path()
            .extension()
            .is_some_and(|found| found == extension)
    })?;
    fs::read_to_string(entry.path()).ok()
}

#[test]
fn the_dashboard_shows_the_timeline_a_gap_the_charts_and_exports_the_archive() {
    let stack = Stack::start();
    stack.create_user("cleo", 0.0, 0.0);
    stack.inject("cleo", 12, 120_000);
    let downloads = stack.dir().join("downloads");
    fs::create_dir_all(&downloads).expect("downloads dir");
    let chrome = Chromium::start(&downloads);

    // Connect through the real pages; the backfill archives the 12 plays.
    chrome.goto(&stack.worker_url);
    let connect = chrome.wait_for(By::Css("#connect"), PAGE);
    chrome.click(&connect);
    chrome.wait_for(By::Css("#approve"), PAGE);
    chrome.select_value("#user", "cleo");
    let approve = chrome.wait_for(By::Css("#approve"), PAGE);
    chrome.click(&approve);
    chrome.wait_for(By::Css("#timeline"), PAGE);
    // The harness's own session of the same user, to follow the archive over the API.
    let http = stack.login("cleo");
    stack.wait_until(ARCHIVE, "the backfill archives 12 plays", || {
        let plays = plays_archived(&http);
        if plays == 12 {
            Ok(())
        } else {
            Err(plays)
        }
    });

    // A burst past Spotify's window between two archives leaves a recorded gap.
    stack.inject("cleo", 60, 40_000);
    stack.archive_now(&http.user_id());
    stack.wait_until(ARCHIVE, "the burst is archived with a gap", || {
        let gaps = http.gaps().len();
        if gaps == 1 {
            Ok(())
        } else {
            Err(gaps)
        }
    });
    let archived = plays_archived(&http);

    chrome.goto(&stack.worker_url);
    chrome.wait_for(By::Css("#timeline li.play"), PAGE);
    assert_eq!(
        count(&chrome, "#timeline li.play"),
        50,
        "the newest 50 plays first"
    );
    // The gap lies below the burst's 50 plays: older plays load with the gap between.
    let more = chrome.wait_for(By::Css("#load-more"), PAGE);
    chrome.click(&more);
    chrome.wait_until("older plays load", PAGE, |chrome| {
        count(chrome, "#timeline li.play") == archived
    });
    assert_eq!(
        count(&chrome, "#timeline li.gap"),
        1,
        "the gap is shown in the timeline"
    );
    let order: Vec<String> = serde_json::from_value(chrome.execute(
        "return [...document.querySelectorAll('#timeline li.play, #timeline li.gap')].map(li => li.className)",
        json!([]),
    ))
    .expect("classes");
    let gap_at = order
        .iter()
        .position(|class| class.contains("gap"))
        .expect("gap");
    assert_eq!(
        gap_at, 50,
        "the gap sits between the burst and the plays before it: {order:?}"
    );
    assert!(
        chrome.text_of_page().contains(&format!("{archived}")),
        "the plays archived are counted"
    );

    // The page's script draws the charts and lists from /api/stats.
    chrome.wait_until("the per-day chart is drawn", PAGE, |chrome| {
        count(chrome, "#chart-days rect") > 0
    });
    chrome.wait_until(
        "the heatmap has its hour row and 7 weekday rows",
        PAGE,
        |chrome| {
            count(chrome, "#heatmap tr") == 8 && count(chrome, "#heatmap tr th[scope=row]") == 7
        },
    );
    chrome.wait_until("the top lists are filled", PAGE, |chrome| {
        count(chrome, "#top-artists li") > 0 && count(chrome, "#top-tracks li") > 0
    });
    let shots = e2e::workspace_root().join("target/e2e-screenshots");
    chrome.execute("window.scrollTo(0, 0)", json!([]));
    chrome.screenshot(&shots.join("dashboard.png"));
    chrome.execute(
        "document.querySelector('#timeline li.gap').scrollIntoView({block: 'center'})",
        json!([]),
    );
    chrome.screenshot(&shots.join("dashboard-gap.png"));

    // The CSV export downloads whole: a header and one row per archived play.
    let export = chrome.wait_for(By::Css("#export-csv"), PAGE);
    chrome.click(&export);
    chrome.wait_until("the CSV export is downloaded", ARCHIVE, |_| {
        downloaded(&downloads, "csv").is_some()
    });
    let csv = downloaded(&downloads, "csv").expect("csv");
    assert_eq!(csv.lines().count() as u64, archived + 1, "{csv}");
}
