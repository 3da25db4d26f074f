-- Year in review: when each user first heard each track, so that "discoveries" (the
-- tracks and artists first heard in a range) read the range's first hearings through an
-- index instead of the user's whole archive on every view (src/store/review.rs).
--
-- One row per user and track ever played as music (kind 0), whatever the source: polls
-- and every import (Spotify's exports, Last.fm, ListenBrainz) insert into play_events, and
-- the trigger below keeps the earliest instant. Episodes and audiobooks are not music and
-- are not counted.
CREATE TABLE track_firsts (
    user_key  INTEGER NOT NULL,                 -- users.key
    track_key INTEGER NOT NULL,                 -- tracks.key
    first_at  INTEGER NOT NULL,                 -- the earliest played_at of the track's plays, Unix ms
    PRIMARY KEY (user_key, track_key)
) WITHOUT ROWID;

-- A range's first hearings: (user, first_at) ranges, and the hearings before a range (the
-- artists already known) as a prefix of the same index.
CREATE INDEX track_firsts_first_at ON track_firsts (user_key, first_at);

-- Kept by the statement that inserts the play (the archive's batch, an import's chunk):
-- a crash can never store a play without its first hearing. A track the user has heard
-- before costs one probe of the primary key and writes nothing (the upsert's WHERE is
-- false); only a play earlier than the known first hearing (an import of older history)
-- moves it. A repeat the primary key of play_events absorbs fires nothing.
CREATE TRIGGER play_events_track_first AFTER INSERT ON play_events
WHEN NEW.kind = 0
BEGIN
    INSERT INTO track_firsts (user_key, track_key, first_at)
    VALUES (NEW.user_key, NEW.track_key, NEW.played_at)
    ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
     WHERE excluded.first_at < track_firsts.first_at;
END;

-- The archive so far, a user (or a few) at a time: each statement reads its users' plays
-- through the primary key of play_events (a prefix range) and groups them by track, so
-- its cost is the plays of those users, never the whole table. A user of ten heavy years
-- (400,000 plays) is far below D1's 30 s a statement (the compact migration copied
-- 100,000 plays with four joins in at most 3.9 s, docs/operations.md). Users 1 to 100
-- one each, 101 to 1,000 in groups of 25, then the rest together (tests/year_review.rs
-- checks that the chunks meet without a gap). The upsert keeps the minimum, so the
-- statements may run in any order and alongside the trigger.

-- Users 1.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 1 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 2 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 3 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 4 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 5 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 6 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 7 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 8 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 9 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 10.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 10 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 11.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 11 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 12.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 12 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 13.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 13 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 14.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 14 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 15.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 15 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 16.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 16 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 17.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 17 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 18.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 18 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 19.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 19 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 20.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 20 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 21.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 21 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 22.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 22 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 23.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 23 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 24.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 24 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 25.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 25 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 26.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 26 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 27.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 27 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 28.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 28 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 29.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 29 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 30.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 30 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 31.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 31 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 32.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 32 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 33.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 33 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 34.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 34 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 35.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 35 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 36.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 36 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 37.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 37 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 38.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 38 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 39.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 39 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 40.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 40 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 41.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 41 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 42.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 42 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 43.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 43 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 44.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 44 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 45.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 45 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 46.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 46 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 47.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 47 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 48.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 48 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 49.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 49 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 50.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 50 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 51.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 51 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 52.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 52 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 53.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 53 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 54.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 54 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 55.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 55 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 56.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 56 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 57.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 57 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 58.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 58 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 59.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 59 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 60.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 60 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 61.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 61 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 62.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 62 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 63.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 63 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 64.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 64 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 65.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 65 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 66.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 66 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 67.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 67 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 68.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 68 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 69.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 69 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 70.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 70 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 71.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 71 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 72.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 72 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 73.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 73 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 74.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 74 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 75.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 75 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 76.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 76 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 77.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 77 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 78.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 78 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 79.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 79 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 80.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 80 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 81.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 81 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 82.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 82 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 83.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 83 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 84.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 84 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 85.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 85 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 86.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 86 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 87.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 87 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 88.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 88 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 89.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 89 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 90.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 90 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 91.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 91 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 92.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 92 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 93.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 93 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 94.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 94 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 95.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 95 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 96.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 96 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 97.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 97 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 98.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 98 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 99.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 99 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key = 100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 101 to 125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 101 AND 125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 126 to 150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 126 AND 150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 151 to 175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 151 AND 175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 176 to 200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 176 AND 200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 201 to 225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 201 AND 225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 226 to 250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 226 AND 250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 251 to 275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 251 AND 275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 276 to 300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 276 AND 300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 301 to 325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 301 AND 325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 326 to 350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 326 AND 350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 351 to 375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 351 AND 375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 376 to 400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 376 AND 400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 401 to 425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 401 AND 425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 426 to 450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 426 AND 450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 451 to 475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 451 AND 475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 476 to 500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 476 AND 500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 501 to 525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 501 AND 525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 526 to 550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 526 AND 550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 551 to 575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 551 AND 575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 576 to 600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 576 AND 600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 601 to 625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 601 AND 625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 626 to 650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 626 AND 650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 651 to 675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 651 AND 675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 676 to 700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 676 AND 700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 701 to 725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 701 AND 725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 726 to 750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 726 AND 750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 751 to 775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 751 AND 775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 776 to 800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 776 AND 800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 801 to 825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 801 AND 825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 826 to 850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 826 AND 850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 851 to 875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 851 AND 875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 876 to 900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 876 AND 900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 901 to 925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 901 AND 925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 926 to 950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 926 AND 950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 951 to 975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 951 AND 975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 976 to 1000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 976 AND 1000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users past 1,000, all at once.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key > 1000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;
