//! The music every simulated user listens to: artists, albums and tracks shaped like the
//! Web API's objects, plus a handful of local files.
//!
//! One catalogue is generated from a seed and shared by every user of a simulator, so two
//! users can play the same track and ids are stable across runs with the same seed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// The catalogue seed used when none is given (also the CLI's default `--seed`).
pub const DEFAULT_CATALOGUE_SEED: u64 = 42;

const ARTIST_COUNT: usize = 120;
const ALBUM_COUNT: usize = 90;
const PLAYLIST_COUNT: usize = 30;
const LOCAL_FILE_COUNT: usize = 24;
/// Tracks are at least this long so that even a skipped play passes Spotify's 30 s rule.
pub const MIN_TRACK_MS: u32 = 31_000;
pub const MAX_TRACK_MS: u32 = 420_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectType {
    Track,
    Album,
    Artist,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlbumType {
    Album,
    Single,
    Compilation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReleaseDatePrecision {
    Year,
    Month,
    Day,
}

/// `{"spotify": "https://open.spotify.com/…"}`, empty for local files.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExternalUrls {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spotify: Option<String>,
}

impl ExternalUrls {
    fn open_spotify(kind: &str, id: &str) -> Self {
        Self {
            spotify: Some(format!("https://open.spotify.com/{kind}/{id}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
    pub height: u32,
    pub width: u32,
}

/// A simplified artist object. Local files carry the artist's name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artist {
    pub id: Option<String>,
    pub name: String,
    pub uri: Option<String>,
    #[serde(rename = "type")]
    pub object_type: ObjectType,
    pub external_urls: ExternalUrls,
}

/// A simplified album object as embedded in a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Album {
    pub id: Option<String>,
    pub name: String,
    pub album_type: Option<AlbumType>,
    pub release_date: Option<String>,
    pub release_date_precision: Option<ReleaseDatePrecision>,
    pub total_tracks: u32,
    /// Largest first, as Spotify orders them; empty for some albums and every local file.
    pub images: Vec<Image>,
    pub artists: Vec<Artist>,
    pub uri: Option<String>,
    #[serde(rename = "type")]
    pub object_type: ObjectType,
    pub external_urls: ExternalUrls,
}

/// A full track object, serialized exactly as the Web API's recently-played items carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    /// `None` for local files.
    pub id: Option<String>,
    pub name: String,
    pub duration_ms: u32,
    /// `spotify:track:<id>`, or `spotify:local:Artist:Album:Title:Seconds` for local files.
    pub uri: String,
    pub is_local: bool,
    pub explicit: bool,
    pub popularity: u8,
    pub track_number: u32,
    pub disc_number: u32,
    #[serde(rename = "type")]
    pub object_type: ObjectType,
    pub artists: Vec<Artist>,
    pub album: Album,
    pub external_urls: ExternalUrls,
}

/// The shared music library of one simulator.
#[derive(Debug, Clone)]
pub struct Catalogue {
    tracks: Vec<Track>,
    local_files: Vec<Track>,
    /// Indices into `tracks`, per album, in track-number order.
    album_tracks: Vec<Vec<usize>>,
    album_uris: Vec<String>,
    /// Indices into `tracks` on which the artist is the primary artist.
    artist_tracks: Vec<Vec<usize>>,
    artist_uris: Vec<String>,
    playlist_uris: Vec<String>,
    mean_duration_ms: f64,
}

impl Catalogue {
    /// Builds the catalogue for a seed; the same seed always yields the same ids and names.
    pub fn generate(seed: u64) -> Self {
        let mut rng = SplitMix64::derived(seed, "catalogue");
        let mut ids = IdMaker::default();
        let mut names = ArtistNames::default();

        let artists: Vec<Artist> = (0..ARTIST_COUNT)
            .map(|_| {
                let id = ids.next(&mut rng);
                Artist {
                    uri: Some(format!("spotify:artist:{id}")),
                    external_urls: ExternalUrls::open_spotify("artist", &id),
                    id: Some(id),
                    name: names.invent(&mut rng),
                    object_type: ObjectType::Artist,
                }
            })
            .collect();

        let mut tracks = Vec::new();
        let mut album_tracks = Vec::with_capacity(ALBUM_COUNT);
        let mut album_uris = Vec::with_capacity(ALBUM_COUNT);
        let mut artist_tracks = vec![Vec::new(); ARTIST_COUNT];
        for _ in 0..ALBUM_COUNT {
            let primary = rng.index(artists.len());
            let album = make_album(&mut rng, &mut ids, &artists[primary]);
            album_uris.push(album.uri.clone().unwrap_or_default());
            let mut indices = Vec::with_capacity(album.total_tracks as usize);
            for track_number in 1..=album.total_tracks {
                let mut track_artists = vec![artists[primary].clone()];
                // About one track in five features other artists.
                if rng.chance(0.2) {
                    for _ in 0..rng.between(1, 2) {
                        let guest = rng.index(artists.len());
                        if !track_artists.contains(&artists[guest]) {
                            track_artists.push(artists[guest].clone());
                        }
                    }
                }
                let id = ids.next(&mut rng);
                artist_tracks[primary].push(tracks.len());
                indices.push(tracks.len());
                tracks.push(Track {
                    uri: format!("spotify:track:{id}"),
                    external_urls: ExternalUrls::open_spotify("track", &id),
                    id: Some(id),
                    name: title(&mut rng),
                    duration_ms: track_duration_ms(&mut rng),
                    is_local: false,
                    explicit: rng.chance(0.15),
                    popularity: rng.between(0, 100) as u8,
                    track_number,
                    disc_number: 1,
                    object_type: ObjectType::Track,
                    artists: track_artists,
                    album: album.clone(),
                });
            }
            album_tracks.push(indices);
        }

        let local_files = (0..LOCAL_FILE_COUNT)
            .map(|_| make_local_file(&mut rng, &mut names))
            .collect();
        let playlist_uris = (0..PLAYLIST_COUNT)
            .map(|_| format!("spotify:playlist:{}", ids.next(&mut rng)))
            .collect();
        let artist_uris = artists
            .iter()
            .map(|artist| artist.uri.clone().unwrap_or_default())
            .collect();
        let mean_duration_ms = tracks
            .iter()
            .map(|track| f64::from(track.duration_ms))
            .sum::<f64>()
            / tracks.len() as f64;

        Self {
            tracks,
            local_files,
            album_tracks,
            album_uris,
            artist_tracks,
            artist_uris,
            playlist_uris,
            mean_duration_ms,
        }
    }

    /// Every streamable (non-local) track.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// Tracks that only exist on a listener's device: no ids, `spotify:local:` uris.
    pub fn local_files(&self) -> &[Track] {
        &self.local_files
    }

    pub fn playlist_uris(&self) -> &[String] {
        &self.playlist_uris
    }

    /// Mean length of a streamable track, which sets how fast back-to-back listening goes.
    pub fn mean_duration_ms(&self) -> f64 {
        self.mean_duration_ms
    }

    pub(crate) fn album_count(&self) -> usize {
        self.album_tracks.len()
    }

    pub(crate) fn album_uri(&self, album: usize) -> &str {
        &self.album_uris[album]
    }

    pub(crate) fn album_track(&self, album: usize, position: usize) -> Option<usize> {
        self.album_tracks[album].get(position).copied()
    }

    pub(crate) fn artist_count(&self) -> usize {
        self.artist_tracks.len()
    }

    pub(crate) fn artist_uri(&self, artist: usize) -> &str {
        &self.artist_uris[artist]
    }

    pub(crate) fn artist_tracks(&self, artist: usize) -> &[usize] {
        &self.artist_tracks[artist]
    }
}

/// Hands out 22-character base62 ids, never the same one twice.
#[derive(Default)]
struct IdMaker {
    issued: HashSet<String>,
}

impl IdMaker {
    fn next(&mut self, rng: &mut SplitMix64) -> String {
        loop {
            let id = rng.base62(22);
            if self.issued.insert(id.clone()) {
                return id;
            }
        }
    }
}

fn make_album(rng: &mut SplitMix64, ids: &mut IdMaker, artist: &Artist) -> Album {
    let id = ids.next(rng);
    let roll = rng.next_f64();
    let (album_type, total_tracks) = if roll < 0.25 {
        (AlbumType::Single, rng.between(1, 3))
    } else if roll < 0.35 {
        (AlbumType::Compilation, rng.between(8, 14))
    } else {
        (AlbumType::Album, rng.between(5, 12))
    };
    let year = rng.between(1965, 2026);
    let (release_date, precision) = match rng.between(0, 9) {
        0 => (format!("{year}"), ReleaseDatePrecision::Year),
        1 => (
            format!("{year}-{:02}", rng.between(1, 12)),
            ReleaseDatePrecision::Month,
        ),
        _ => (
            format!("{year}-{:02}-{:02}", rng.between(1, 12), rng.between(1, 28)),
            ReleaseDatePrecision::Day,
        ),
    };
    // About one album in ten has no artwork at all, which clients must survive.
    let images = if rng.chance(0.1) {
        Vec::new()
    } else {
        let art = rng.hex(40);
        [640, 300, 64]
            .into_iter()
            .map(|size| Image {
                url: format!("https://i.scdn.co/image/{art}{size:04}"),
                height: size,
                width: size,
            })
            .collect()
    };
    Album {
        uri: Some(format!("spotify:album:{id}")),
        external_urls: ExternalUrls::open_spotify("album", &id),
        id: Some(id),
        name: title(rng),
        album_type: Some(album_type),
        release_date: Some(release_date),
        release_date_precision: Some(precision),
        total_tracks: total_tracks as u32,
        images,
        artists: vec![artist.clone()],
        object_type: ObjectType::Album,
    }
}

/// A local file: names only, no ids, and a uri built from its tags and length in seconds.
fn make_local_file(rng: &mut SplitMix64, names: &mut ArtistNames) -> Track {
    let artist = names.invent(rng);
    let album = title(rng);
    let title = title(rng);
    let duration_ms = track_duration_ms(rng);
    let uri = format!(
        "spotify:local:{}:{}:{}:{}",
        uri_component(&artist),
        uri_component(&album),
        uri_component(&title),
        duration_ms / 1000
    );
    Track {
        id: None,
        name: title,
        duration_ms,
        uri,
        is_local: true,
        explicit: false,
        popularity: 0,
        track_number: 0,
        disc_number: 0,
        object_type: ObjectType::Track,
        artists: vec![Artist {
            id: None,
            name: artist,
            uri: None,
            object_type: ObjectType::Artist,
            external_urls: ExternalUrls::default(),
        }],
        album: Album {
            id: None,
            name: album,
            album_type: None,
            release_date: None,
            release_date_precision: None,
            total_tracks: 0,
            images: Vec::new(),
            artists: Vec::new(),
            uri: None,
            object_type: ObjectType::Album,
            external_urls: ExternalUrls::default(),
        },
        external_urls: ExternalUrls::default(),
    }
}

/// Local-file uris encode each tag like a form value: spaces become `+`.
fn uri_component(tag: &str) -> String {
    form_urlencoded::byte_serialize(tag.as_bytes()).collect()
}

/// Mostly songs of 2½–5 minutes, with short interludes and long pieces in the tails.
fn track_duration_ms(rng: &mut SplitMix64) -> u32 {
    let roll = rng.next_f64();
    let ms = if roll < 0.1 {
        rng.between(u64::from(MIN_TRACK_MS), 150_000)
    } else if roll < 0.9 {
        rng.between(150_000, 300_000)
    } else {
        rng.between(300_000, u64::from(MAX_TRACK_MS))
    };
    ms as u32
}

/// Invents artist names from small word lists, never the same one twice.
#[derive(Default)]
struct ArtistNames {
    artists: HashSet<String>,
}

const ADJECTIVES: &[&str] = &[
    "Amber", "Quiet", "Electric", "Velvet", "Hollow", "Golden", "Paper", "Northern", "Silver",
    "Restless", "Distant", "Crooked", "Lucky", "Neon", "Wild", "Slow", "Bright", "Broken",
    "Hidden", "Lonely", "Sunday", "Midnight", "Crimson", "Gentle",
];
const NOUNS: &[&str] = &[
    "Harbor",
    "Signal",
    "Orchard",
    "Engine",
    "River",
    "Lantern",
    "Comet",
    "Garden",
    "Mirror",
    "Highway",
    "Island",
    "Thunder",
    "Window",
    "Compass",
    "Meadow",
    "Satellite",
    "Ember",
    "Tide",
    "Canyon",
    "Echo",
    "Feather",
    "Station",
    "Winter",
    "Parade",
];
const GIVEN_NAMES: &[&str] = &[
    "Mira", "Jonas", "Ada", "Teo", "Lena", "Oskar", "Noor", "Felix", "Ines", "Ravi", "Saga",
    "Bruno", "Yara", "Emil", "Kaia", "Malik",
];
const FAMILY_NAMES: &[&str] = &[
    "Quell",
    "Brandt",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Hale",
    "Tanaka",
    "Novak",
    "Castell",
    "Reyes",
    "Falk",
    "Adeyemi",
    "Vance",
    "Sorensen",
];

impl ArtistNames {
    fn invent(&mut self, rng: &mut SplitMix64) -> String {
        loop {
            let name = match rng.between(0, 2) {
                0 => format!("The {} {}s", pick(rng, ADJECTIVES), pick(rng, NOUNS)),
                1 => format!("{} {}", pick(rng, GIVEN_NAMES), pick(rng, FAMILY_NAMES)),
                _ => format!("{} {}", pick(rng, NOUNS), pick(rng, NOUNS)),
            };
            if self.artists.insert(name.clone()) {
                return name;
            }
        }
    }
}

/// A song or album title.
fn title(rng: &mut SplitMix64) -> String {
    match rng.between(0, 3) {
        0 => format!("{} {}", pick(rng, ADJECTIVES), pick(rng, NOUNS)),
        1 => format!("The {} of the {}", pick(rng, NOUNS), pick(rng, NOUNS)),
        2 => format!("{} (feat. {})", pick(rng, NOUNS), pick(rng, GIVEN_NAMES)),
        _ => format!(
            "{} {}, Pt. {}",
            pick(rng, ADJECTIVES),
            pick(rng, NOUNS),
            rng.between(1, 3)
        ),
    }
}

fn pick<'a>(rng: &mut SplitMix64, words: &[&'a str]) -> &'a str {
    words[rng.index(words.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_builds_the_same_catalogue() {
        let a = Catalogue::generate(5);
        let b = Catalogue::generate(5);
        assert_eq!(a.tracks(), b.tracks());
        assert_ne!(a.tracks()[0].id, Catalogue::generate(6).tracks()[0].id);
    }

    #[test]
    fn it_holds_a_few_hundred_tracks_with_spotify_shaped_ids() {
        let catalogue = Catalogue::generate(DEFAULT_CATALOGUE_SEED);
        assert!((300..=900).contains(&catalogue.tracks().len()));
        for track in catalogue.tracks() {
            let id = track.id.as_deref().unwrap_or_default();
            assert_eq!(id.len(), 22);
            assert_eq!(track.uri, format!("spotify:track:{id}"));
            assert!((MIN_TRACK_MS..=MAX_TRACK_MS).contains(&track.duration_ms));
        }
    }

    #[test]
    fn some_tracks_have_several_artists_and_some_albums_no_images() {
        let catalogue = Catalogue::generate(DEFAULT_CATALOGUE_SEED);
        let tracks = catalogue.tracks();
        let multi = tracks.iter().filter(|t| t.artists.len() > 1).count();
        assert!(
            multi * 10 > tracks.len(),
            "{multi} of {} multi-artist",
            tracks.len()
        );
        assert!(multi * 3 < tracks.len());
        assert!(tracks.iter().any(|t| t.album.images.is_empty()));
        assert!(tracks.iter().any(|t| t.album.images.len() == 3));
    }

    #[test]
    fn local_files_have_no_ids_and_a_local_uri() {
        let catalogue = Catalogue::generate(DEFAULT_CATALOGUE_SEED);
        let local = &catalogue.local_files()[0];
        assert!(local.is_local);
        assert_eq!(local.id, None);
        assert_eq!(local.album.id, None);
        assert!(local.artists.iter().all(|artist| artist.id.is_none()));
        let seconds = local.duration_ms / 1000;
        assert!(local.uri.starts_with("spotify:local:"));
        assert!(local.uri.ends_with(&format!(":{seconds}")));
        assert!(!local.uri.contains(' '), "{}", local.uri);
    }

    #[test]
    fn a_track_serializes_with_the_web_api_field_names() {
        let catalogue = Catalogue::generate(DEFAULT_CATALOGUE_SEED);
        let json = serde_json::to_value(&catalogue.tracks()[0]).unwrap();
        assert_eq!(json["type"], "track");
        assert_eq!(json["album"]["type"], "album");
        assert_eq!(json["artists"][0]["type"], "artist");
        for field in [
            "id",
            "name",
            "duration_ms",
            "uri",
            "is_local",
            "explicit",
            "popularity",
        ] {
            assert!(json.get(field).is_some(), "missing {field}");
        }
        let local = serde_json::to_value(&catalogue.local_files()[0]).unwrap();
        assert!(local["id"].is_null());
        assert!(local["album"]["id"].is_null());
        assert_eq!(local["external_urls"], serde_json::json!({}));
    }
}
