//! The write plan: what one archive writes, computed before anything is written.
//!
//! A page of plays becomes the deduplicated catalogue rows, the play events, the gap
//! (if any) and the user's new polling state. [`crate::store`] turns the plan into one
//! atomic D1 batch with a fixed number of statements, whatever the page holds.

use std::collections::HashSet;

use serde::Serialize;

use crate::catalogue::{stored_cover, stored_track_uri};
use crate::engine::gaps::{detect_gap, Gap};
use crate::engine::schedule::{PollObservation, PollingPolicy};
use crate::spotify::recently_played::RecentlyPlayedPage;
use crate::time::UnixMillis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtistRow {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlbumRow {
    pub id: String,
    pub name: String,
    /// The cover as stored ([`crate::catalogue::stored_cover`]).
    pub image: Option<String>,
    pub release_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackRow {
    pub id: String,
    pub name: String,
    /// `None`: `spotify:track:<id>` ([`crate::catalogue::stored_track_uri`]).
    pub uri: Option<String>,
    pub duration_ms: i64,
    pub album_id: Option<String>,
    pub is_local: bool,
    pub explicit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackArtistRow {
    pub track_id: String,
    pub artist_id: String,
    pub position: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlayRow {
    pub track_id: String,
    pub played_at: UnixMillis,
    pub context_uri: Option<String>,
}

/// The user's polling state before this archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollState {
    pub cursor_after: Option<UnixMillis>,
    pub last_success_at: Option<UnixMillis>,
    /// Whether the user was out of reach (failures, re-login, pause) since the cursor.
    pub after_downtime: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivePlan {
    pub artists: Vec<ArtistRow>,
    pub albums: Vec<AlbumRow>,
    pub tracks: Vec<TrackRow>,
    pub track_artists: Vec<TrackArtistRow>,
    pub plays: Vec<PlayRow>,
    pub gap: Option<Gap>,
    /// The new cursor: the newest play on the page, never behind the old cursor.
    pub cursor_after: Option<UnixMillis>,
    pub next_due_at: UnixMillis,
    pub polled_at: UnixMillis,
    pub page_size: usize,
}

impl ArchivePlan {
    /// Plays on the page newer than the old cursor.
    pub fn new_plays(&self, previous_cursor: Option<UnixMillis>) -> usize {
        self.plays
            .iter()
            .filter(|play| previous_cursor.is_none_or(|cursor| play.played_at > cursor))
            .count()
    }
}

pub fn plan_archive(
    page: &RecentlyPlayedPage,
    state: &PollState,
    policy: &PollingPolicy,
    now: UnixMillis,
) -> ArchivePlan {
    let mut artists = Vec::new();
    let mut albums = Vec::new();
    let mut tracks = Vec::new();
    let mut track_artists = Vec::new();
    let mut plays = Vec::with_capacity(page.items.len());
    let (mut seen_artists, mut seen_albums, mut seen_tracks) =
        (HashSet::new(), HashSet::new(), HashSet::new());

    for item in &page.items {
        let track = &item.track;
        plays.push(PlayRow {
            track_id: track.id.clone(),
            played_at: item.played_at,
            context_uri: item.context_uri.clone(),
        });
        if !seen_tracks.insert(track.id.as_str()) {
            continue;
        }
        if let Some(album) = &track.album {
            if seen_albums.insert(album.id.as_str()) {
                albums.push(AlbumRow {
                    id: album.id.clone(),
                    name: album.name.clone(),
                    image: album.image_url.as_deref().map(stored_cover),
                    release_date: album.release_date.clone(),
                });
            }
        }
        tracks.push(TrackRow {
            id: track.id.clone(),
            name: track.name.clone(),
            uri: stored_track_uri(&track.id, &track.uri),
            duration_ms: track.duration_ms,
            album_id: track.album.as_ref().map(|album| album.id.clone()),
            is_local: track.is_local,
            explicit: track.explicit,
        });
        let mut linked = HashSet::new();
        for (position, artist) in track.artists.iter().enumerate() {
            if seen_artists.insert(artist.id.as_str()) {
                artists.push(ArtistRow {
                    id: artist.id.clone(),
                    name: artist.name.clone(),
                });
            }
            // A track that names one artist twice is linked once.
            if linked.insert(artist.id.as_str()) {
                track_artists.push(TrackArtistRow {
                    track_id: track.id.clone(),
                    artist_id: artist.id.clone(),
                    position,
                });
            }
        }
    }

    let newest = page.newest();
    let new_plays: Vec<UnixMillis> = page
        .items
        .iter()
        .map(|item| item.played_at)
        .filter(|played_at| state.cursor_after.is_none_or(|cursor| *played_at > cursor))
        .collect();
    let observation = PollObservation {
        new_plays: new_plays.len(),
        oldest_new: new_plays.iter().copied().min(),
        newest_new: new_plays.iter().copied().max(),
        since: state
            .last_success_at
            .or(state.cursor_after)
            .or(page.oldest())
            .unwrap_or(now - policy.regular_interval_ms),
        now,
    };
    ArchivePlan {
        gap: detect_gap(
            // A user polled before without a single play has no cursor, yet everything
            // since that poll was ours to keep: a full page after it may have lost plays.
            state.cursor_after.or(state.last_success_at),
            page.returned,
            page.oldest(),
            state.after_downtime,
        ),
        cursor_after: match (state.cursor_after, newest) {
            (Some(cursor), Some(newest)) => Some(cursor.max(newest)),
            (cursor, newest) => cursor.or(newest),
        },
        next_due_at: policy.next_due(&observation),
        polled_at: now,
        page_size: page.returned,
        artists,
        albums,
        tracks,
        track_artists,
        plays,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::gaps::GapReason;
    use crate::spotify::recently_played::{Album, Artist, PlayedItem, Track};
    use crate::time::{HOUR_MS, MINUTE_MS};

    const NOW: UnixMillis = 1_800_000_000_000;

    fn track(id: &str, artists: &[&str], album: &str) -> Track {
        Track {
            id: id.into(),
            uri: format!("spotify:track:{id}"),
            name: id.to_uppercase(),
            duration_ms: 180_000,
            is_local: false,
            explicit: false,
            artists: artists
                .iter()
                .map(|a| Artist {
                    id: (*a).into(),
                    name: a.to_uppercase(),
                    uri: None,
                })
                .collect(),
            album: Some(Album {
                id: album.into(),
                name: album.into(),
                uri: None,
                image_url: None,
                release_date: None,
            }),
        }
    }

    fn page(items: Vec<(Track, UnixMillis)>) -> RecentlyPlayedPage {
        let items: Vec<PlayedItem> = items
            .into_iter()
            .map(|(track, played_at)| PlayedItem {
                played_at,
                track,
                context_uri: None,
            })
            .collect();
        RecentlyPlayedPage {
            returned: items.len(),
            unreadable: 0,
            items,
        }
    }

    fn state(cursor: Option<UnixMillis>) -> PollState {
        PollState {
            cursor_after: cursor,
            last_success_at: cursor.map(|_| NOW - HOUR_MS),
            after_downtime: false,
        }
    }

    #[test]
    fn shared_catalogue_rows_are_written_once_per_page() {
        let page = page(vec![
            (track("t1", &["a1", "a2"], "al1"), NOW - 1_000),
            (track("t1", &["a1", "a2"], "al1"), NOW - 200_000),
            (track("t2", &["a2"], "al1"), NOW - 400_000),
        ]);
        let plan = plan_archive(&page, &state(None), &PollingPolicy::default(), NOW);
        assert_eq!(plan.plays.len(), 3);
        assert_eq!(plan.tracks.len(), 2);
        assert_eq!(plan.albums.len(), 1);
        assert_eq!(
            plan.artists
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>(),
            ["a1", "a2"]
        );
        assert_eq!(plan.track_artists.len(), 3);
        assert_eq!(
            plan.track_artists[1],
            TrackArtistRow {
                track_id: "t1".into(),
                artist_id: "a2".into(),
                position: 1
            }
        );
    }

    #[test]
    fn the_cursor_moves_to_the_newest_play_and_never_back() {
        let plan = plan_archive(
            &page(vec![(track("t1", &["a"], "al"), NOW - 5_000)]),
            &state(Some(NOW - 60_000)),
            &PollingPolicy::default(),
            NOW,
        );
        assert_eq!(plan.cursor_after, Some(NOW - 5_000));
        let stale = plan_archive(
            &page(vec![(track("t1", &["a"], "al"), NOW - 90_000)]),
            &state(Some(NOW - 60_000)),
            &PollingPolicy::default(),
            NOW,
        );
        assert_eq!(stale.cursor_after, Some(NOW - 60_000));
        let empty = plan_archive(
            &page(vec![]),
            &state(Some(NOW - 60_000)),
            &PollingPolicy::default(),
            NOW,
        );
        assert_eq!(empty.cursor_after, Some(NOW - 60_000));
    }

    #[test]
    fn a_full_page_past_the_cursor_plans_a_gap() {
        let items = (0..50)
            .map(|n| (track(&format!("t{n}"), &["a"], "al"), NOW - n * MINUTE_MS))
            .collect();
        let cursor = NOW - 3 * HOUR_MS;
        let plan = plan_archive(
            &page(items),
            &state(Some(cursor)),
            &PollingPolicy::default(),
            NOW,
        );
        assert_eq!(
            plan.gap,
            Some(Gap {
                from: cursor,
                to: NOW - 49 * MINUTE_MS,
                reason: GapReason::WindowOverflow
            })
        );
        assert_eq!(plan.next_due_at, NOW + 15 * MINUTE_MS);
    }

    #[test]
    fn a_quiet_page_keeps_the_user_hourly() {
        let plan = plan_archive(
            &page(vec![(track("t1", &["a"], "al"), NOW - 5_000)]),
            &state(Some(NOW - HOUR_MS)),
            &PollingPolicy::default(),
            NOW,
        );
        assert_eq!(plan.gap, None);
        assert_eq!(plan.next_due_at, NOW + HOUR_MS);
        assert_eq!(plan.new_plays(Some(NOW - HOUR_MS)), 1);
    }

    #[test]
    fn a_track_naming_one_artist_twice_is_linked_once() {
        let plan = plan_archive(
            &page(vec![(track("t1", &["a", "a"], "al"), NOW)]),
            &state(None),
            &PollingPolicy::default(),
            NOW,
        );
        assert_eq!(plan.track_artists.len(), 1);
    }
}
