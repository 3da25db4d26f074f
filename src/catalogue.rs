//! What the catalogue stores of a track's URI and an album's cover, and what it derives
//! on reading: most of both is implied by an id or a hash, and every byte of a catalogue
//! row is kept for good.
//!
//! `migrations/0007_compact.sql` applies the same rules to the rows it copies.

/// Where Spotify serves covers: `https://i.scdn.co/image/<hash>`.
pub const COVER_HOST: &str = "https://i.scdn.co/image/";

const TRACK_URI_PREFIX: &str = "spotify:track:";

/// The URI a track row stores: nothing when it is `spotify:track:<id>` (its public id),
/// the URI itself otherwise (local files, episodes, what an import names).
pub fn stored_track_uri(public_id: &str, uri: &str) -> Option<String> {
    (uri.strip_prefix(TRACK_URI_PREFIX) != Some(public_id)).then(|| uri.to_owned())
}

/// A track's URI from its row: the stored one, or `spotify:track:<id>`.
pub fn track_uri(public_id: &str, stored: Option<String>) -> String {
    stored.unwrap_or_else(|| format!("{TRACK_URI_PREFIX}{public_id}"))
}

/// What an album row stores of a cover URL: the hash, when Spotify's image host serves it
/// (no `/` or `:` follows), the whole URL otherwise.
pub fn stored_cover(url: &str) -> String {
    match url.strip_prefix(COVER_HOST) {
        Some(hash) if !hash.is_empty() && !hash.contains(['/', ':']) => hash.to_owned(),
        _ => url.to_owned(),
    }
}

/// A cover's URL from what its row stores: a whole URL has a `:`, a hash has none.
pub fn cover_url(stored: &str) -> String {
    if stored.contains(':') {
        stored.to_owned()
    } else {
        format!("{COVER_HOST}{stored}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spotify_track_uri_is_derived_from_its_id_and_any_other_is_kept() {
        assert_eq!(stored_track_uri("4uLU6h", "spotify:track:4uLU6h"), None);
        assert_eq!(track_uri("4uLU6h", None), "spotify:track:4uLU6h");
        for uri in [
            "spotify:local:Artist:Album:Title:180",
            "spotify:episode:4uLU6h",
            "spotify:track:other",
            "spotify:import:import:00ff",
        ] {
            let stored = stored_track_uri("4uLU6h", uri);
            assert_eq!(stored.as_deref(), Some(uri));
            assert_eq!(track_uri("4uLU6h", stored), uri);
        }
    }

    #[test]
    fn a_cover_on_spotifys_host_is_stored_as_its_hash() {
        let url = "https://i.scdn.co/image/ab67616d00001e02ff9ca10b55ce82ae553c8228";
        let stored = stored_cover(url);
        assert_eq!(stored, "ab67616d00001e02ff9ca10b55ce82ae553c8228");
        assert_eq!(cover_url(&stored), url);
        for other in [
            "https://i/300",
            "https://i.scdn.co/image/",
            "https://i.scdn.co/image/a/b",
            "https://mosaic.scdn.co/640/ab67",
            "http://127.0.0.1:9000/cover.png",
        ] {
            assert_eq!(stored_cover(other), other);
            assert_eq!(cover_url(&stored_cover(other)), other);
        }
    }
}
