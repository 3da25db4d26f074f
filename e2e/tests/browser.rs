//! A person in a real browser: headless Chromium (Debian's package) driven over WebDriver
//! connects Spotify on the Worker's page, approves on the simulator's consent page, lands
//! back logged in and sees the backfilled plays; another person denies and is told so.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;

use e2e::webdriver::{Browser as Chromium, By};
use e2e::{now_ms, Stack};

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

/// The text of the first element matching `css`, if the page has one.
fn text_at(chrome: &Chromium, css: &str) -> Option<String> {
    chrome
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null",
            json!([css]),
        )
        .as_str()
        .map(str::to_owned)
}

/// Presses a dashboard button (a plain form, no script) and waits until the next page
/// shows `done`; a refused form (403 `forbidden_origin`) never gets there.
fn press(chrome: &Chromium, css: &str, what: &str, done: impl Fn(&Chromium) -> bool) {
    let button = chrome.wait_for(By::Css(css), PAGE);
    chrome.click(&button);
    chrome.wait_until(what, PAGE, |chrome| {
        let page = chrome.text_of_page();
        assert!(
            !page.contains("forbidden_origin"),
            "{css} was refused: {page}"
        );
        done(chrome)
    });
}

fn shows(css: &'static str, text: &'static str) -> impl Fn(&Chromium) -> bool {
    move |chrome| text_at(chrome, css).is_some_and(|shown| shown.trim() == text)
}

fn landing(chrome: &Chromium) -> bool {
    chrome.exists(By::Css("#connect"))
}

fn user_row(stack: &Stack) -> serde_json::Value {
    let rows = stack.d1("SELECT id, paused, is_active FROM users");
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows[0].clone()
}

fn sessions(stack: &Stack) -> u64 {
    stack.d1("SELECT count(*) AS n FROM sessions")[0]["n"]
        .as_u64()
        .unwrap_or(u64::MAX)
}

/// The dashboard's account forms are plain `<form method="post">`s: a browser sends them
/// with the page's Referrer-Policy deciding the Origin header, which our CSRF check reads.
#[test]
fn a_person_pauses_resumes_logs_out_and_deletes_their_archive_in_a_browser() {
    let stack = Stack::start();
    stack.create_user("cy", 20.0, 2.0);
    let chrome = Chromium::start(&stack.dir().join("downloads"));
    stack.connect_in_browser(&chrome, "cy");
    assert_eq!(user_row(&stack)["paused"], 0);

    press(
        &chrome,
        "#pause-resume",
        "the dashboard offers to resume",
        shows("#pause-resume", "Resume archiving"),
    );
    let row = user_row(&stack);
    assert_eq!(
        (&row["paused"], &row["is_active"]),
        (&json!(1), &json!(0)),
        "{row}"
    );
    assert_eq!(text_at(&chrome, "#state").as_deref(), Some("Paused"));

    press(
        &chrome,
        "#pause-resume",
        "the dashboard offers to pause",
        shows("#pause-resume", "Pause archiving"),
    );
    let row = user_row(&stack);
    assert_eq!(
        (&row["paused"], &row["is_active"]),
        (&json!(0), &json!(1)),
        "{row}"
    );

    // Log out ends this browser's session only; another device stays logged in.
    let phone = stack.login("cy");
    assert_eq!(sessions(&stack), 2);
    press(&chrome, "#logout", "the landing page", landing);
    assert_eq!(sessions(&stack), 1, "only the browser's own session ends");
    assert!(
        phone.try_status().is_some(),
        "the other device is still logged in"
    );
    chrome.goto(&stack.worker_url);
    chrome.wait_for(By::Css("#connect"), PAGE);

    // Log out everywhere ends every session of the user.
    stack.connect_in_browser(&chrome, "cy");
    assert_eq!(sessions(&stack), 2);
    press(&chrome, "#logout-everywhere", "the landing page", landing);
    assert_eq!(sessions(&stack), 0);
    assert!(
        phone.try_status().is_none(),
        "the other device is logged out too"
    );

    // Delete my archive: the checkbox, then the button; everything of the user goes.
    stack.connect_in_browser(&chrome, "cy");
    let confirm = chrome.wait_for(By::Css("#delete-confirm"), PAGE);
    chrome.click(&confirm);
    press(&chrome, "#delete-account", "the landing page", landing);
    chrome.screenshot(&screenshots().join("after-delete.png"));
    for table in ["users", "play_events", "sessions"] {
        let rows = stack.d1(&format!("SELECT count(*) AS n FROM {table}"));
        assert_eq!(rows[0]["n"], 0, "{table} after the deletion");
    }
    chrome.goto(&stack.worker_url);
    chrome.wait_for(By::Css("#connect"), PAGE);
}

/// Writes `records` as a streaming history file inside a folder named as Spotify's export
/// names it, and zips the folder with Info-ZIP's `zip` and its `flags`: the
/// archives a person really receives, not ones this test composed byte by byte.
fn zip_export(dir: &Path, name: &str, flags: &[&str], records: &[serde_json::Value]) -> PathBuf {
    let work = dir.join(name);
    let folder = work.join("Spotify Extended Streaming History");
    std::fs::create_dir_all(&folder).expect("export folder");
    let history = serde_json::to_vec_pretty(records).expect("records serialise");
    // One file name in every archive, as in two exports requested a year apart: each
    // holds a `Streaming_History_Audio_2019.json` of its own.
    std::fs::write(folder.join("Streaming_History_Audio_2019.json"), history)
        .expect("history file");
    let archive = dir.join(format!("{name}.zip"));
    let status = std::process::Command::new("zip")
        .current_dir(&work)
        .args(["-q", "-r"])
        .args(flags)
        .arg(&archive)
        .arg("Spotify Extended Streaming History")
        .status()
        .expect("Info-ZIP's zip runs (scripts/setup installs it)");
    assert!(status.success(), "zip {flags:?} failed");
    archive
}

/// `count` plays of 2019, an hour apart from `first_hour`, each a track of its own.
fn plays_of_2019(first_hour: u32, count: u32) -> Vec<serde_json::Value> {
    (first_hour..first_hour + count)
        .map(|hour| {
            json!({
                "ts": format!("2019-03-{:02}T{:02}:00:00Z", 1 + hour / 24, hour % 24),
                "ms_played": 200_000,
                "spotify_track_uri": format!("spotify:track:0zipTrack{hour:013}"),
                "master_metadata_track_name": format!("Zipped song {hour}"),
                "master_metadata_album_artist_name": "The Archivists",
                "master_metadata_album_album_name": "Compressed",
            })
        })
        .collect()
}

fn counter(chrome: &Chromium, id: &str) -> u64 {
    text_at(chrome, &format!("#{id}"))
        .and_then(|text| text.replace([',', '.', '\u{a0}', ' '], "").parse().ok())
        .unwrap_or(u64::MAX)
}

/// The import page opens the zip Spotify sends in the browser (its own zip reader, the
/// platform's DecompressionStream for deflate): a deflated, a stored and a Zip64 archive,
/// chosen together in the file dialog, are read, imported and reported.
#[test]
fn a_person_imports_their_export_zips_in_a_browser() {
    let stack = Stack::start();
    stack.create_user("zed", 4.0, 1.0);
    let chrome = Chromium::start(&stack.dir().join("downloads"));
    stack.connect_in_browser(&chrome, "zed");

    let exports = stack.dir().join("exports");
    let deflated = zip_export(&exports, "deflated", &[], &plays_of_2019(0, 30));
    let stored = zip_export(&exports, "stored", &["-0"], &plays_of_2019(100, 20));
    let zip64 = zip_export(&exports, "zip64", &["-fz"], &plays_of_2019(200, 10));
    let zip64_bytes = std::fs::read(&zip64).expect("zip64 archive");
    assert!(
        zip64_bytes.windows(4).any(|w| w == b"PK\x06\x06"),
        "zip -fz wrote a Zip64 end record"
    );

    chrome.goto(&format!("{}/import", stack.worker_url));
    let input = chrome.wait_for(By::Css("#import-files"), PAGE);
    chrome.choose_files(&input, &[&deflated, &stored, &zip64]);
    let start = chrome.wait_for(By::Css("#import-start"), PAGE);
    chrome.click(&start);
    chrome.wait_until("the import's report", BACKFILL, |chrome| {
        chrome
            .execute(
                "const r = document.querySelector('#import-report'); return !!r && !r.hidden",
                json!([]),
            )
            .as_bool()
            .unwrap_or(false)
    });
    let summary = text_at(&chrome, "#import-summary").unwrap_or_default();
    chrome.screenshot(&screenshots().join("import-zips.png"));
    assert!(
        summary.contains("60 records read from 3 file(s)"),
        "{summary}"
    );
    assert_eq!(counter(&chrome, "n-read"), 60, "{summary}");
    assert_eq!(counter(&chrome, "n-imported"), 60, "{summary}");
    assert_eq!(counter(&chrome, "n-errors"), 0, "{summary}");
    // The simulator's own plays are of today; every play of 2019 came from the zips.
    let imported = stack
        .d1("SELECT count(*) AS n FROM play_events WHERE played_at < 1577836800000")[0]["n"]
        .as_u64()
        .expect("a count");
    assert_eq!(imported, 60);
}

/// A Last.fm CSV (the headerless `artist,album,track,date` of the lastfm-to-csv tools) and
/// a ListenBrainz export zip (`listens/<year>/<month>.jsonl` beside `user.json` and
/// `feedback.jsonl`, zipped by Info-ZIP's `zip`) chosen together: the page reads the CSV's
/// rows and the zip's JSON lines, leaves the other entries out, and every listen lands.
#[test]
fn a_person_imports_a_last_fm_csv_and_a_listenbrainz_zip_in_a_browser() {
    let stack = Stack::start();
    stack.create_user("lu", 4.0, 1.0);
    let chrome = Chromium::start(&stack.dir().join("downloads"));
    stack.connect_in_browser(&chrome, "lu");

    let exports = stack.dir().join("exports");
    std::fs::create_dir_all(&exports).expect("exports folder");
    let csv = exports.join("lastfm.csv");
    let rows: String = (0..12)
        .map(|hour| {
            format!("\"The Scrobblers\",\"Last, Album\",\"Scrobbled song {hour}\",\"01 Mar 2019 {hour:02}:00\"\r\n")
        })
        .collect();
    std::fs::write(&csv, rows).expect("csv file");

    let export = exports.join("listenbrainz");
    let month = export.join("listens").join("2019");
    std::fs::create_dir_all(&month).expect("listens folder");
    // 2019-03-06T00:00:00Z, then an hour apart; every other one from Spotify.
    let lines: String = (0..8_i64)
        .map(|hour| {
            let mut info = json!({"submission_client": "ListenBrainz"});
            if hour % 2 == 0 {
                info["spotify_id"] = json!(format!("https://open.spotify.com/track/0lbTrack{hour:014}"));
            }
            let listen = json!({"listened_at": 1_551_830_400 + hour * 3_600, "user_name": "lu",
                                "track_metadata": {"artist_name": "The Listeners",
                                                   "track_name": format!("Listened song {hour}"),
                                                   "release_name": "Brainz", "additional_info": info}});
            format!("{listen}\n")
        })
        .collect();
    std::fs::write(month.join("3.jsonl"), lines).expect("listens file");
    std::fs::write(
        export.join("user.json"),
        r#"{"user_id": 1, "username": "lu"}"#,
    )
    .expect("user file");
    std::fs::write(
        export.join("feedback.jsonl"),
        "{\"recording_msid\": \"x\", \"score\": 1}\n",
    )
    .expect("feedback file");
    let zip = exports.join("listenbrainz.zip");
    let status = std::process::Command::new("zip")
        .current_dir(&export)
        .args(["-q", "-r"])
        .arg(&zip)
        .args(["user.json", "feedback.jsonl", "listens"])
        .status()
        .expect("Info-ZIP's zip runs (scripts/setup installs it)");
    assert!(status.success(), "zip failed");

    chrome.goto(&format!("{}/import", stack.worker_url));
    let input = chrome.wait_for(By::Css("#import-files"), PAGE);
    chrome.choose_files(&input, &[&csv, &zip]);
    let start = chrome.wait_for(By::Css("#import-start"), PAGE);
    chrome.click(&start);
    chrome.wait_until("the import's report", BACKFILL, |chrome| {
        chrome
            .execute(
                "const r = document.querySelector('#import-report'); return !!r && !r.hidden",
                json!([]),
            )
            .as_bool()
            .unwrap_or(false)
    });
    let summary = text_at(&chrome, "#import-summary").unwrap_or_default();
    chrome.screenshot(&screenshots().join("import-lastfm-listenbrainz.png"));
    assert!(
        summary.contains("20 records read from 2 file(s)"),
        "{summary}"
    );
    assert_eq!(counter(&chrome, "n-imported"), 20, "{summary}");
    assert_eq!(counter(&chrome, "n-errors"), 0, "{summary}");
    let imported = stack
        .d1("SELECT count(*) AS n FROM play_events WHERE played_at < 1577836800000 AND source IN (4, 5)")[0]["n"]
        .as_u64()
        .expect("a count");
    assert_eq!(imported, 20);
}

/// How many archived plays match an SQL condition on `play_events`.
fn archived_plays(stack: &Stack, condition: &str) -> u64 {
    let rows = stack.d1(&format!(
        "SELECT count(*) AS n FROM play_events WHERE {condition}"
    ));
    rows[0]["n"].as_u64().expect("a count")
}

/// The dashboard's forwarding forms, as a person uses them: a ListenBrainz token pasted
/// with the date the archive is sent from, Last.fm connected through its approval page
/// and back, a switch turned off and a disconnect. Each is a plain form whose POST
/// carries the Origin the page allows.
#[test]
fn a_person_connects_listenbrainz_and_lastfm_switches_one_off_and_disconnects_the_other() {
    const TOKEN: &str = "7f3c2a10-9b4e-4d21-8c5a-0e6f1b2d3c4e";
    let stack = Stack::start();
    stack.create_user("fen", 0.0, 0.0);
    // Ten plays, twelve hours apart, ending now: some before yesterday, some since.
    stack.inject("fen", 10, 12 * 3_600_000);
    stack.sim_post(
        "/admin/listenbrainz/users",
        json!({ "user_name": "fen-lb", "token": TOKEN }),
    );
    stack.sim_post("/admin/lastfm/users", json!({ "name": "fen-fm" }));
    let chrome = Chromium::start(&stack.dir().join("downloads"));
    stack.connect_in_browser(&chrome, "fen");
    let connected = |service: &'static str| {
        move |chrome: &Chromium| {
            chrome.exists(By::Css(&format!(
                "#destination-{service}[data-connected=\"1\"]"
            )))
        }
    };

    // The archive since yesterday goes along (fen keeps no zone: midnight UTC).
    let yesterday = civil_date(now_ms() - 86_400_000);
    let since = start_of_day_ms(yesterday);
    let music_since = format!("played_at >= {since} AND source = 0 AND kind = 0");
    let to_send = archived_plays(&stack, &music_since);
    assert!(
        to_send > 0 && to_send < archived_plays(&stack, "true"),
        "fen has plays on both sides of yesterday's midnight"
    );
    let field = chrome.wait_for(By::Css("#listenbrainz-token"), PAGE);
    chrome.type_text(&field, TOKEN);
    chrome.type_date(
        &chrome.wait_for(By::Css("#listenbrainz-since"), PAGE),
        yesterday,
    );
    press(
        &chrome,
        "#connect-listenbrainz-button",
        "ListenBrainz shows connected",
        connected("listenbrainz"),
    );
    assert!(
        text_at(&chrome, "#destination-listenbrainz").is_some_and(|text| text.contains("fen-lb")),
        "the account's name is shown"
    );
    let listens = || {
        stack.sim_times(
            "/admin/listenbrainz/users/fen-lb/listens",
            "listens",
            "listened_at",
        )
    };
    chrome.wait_until(
        "ListenBrainz has the archive since yesterday",
        BACKFILL,
        |_| listens().len() as u64 >= to_send,
    );
    let received = listens();
    assert_eq!(received.len() as u64, to_send, "each play once");
    assert!(
        received.iter().all(|&second| second * 1_000 >= since),
        "nothing from before the date: {received:?}"
    );

    // Last.fm: its page asks, and sends the browser back to the dashboard.
    let button = chrome.wait_for(By::Css("#connect-lastfm-button"), PAGE);
    chrome.click(&button);
    chrome.wait_for(By::Css("#approve"), PAGE);
    chrome.select_value("#user", "fen-fm");
    let approve = chrome.wait_for(By::Css("#approve"), PAGE);
    chrome.click(&approve);
    chrome.wait_until("Last.fm shows connected", PAGE, connected("lastfm"));
    assert!(
        text_at(&chrome, "#destination-lastfm").is_some_and(|text| text.contains("fen-fm")),
        "the account's name is shown"
    );

    press(
        &chrome,
        "#listenbrainz-switch",
        "ListenBrainz shows switched off",
        |chrome| chrome.exists(By::Css("#destination-listenbrainz[data-enabled=\"0\"]")),
    );
    press(
        &chrome,
        "#lastfm-disconnect",
        "Last.fm offers to connect again",
        |chrome| chrome.exists(By::Css("#destination-lastfm[data-connected=\"0\"]")),
    );
    chrome.screenshot(&screenshots().join("forwarding.png"));
    let rows = stack.d1("SELECT service, account, enabled FROM forward_destinations");
    assert_eq!(
        rows,
        [json!({ "service": "listenbrainz", "account": "fen-lb", "enabled": 0 })],
        "{rows:?}"
    );
}

fn leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Unix milliseconds of 1 January of `year`, 00:00 UTC (the days from 1970 by the civil
/// calendar's rule).
fn start_of_year_ms(year: i64) -> i64 {
    let days: i64 = (1970..year)
        .map(|y| if leap_year(y) { 366 } else { 365 })
        .sum();
    days * 86_400_000
}

/// The civil date (year, month, day) of Unix milliseconds, in UTC (the inverse of the
/// days-from-civil rule).
fn civil_date(ms: i64) -> (i64, u32, u32) {
    let days = ms.div_euclid(86_400_000) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

fn iso_date((year, month, day): (i64, u32, u32)) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

#[test]
fn civil_dates_round_trip_through_the_start_of_a_year() {
    assert_eq!(civil_date(0), (1970, 1, 1));
    assert_eq!(
        civil_date(start_of_year_ms(2024) + 59 * 86_400_000),
        (2024, 2, 29)
    );
    assert_eq!(civil_date(start_of_year_ms(2027) - 1), (2026, 12, 31));
    for day in [(2024, 2, 29), (2026, 3, 1), (2026, 12, 31), (2000, 1, 1)] {
        assert_eq!(civil_date(start_of_day_ms(day)), day);
        assert_ne!(
            civil_date(start_of_day_ms(day) - 1),
            day,
            "the day starts at midnight"
        );
    }
}

#[test]
fn a_person_opens_their_year_in_review_and_downloads_its_card() {
    let stack = Stack::start();
    stack.create_user("ada", 20.0, 2.0);
    let downloads = stack.dir().join("downloads");
    let chrome = Chromium::start(&downloads);
    stack.connect_in_browser(&chrome, "ada");

    // From the dashboard's link to this year's page (ada keeps no zone: UTC).
    let link = chrome.wait_for(By::Css("#review-link"), PAGE);
    chrome.click(&link);
    let title = chrome.text(&chrome.wait_for(By::Css("#review-title"), PAGE));
    let year: i64 = title
        .trim_start_matches("Your ")
        .trim_end_matches(" in music")
        .parse()
        .unwrap_or_else(|_| panic!("a year in the title: {title}"));
    let (from, to) = (start_of_year_ms(year), start_of_year_ms(year + 1));
    let made = stack
        .truth("ada")
        .iter()
        .filter(|play| (from..to).contains(&play.played_at))
        .count();
    assert!(made > 0, "the simulated listener played this year");
    let plays = chrome.text(&chrome.wait_for(By::Css("#total-plays"), PAGE));
    assert_eq!(
        plays.replace(',', ""),
        made.to_string(),
        "every play of the year"
    );
    assert!(chrome.exists(By::Css("#top-tracks li")));
    assert!(chrome.exists(By::Css("#clock svg rect")));
    chrome.screenshot(&screenshots().join("year-in-review.png"));

    // The card, downloaded as a person does: the page's button.
    let download = chrome.wait_for(By::Css("#download-card"), PAGE);
    chrome.click(&download);
    let saved = downloads.join(format!("time-machine-{year}.svg"));
    chrome.wait_until("the card is downloaded", PAGE, |_| {
        std::fs::read_to_string(&saved).is_ok_and(|svg| svg.ends_with("</svg>"))
    });
    let card = std::fs::read_to_string(&saved).expect("the card");
    assert!(
        card.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"630\""),
        "{card}"
    );
    assert!(
        card.contains(&format!("<title>{year} in music</title>")),
        "{card}"
    );
    assert!(card.contains(&format!(">{plays}</text>")), "{card}");

    // Any days: the page's own form, its dates typed over (a GET, to /year?from=&to=).
    let now = now_ms();
    let (first, today) = (civil_date(now - 2 * 86_400_000), civil_date(now));
    let (from, to) = (start_of_day_ms(first), start_of_day_ms(today) + 86_400_000);
    // What the archive holds of those days (plays that ended since the login's archive
    // are Spotify's, not yet ours).
    let archived = archived_plays(&stack, &format!("played_at >= {from} AND played_at < {to}"));
    assert!(archived > 0, "ada played in those days");
    chrome.type_date(&chrome.wait_for(By::Css("#range-from"), PAGE), first);
    chrome.type_date(&chrome.wait_for(By::Css("#range-to"), PAGE), today);
    let apply = chrome.wait_for(By::Css("#range-form button[type=submit]"), PAGE);
    chrome.click(&apply);
    let asked = format!("/year?from={}&to={}", iso_date(first), iso_date(today));
    chrome.wait_until("the page of the days typed", PAGE, |chrome| {
        chrome.current_url().ends_with(&asked)
    });
    let plays = chrome.text(&chrome.wait_for(By::Css("#total-plays"), PAGE));
    assert_eq!(
        plays.replace(',', ""),
        archived.to_string(),
        "every play of those days"
    );

    chrome.goto(&format!("{}/year/{year}/card.svg", stack.worker_url));
    chrome.screenshot(&screenshots().join("year-in-review-card.png"));
}

/// Unix milliseconds of a civil date's midnight, UTC.
fn start_of_day_ms((year, month, day): (i64, u32, u32)) -> i64 {
    let before_month: i64 = (1..month)
        .map(|m| match m {
            2 if leap_year(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        })
        .sum();
    start_of_year_ms(year) + (before_month + i64::from(day) - 1) * 86_400_000
}
