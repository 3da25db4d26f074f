//! Exports of the archive: CSV, JSON and ListenBrainz JSONL, produced a page at a time so
//! that a large archive is streamed, never held in memory.
//!
//! An [`ExportPlan`] is plain data (it rides on the `WebResponse`); the edge turns it into
//! a streamed body by calling [`ExportPlan::next_chunk`] until it says the end.

use serde_json::{json, Map, Value};

use crate::ports::Database;
use crate::shards::ShardIndex;
use crate::store::history::{HistoryPlay, PlayKey};
use crate::store::{Store, StoreError};
use crate::time::{to_rfc3339, utc_date, UnixMillis};

/// Plays read per D1 query: one chunk of the body.
pub const EXPORT_PAGE_SIZE: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    /// ListenBrainz's listen format, one listen per line.
    Jsonl,
}

impl ExportFormat {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "jsonl" => Some(Self::Jsonl),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Jsonl => "jsonl",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
            Self::Jsonl => "application/x-ndjson; charset=utf-8",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    Rows,
    Footer,
    Done,
}

/// An export under way: what to read, and how far it has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPlan {
    pub user_id: String,
    /// The shard the user lives in: the edge reads the pages from its database.
    pub shard: ShardIndex,
    pub format: ExportFormat,
    pub from: UnixMillis,
    pub to: UnixMillis,
    pub exported_at: UnixMillis,
    pub page_size: usize,
    key: Option<PlayKey>,
    stage: Stage,
    rows: u64,
}

impl ExportPlan {
    pub fn new(
        user_id: &str,
        shard: ShardIndex,
        format: ExportFormat,
        from: UnixMillis,
        to: UnixMillis,
        now: UnixMillis,
    ) -> Self {
        Self {
            user_id: user_id.to_owned(),
            shard,
            format,
            from,
            to,
            exported_at: now,
            page_size: EXPORT_PAGE_SIZE,
            key: None,
            stage: Stage::Header,
            rows: 0,
        }
    }

    /// `spotify-time-machine-2026-03-05.csv`: the export's date, UTC.
    pub fn filename(&self) -> String {
        let date = utc_date(self.exported_at)
            .map(|date| date.to_string())
            .unwrap_or_default();
        format!("spotify-time-machine-{date}.{}", self.format.extension())
    }

    /// The headers of the streamed response.
    pub fn headers(&self) -> Vec<(String, String)> {
        vec![
            (
                "Content-Type".to_owned(),
                self.format.content_type().to_owned(),
            ),
            (
                "Content-Disposition".to_owned(),
                format!("attachment; filename=\"{}\"", self.filename()),
            ),
            ("Cache-Control".to_owned(), "no-store".to_owned()),
            ("X-Content-Type-Options".to_owned(), "nosniff".to_owned()),
        ]
    }

    /// Plays written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// The next piece of the body, `None` at the end. Each call reads at most one page.
    pub async fn next_chunk<D: Database>(&mut self, db: &D) -> Result<Option<String>, StoreError> {
        loop {
            match self.stage {
                Stage::Header => {
                    self.stage = Stage::Rows;
                    let header = self.header();
                    if !header.is_empty() {
                        return Ok(Some(header));
                    }
                }
                Stage::Rows => {
                    let plays = Store::new(db)
                        .export_page(&self.user_id, self.from, self.key, self.to, self.page_size)
                        .await?;
                    if plays.len() < self.page_size {
                        self.stage = Stage::Footer;
                    }
                    let Some(last) = plays.last() else {
                        continue;
                    };
                    self.key = Some(PlayKey::of(last));
                    let mut chunk = String::with_capacity(plays.len() * 256);
                    for play in &plays {
                        self.write_play(play, &mut chunk)?;
                        self.rows += 1;
                    }
                    return Ok(Some(chunk));
                }
                Stage::Footer => {
                    self.stage = Stage::Done;
                    if self.format == ExportFormat::Json {
                        return Ok(Some("\n]}\n".to_owned()));
                    }
                }
                Stage::Done => return Ok(None),
            }
        }
    }

    /// The whole body at once: for tests and small archives only.
    pub async fn collect<D: Database>(mut self, db: &D) -> Result<String, StoreError> {
        let mut body = String::new();
        while let Some(chunk) = self.next_chunk(db).await? {
            body.push_str(&chunk);
        }
        Ok(body)
    }

    fn header(&self) -> String {
        match self.format {
            ExportFormat::Csv => format!("{}\r\n", CSV_COLUMNS.join(",")),
            ExportFormat::Json => {
                let mut meta = json!({
                    "format": "spotify-time-machine",
                    "version": 1,
                    "user_id": self.user_id,
                    "exported_at": to_rfc3339(self.exported_at),
                    "from": self.from,
                    "to": self.to,
                })
                .to_string();
                // The metadata object, opened again (its closing brace dropped) to take the plays.
                meta.pop();
                format!("{meta},\"plays\":[")
            }
            ExportFormat::Jsonl => String::new(),
        }
    }

    fn write_play(&self, play: &HistoryPlay, out: &mut String) -> Result<(), StoreError> {
        match self.format {
            ExportFormat::Csv => write_csv_row(play, out),
            ExportFormat::Json => {
                out.push_str(if self.rows == 0 { "\n" } else { ",\n" });
                push_json(play, out)?;
            }
            ExportFormat::Jsonl => {
                out.push_str(&listenbrainz_listen(play).to_string());
                out.push('\n');
            }
        }
        Ok(())
    }
}

/// Appends `value` as JSON. A value that cannot be encoded fails the export (the stream
/// breaks off, visibly) rather than writing a `null` play into the user's file.
fn push_json<T: serde::Serialize>(value: &T, out: &mut String) -> Result<(), StoreError> {
    let text =
        serde_json::to_string(value).map_err(|error| StoreError::Encode(error.to_string()))?;
    out.push_str(&text);
    Ok(())
}

pub const CSV_COLUMNS: &[&str] = &[
    "played_at",
    "played_at_ms",
    "track_name",
    "artists",
    "album",
    "duration_ms",
    "track_uri",
    "context_uri",
    "source",
];

/// A text cell: neutralised against formula injection (a cell a spreadsheet would read as
/// a formula gets a leading `'`), then quoted per RFC 4180 where it needs to be.
pub fn csv_text(text: &str) -> String {
    let neutral = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if neutral.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

fn write_csv_row(play: &HistoryPlay, out: &mut String) {
    let names: Vec<&str> = play
        .artists
        .iter()
        .map(|artist| artist.name.as_str())
        .collect();
    let cells = [
        to_rfc3339(play.played_at),
        play.played_at.to_string(),
        csv_text(&play.track_name),
        csv_text(&names.join("; ")),
        csv_text(play.album_name.as_deref().unwrap_or("")),
        play.duration_ms.to_string(),
        csv_text(&play.track_uri),
        csv_text(play.context_uri.as_deref().unwrap_or("")),
        csv_text(&play.source),
    ];
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// A real Spotify id (base 62), not one we derived for a local file.
fn spotify_id(id: &str) -> Option<&str> {
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(id)
}

/// One listen in ListenBrainz's format. `listened_at` is Spotify's `played_at` in
/// seconds; fields we do not have are left out.
pub fn listenbrainz_listen(play: &HistoryPlay) -> Value {
    let names: Vec<&str> = play
        .artists
        .iter()
        .map(|artist| artist.name.as_str())
        .collect();
    let artist_name = if names.is_empty() {
        "[unknown]".to_owned()
    } else {
        names.join(", ")
    };
    let mut info = Map::new();
    let track_id = (play.is_local == 0)
        .then(|| spotify_id(&play.track_id))
        .flatten();
    if let Some(id) = track_id {
        info.insert(
            "spotify_id".into(),
            json!(format!("https://open.spotify.com/track/{id}")),
        );
    }
    info.insert("duration_ms".into(), json!(play.duration_ms));
    if let Some(id) = play
        .album_id
        .as_deref()
        .and_then(spotify_id)
        .filter(|_| play.is_local == 0)
    {
        info.insert(
            "spotify_album_id".into(),
            json!(format!("https://open.spotify.com/album/{id}")),
        );
    }
    let artist_ids: Vec<String> = play
        .artists
        .iter()
        .filter_map(|artist| artist.id.as_deref().and_then(spotify_id))
        .filter(|_| play.is_local == 0)
        .map(|id| format!("https://open.spotify.com/artist/{id}"))
        .collect();
    if !artist_ids.is_empty() {
        info.insert("spotify_artist_ids".into(), json!(artist_ids));
    }
    info.insert("music_service".into(), json!("spotify.com"));
    info.insert("submission_client".into(), json!("Spotify Time Machine"));
    info.insert(
        "submission_client_version".into(),
        json!(env!("CARGO_PKG_VERSION")),
    );
    let mut metadata = Map::new();
    metadata.insert("artist_name".into(), json!(artist_name));
    metadata.insert("track_name".into(), json!(play.track_name));
    if let Some(album) = play.album_name.as_deref().filter(|name| !name.is_empty()) {
        metadata.insert("release_name".into(), json!(album));
    }
    metadata.insert("additional_info".into(), Value::Object(info));
    json!({
        "listened_at": play.played_at.div_euclid(1_000),
        "track_metadata": metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::history::ArtistRef;

    fn play() -> HistoryPlay {
        HistoryPlay {
            id: 1,
            played_at: 1_772_409_600_123,
            track_id: "4uLU6hMCjMI75M1A2tKUQC".into(),
            track_name: "Never Gonna Give You Up".into(),
            track_uri: "spotify:track:4uLU6hMCjMI75M1A2tKUQC".into(),
            duration_ms: 213_573,
            is_local: 0,
            artist_names: Some("Rick Astley".into()),
            artists: vec![ArtistRef {
                id: Some("0gxyHStUsqpMadRV0Di1Qt".into()),
                name: "Rick Astley".into(),
            }],
            album_id: Some("6N9PS4QXF1D0OWPk0Sxtb4".into()),
            album_name: Some("Whenever You Need Somebody".into()),
            image_url: None,
            context_uri: None,
            source: "poll".into(),
        }
    }

    #[test]
    fn formula_cells_are_neutralised_and_quoting_follows_rfc_4180() {
        assert_eq!(
            csv_text("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_text("+1"), "'+1");
        assert_eq!(csv_text("-2"), "'-2");
        assert_eq!(csv_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_text("\tx"), "'\tx");
        assert_eq!(csv_text("\rx"), "\"'\rx\"");
        assert_eq!(csv_text("Hello, World"), "\"Hello, World\"");
        assert_eq!(csv_text("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_text("plain"), "plain");
        assert_eq!(csv_text("a=b"), "a=b");
    }

    #[test]
    fn a_csv_row_has_every_column() {
        let mut out = String::new();
        write_csv_row(&play(), &mut out);
        assert_eq!(
            out,
            "2026-03-02T00:00:00.123Z,1772409600123,Never Gonna Give You Up,Rick Astley,Whenever You Need Somebody,\
             213573,spotify:track:4uLU6hMCjMI75M1A2tKUQC,,poll\r\n"
        );
        assert_eq!(out.trim_end().split(',').count(), CSV_COLUMNS.len());
    }

    #[test]
    fn a_listen_is_in_listenbrainz_format() {
        assert_eq!(
            listenbrainz_listen(&play()),
            json!({
                "listened_at": 1_772_409_600,
                "track_metadata": {
                    "artist_name": "Rick Astley",
                    "track_name": "Never Gonna Give You Up",
                    "release_name": "Whenever You Need Somebody",
                    "additional_info": {
                        "spotify_id": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
                        "duration_ms": 213_573,
                        "spotify_album_id": "https://open.spotify.com/album/6N9PS4QXF1D0OWPk0Sxtb4",
                        "spotify_artist_ids": ["https://open.spotify.com/artist/0gxyHStUsqpMadRV0Di1Qt"],
                        "music_service": "spotify.com",
                        "submission_client": "Spotify Time Machine",
                        "submission_client_version": env!("CARGO_PKG_VERSION"),
                    }
                }
            })
        );
    }

    #[test]
    fn a_local_file_has_no_spotify_ids() {
        let mut local = play();
        local.is_local = 1;
        local.track_id = "local:00ff00ff00ff00ff".into();
        local.album_id = Some("local-album:00ff00ff00ff00ff".into());
        local.artists[0].id = Some("local-artist:00ff00ff00ff00ff".into());
        local.album_name = None;
        let listen = listenbrainz_listen(&local);
        let info = &listen["track_metadata"]["additional_info"];
        for field in ["spotify_id", "spotify_album_id", "spotify_artist_ids"] {
            assert!(info.get(field).is_none(), "{field}: {listen}");
        }
        assert!(listen["track_metadata"].get("release_name").is_none());
        assert_eq!(info["duration_ms"], 213_573);
    }

    #[test]
    fn the_file_is_named_after_the_day_and_format() {
        let plan = ExportPlan::new("u", 0, ExportFormat::Jsonl, 0, 1, 1_772_409_600_000);
        assert_eq!(plan.filename(), "spotify-time-machine-2026-03-02.jsonl");
        assert!(plan
            .headers()
            .iter()
            .any(|(name, value)| name == "Content-Disposition"
                && value.starts_with("attachment; filename=")));
    }

    /// Serialises to an error, like a map with non-text keys would.
    struct Unencodable;

    impl serde::Serialize for Unencodable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no JSON for this"))
        }
    }

    #[test]
    fn a_play_that_cannot_be_encoded_fails_the_export_instead_of_writing_null() {
        let mut out = String::from("[");
        let error = push_json(&Unencodable, &mut out).expect_err("must fail");
        assert!(matches!(error, StoreError::Encode(_)), "{error:?}");
        assert_eq!(out, "[", "nothing is written for the play");
    }
}
