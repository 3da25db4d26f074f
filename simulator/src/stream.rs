//! One user's listening: a deterministic, endless sequence of plays generated from a seed,
//! plus plays injected by tests, kept in time order.
//!
//! The model: plays follow each other back to back within a session, sessions are
//! separated by breaks, and the breaks are sized so that the long-run rate matches
//! `plays_per_hour`. Listeners skip in bursts, sometimes replay a track at once, and now and
//! then play a local file. A play is stamped with the time it ENDED, which is what Spotify's
//! `played_at` is taken to mean; a play becomes visible only once that time has passed.

use std::sync::Arc;

use crate::catalogue::{Catalogue, Track, DEFAULT_CATALOGUE_SEED};
use crate::rng::SplitMix64;

/// A skipped play lasts between these many milliseconds: more than Spotify's 30 s threshold
/// (shorter plays never reach the history, so they are not generated at all).
const SKIP_MIN_MS: u64 = 31_000;
const SKIP_MAX_MS: u64 = 45_000;
/// Even a listener who never skips on purpose skips this share of plays.
const BASE_SKIP_SHARE: f64 = 0.08;
/// Skips come in bursts of this many plays on average (uniform 2..=5).
const MEAN_SKIP_BURST: f64 = 3.5;
/// Within a session the next track starts within a few seconds.
const MAX_SHORT_GAP_MS: u64 = 4_000;
/// The chance that a gap between plays is a break that ends the session.
const BREAK_CHANCE: f64 = 0.08;
/// The chance of leaving the current playlist/album/artist after a play.
const CONTEXT_SWITCH_CHANCE: f64 = 0.05;
/// Share of plays whose end falls on a whole second, so `played_at` is printed without
/// milliseconds now and then.
const WHOLE_SECOND_SHARE: f64 = 0.1;

/// How one user listens.
#[derive(Debug, Clone, PartialEq)]
pub struct ListeningProfile {
    pub seed: u64,
    /// Long-run average; 0 means the user never listens. Rates above about 90 are not
    /// reachable because every play lasts more than 30 s.
    pub plays_per_hour: f64,
    /// Seed of the catalogue the tracks come from (shared by all users of a simulator).
    pub catalogue_seed: u64,
    /// Share of plays that are local files.
    pub local_file_share: f64,
    /// Chance that a fully played track is immediately played again.
    pub repeat_share: f64,
}

impl Default for ListeningProfile {
    fn default() -> Self {
        Self {
            seed: 1,
            plays_per_hour: 20.0,
            catalogue_seed: DEFAULT_CATALOGUE_SEED,
            local_file_share: 0.05,
            repeat_share: 0.03,
        }
    }
}

/// One entry of a user's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Play {
    /// When the play ended, in Unix milliseconds.
    pub played_at_ms: i64,
    pub track: Track,
    /// `spotify:playlist:…`, `spotify:album:…` or `spotify:artist:…`; `None` when the play
    /// had no context (a search result, a local file).
    pub context_uri: Option<String>,
}

/// A user's plays, generated lazily up to the latest `now` asked about and cached.
#[derive(Debug, Clone)]
pub struct ListeningStream {
    generator: Option<Generator>,
    /// The next generated play, not yet ended at the last `now` asked about.
    pending: Option<Play>,
    /// Every generated play up to the horizon and every injected play, by `played_at_ms`,
    /// each `played_at_ms` unique.
    plays: Vec<Play>,
}

impl ListeningStream {
    /// A stream whose first play starts at `start_ms`.
    pub fn new(profile: ListeningProfile, start_ms: i64) -> Self {
        let catalogue = Arc::new(Catalogue::generate(profile.catalogue_seed));
        Self::with_catalogue(profile, start_ms, catalogue)
    }

    /// Like [`ListeningStream::new`] but drawing from an existing catalogue, so users of one
    /// simulator share it instead of each building their own. `profile.catalogue_seed` is
    /// ignored.
    pub fn with_catalogue(
        profile: ListeningProfile,
        start_ms: i64,
        catalogue: Arc<Catalogue>,
    ) -> Self {
        let generator = (profile.plays_per_hour.is_finite() && profile.plays_per_hour > 0.0)
            .then(|| Generator::new(&profile, start_ms, catalogue));
        Self {
            generator,
            pending: None,
            plays: Vec::new(),
        }
    }

    /// Every play that has ended at or before `now_ms`, oldest first (generated lazily, cached).
    pub fn plays_until(&mut self, now_ms: i64) -> &[Play] {
        if let Some(generator) = self.generator.as_mut() {
            loop {
                let next = self.pending.take().unwrap_or_else(|| generator.next_play());
                if next.played_at_ms > now_ms {
                    self.pending = Some(next);
                    break;
                }
                insert_unique(&mut self.plays, next);
            }
        }
        let visible = self
            .plays
            .partition_point(|play| play.played_at_ms <= now_ms);
        &self.plays[..visible]
    }

    /// Adds plays to the history, keeping time order. Two plays never share a `played_at`
    /// (clients key on it), so a play landing on an occupied millisecond is moved 1 ms later.
    pub fn inject(&mut self, plays: Vec<Play>) {
        for play in plays {
            self.inject_play(play);
        }
    }

    /// Adds one play like [`ListeningStream::inject`] and returns the `played_at_ms` it was
    /// stored under.
    pub fn inject_play(&mut self, play: Play) -> i64 {
        insert_unique(&mut self.plays, play)
    }
}

fn insert_unique(plays: &mut Vec<Play>, mut play: Play) -> i64 {
    while plays
        .binary_search_by_key(&play.played_at_ms, |existing| existing.played_at_ms)
        .is_ok()
    {
        play.played_at_ms += 1;
    }
    // Generated plays arrive in order, so this is almost always a push.
    let played_at_ms = play.played_at_ms;
    let position = plays.partition_point(|existing| existing.played_at_ms < played_at_ms);
    plays.insert(position, play);
    played_at_ms
}

/// `count` plays of tracks from the default catalogue, the last ending at `ending_at_ms` and
/// each ending `spacing_ms` after the one before; oldest first. For injection in tests.
pub fn make_plays(seed: u64, count: usize, ending_at_ms: i64, spacing_ms: i64) -> Vec<Play> {
    make_plays_from(
        &Catalogue::generate(DEFAULT_CATALOGUE_SEED),
        seed,
        count,
        ending_at_ms,
        spacing_ms,
    )
}

/// [`make_plays`] drawing from a given catalogue.
pub fn make_plays_from(
    catalogue: &Catalogue,
    seed: u64,
    count: usize,
    ending_at_ms: i64,
    spacing_ms: i64,
) -> Vec<Play> {
    let mut rng = SplitMix64::derived(seed, "injected plays");
    let local_share = ListeningProfile::default().local_file_share;
    (0..count)
        .map(|index| {
            let steps_back = i64::try_from(count - 1 - index).unwrap_or(i64::MAX);
            let (track, context_uri) = if rng.chance(local_share) {
                (pick(&mut rng, catalogue.local_files()).clone(), None)
            } else {
                let playlists = catalogue.playlist_uris();
                let context = rng.chance(0.7).then(|| pick(&mut rng, playlists).clone());
                (pick(&mut rng, catalogue.tracks()).clone(), context)
            };
            Play {
                played_at_ms: ending_at_ms.saturating_sub(steps_back.saturating_mul(spacing_ms)),
                track,
                context_uri,
            }
        })
        .collect()
}

fn pick<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> &'a T {
    &items[rng.index(items.len())]
}

/// Where the next tracks come from.
#[derive(Debug, Clone)]
enum Context {
    /// Random tracks with no context (search results, a radio without a uri).
    Loose,
    Playlist(usize),
    /// An album played in order from `next` on.
    Album {
        album: usize,
        next: usize,
    },
    Artist(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TrackRef {
    Catalogue(usize),
    Local(usize),
}

/// The pacing derived from a target rate: how often to skip and how long breaks last.
#[derive(Debug, Clone)]
struct Pace {
    skip_burst_chance: f64,
    mean_break_ms: f64,
    max_short_gap_ms: u64,
}

impl Pace {
    fn for_rate(plays_per_hour: f64, mean_track_ms: f64) -> Self {
        let target_interval_ms = 3_600_000.0 / plays_per_hour;
        let mean_skip_ms = (SKIP_MIN_MS + SKIP_MAX_MS) as f64 / 2.0;
        // Fast listeners can only fit their rate by skipping more: pick the skip share that
        // brings the mean play length down to the target interval.
        let skip_share = ((mean_track_ms - target_interval_ms) / (mean_track_ms - mean_skip_ms))
            .clamp(BASE_SKIP_SHARE, 1.0);
        // Skip bursts of mean length B starting with chance c per non-skipped play give a
        // skip share of cB / (1 - c + cB); solved for c.
        let skip_burst_chance =
            skip_share / (MEAN_SKIP_BURST - (MEAN_SKIP_BURST - 1.0) * skip_share);
        let mean_play_ms = skip_share * mean_skip_ms + (1.0 - skip_share) * mean_track_ms;
        let mean_gap_ms = (target_interval_ms - mean_play_ms).max(0.0);
        let mean_short_gap_ms = MAX_SHORT_GAP_MS as f64 / 2.0;
        if mean_gap_ms <= mean_short_gap_ms {
            // Back to back, no breaks at all.
            return Self {
                skip_burst_chance,
                mean_break_ms: 0.0,
                max_short_gap_ms: (2.0 * mean_gap_ms) as u64,
            };
        }
        Self {
            skip_burst_chance,
            mean_break_ms: (mean_gap_ms - (1.0 - BREAK_CHANCE) * mean_short_gap_ms) / BREAK_CHANCE,
            max_short_gap_ms: MAX_SHORT_GAP_MS,
        }
    }
}

#[derive(Debug, Clone)]
struct Generator {
    rng: SplitMix64,
    catalogue: Arc<Catalogue>,
    pace: Pace,
    local_file_share: f64,
    repeat_share: f64,
    /// When the previous play ended.
    cursor_ms: i64,
    context: Context,
    skips_left: u32,
    /// The previous track, if it was played to the end (only those get repeated).
    repeatable: Option<TrackRef>,
}

impl Generator {
    fn new(profile: &ListeningProfile, start_ms: i64, catalogue: Arc<Catalogue>) -> Self {
        let mut rng = SplitMix64::derived(profile.seed, "listening");
        let pace = Pace::for_rate(profile.plays_per_hour, catalogue.mean_duration_ms());
        let context = random_context(&mut rng, &catalogue);
        Self {
            rng,
            catalogue,
            pace,
            local_file_share: profile.local_file_share,
            repeat_share: profile.repeat_share,
            cursor_ms: start_ms,
            context,
            skips_left: 0,
            repeatable: None,
        }
    }

    fn next_play(&mut self) -> Play {
        let gap_ms = self.next_gap_ms();
        if gap_ms > MAX_SHORT_GAP_MS as i64 || self.rng.chance(CONTEXT_SWITCH_CHANCE) {
            // A new session, or a change of mind: listen to something else.
            self.context = random_context(&mut self.rng, &self.catalogue);
        }

        let (track_ref, context_uri) = self.next_track();
        let track = self.track(track_ref).clone();
        let skipped = self.next_is_skip();
        let played_ms = if skipped {
            self.rng
                .between(SKIP_MIN_MS, SKIP_MAX_MS)
                .min(u64::from(track.duration_ms))
        } else {
            u64::from(track.duration_ms)
        };
        self.repeatable = (!skipped).then_some(track_ref);

        let mut end_ms = self.cursor_ms + gap_ms + played_ms as i64;
        if self.rng.chance(WHOLE_SECOND_SHARE) {
            // Shortens the play by under a second: it still lasts more than 30 s.
            end_ms -= end_ms.rem_euclid(1000);
        }
        self.cursor_ms = end_ms;
        Play {
            played_at_ms: end_ms,
            track,
            context_uri,
        }
    }

    fn next_gap_ms(&mut self) -> i64 {
        let gap = if self.pace.mean_break_ms > 0.0 && self.rng.chance(BREAK_CHANCE) {
            // Breaks are at least a minute so they always end the session.
            60_000.0f64.max(self.rng.exponential(self.pace.mean_break_ms)) as u64
        } else {
            self.rng.between(0, self.pace.max_short_gap_ms)
        };
        gap as i64
    }

    fn next_is_skip(&mut self) -> bool {
        if self.skips_left > 0 {
            self.skips_left -= 1;
            return true;
        }
        if self.rng.chance(self.pace.skip_burst_chance) {
            self.skips_left = self.rng.between(1, 4) as u32;
            return true;
        }
        false
    }

    fn next_track(&mut self) -> (TrackRef, Option<String>) {
        if let Some(previous) = self.repeatable {
            if self.rng.chance(self.repeat_share) {
                let context = match previous {
                    TrackRef::Catalogue(_) => self.context_uri(),
                    TrackRef::Local(_) => None,
                };
                return (previous, context);
            }
        }
        if self.rng.chance(self.local_file_share) {
            let local = self.rng.index(self.catalogue.local_files().len());
            return (TrackRef::Local(local), None);
        }
        let track = match self.context {
            Context::Loose | Context::Playlist(_) => self.rng.index(self.catalogue.tracks().len()),
            Context::Artist(artist) => {
                let tracks = self.catalogue.artist_tracks(artist);
                tracks[self.rng.index(tracks.len())]
            }
            Context::Album { album, next } => {
                // When the album is over the listener starts another one from the top.
                let (album, position) = match self.catalogue.album_track(album, next) {
                    Some(_) => (album, next),
                    None => (self.rng.index(self.catalogue.album_count()), 0),
                };
                self.context = Context::Album {
                    album,
                    next: position + 1,
                };
                // Every album has at least one track, so position 0 always exists.
                self.catalogue
                    .album_track(album, position)
                    .unwrap_or_default()
            }
        };
        (TrackRef::Catalogue(track), self.context_uri())
    }

    fn context_uri(&self) -> Option<String> {
        match &self.context {
            Context::Loose => None,
            Context::Playlist(playlist) => Some(self.catalogue.playlist_uris()[*playlist].clone()),
            Context::Album { album, .. } => Some(self.catalogue.album_uri(*album).to_owned()),
            Context::Artist(artist) => Some(self.catalogue.artist_uri(*artist).to_owned()),
        }
    }

    fn track(&self, track: TrackRef) -> &Track {
        match track {
            TrackRef::Catalogue(index) => &self.catalogue.tracks()[index],
            TrackRef::Local(index) => &self.catalogue.local_files()[index],
        }
    }
}

fn random_context(rng: &mut SplitMix64, catalogue: &Catalogue) -> Context {
    let roll = rng.next_f64();
    if roll < 0.4 {
        Context::Playlist(rng.index(catalogue.playlist_uris().len()))
    } else if roll < 0.7 {
        let album = rng.index(catalogue.album_count());
        Context::Album { album, next: 0 }
    } else if roll < 0.8 {
        // Only artists with tracks of their own can be played from their page.
        let artist = rng.index(catalogue.artist_count());
        if catalogue.artist_tracks(artist).is_empty() {
            Context::Loose
        } else {
            Context::Artist(artist)
        }
    } else {
        Context::Loose
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;
    const DAY_MS: i64 = 24 * HOUR_MS;
    const START_MS: i64 = 1_795_000_000_000;

    fn profile(seed: u64, plays_per_hour: f64) -> ListeningProfile {
        ListeningProfile {
            seed,
            plays_per_hour,
            ..ListeningProfile::default()
        }
    }

    #[test]
    fn a_seed_always_produces_the_same_plays() {
        let mut a = ListeningStream::new(profile(7, 20.0), START_MS);
        let mut b = ListeningStream::new(profile(7, 20.0), START_MS);
        assert_eq!(
            a.plays_until(START_MS + DAY_MS),
            b.plays_until(START_MS + DAY_MS)
        );

        let mut other = ListeningStream::new(profile(8, 20.0), START_MS);
        assert_ne!(
            a.plays_until(START_MS + DAY_MS),
            other.plays_until(START_MS + DAY_MS)
        );
    }

    #[test]
    fn asking_in_small_steps_gives_the_same_history_as_asking_once() {
        let mut stepped = ListeningStream::new(profile(3, 20.0), START_MS);
        for hour in 0..=6 {
            stepped.plays_until(START_MS + hour * HOUR_MS);
        }
        let mut once = ListeningStream::new(profile(3, 20.0), START_MS);
        assert_eq!(
            stepped.plays_until(START_MS + 6 * HOUR_MS),
            once.plays_until(START_MS + 6 * HOUR_MS)
        );
    }

    #[test]
    fn the_rate_roughly_matches_plays_per_hour_over_days() {
        for plays_per_hour in [6.0, 20.0, 45.0] {
            let mut total = 0usize;
            for seed in 0..4 {
                let mut stream = ListeningStream::new(profile(seed, plays_per_hour), START_MS);
                total += stream.plays_until(START_MS + 3 * DAY_MS).len();
            }
            let expected = plays_per_hour * 24.0 * 3.0 * 4.0;
            let ratio = total as f64 / expected;
            assert!(
                (0.85..1.15).contains(&ratio),
                "{plays_per_hour}/h: {total} plays, expected ~{expected}"
            );
        }
    }

    #[test]
    fn a_user_who_never_listens_has_no_plays() {
        let mut stream = ListeningStream::new(profile(1, 0.0), START_MS);
        assert!(stream.plays_until(START_MS + DAY_MS).is_empty());
    }

    #[test]
    fn only_plays_that_have_ended_are_returned() {
        let mut stream = ListeningStream::new(profile(4, 20.0), START_MS);
        let now = START_MS + 2 * HOUR_MS + 123;
        let plays = stream.plays_until(now);
        assert!(!plays.is_empty());
        assert!(plays.iter().all(|play| play.played_at_ms <= now));
        assert!(plays
            .windows(2)
            .all(|pair| pair[0].played_at_ms < pair[1].played_at_ms));
        // The first play starts at the stream's start, so it cannot end before 31 s later.
        assert!(plays[0].played_at_ms >= START_MS + 31_000);
    }

    #[test]
    fn every_play_lasts_longer_than_thirty_seconds() {
        let mut stream = ListeningStream::new(profile(5, 60.0), START_MS);
        let plays = stream.plays_until(START_MS + DAY_MS);
        for pair in plays.windows(2) {
            assert!(pair[1].played_at_ms - pair[0].played_at_ms > 30_000);
        }
    }

    #[test]
    fn the_history_has_local_files_multi_artist_tracks_skips_repeats_and_whole_seconds() {
        let mut stream = ListeningStream::new(profile(11, 20.0), START_MS);
        let plays = stream.plays_until(START_MS + 3 * DAY_MS).to_vec();
        let share = |count: usize| count as f64 / plays.len() as f64;

        let local = plays.iter().filter(|p| p.track.is_local).count();
        assert!(
            (0.02..0.09).contains(&share(local)),
            "local share {}",
            share(local)
        );
        assert!(plays
            .iter()
            .filter(|p| p.track.is_local)
            .all(|p| p.track.id.is_none()));

        let multi_artist = plays.iter().filter(|p| p.track.artists.len() > 1).count();
        assert!(
            (0.1..0.35).contains(&share(multi_artist)),
            "multi-artist share {}",
            share(multi_artist)
        );

        let repeats = plays
            .windows(2)
            .filter(|w| w[0].track.uri == w[1].track.uri)
            .count();
        assert!(repeats > 0);

        let whole_seconds = plays.iter().filter(|p| p.played_at_ms % 1000 == 0).count();
        assert!((0.05..0.2).contains(&share(whole_seconds)));

        let skips = plays
            .windows(2)
            .filter(|w| w[1].played_at_ms - w[0].played_at_ms <= 45_000 + MAX_SHORT_GAP_MS as i64)
            .count();
        assert!(skips > 0);

        assert!(plays.iter().any(|p| p.context_uri.is_none()));
        assert!(plays.iter().any(|p| p
            .context_uri
            .as_deref()
            .is_some_and(|c| c.starts_with("spotify:playlist:"))));
        assert!(plays.iter().any(|p| p
            .context_uri
            .as_deref()
            .is_some_and(|c| c.starts_with("spotify:album:"))));
    }

    #[test]
    fn injected_plays_are_merged_in_time_order() {
        let mut stream = ListeningStream::new(profile(2, 20.0), START_MS);
        let generated = stream.plays_until(START_MS + HOUR_MS).len();
        stream.inject(make_plays(9, 5, START_MS + 30 * 60_000, 60_000));
        let plays = stream.plays_until(START_MS + HOUR_MS);
        assert_eq!(plays.len(), generated + 5);
        assert!(plays
            .windows(2)
            .all(|pair| pair[0].played_at_ms < pair[1].played_at_ms));
    }

    #[test]
    fn injected_plays_in_the_future_appear_once_they_have_ended() {
        let mut stream = ListeningStream::new(profile(2, 0.0), START_MS);
        stream.inject(make_plays(1, 1, START_MS + 10_000, 60_000));
        assert!(stream.plays_until(START_MS + 9_999).is_empty());
        assert_eq!(stream.plays_until(START_MS + 10_000).len(), 1);
    }

    #[test]
    fn a_play_injected_on_an_occupied_millisecond_moves_one_later() {
        let mut stream = ListeningStream::new(profile(2, 0.0), START_MS);
        stream.inject(make_plays(1, 1, START_MS, 60_000));
        stream.inject(make_plays(2, 1, START_MS, 60_000));
        let times: Vec<i64> = stream
            .plays_until(START_MS + 1)
            .iter()
            .map(|p| p.played_at_ms)
            .collect();
        assert_eq!(times, vec![START_MS, START_MS + 1]);
    }

    #[test]
    fn make_plays_spaces_plays_backwards_from_the_end() {
        let plays = make_plays(3, 3, 1_000_000, 60_000);
        let times: Vec<i64> = plays.iter().map(|p| p.played_at_ms).collect();
        assert_eq!(times, vec![880_000, 940_000, 1_000_000]);
        assert_eq!(make_plays(3, 3, 1_000_000, 60_000), plays);
    }
}
