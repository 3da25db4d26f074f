//! `GET /v1/me/player/recently-played`: the page of plays, read tolerantly.
//!
//! Unknown fields are ignored, missing optional ones default, and an item we cannot use
//! (no track, an unreadable `played_at`) is counted and left out rather than failing the
//! page: one odd item must not stop a user's archive for good.

use serde::Deserialize;

use super::error::SpotifyError;
use crate::ids::{local_album_id, local_artist_id, local_track_id};
use crate::time::{parse_rfc3339, UnixMillis};

/// A play as the archive keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayedItem {
    /// When the play ended (Spotify's `played_at`), Unix ms.
    pub played_at: UnixMillis,
    pub track: Track,
    pub context_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    /// Spotify's id, or a stable synthetic one for a local file.
    pub id: String,
    pub uri: String,
    pub name: String,
    pub duration_ms: i64,
    pub is_local: bool,
    pub explicit: bool,
    /// In Spotify's order, the first being the main artist.
    pub artists: Vec<Artist>,
    pub album: Option<Album>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artist {
    pub id: String,
    pub name: String,
    pub uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Album {
    pub id: String,
    pub name: String,
    pub uri: Option<String>,
    pub image_url: Option<String>,
    pub release_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentlyPlayedPage {
    /// Usable plays, newest first as Spotify sends them (not relied upon).
    pub items: Vec<PlayedItem>,
    /// How many items Spotify returned, usable or not: a full page signals a gap.
    pub returned: usize,
    /// Items left out because they could not be read.
    pub unreadable: usize,
}

impl RecentlyPlayedPage {
    pub fn oldest(&self) -> Option<UnixMillis> {
        self.items.iter().map(|item| item.played_at).min()
    }

    pub fn newest(&self) -> Option<UnixMillis> {
        self.items.iter().map(|item| item.played_at).max()
    }
}

#[derive(Deserialize)]
struct WirePage {
    items: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireItem {
    track: Option<WireTrack>,
    played_at: Option<String>,
    #[serde(default)]
    context: Option<WireContext>,
}

#[derive(Deserialize)]
struct WireContext {
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
struct WireTrack {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    duration_ms: Option<i64>,
    #[serde(default)]
    is_local: bool,
    #[serde(default)]
    explicit: bool,
    #[serde(default)]
    artists: Vec<WireArtist>,
    #[serde(default)]
    album: Option<WireAlbum>,
}

#[derive(Deserialize)]
struct WireArtist {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
struct WireAlbum {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    images: Option<Vec<WireImage>>,
    #[serde(default)]
    release_date: Option<String>,
}

#[derive(Deserialize)]
struct WireImage {
    url: Option<String>,
    #[serde(default)]
    width: Option<u32>,
}

/// The cover we show: the one nearest 300 px wide (Spotify sends 640, 300 and 64).
fn pick_image(images: Option<Vec<WireImage>>) -> Option<String> {
    images?
        .into_iter()
        .filter_map(|image| Some((image.url?, image.width.unwrap_or(640))))
        .filter(|(url, _)| !url.is_empty())
        .min_by_key(|(_, width)| width.abs_diff(300))
        .map(|(url, _)| url)
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|text| !text.is_empty())
}

impl WireTrack {
    fn into_track(self) -> Option<Track> {
        let name = self.name.unwrap_or_default();
        let uri = non_empty(self.uri);
        let id = match (non_empty(self.id), &uri) {
            (Some(id), _) if !self.is_local => id,
            (_, Some(uri)) => local_track_id(uri),
            // Neither an id nor a URI: nothing stable to file the play under.
            (_, None) => return None,
        };
        let uri = uri.unwrap_or_else(|| format!("spotify:track:{id}"));
        let artists: Vec<Artist> = self
            .artists
            .into_iter()
            .filter_map(|artist| {
                let name = artist.name.unwrap_or_default();
                let id = non_empty(artist.id).unwrap_or_else(|| local_artist_id(&name));
                (!name.is_empty() || !id.starts_with("local")).then_some(Artist {
                    id,
                    name,
                    uri: non_empty(artist.uri),
                })
            })
            .collect();
        let album = self.album.map(|album| {
            let name = album.name.unwrap_or_default();
            let artist_names: Vec<&str> =
                artists.iter().map(|artist| artist.name.as_str()).collect();
            Album {
                id: non_empty(album.id)
                    .unwrap_or_else(|| local_album_id(&artist_names.join(", "), &name)),
                name,
                uri: non_empty(album.uri),
                image_url: pick_image(album.images),
                release_date: non_empty(album.release_date),
            }
        });
        Some(Track {
            id,
            uri,
            name,
            // Bounded like an import's `ms_played`: an absurd length from upstream must
            // not overflow the stats' sums.
            duration_ms: self.duration_ms.unwrap_or(0).clamp(0, crate::time::DAY_MS),
            is_local: self.is_local,
            explicit: self.explicit,
            artists,
            album,
        })
    }
}

fn read_item(value: serde_json::Value) -> Option<PlayedItem> {
    let item: WireItem = serde_json::from_value(value).ok()?;
    let played_at = parse_rfc3339(item.played_at.as_deref()?)?;
    Some(PlayedItem {
        played_at,
        track: item.track?.into_track()?,
        context_uri: item.context.and_then(|context| non_empty(context.uri)),
    })
}

/// Reads a 200 answer of recently-played.
pub fn parse_recently_played(body: &str) -> Result<RecentlyPlayedPage, SpotifyError> {
    let page: WirePage = serde_json::from_str(body)
        .map_err(|error| SpotifyError::Malformed(format!("recently-played: {error}")))?;
    let returned = page.items.len();
    let items: Vec<PlayedItem> = page.items.into_iter().filter_map(read_item).collect();
    Ok(RecentlyPlayedPage {
        unreadable: returned - items.len(),
        returned,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn track(id: &str) -> serde_json::Value {
        json!({
            "id": id, "name": format!("Song {id}"), "duration_ms": 200_000, "uri": format!("spotify:track:{id}"),
            "is_local": false, "explicit": true, "popularity": 50,
            "artists": [{"id": "ar1", "name": "First", "uri": "spotify:artist:ar1"}],
            "album": {"id": "al1", "name": "Album", "release_date": "2020",
                      "images": [{"url": "https://i/640", "height": 640, "width": 640},
                                 {"url": "https://i/300", "height": 300, "width": 300},
                                 {"url": "https://i/64", "height": 64, "width": 64}]}
        })
    }

    fn page(items: Vec<serde_json::Value>) -> String {
        json!({"items": items, "next": null, "cursors": null, "limit": 50, "href": "h"}).to_string()
    }

    #[test]
    fn reads_a_play_with_its_track_artist_album_and_cover() {
        let body = page(vec![
            json!({"track": track("t1"), "played_at": "2026-11-28T13:05:12.345Z",
                                     "context": {"type": "playlist", "uri": "spotify:playlist:p"}}),
        ]);
        let page = parse_recently_played(&body).expect("page");
        let item = &page.items[0];
        assert_eq!(item.played_at, 1_795_871_112_345);
        assert_eq!(item.track.id, "t1");
        assert!(item.track.explicit);
        assert_eq!(item.track.artists[0].name, "First");
        let album = item.track.album.as_ref().expect("album");
        assert_eq!(album.image_url.as_deref(), Some("https://i/300"));
        assert_eq!(item.context_uri.as_deref(), Some("spotify:playlist:p"));
    }

    #[test]
    fn a_local_file_gets_a_stable_synthetic_id() {
        let local = json!({"id": null, "name": "Demo", "duration_ms": 100_000,
            "uri": "spotify:local:Me:Tape:Demo:100", "is_local": true,
            "artists": [{"id": null, "name": "Me", "uri": null}],
            "album": {"id": null, "name": "Tape", "images": []}});
        let body = page(vec![
            json!({"track": local, "played_at": "2026-11-28T13:05:12Z", "context": null}),
        ]);
        let first = parse_recently_played(&body).expect("page");
        let second = parse_recently_played(&body).expect("page");
        let track = &first.items[0].track;
        assert!(track.is_local);
        assert!(track.id.starts_with("local:"));
        assert_eq!(track.id, second.items[0].track.id);
        assert!(track.artists[0].id.starts_with("local-artist:"));
        let album = track.album.as_ref().expect("album");
        assert!(album.id.starts_with("local-album:"));
        assert_eq!(album.image_url, None);
    }

    #[test]
    fn keeps_every_artist_of_a_track_in_order() {
        let mut multi = track("t2");
        multi["artists"] =
            json!([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}]);
        let body = page(vec![
            json!({"track": multi, "played_at": "2026-11-28T13:05:12Z"}),
        ]);
        let names: Vec<String> = parse_recently_played(&body).expect("page").items[0]
            .track
            .artists
            .iter()
            .map(|artist| artist.name.clone())
            .collect();
        assert_eq!(names, ["A", "B", "C"]);
    }

    #[test]
    fn a_missing_or_null_album_image_is_no_image() {
        let mut no_images = track("t3");
        no_images["album"]["images"] = json!(null);
        let mut no_album = track("t4");
        no_album.as_object_mut().expect("object").remove("album");
        let body = page(vec![
            json!({"track": no_images, "played_at": "2026-11-28T13:05:12Z"}),
            json!({"track": no_album, "played_at": "2026-11-28T13:01:12Z"}),
        ]);
        let page = parse_recently_played(&body).expect("page");
        assert_eq!(
            page.items[0]
                .track
                .album
                .as_ref()
                .and_then(|album| album.image_url.clone()),
            None
        );
        assert_eq!(page.items[1].track.album, None);
    }

    #[test]
    fn the_same_track_twice_in_a_row_is_two_plays() {
        let body = page(vec![
            json!({"track": track("t1"), "played_at": "2026-11-28T13:08:00Z"}),
            json!({"track": track("t1"), "played_at": "2026-11-28T13:05:00Z"}),
        ]);
        assert_eq!(parse_recently_played(&body).expect("page").items.len(), 2);
    }

    #[test]
    fn items_out_of_order_keep_their_times() {
        let body = page(vec![
            json!({"track": track("t1"), "played_at": "2026-11-28T13:00:00Z"}),
            json!({"track": track("t2"), "played_at": "2026-11-28T13:10:00Z"}),
        ]);
        let page = parse_recently_played(&body).expect("page");
        assert_eq!(page.newest(), Some(1_795_871_400_000));
        assert_eq!(page.oldest(), Some(1_795_870_800_000));
    }

    #[test]
    fn an_empty_page_is_empty() {
        let page = parse_recently_played(&page(vec![])).expect("page");
        assert_eq!(
            (page.items.len(), page.returned, page.oldest()),
            (0, 0, None)
        );
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let mut extra = track("t1");
        extra["brand_new_field"] = json!({"nested": [1, 2]});
        let body =
            json!({"items": [{"track": extra, "played_at": "2026-11-28T13:05:12Z", "surprise": 1}],
                          "future": true})
            .to_string();
        assert_eq!(parse_recently_played(&body).expect("page").items.len(), 1);
    }

    #[test]
    fn an_unreadable_item_is_counted_and_left_out() {
        let body = page(vec![
            json!({"track": track("t1"), "played_at": "not a time"}),
            json!({"track": null, "played_at": "2026-11-28T13:05:12Z"}),
            json!({"track": track("t2"), "played_at": "2026-11-28T13:05:12Z"}),
        ]);
        let page = parse_recently_played(&body).expect("page");
        assert_eq!(
            (page.returned, page.unreadable, page.items.len()),
            (3, 2, 1)
        );
    }

    #[test]
    fn a_body_that_is_not_a_page_is_malformed() {
        assert!(matches!(
            parse_recently_played("{\"items\": [{"),
            Err(SpotifyError::Malformed(_))
        ));
        assert!(matches!(
            parse_recently_played("{\"error\": 1}"),
            Err(SpotifyError::Malformed(_))
        ));
    }
}
