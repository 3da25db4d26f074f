//! The year-in-review page, as the owner sees it (`/year/2026`, `/year?from=&to=`) and as
//! a public link shows it: the figures of [`YearReview`] in words, lists and two small
//! bar charts drawn inline (no script), and the shareable card beside them.
//!
//! Every name on the page comes from a library (tracks, artists, shows): each is escaped
//! where it is written.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::auth::{failed_page, session_user};
use super::error::HttpError;
use super::pages::{escape, layout_with, message_page};
use super::review::review_of_user;
use super::review_card::{card_svg, grouped, Card, CardEntry, TOP};
use super::{App, Bindings, WebRequest, WebResponse};
use crate::history::review::{OnRepeat, ReviewPeriod, YearReview};
use crate::history::stats::{TopEntry, TopTrack};
use crate::history::ParamError;
use crate::pairs::first;
use crate::time::{utc_date, UnixMillis};

/// Where the page's card is, and what the owner may do from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLinks {
    pub card: CardLink,
    /// The owner's own page: the years around it and a form for any range.
    pub owner: Option<OwnerLinks>,
}

/// The card, drawn into the page and downloaded from it (a `data:` link) as `file`: the
/// page reads the review once, and a public page never repeats its own address (it holds
/// the link's token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLink {
    pub svg: String,
    pub file: String,
}

impl CardLink {
    fn html(&self) -> String {
        format!(
            "<div id=\"review-card\">{svg}</div>\
             <p><a class=\"button\" id=\"download-card\" href=\"data:image/svg+xml;base64,{data}\" \
             download=\"{file}\">Download the card (SVG)</a></p>",
            svg = self.svg,
            data = STANDARD.encode(&self.svg),
            file = escape(&self.file),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerLinks {
    /// The years before and after, when the range is a year.
    pub year: Option<i32>,
}

/// `1 play`, `2 plays`.
fn counted(count: i64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", grouped(count))
    }
}

/// A signed change: `+12`, `-3`, `±0`.
fn signed(change: i64) -> String {
    match change {
        0 => "±0".to_owned(),
        positive if positive > 0 => format!("+{}", grouped(positive)),
        negative => grouped(negative),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `YYYY-MM` as `Jan`, with the year when the range spans more than one.
fn month_label(month: &str, with_year: bool) -> String {
    let name = month
        .get(5..7)
        .and_then(|number| number.parse::<usize>().ok())
        .and_then(|number| MONTHS.get(number.wrapping_sub(1)))
        .copied()
        .unwrap_or("?");
    match (with_year, month.get(2..4)) {
        (true, Some(year)) => format!("{name} ’{year}"),
        _ => name.to_owned(),
    }
}

/// A bar chart of `bars` (label, value, the bar's tooltip), inline SVG scaled to its
/// largest value; `label_every` thins the labels of long series.
fn bar_chart(
    id: &str,
    caption: &str,
    bars: &[(String, i64, String)],
    label_every: usize,
) -> String {
    const WIDTH: usize = 720;
    const HEIGHT: usize = 150;
    let count = bars.len().max(1);
    let slot = WIDTH / count;
    let most = bars
        .iter()
        .map(|(_, value, _)| *value)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = format!(
        "<figure id=\"{id}\"><svg viewBox=\"0 0 {WIDTH} {}\" role=\"img\" aria-label=\"{caption}\" \
         class=\"chart\">",
        HEIGHT + 24,
        caption = escape(caption)
    );
    for (index, (label, value, tooltip)) in bars.iter().enumerate() {
        let height =
            usize::try_from(*value).unwrap_or(0) * HEIGHT / usize::try_from(most).unwrap_or(1);
        let x = index * slot;
        svg.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{height}\" rx=\"2\"><title>{tooltip}</title></rect>",
            y = HEIGHT - height,
            w = slot.saturating_sub(4).max(1),
            tooltip = escape(tooltip),
        ));
        if index.is_multiple_of(label_every.max(1)) {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x + slot / 2,
                HEIGHT + 18,
                escape(label)
            ));
        }
    }
    svg.push_str(&format!(
        "</svg><figcaption class=\"muted\">{}</figcaption></figure>",
        escape(caption)
    ));
    svg
}

fn track_list(id: &str, tracks: &[TopTrack]) -> String {
    if tracks.is_empty() {
        return format!("<p id=\"{id}\" class=\"muted\">None.</p>");
    }
    let items: String = tracks
        .iter()
        .map(|track| {
            format!(
                "<li><strong>{}</strong> <span class=\"muted\">{}</span> · {} min, {}</li>",
                escape(&track.name),
                escape(&track.artist_names),
                grouped(track.minutes),
                counted(track.plays, "play", "plays")
            )
        })
        .collect();
    format!("<ol id=\"{id}\">{items}</ol>")
}

fn entry_list(id: &str, entries: &[TopEntry]) -> String {
    if entries.is_empty() {
        return format!("<p id=\"{id}\" class=\"muted\">None.</p>");
    }
    let items: String = entries
        .iter()
        .map(|entry| {
            format!(
                "<li><strong>{}</strong> · {} min, {}</li>",
                escape(&entry.name),
                grouped(entry.minutes),
                counted(entry.plays, "play", "plays")
            )
        })
        .collect();
    format!("<ol id=\"{id}\">{items}</ol>")
}

fn figure(id: &str, value: &str, label: &str) -> String {
    format!("<div class=\"figure\"><span id=\"{id}\" class=\"big\">{value}</span><span class=\"muted\">{label}</span></div>")
}

fn on_repeat(repeat: Option<&OnRepeat>) -> String {
    match repeat {
        Some(repeat) => format!(
            "<p id=\"on-repeat\"><strong>{}</strong> by {}: {} on {}.</p>",
            escape(&repeat.track.name),
            escape(&repeat.track.artist_names),
            counted(repeat.plays, "time", "times"),
            escape(&repeat.date)
        ),
        None => "<p id=\"on-repeat\" class=\"muted\">Nothing played twice in a day.</p>".to_owned(),
    }
}

fn comparison(review: &YearReview) -> String {
    let Some(previous) = &review.previous else {
        return String::new();
    };
    let percent = previous
        .change
        .minutes_percent
        .map(|percent| format!(" ({}%)", signed(percent)))
        .unwrap_or_default();
    format!(
        "<p id=\"comparison\">Compared with {label}: {minutes} minutes{percent}, {plays} plays, \
         {days} listening days <span class=\"muted\">({label}: {then_minutes} minutes, {then_plays} plays, \
         {then_days} days)</span>.</p>",
        label = escape(&previous.label),
        minutes = signed(previous.change.minutes),
        plays = signed(previous.change.plays),
        days = signed(previous.change.listening_days),
        then_minutes = grouped(previous.minutes),
        then_plays = grouped(previous.plays),
        then_days = grouped(previous.listening_days),
    )
}

fn other_listening(review: &YearReview) -> String {
    let other = &review.other;
    if other.plays == 0 {
        return "<p id=\"other\" class=\"muted\">No podcasts or audiobooks in this range.</p>"
            .to_owned();
    }
    let top: String =
        other
            .top
            .iter()
            .map(|entry| {
                format!(
                "<li><strong>{}</strong> <span class=\"muted\">{}</span> · {} min, {} plays</li>",
                escape(&entry.name),
                if entry.kind == "audiobook" { "audiobook" } else { "podcast" },
                grouped(entry.minutes),
                grouped(entry.plays)
            )
            })
            .collect();
    format!(
        "<p id=\"other\">{} minutes of podcasts and audiobooks ({} episodes, {} audiobook chapters), \
         never counted in the music above.</p><ol>{top}</ol>",
        grouped(other.minutes),
        grouped(other.episodes.plays),
        grouped(other.audiobooks.plays),
    )
}

/// The page's `<main>`: every figure of the review, headed `heading`.
pub fn review_main(review: &YearReview, heading: &str, links: &PageLinks) -> String {
    let totals = &review.totals;
    let streak = review
        .longest_streak
        .as_ref()
        .map_or_else(|| "0".to_owned(), |streak| grouped(streak.days));
    let streak_days = review
        .longest_streak
        .as_ref()
        .map(|streak| format!("days in a row ({} – {})", streak.first_day, streak.last_day))
        .unwrap_or_else(|| "days in a row".to_owned());
    let busiest = match (&review.busiest_day, &review.busiest_hour) {
        (Some(day), Some(hour)) => format!(
            "<p id=\"busiest\">The busiest day was {}: {}, {} minutes. The busiest hour of the day: \
             {:02}:00 to {:02}:00.</p>",
            escape(&day.date),
            counted(day.plays, "play", "plays"),
            grouped(day.minutes),
            hour.hour,
            (hour.hour + 1) % 24
        ),
        _ => "<p id=\"busiest\" class=\"muted\">No music played in this range.</p>".to_owned(),
    };
    let spans_years = review
        .months
        .first()
        .zip(review.months.last())
        .is_some_and(|(first, last)| first.month.get(..4) != last.month.get(..4));
    let months: Vec<(String, i64, String)> = review
        .months
        .iter()
        .map(|month| {
            (
                month_label(&month.month, spans_years),
                month.minutes,
                format!(
                    "{}: {} minutes, {} plays",
                    month.month,
                    grouped(month.minutes),
                    grouped(month.plays)
                ),
            )
        })
        .collect();
    let clock: Vec<(String, i64, String)> = review
        .clock
        .iter()
        .map(|hour| {
            (
                format!("{:02}", hour.hour),
                hour.minutes,
                format!(
                    "{:02}:00: {} minutes, {} plays",
                    hour.hour,
                    grouped(hour.minutes),
                    grouped(hour.plays)
                ),
            )
        })
        .collect();
    let discoveries = &review.discoveries;
    let owner = links.owner.as_ref().map_or_else(String::new, |owner| {
        let years = owner.year.map_or_else(String::new, |year| {
            format!(
                "<a id=\"year-before\" href=\"/year/{}\">← {}</a> · <a id=\"year-after\" href=\"/year/{}\">{} →</a> · ",
                year - 1,
                year - 1,
                year + 1,
                year + 1
            )
        });
        format!(
            "<nav class=\"card\">{years}<a href=\"/\">Your archive</a>\
             <form method=\"get\" action=\"/year\" id=\"range-form\"><label for=\"range-from\">From</label> \
             <input id=\"range-from\" name=\"from\" type=\"date\" required value=\"{from}\"> \
             <label for=\"range-to\">to</label> <input id=\"range-to\" name=\"to\" type=\"date\" required value=\"{to}\"> \
             <button class=\"button secondary\" type=\"submit\">Review these days</button></form></nav>",
            from = escape(&review.range.first_day),
            to = escape(&review.range.last_day),
        )
    });
    let so_far = if review.range.complete {
        ""
    } else {
        " So far: the range has not ended."
    };
    format!(
        "<main><h1 id=\"review-title\">{heading}</h1>\
         <p class=\"muted\">{first} to {last}, in {zone}.{so_far}</p>\
         <section class=\"card figures\">{minutes}{plays}{days}{streak_figure}{tracks}</section>\
         {busiest}{comparison}\
         <section class=\"card\"><h2>Top tracks</h2>{top_tracks}</section>\
         <section class=\"card\"><h2>Top artists</h2>{top_artists}</section>\
         <section class=\"card\"><h2>Top albums</h2>{top_albums}</section>\
         <section class=\"card\"><h2>Discoveries</h2>\
         <p id=\"discoveries\">{new_tracks} and {new_artists} first heard in this range.</p>\
         <h3>Tracks</h3>{discovered_tracks}<h3>Artists</h3>{discovered_artists}</section>\
         <section class=\"card\"><h2>On repeat</h2>{repeat}</section>\
         <section class=\"card\"><h2>Month by month</h2>{month_chart}</section>\
         <section class=\"card\"><h2>Your listening clock</h2>{clock_chart}</section>\
         <section class=\"card\"><h2>Podcasts and audiobooks</h2>{other}</section>\
         <section class=\"card\"><h2>The card</h2>\
         {card}</section>{owner}</main>",
        first = escape(&review.range.first_day),
        last = escape(&review.range.last_day),
        zone = escape(&review.range.time_zone),
        minutes = figure("total-minutes", &grouped(totals.minutes), "minutes"),
        plays = figure("total-plays", &grouped(totals.plays), "plays"),
        days = figure(
            "listening-days",
            &grouped(totals.listening_days),
            "listening days"
        ),
        streak_figure = figure("longest-streak", &streak, &streak_days),
        tracks = figure(
            "distinct-tracks",
            &grouped(totals.distinct_tracks),
            "different tracks"
        ),
        comparison = comparison(review),
        top_tracks = track_list("top-tracks", &review.top_tracks),
        top_artists = entry_list("top-artists", &review.top_artists),
        top_albums = entry_list("top-albums", &review.top_albums),
        new_tracks = counted(discoveries.tracks, "track", "tracks"),
        new_artists = counted(discoveries.artists, "artist", "artists"),
        discovered_tracks = track_list("discovered-tracks", &discoveries.top_tracks),
        discovered_artists = entry_list("discovered-artists", &discoveries.top_artists),
        repeat = on_repeat(review.on_repeat.as_ref()),
        month_chart = bar_chart("months", "Minutes of music per month", &months, 1),
        clock_chart = bar_chart("clock", "Minutes of music per hour of the day", &clock, 3),
        other = other_listening(review),
        card = links.card.html(),
    )
}

/// The page's own styles, beside the site's.
pub const STYLE: &str = ".figures{display:flex;flex-wrap:wrap;gap:1.5rem}.figure{display:flex;flex-direction:column}\
.big{font-size:2rem;font-weight:700;color:#0b6b3a}.chart{width:100%;height:auto}.chart rect{fill:#1db954}\
.chart text{font-size:12px;fill:#555}#review-card,#review-card svg{max-width:100%;height:auto;border-radius:.5rem}";

/// The card of the review: its headline figures and top five.
pub fn card_of(review: &YearReview, name: Option<&str>) -> Card {
    Card {
        range_label: review.range.label.clone(),
        name: name.map(str::to_owned),
        minutes: review.totals.minutes,
        plays: review.totals.plays,
        listening_days: review.totals.listening_days,
        longest_streak_days: review
            .longest_streak
            .as_ref()
            .map_or(0, |streak| streak.days),
        top_tracks: review
            .top_tracks
            .iter()
            .take(TOP)
            .map(|track| CardEntry {
                name: track.name.clone(),
                detail: Some(track.artist_names.clone()).filter(|names| !names.is_empty()),
                minutes: track.minutes,
            })
            .collect(),
        top_artists: review
            .top_artists
            .iter()
            .take(TOP)
            .map(|artist| CardEntry {
                name: artist.name.clone(),
                detail: None,
                minutes: artist.minutes,
            })
            .collect(),
    }
}

/// The period a request asks for: the path's year, else the query's `year` or `from` and
/// `to`.
fn period_of(request: &WebRequest, year: Option<&str>) -> Result<ReviewPeriod, ParamError> {
    match year {
        Some(year) => ReviewPeriod::year(year),
        None => ReviewPeriod::parse(&request.query_pairs()),
    }
    .map_err(ParamError::from)
}

/// The name a download of `review`'s card gets.
fn card_file(review: &YearReview, year: Option<&str>) -> String {
    match year {
        Some(year) => format!("time-machine-{year}.svg"),
        None => format!(
            "time-machine-{}-to-{}.svg",
            review.range.first_day, review.range.last_day
        ),
    }
}

/// The signed-in user's review for a page or its card; a visitor without a session is
/// sent to the start page, a period that is no period gets a page that says why.
async fn owner_review<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    year: Option<&str>,
    now: UnixMillis,
) -> Result<Result<YearReview, WebResponse>, HttpError> {
    let user = match session_user(&app.shards, request, now).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            let mut response = WebResponse::redirect("/");
            response.status = 303;
            return Ok(Err(response));
        }
        Err(error) => return Ok(Err(failed_page(app, request, &error))),
    };
    let period = match period_of(request, year) {
        Ok(period) => period,
        Err(refused) => {
            return Ok(Err(WebResponse::html(
                400,
                message_page(
                    "Not a range",
                    &refused.message,
                    Some(("/", "Back to your archive")),
                ),
            )))
        }
    };
    review_of_user(app, request, &user, period, now)
        .await
        .map(Ok)
}

/// `GET /year/{year}`, `GET /year?from=YYYY-MM-DD&to=YYYY-MM-DD`: the owner's page.
/// `/year` alone (the dashboard's link) leads to this year's (UTC's year: a page of the
/// user's zone is one click away around New Year).
pub(super) async fn page<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    year: Option<&str>,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    let asks = |name| first(&request.query_pairs(), name).is_some();
    if year.is_none() && !asks("year") && !asks("from") && !asks("to") {
        if let Some(today) = utc_date(now) {
            let mut response = WebResponse::redirect(&format!("/year/{}", today.year()));
            response.status = 303;
            return Ok(response);
        }
    }
    let review = match owner_review(app, request, year, now).await? {
        Ok(review) => review,
        Err(response) => return Ok(response),
    };
    // Drawn into the page, not fetched from `card.svg`: that would read the review a
    // second time.
    let links = PageLinks {
        card: CardLink {
            svg: card_svg(&card_of(&review, None)),
            file: card_file(&review, year),
        },
        owner: Some(OwnerLinks {
            year: year.and_then(|year| year.parse().ok()),
        }),
    };
    let heading = format!("Your {} in music", escape(&review.range.label));
    let title = format!("{} in music", review.range.label);
    Ok(WebResponse::html(
        200,
        layout_with(&title, &review_main(&review, &heading, &links), STYLE),
    ))
}

/// `GET /year/{year}/card.svg`, `GET /year/card.svg?from=&to=`: the owner's card. It
/// names no one: the owner shares it as they choose.
pub(super) async fn card<P: Bindings>(
    app: &App<'_, P>,
    request: &WebRequest,
    year: Option<&str>,
    now: UnixMillis,
) -> Result<WebResponse, HttpError> {
    match owner_review(app, request, year, now).await? {
        Ok(review) => Ok(svg_response(
            card_svg(&card_of(&review, None)),
            "private, no-cache",
        )),
        Err(response) => Ok(response),
    }
}

/// An SVG document as an answer: no script runs in it even when opened on its own.
fn svg_response(svg: String, cache: &str) -> WebResponse {
    let mut response = WebResponse::html(200, svg);
    for (name, value) in &mut response.headers {
        if name.eq_ignore_ascii_case("Content-Type") {
            *value = "image/svg+xml; charset=utf-8".to_owned();
        } else if name.eq_ignore_ascii_case("Content-Security-Policy") {
            *value = "default-src 'none'; style-src 'unsafe-inline'".to_owned();
        } else if name.eq_ignore_ascii_case("Cache-Control") {
            *value = cache.to_owned();
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use crate::testing::web::{get, header};
    use crate::web::share_tests::{world_with_ada, NOW};

    #[test]
    fn the_owner_sees_their_year_with_its_card_and_the_years_around() {
        let (world, cookie) = world_with_ada();
        let page = world.send(&get("/year/2027", Some(&cookie)), NOW);
        assert_eq!(page.status, 200, "{}", page.body);
        for shown in [
            "<h1 id=\"review-title\">Your 2027 in music</h1>",
            "<span id=\"total-plays\" class=\"big\">2</span>",
            "<span id=\"total-minutes\" class=\"big\">7</span>",
            "in Europe/Berlin. So far: the range has not ended.",
            "<a id=\"year-before\" href=\"/year/2026\">",
            "<div id=\"review-card\"><svg xmlns=\"http://www.w3.org/2000/svg\"",
            "href=\"data:image/svg+xml;base64,",
            "download=\"time-machine-2027.svg\"",
            "Bernoulli Numbers",
            "1 play</li>",
        ] {
            assert!(page.body.contains(shown), "{shown}: {}", page.body);
        }
        let card = world.send(&get("/year/2027/card.svg", Some(&cookie)), NOW);
        assert_eq!(card.status, 200);
        assert_eq!(
            header(&card, "Content-Type"),
            Some("image/svg+xml; charset=utf-8")
        );
        assert_eq!(
            header(&card, "Content-Security-Policy"),
            Some("default-src 'none'; style-src 'unsafe-inline'")
        );
        assert!(
            card.body.contains("<title>2027 in music</title>"),
            "{}",
            card.body
        );
        assert!(!card.body.contains("Ada"), "the owner's card names no one");
    }

    #[test]
    fn any_range_has_its_page_and_its_card() {
        let (world, cookie) = world_with_ada();
        let page = world.send(
            &get("/year?from=2026-12-01&to=2027-01-31", Some(&cookie)),
            NOW,
        );
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Your 2026-12-01 – 2027-01-31 in music"));
        assert!(page
            .body
            .contains("download=\"time-machine-2026-12-01-to-2027-01-31.svg\""));
        // The plays of December and January, with the month labels of two years.
        assert!(page
            .body
            .contains("<span id=\"total-plays\" class=\"big\">3</span>"));
        assert!(page.body.contains("Dec ’26"), "{}", page.body);
        let card = world.send(
            &get(
                "/year/card.svg?from=2026-12-01&to=2027-01-31",
                Some(&cookie),
            ),
            NOW,
        );
        assert_eq!(card.status, 200);
        assert!(card.body.contains(">3</text>"), "{}", card.body);
    }

    #[test]
    fn without_a_session_the_page_leads_to_the_start_and_nonsense_is_told() {
        let (world, cookie) = world_with_ada();
        for path in ["/year/2027", "/year/2027/card.svg"] {
            let page = world.send(&get(path, None), NOW);
            assert_eq!(
                (page.status, header(&page, "Location")),
                (303, Some("/")),
                "{path}"
            );
        }
        let this_year = world.send(&get("/year", Some(&cookie)), NOW);
        assert_eq!(
            (this_year.status, header(&this_year, "Location")),
            (303, Some("/year/2027"))
        );
        for path in [
            "/year/19999",
            "/year/card.svg?from=2027-02-01&to=2027-01-01",
            "/year?from=2027-01-01",
        ] {
            let page = world.send(&get(path, Some(&cookie)), NOW);
            assert_eq!(page.status, 400, "{path}: {}", page.body);
            assert!(page.body.contains("<h1>Not a range</h1>"), "{}", page.body);
        }
    }
}
