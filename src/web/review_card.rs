//! The year-in-review's shareable card: an SVG of the range's headline figures and top
//! five tracks and artists, 1200 × 630 (the size social networks show a link's image
//! at), drawn from plain data so that it can be pinned natively. Its styles are scoped to
//! its root (`.stm-card`), so that it can also be drawn inside a page.
//!
//! Everything a user's library holds is text from elsewhere (track and artist names):
//! each is stripped of what XML cannot carry, escaped, and cut to fit its column, so a
//! name can never break out of its `<text>` element, nor off the card.

use super::pages::escape;

/// The card's size, in pixels.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// How many entries each top list shows.
pub const TOP: usize = 5;

/// The widest an entry's text may be, in characters: 24 px text that leaves its
/// 520 px column room for the minutes (measured on the browser test's screenshot).
const ENTRY_CHARS: usize = 28;
/// The widest the title may be.
const TITLE_CHARS: usize = 48;

/// What the card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    /// The range as people read it: `2026`, or `1 Mar 2026 – 30 Jun 2026`.
    pub range_label: String,
    /// Whose year it is; `None` shows no name (a public link whose owner chose so).
    pub name: Option<String>,
    pub minutes: i64,
    pub plays: i64,
    pub listening_days: i64,
    pub longest_streak_days: i64,
    /// The first [`TOP`] are drawn.
    pub top_tracks: Vec<CardEntry>,
    pub top_artists: Vec<CardEntry>,
}

/// One line of a top list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardEntry {
    pub name: String,
    /// Shown after the name: a track's artist.
    pub detail: Option<String>,
    pub minutes: i64,
}

/// `12345` as `12,345`.
pub(super) fn grouped(number: i64) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if number < 0 {
        text.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// `text` as it may stand in the card: without the characters XML 1.0 forbids (and
/// without line breaks, which SVG text would not show), cut to `most` characters with an
/// ellipsis, escaped.
fn fitted(text: &str, most: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect();
    let clean = clean.trim();
    let cut: String = if clean.chars().count() > most {
        let kept: String = clean.chars().take(most.saturating_sub(1)).collect();
        format!("{}…", kept.trim_end())
    } else {
        clean.to_owned()
    };
    escape(&cut)
}

fn figure(x: u32, value: i64, label: &str) -> String {
    format!(
        "<text x=\"{x}\" y=\"215\" class=\"figure\">{value}</text>\
         <text x=\"{x}\" y=\"252\" class=\"label\">{label}</text>",
        value = grouped(value),
    )
}

fn top_list(x: u32, heading: &str, entries: &[CardEntry]) -> String {
    let mut list = format!("<text x=\"{x}\" y=\"320\" class=\"heading\">{heading}</text>");
    if entries.is_empty() {
        list.push_str(&format!(
            "<text x=\"{x}\" y=\"368\" class=\"entry\">Nothing played</text>"
        ));
    }
    for (index, entry) in entries.iter().take(TOP).enumerate() {
        let y = 368 + 44 * index as u32;
        let line = match &entry.detail {
            Some(detail) => format!("{} – {detail}", entry.name),
            None => entry.name.clone(),
        };
        list.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" class=\"entry\"><tspan class=\"rank\">{rank}</tspan> {line}</text>\
             <text x=\"{right}\" y=\"{y}\" class=\"minutes\">{minutes} min</text>",
            rank = index + 1,
            line = fitted(&line, ENTRY_CHARS),
            right = x + 520,
            minutes = grouped(entry.minutes),
        ));
    }
    list
}

/// The card as an SVG document.
pub fn card_svg(card: &Card) -> String {
    let title = match &card.name {
        Some(name) => format!("{name}’s {} in music", card.range_label),
        None => format!("{} in music", card.range_label),
    };
    let title = fitted(&title, TITLE_CHARS);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" class=\"stm-card\" role=\"img\" aria-label=\"{title}\">\
         <title>{title}</title>\
         <style>.stm-card text{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;fill:#f4f4f4}}\
         .stm-card .title{{font-size:46px;font-weight:700}}.stm-card .figure{{font-size:58px;font-weight:700;fill:#1ed760}}\
         .stm-card .label{{font-size:22px;fill:#b3b3b3}}.stm-card .heading{{font-size:28px;font-weight:700}}\
         .stm-card .entry{{font-size:24px}}.stm-card .rank{{fill:#1ed760;font-weight:700}}\
         .stm-card .minutes{{font-size:20px;fill:#b3b3b3;text-anchor:end}}.stm-card .footer{{font-size:20px;fill:#8a8a8a}}</style>\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#121212\"/>\
         <rect width=\"{WIDTH}\" height=\"8\" fill=\"#1ed760\"/>\
         <text x=\"60\" y=\"100\" class=\"title\">{title}</text>\
         {minutes}{plays}{days}{streak}\
         {tracks}{artists}\
         <text x=\"60\" y=\"{footer_y}\" class=\"footer\">Spotify Time Machine</text>\
         <text x=\"1140\" y=\"{footer_y}\" class=\"footer\" text-anchor=\"end\">{range}</text>\
         </svg>",
        minutes = figure(60, card.minutes, "minutes"),
        plays = figure(340, card.plays, "plays"),
        days = figure(620, card.listening_days, "listening days"),
        streak = figure(900, card.longest_streak_days, "days in a row"),
        tracks = top_list(60, "Top tracks", &card.top_tracks),
        artists = top_list(640, "Top artists", &card.top_artists),
        footer_y = HEIGHT - 30,
        range = fitted(&card.range_label, TITLE_CHARS),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, detail: Option<&str>, minutes: i64) -> CardEntry {
        CardEntry {
            name: name.to_owned(),
            detail: detail.map(str::to_owned),
            minutes,
        }
    }

    fn card() -> Card {
        Card {
            range_label: "2026".to_owned(),
            name: Some("Ada".to_owned()),
            minutes: 61_234,
            plays: 18_402,
            listening_days: 351,
            longest_streak_days: 97,
            top_tracks: (1..=7)
                .map(|n| entry(&format!("Track {n}"), Some("Artist"), 500 - n))
                .collect(),
            top_artists: vec![entry("Artist", None, 4_321)],
        }
    }

    #[test]
    fn it_is_a_social_card_with_the_headline_figures() {
        let svg = card_svg(&card());
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"630\""
        ));
        assert!(svg.ends_with("</svg>"));
        for shown in [
            "Ada’s 2026 in music",
            "61,234",
            "18,402",
            "351",
            "97",
            "4,321 min",
        ] {
            assert!(svg.contains(shown), "{shown} in {svg}");
        }
    }

    #[test]
    fn only_the_top_five_are_drawn() {
        let svg = card_svg(&card());
        assert!(svg.contains("Track 5 – Artist"));
        assert!(!svg.contains("Track 6"));
    }

    #[test]
    fn a_name_that_is_markup_stays_text() {
        let mut card = card();
        card.name = Some("<b>Eve</b>".to_owned());
        card.top_tracks = vec![
            entry("</text><script>x</script>", None, 3),
            entry("Song", Some("A & \"B\" 'C'"), 2),
        ];
        let svg = card_svg(&card);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains("&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;"),
            "{svg}"
        );
        assert!(
            svg.contains("Song – A &amp; &quot;B&quot; &#39;C&#39;"),
            "{svg}"
        );
        assert!(svg.contains("&lt;b&gt;Eve&lt;/b&gt;’s 2026"), "{svg}");
    }

    #[test]
    fn characters_xml_cannot_hold_are_dropped_and_long_names_cut() {
        let mut card = card();
        card.top_artists = vec![entry("Bell\u{7}\u{0}e\nand\u{FFFF}", None, 1)];
        card.top_tracks = vec![entry(&"Very long title ".repeat(10), None, 1)];
        let svg = card_svg(&card);
        assert!(svg.contains("Bell  e and"), "{svg}");
        assert!(!svg.chars().any(|c| c.is_control() || c == '\u{FFFF}'));
        // 27 characters and the ellipsis: the column's 28.
        assert!(
            svg.contains("</tspan> Very long title Very long t…</text>"),
            "{svg}"
        );
    }

    #[test]
    fn without_a_name_the_card_names_no_one() {
        let mut card = card();
        card.name = None;
        let svg = card_svg(&card);
        assert!(svg.contains("<title>2026 in music</title>"), "{svg}");
        assert!(!svg.contains("Ada"));
    }

    #[test]
    fn an_empty_range_says_so() {
        let mut card = card();
        card.top_tracks.clear();
        card.top_artists.clear();
        assert_eq!(card_svg(&card).matches("Nothing played").count(), 2);
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(-12_345), "-12,345");
    }
}
