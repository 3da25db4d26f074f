//! `GET /import`: the page that imports Spotify's data exports (and Last.fm and
//! ListenBrainz histories), and its script
//! `/assets/import.js`.
//!
//! The files (or the zip Spotify sends) are opened in the browser: the script reads the
//! zip's central directory, inflates the entries with `DecompressionStream`, recognises
//! the streaming history files by their records, and sends the records in chunks to
//! `/api/imports`. No request carries more than one chunk, so none comes near the
//! platform's limits, and the Worker never holds a whole file.

use super::auth::{failed_page, session_user};
use super::error::HttpError;
use super::pages::{escape, layout_with};
use super::{App, Bindings, WebRequest, WebResponse};
use crate::import::rules::{LONGEST_LISTEN_MS, MERGE_WINDOW_MS, MINUTE_SLACK_MS, MIN_PLAY_MS};
use crate::time::{UnixMillis, MINUTE_MS, SECOND_MS};

pub(crate) const IMPORT_JS: &str = super::assets::script!(include_bytes!("assets/import.js"));

const STYLE: &str = "\
#import-form{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}\
progress{width:100%;height:1rem}dl.counts{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}\
dl.counts dd{margin:0;font-variant-numeric:tabular-nums}.err{color:#b91c1c}ul.files{padding-left:1.2rem}";

pub fn script() -> WebResponse {
    let mut response = WebResponse::html(200, IMPORT_JS.to_owned());
    response.headers = vec![
        (
            "Content-Type".to_owned(),
            "text/javascript; charset=utf-8".to_owned(),
        ),
        ("Cache-Control".to_owned(), "no-cache".to_owned()),
        ("X-Content-Type-Options".to_owned(), "nosniff".to_owned()),
    ];
    response
}

pub async fn page<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    match session_user(&app.shards, request, now).await {
        Ok(Some(_)) => Ok(WebResponse::html(200, render())),
        Ok(None) => {
            let mut response = WebResponse::redirect("/");
            response.status = 303;
            Ok(response)
        }
        Err(error) => Ok(failed_page(app, request, &error)),
    }
}

fn count(id: &str, label: &str) -> String {
    format!("<dt>{}</dt><dd id=\"{}\">0</dd>", escape(label), escape(id))
}

pub fn render() -> String {
    let counts: String = [
        ("n-read", "Records read"),
        ("n-imported", "Imported as new plays"),
        ("n-merged", "Already archived from a poll (merged)"),
        ("n-duplicate", "Skipped: already imported"),
        ("n-short", "Skipped: under 30 seconds"),
        ("n-incognito", "Skipped: private session"),
        ("n-unidentified", "Skipped: names no track"),
        ("n-errors", "Malformed records"),
        ("n-gaps", "Gaps filled"),
    ]
    .iter()
    .map(|(id, label)| count(id, label))
    .collect();
    let body = format!(
        "<main><h1>Import your Spotify history</h1>\
         <p>Spotify can send you everything you ever played. Ask for it on your account's \
         <em>Privacy</em> page: <em>Extended streaming history</em> (every play since the account began, \
         with ids) or <em>Account data</em> (the last year, names only). When the email comes, \
         choose the zip here, or the JSON files inside it.</p>\
         <p>A Last.fm history (CSV or JSON) or a ListenBrainz export (its zip) works too.</p>\
         <p class=\"muted\">The files are opened in your browser. Only the listening records are sent, \
         a few hundred at a time, without the IP addresses and devices the export also holds.</p>\
         <section class=\"card\" aria-labelledby=\"files-h\"><h2 id=\"files-h\">Files</h2>\
         <form id=\"import-form\"><input type=\"file\" id=\"import-files\" multiple \
         accept=\".zip,.json,.jsonl,.csv,application/zip,application/json,text/csv\" aria-label=\"Export files or zip\">\
         <button class=\"button\" type=\"submit\" id=\"import-start\">Import</button></form>\
         <noscript><p class=\"err\">Importing needs JavaScript: the files are read in your browser.</p></noscript>\
         <ul class=\"files\" id=\"import-files-list\"></ul></section>\
         <section class=\"card\" id=\"import-progress\" aria-labelledby=\"progress-h\" aria-live=\"polite\" hidden>\
         <h2 id=\"progress-h\">Progress</h2><p id=\"import-status\"></p>\
         <progress id=\"import-bar\" max=\"1\" value=\"0\"></progress>\
         <dl class=\"counts\">{counts}</dl></section>\
         <section class=\"card\" id=\"import-report\" aria-labelledby=\"report-h\" hidden>\
         <h2 id=\"report-h\">Report</h2><p id=\"import-summary\"></p>\
         <h3>Malformed records</h3><p class=\"muted\">The first 100, by file and position (counting from 0).</p>\
         <ul id=\"import-errors\"></ul></section>\
         <section class=\"card\" aria-labelledby=\"rules-h\"><h2 id=\"rules-h\">How records are counted</h2><ul>\
         <li>A play is a stream of at least {min_play} seconds, Spotify's own rule. A stream you skipped \
         after that is still a play, marked as skipped.</li>\
         <li>Streams in a private session are left out, as Spotify leaves them out of your history.</li>\
         <li>Podcast episodes and audiobooks are kept, marked as such, and never counted in your music.</li>\
         <li>A record of a play we already archived is merged with it: the same track ending within \
         {window} minutes (account data, which is to the minute: within {slack} minute of that minute).</li>\
         <li>A Last.fm or ListenBrainz listen is a play (it was counted after 30 seconds or half \
         the track), filed under its start: merged with the same track ending up to {longest} \
         minutes later.</li>\
         <li>Importing the same files again changes nothing. A gap the files cover is marked filled.</li>\
         </ul></section><p><a href=\"/\">Back to your archive</a></p></main>\
         <script src=\"/assets/import.js\" defer></script>",
        min_play = MIN_PLAY_MS / SECOND_MS,
        window = MERGE_WINDOW_MS / MINUTE_MS,
        slack = MINUTE_SLACK_MS / MINUTE_MS,
        longest = LONGEST_LISTEN_MS / MINUTE_MS,
    );
    layout_with("Import", &body, STYLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page keeps the fields the Worker reads and drops the rest (the IP address, the
    /// device): its list must be the Worker's, or a field is lost before it is sent.
    #[test]
    fn the_page_sends_exactly_the_fields_the_worker_reads() {
        let list = IMPORT_JS
            .split_once("const FIELDS = [")
            .and_then(|(_, rest)| rest.split_once("];"))
            .map(|(list, _)| list)
            .expect("import.js has its FIELDS list");
        let page_fields: Vec<&str> = list
            .split(',')
            .map(|item| item.trim().trim_matches('"'))
            .filter(|item| !item.is_empty())
            .collect();
        assert_eq!(page_fields, crate::import::record::FIELDS);
    }

    #[test]
    fn the_page_has_the_file_input_the_counts_and_the_script() {
        let page = render();
        for needle in [
            "id=\"import-files\" multiple",
            "id=\"n-merged\"",
            "id=\"n-errors\"",
            "src=\"/assets/import.js\"",
            "at least 30 seconds",
        ] {
            assert!(page.contains(needle), "{needle}");
        }
    }

    #[test]
    fn the_script_is_served_as_javascript() {
        let response = script();
        assert_eq!(response.status, 200);
        assert!(response
            .headers
            .iter()
            .any(|(name, value)| name == "Content-Type" && value.starts_with("text/javascript")));
        assert!(response.body.contains("DecompressionStream"));
    }
}
