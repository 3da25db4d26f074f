//! Stable ids for what Spotify gives none: local files carry `null` track, album and
//! artist ids. We derive an id from what identifies them (the `spotify:local:` URI, the
//! names), so the same local file maps to the same row on every poll and every import.

/// FNV-1a, 64-bit: tiny, stable across versions and platforms, and enough to tell apart
/// the local files of one archive. Not for anything secret.
fn fnv1a64(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

pub fn local_track_id(uri: &str) -> String {
    format!("local:{:016x}", fnv1a64(uri))
}

pub fn local_artist_id(name: &str) -> String {
    format!("local-artist:{:016x}", fnv1a64(name))
}

pub fn local_album_id(artist_names: &str, album_name: &str) -> String {
    // The separator cannot appear in either name's hash input by accident.
    format!(
        "local-album:{:016x}",
        fnv1a64(&format!("{artist_names}\u{1f}{album_name}"))
    )
}

/// A track, episode or chapter an export names without an id (account data gives only
/// names): the kind's prefix and the names identify it.
pub fn named_item_id(prefix: &str, artist: &str, name: &str) -> String {
    format!(
        "{prefix}:{:016x}",
        fnv1a64(&format!("{artist}\u{1f}{name}"))
    )
}

/// An album an export names: exports carry no album ids.
pub fn named_album_id(artist: &str, album: &str) -> String {
    format!(
        "import-album:{:016x}",
        fnv1a64(&format!("{artist}\u{1f}{album}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_local_file_always_gets_the_same_id() {
        let uri = "spotify:local:Artist:Album:Title:215";
        let id = local_track_id(uri);
        assert_eq!(id, local_track_id(uri));
        assert!(
            id.starts_with("local:") && id.len() == "local:".len() + 16,
            "{id}"
        );
    }

    #[test]
    fn different_local_files_get_different_ids() {
        assert_ne!(
            local_track_id("spotify:local:A:B:One:100"),
            local_track_id("spotify:local:A:B:Two:100")
        );
        assert_ne!(local_album_id("A", "B"), local_album_id("AB", ""));
    }

    #[test]
    fn named_ids_are_stable_and_tell_names_apart() {
        assert_eq!(
            named_item_id("import", "Artist", "Song"),
            named_item_id("import", "Artist", "Song")
        );
        assert_ne!(
            named_item_id("import", "Artist", "Song"),
            named_item_id("import", "ArtistSong", "")
        );
        assert!(named_album_id("A", "B").starts_with("import-album:"));
    }

    #[test]
    fn fnv_matches_its_published_test_vector() {
        assert_eq!(fnv1a64(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
