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
-- one each, 101 to 10,000 in groups of 25, 10,001 to 100,000 in groups of 250, then the
-- rest together (tests/year_review.rs checks that the chunks meet without a gap). The upsert keeps the minimum, so the
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

-- Users 1001 to 1025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1001 AND 1025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1026 to 1050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1026 AND 1050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1051 to 1075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1051 AND 1075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1076 to 1100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1076 AND 1100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1101 to 1125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1101 AND 1125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1126 to 1150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1126 AND 1150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1151 to 1175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1151 AND 1175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1176 to 1200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1176 AND 1200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1201 to 1225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1201 AND 1225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1226 to 1250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1226 AND 1250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1251 to 1275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1251 AND 1275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1276 to 1300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1276 AND 1300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1301 to 1325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1301 AND 1325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1326 to 1350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1326 AND 1350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1351 to 1375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1351 AND 1375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1376 to 1400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1376 AND 1400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1401 to 1425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1401 AND 1425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1426 to 1450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1426 AND 1450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1451 to 1475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1451 AND 1475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1476 to 1500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1476 AND 1500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1501 to 1525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1501 AND 1525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1526 to 1550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1526 AND 1550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1551 to 1575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1551 AND 1575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1576 to 1600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1576 AND 1600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1601 to 1625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1601 AND 1625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1626 to 1650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1626 AND 1650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1651 to 1675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1651 AND 1675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1676 to 1700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1676 AND 1700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1701 to 1725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1701 AND 1725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1726 to 1750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1726 AND 1750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1751 to 1775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1751 AND 1775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1776 to 1800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1776 AND 1800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1801 to 1825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1801 AND 1825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1826 to 1850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1826 AND 1850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1851 to 1875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1851 AND 1875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1876 to 1900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1876 AND 1900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1901 to 1925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1901 AND 1925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1926 to 1950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1926 AND 1950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1951 to 1975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1951 AND 1975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 1976 to 2000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 1976 AND 2000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2001 to 2025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2001 AND 2025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2026 to 2050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2026 AND 2050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2051 to 2075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2051 AND 2075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2076 to 2100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2076 AND 2100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2101 to 2125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2101 AND 2125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2126 to 2150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2126 AND 2150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2151 to 2175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2151 AND 2175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2176 to 2200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2176 AND 2200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2201 to 2225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2201 AND 2225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2226 to 2250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2226 AND 2250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2251 to 2275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2251 AND 2275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2276 to 2300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2276 AND 2300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2301 to 2325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2301 AND 2325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2326 to 2350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2326 AND 2350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2351 to 2375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2351 AND 2375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2376 to 2400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2376 AND 2400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2401 to 2425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2401 AND 2425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2426 to 2450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2426 AND 2450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2451 to 2475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2451 AND 2475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2476 to 2500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2476 AND 2500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2501 to 2525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2501 AND 2525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2526 to 2550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2526 AND 2550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2551 to 2575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2551 AND 2575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2576 to 2600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2576 AND 2600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2601 to 2625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2601 AND 2625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2626 to 2650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2626 AND 2650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2651 to 2675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2651 AND 2675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2676 to 2700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2676 AND 2700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2701 to 2725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2701 AND 2725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2726 to 2750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2726 AND 2750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2751 to 2775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2751 AND 2775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2776 to 2800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2776 AND 2800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2801 to 2825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2801 AND 2825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2826 to 2850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2826 AND 2850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2851 to 2875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2851 AND 2875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2876 to 2900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2876 AND 2900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2901 to 2925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2901 AND 2925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2926 to 2950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2926 AND 2950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2951 to 2975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2951 AND 2975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 2976 to 3000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 2976 AND 3000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3001 to 3025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3001 AND 3025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3026 to 3050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3026 AND 3050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3051 to 3075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3051 AND 3075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3076 to 3100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3076 AND 3100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3101 to 3125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3101 AND 3125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3126 to 3150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3126 AND 3150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3151 to 3175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3151 AND 3175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3176 to 3200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3176 AND 3200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3201 to 3225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3201 AND 3225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3226 to 3250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3226 AND 3250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3251 to 3275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3251 AND 3275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3276 to 3300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3276 AND 3300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3301 to 3325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3301 AND 3325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3326 to 3350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3326 AND 3350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3351 to 3375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3351 AND 3375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3376 to 3400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3376 AND 3400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3401 to 3425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3401 AND 3425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3426 to 3450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3426 AND 3450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3451 to 3475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3451 AND 3475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3476 to 3500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3476 AND 3500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3501 to 3525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3501 AND 3525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3526 to 3550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3526 AND 3550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3551 to 3575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3551 AND 3575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3576 to 3600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3576 AND 3600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3601 to 3625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3601 AND 3625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3626 to 3650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3626 AND 3650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3651 to 3675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3651 AND 3675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3676 to 3700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3676 AND 3700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3701 to 3725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3701 AND 3725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3726 to 3750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3726 AND 3750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3751 to 3775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3751 AND 3775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3776 to 3800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3776 AND 3800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3801 to 3825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3801 AND 3825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3826 to 3850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3826 AND 3850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3851 to 3875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3851 AND 3875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3876 to 3900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3876 AND 3900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3901 to 3925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3901 AND 3925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3926 to 3950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3926 AND 3950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3951 to 3975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3951 AND 3975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 3976 to 4000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 3976 AND 4000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4001 to 4025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4001 AND 4025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4026 to 4050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4026 AND 4050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4051 to 4075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4051 AND 4075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4076 to 4100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4076 AND 4100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4101 to 4125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4101 AND 4125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4126 to 4150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4126 AND 4150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4151 to 4175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4151 AND 4175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4176 to 4200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4176 AND 4200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4201 to 4225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4201 AND 4225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4226 to 4250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4226 AND 4250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4251 to 4275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4251 AND 4275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4276 to 4300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4276 AND 4300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4301 to 4325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4301 AND 4325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4326 to 4350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4326 AND 4350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4351 to 4375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4351 AND 4375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4376 to 4400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4376 AND 4400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4401 to 4425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4401 AND 4425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4426 to 4450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4426 AND 4450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4451 to 4475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4451 AND 4475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4476 to 4500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4476 AND 4500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4501 to 4525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4501 AND 4525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4526 to 4550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4526 AND 4550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4551 to 4575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4551 AND 4575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4576 to 4600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4576 AND 4600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4601 to 4625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4601 AND 4625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4626 to 4650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4626 AND 4650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4651 to 4675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4651 AND 4675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4676 to 4700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4676 AND 4700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4701 to 4725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4701 AND 4725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4726 to 4750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4726 AND 4750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4751 to 4775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4751 AND 4775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4776 to 4800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4776 AND 4800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4801 to 4825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4801 AND 4825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4826 to 4850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4826 AND 4850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4851 to 4875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4851 AND 4875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4876 to 4900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4876 AND 4900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4901 to 4925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4901 AND 4925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4926 to 4950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4926 AND 4950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4951 to 4975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4951 AND 4975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 4976 to 5000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 4976 AND 5000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5001 to 5025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5001 AND 5025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5026 to 5050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5026 AND 5050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5051 to 5075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5051 AND 5075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5076 to 5100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5076 AND 5100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5101 to 5125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5101 AND 5125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5126 to 5150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5126 AND 5150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5151 to 5175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5151 AND 5175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5176 to 5200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5176 AND 5200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5201 to 5225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5201 AND 5225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5226 to 5250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5226 AND 5250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5251 to 5275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5251 AND 5275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5276 to 5300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5276 AND 5300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5301 to 5325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5301 AND 5325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5326 to 5350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5326 AND 5350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5351 to 5375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5351 AND 5375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5376 to 5400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5376 AND 5400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5401 to 5425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5401 AND 5425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5426 to 5450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5426 AND 5450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5451 to 5475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5451 AND 5475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5476 to 5500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5476 AND 5500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5501 to 5525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5501 AND 5525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5526 to 5550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5526 AND 5550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5551 to 5575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5551 AND 5575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5576 to 5600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5576 AND 5600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5601 to 5625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5601 AND 5625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5626 to 5650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5626 AND 5650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5651 to 5675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5651 AND 5675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5676 to 5700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5676 AND 5700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5701 to 5725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5701 AND 5725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5726 to 5750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5726 AND 5750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5751 to 5775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5751 AND 5775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5776 to 5800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5776 AND 5800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5801 to 5825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5801 AND 5825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5826 to 5850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5826 AND 5850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5851 to 5875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5851 AND 5875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5876 to 5900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5876 AND 5900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5901 to 5925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5901 AND 5925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5926 to 5950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5926 AND 5950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5951 to 5975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5951 AND 5975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 5976 to 6000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 5976 AND 6000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6001 to 6025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6001 AND 6025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6026 to 6050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6026 AND 6050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6051 to 6075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6051 AND 6075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6076 to 6100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6076 AND 6100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6101 to 6125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6101 AND 6125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6126 to 6150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6126 AND 6150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6151 to 6175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6151 AND 6175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6176 to 6200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6176 AND 6200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6201 to 6225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6201 AND 6225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6226 to 6250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6226 AND 6250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6251 to 6275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6251 AND 6275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6276 to 6300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6276 AND 6300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6301 to 6325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6301 AND 6325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6326 to 6350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6326 AND 6350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6351 to 6375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6351 AND 6375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6376 to 6400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6376 AND 6400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6401 to 6425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6401 AND 6425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6426 to 6450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6426 AND 6450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6451 to 6475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6451 AND 6475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6476 to 6500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6476 AND 6500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6501 to 6525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6501 AND 6525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6526 to 6550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6526 AND 6550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6551 to 6575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6551 AND 6575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6576 to 6600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6576 AND 6600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6601 to 6625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6601 AND 6625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6626 to 6650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6626 AND 6650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6651 to 6675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6651 AND 6675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6676 to 6700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6676 AND 6700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6701 to 6725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6701 AND 6725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6726 to 6750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6726 AND 6750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6751 to 6775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6751 AND 6775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6776 to 6800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6776 AND 6800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6801 to 6825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6801 AND 6825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6826 to 6850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6826 AND 6850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6851 to 6875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6851 AND 6875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6876 to 6900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6876 AND 6900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6901 to 6925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6901 AND 6925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6926 to 6950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6926 AND 6950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6951 to 6975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6951 AND 6975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 6976 to 7000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 6976 AND 7000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7001 to 7025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7001 AND 7025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7026 to 7050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7026 AND 7050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7051 to 7075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7051 AND 7075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7076 to 7100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7076 AND 7100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7101 to 7125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7101 AND 7125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7126 to 7150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7126 AND 7150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7151 to 7175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7151 AND 7175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7176 to 7200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7176 AND 7200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7201 to 7225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7201 AND 7225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7226 to 7250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7226 AND 7250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7251 to 7275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7251 AND 7275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7276 to 7300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7276 AND 7300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7301 to 7325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7301 AND 7325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7326 to 7350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7326 AND 7350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7351 to 7375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7351 AND 7375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7376 to 7400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7376 AND 7400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7401 to 7425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7401 AND 7425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7426 to 7450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7426 AND 7450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7451 to 7475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7451 AND 7475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7476 to 7500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7476 AND 7500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7501 to 7525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7501 AND 7525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7526 to 7550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7526 AND 7550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7551 to 7575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7551 AND 7575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7576 to 7600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7576 AND 7600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7601 to 7625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7601 AND 7625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7626 to 7650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7626 AND 7650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7651 to 7675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7651 AND 7675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7676 to 7700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7676 AND 7700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7701 to 7725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7701 AND 7725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7726 to 7750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7726 AND 7750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7751 to 7775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7751 AND 7775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7776 to 7800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7776 AND 7800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7801 to 7825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7801 AND 7825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7826 to 7850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7826 AND 7850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7851 to 7875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7851 AND 7875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7876 to 7900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7876 AND 7900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7901 to 7925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7901 AND 7925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7926 to 7950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7926 AND 7950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7951 to 7975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7951 AND 7975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 7976 to 8000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 7976 AND 8000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8001 to 8025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8001 AND 8025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8026 to 8050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8026 AND 8050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8051 to 8075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8051 AND 8075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8076 to 8100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8076 AND 8100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8101 to 8125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8101 AND 8125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8126 to 8150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8126 AND 8150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8151 to 8175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8151 AND 8175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8176 to 8200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8176 AND 8200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8201 to 8225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8201 AND 8225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8226 to 8250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8226 AND 8250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8251 to 8275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8251 AND 8275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8276 to 8300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8276 AND 8300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8301 to 8325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8301 AND 8325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8326 to 8350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8326 AND 8350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8351 to 8375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8351 AND 8375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8376 to 8400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8376 AND 8400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8401 to 8425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8401 AND 8425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8426 to 8450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8426 AND 8450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8451 to 8475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8451 AND 8475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8476 to 8500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8476 AND 8500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8501 to 8525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8501 AND 8525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8526 to 8550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8526 AND 8550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8551 to 8575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8551 AND 8575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8576 to 8600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8576 AND 8600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8601 to 8625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8601 AND 8625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8626 to 8650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8626 AND 8650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8651 to 8675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8651 AND 8675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8676 to 8700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8676 AND 8700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8701 to 8725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8701 AND 8725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8726 to 8750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8726 AND 8750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8751 to 8775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8751 AND 8775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8776 to 8800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8776 AND 8800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8801 to 8825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8801 AND 8825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8826 to 8850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8826 AND 8850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8851 to 8875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8851 AND 8875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8876 to 8900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8876 AND 8900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8901 to 8925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8901 AND 8925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8926 to 8950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8926 AND 8950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8951 to 8975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8951 AND 8975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 8976 to 9000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 8976 AND 9000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9001 to 9025.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9001 AND 9025 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9026 to 9050.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9026 AND 9050 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9051 to 9075.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9051 AND 9075 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9076 to 9100.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9076 AND 9100 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9101 to 9125.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9101 AND 9125 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9126 to 9150.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9126 AND 9150 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9151 to 9175.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9151 AND 9175 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9176 to 9200.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9176 AND 9200 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9201 to 9225.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9201 AND 9225 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9226 to 9250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9226 AND 9250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9251 to 9275.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9251 AND 9275 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9276 to 9300.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9276 AND 9300 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9301 to 9325.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9301 AND 9325 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9326 to 9350.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9326 AND 9350 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9351 to 9375.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9351 AND 9375 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9376 to 9400.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9376 AND 9400 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9401 to 9425.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9401 AND 9425 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9426 to 9450.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9426 AND 9450 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9451 to 9475.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9451 AND 9475 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9476 to 9500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9476 AND 9500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9501 to 9525.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9501 AND 9525 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9526 to 9550.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9526 AND 9550 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9551 to 9575.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9551 AND 9575 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9576 to 9600.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9576 AND 9600 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9601 to 9625.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9601 AND 9625 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9626 to 9650.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9626 AND 9650 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9651 to 9675.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9651 AND 9675 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9676 to 9700.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9676 AND 9700 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9701 to 9725.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9701 AND 9725 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9726 to 9750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9726 AND 9750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9751 to 9775.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9751 AND 9775 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9776 to 9800.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9776 AND 9800 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9801 to 9825.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9801 AND 9825 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9826 to 9850.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9826 AND 9850 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9851 to 9875.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9851 AND 9875 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9876 to 9900.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9876 AND 9900 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9901 to 9925.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9901 AND 9925 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9926 to 9950.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9926 AND 9950 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9951 to 9975.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9951 AND 9975 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 9976 to 10000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 9976 AND 10000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 10001 to 10250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 10001 AND 10250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 10251 to 10500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 10251 AND 10500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 10501 to 10750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 10501 AND 10750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 10751 to 11000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 10751 AND 11000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 11001 to 11250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 11001 AND 11250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 11251 to 11500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 11251 AND 11500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 11501 to 11750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 11501 AND 11750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 11751 to 12000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 11751 AND 12000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 12001 to 12250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 12001 AND 12250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 12251 to 12500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 12251 AND 12500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 12501 to 12750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 12501 AND 12750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 12751 to 13000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 12751 AND 13000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 13001 to 13250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 13001 AND 13250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 13251 to 13500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 13251 AND 13500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 13501 to 13750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 13501 AND 13750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 13751 to 14000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 13751 AND 14000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 14001 to 14250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 14001 AND 14250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 14251 to 14500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 14251 AND 14500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 14501 to 14750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 14501 AND 14750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 14751 to 15000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 14751 AND 15000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 15001 to 15250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 15001 AND 15250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 15251 to 15500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 15251 AND 15500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 15501 to 15750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 15501 AND 15750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 15751 to 16000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 15751 AND 16000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 16001 to 16250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 16001 AND 16250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 16251 to 16500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 16251 AND 16500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 16501 to 16750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 16501 AND 16750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 16751 to 17000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 16751 AND 17000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 17001 to 17250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 17001 AND 17250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 17251 to 17500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 17251 AND 17500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 17501 to 17750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 17501 AND 17750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 17751 to 18000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 17751 AND 18000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 18001 to 18250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 18001 AND 18250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 18251 to 18500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 18251 AND 18500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 18501 to 18750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 18501 AND 18750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 18751 to 19000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 18751 AND 19000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 19001 to 19250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 19001 AND 19250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 19251 to 19500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 19251 AND 19500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 19501 to 19750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 19501 AND 19750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 19751 to 20000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 19751 AND 20000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 20001 to 20250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 20001 AND 20250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 20251 to 20500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 20251 AND 20500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 20501 to 20750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 20501 AND 20750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 20751 to 21000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 20751 AND 21000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 21001 to 21250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 21001 AND 21250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 21251 to 21500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 21251 AND 21500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 21501 to 21750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 21501 AND 21750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 21751 to 22000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 21751 AND 22000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 22001 to 22250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 22001 AND 22250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 22251 to 22500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 22251 AND 22500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 22501 to 22750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 22501 AND 22750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 22751 to 23000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 22751 AND 23000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 23001 to 23250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 23001 AND 23250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 23251 to 23500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 23251 AND 23500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 23501 to 23750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 23501 AND 23750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 23751 to 24000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 23751 AND 24000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 24001 to 24250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 24001 AND 24250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 24251 to 24500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 24251 AND 24500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 24501 to 24750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 24501 AND 24750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 24751 to 25000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 24751 AND 25000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 25001 to 25250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 25001 AND 25250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 25251 to 25500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 25251 AND 25500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 25501 to 25750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 25501 AND 25750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 25751 to 26000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 25751 AND 26000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 26001 to 26250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 26001 AND 26250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 26251 to 26500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 26251 AND 26500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 26501 to 26750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 26501 AND 26750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 26751 to 27000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 26751 AND 27000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 27001 to 27250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 27001 AND 27250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 27251 to 27500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 27251 AND 27500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 27501 to 27750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 27501 AND 27750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 27751 to 28000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 27751 AND 28000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 28001 to 28250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 28001 AND 28250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 28251 to 28500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 28251 AND 28500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 28501 to 28750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 28501 AND 28750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 28751 to 29000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 28751 AND 29000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 29001 to 29250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 29001 AND 29250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 29251 to 29500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 29251 AND 29500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 29501 to 29750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 29501 AND 29750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 29751 to 30000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 29751 AND 30000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 30001 to 30250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 30001 AND 30250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 30251 to 30500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 30251 AND 30500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 30501 to 30750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 30501 AND 30750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 30751 to 31000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 30751 AND 31000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 31001 to 31250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 31001 AND 31250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 31251 to 31500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 31251 AND 31500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 31501 to 31750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 31501 AND 31750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 31751 to 32000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 31751 AND 32000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 32001 to 32250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 32001 AND 32250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 32251 to 32500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 32251 AND 32500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 32501 to 32750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 32501 AND 32750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 32751 to 33000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 32751 AND 33000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 33001 to 33250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 33001 AND 33250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 33251 to 33500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 33251 AND 33500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 33501 to 33750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 33501 AND 33750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 33751 to 34000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 33751 AND 34000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 34001 to 34250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 34001 AND 34250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 34251 to 34500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 34251 AND 34500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 34501 to 34750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 34501 AND 34750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 34751 to 35000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 34751 AND 35000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 35001 to 35250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 35001 AND 35250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 35251 to 35500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 35251 AND 35500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 35501 to 35750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 35501 AND 35750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 35751 to 36000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 35751 AND 36000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 36001 to 36250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 36001 AND 36250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 36251 to 36500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 36251 AND 36500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 36501 to 36750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 36501 AND 36750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 36751 to 37000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 36751 AND 37000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 37001 to 37250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 37001 AND 37250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 37251 to 37500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 37251 AND 37500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 37501 to 37750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 37501 AND 37750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 37751 to 38000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 37751 AND 38000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 38001 to 38250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 38001 AND 38250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 38251 to 38500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 38251 AND 38500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 38501 to 38750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 38501 AND 38750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 38751 to 39000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 38751 AND 39000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 39001 to 39250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 39001 AND 39250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 39251 to 39500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 39251 AND 39500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 39501 to 39750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 39501 AND 39750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 39751 to 40000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 39751 AND 40000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 40001 to 40250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 40001 AND 40250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 40251 to 40500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 40251 AND 40500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 40501 to 40750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 40501 AND 40750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 40751 to 41000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 40751 AND 41000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 41001 to 41250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 41001 AND 41250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 41251 to 41500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 41251 AND 41500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 41501 to 41750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 41501 AND 41750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 41751 to 42000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 41751 AND 42000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 42001 to 42250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 42001 AND 42250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 42251 to 42500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 42251 AND 42500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 42501 to 42750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 42501 AND 42750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 42751 to 43000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 42751 AND 43000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 43001 to 43250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 43001 AND 43250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 43251 to 43500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 43251 AND 43500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 43501 to 43750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 43501 AND 43750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 43751 to 44000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 43751 AND 44000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 44001 to 44250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 44001 AND 44250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 44251 to 44500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 44251 AND 44500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 44501 to 44750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 44501 AND 44750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 44751 to 45000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 44751 AND 45000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 45001 to 45250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 45001 AND 45250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 45251 to 45500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 45251 AND 45500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 45501 to 45750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 45501 AND 45750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 45751 to 46000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 45751 AND 46000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 46001 to 46250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 46001 AND 46250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 46251 to 46500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 46251 AND 46500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 46501 to 46750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 46501 AND 46750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 46751 to 47000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 46751 AND 47000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 47001 to 47250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 47001 AND 47250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 47251 to 47500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 47251 AND 47500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 47501 to 47750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 47501 AND 47750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 47751 to 48000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 47751 AND 48000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 48001 to 48250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 48001 AND 48250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 48251 to 48500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 48251 AND 48500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 48501 to 48750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 48501 AND 48750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 48751 to 49000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 48751 AND 49000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 49001 to 49250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 49001 AND 49250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 49251 to 49500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 49251 AND 49500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 49501 to 49750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 49501 AND 49750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 49751 to 50000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 49751 AND 50000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 50001 to 50250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 50001 AND 50250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 50251 to 50500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 50251 AND 50500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 50501 to 50750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 50501 AND 50750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 50751 to 51000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 50751 AND 51000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 51001 to 51250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 51001 AND 51250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 51251 to 51500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 51251 AND 51500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 51501 to 51750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 51501 AND 51750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 51751 to 52000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 51751 AND 52000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 52001 to 52250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 52001 AND 52250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 52251 to 52500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 52251 AND 52500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 52501 to 52750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 52501 AND 52750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 52751 to 53000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 52751 AND 53000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 53001 to 53250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 53001 AND 53250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 53251 to 53500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 53251 AND 53500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 53501 to 53750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 53501 AND 53750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 53751 to 54000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 53751 AND 54000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 54001 to 54250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 54001 AND 54250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 54251 to 54500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 54251 AND 54500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 54501 to 54750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 54501 AND 54750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 54751 to 55000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 54751 AND 55000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 55001 to 55250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 55001 AND 55250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 55251 to 55500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 55251 AND 55500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 55501 to 55750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 55501 AND 55750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 55751 to 56000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 55751 AND 56000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 56001 to 56250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 56001 AND 56250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 56251 to 56500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 56251 AND 56500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 56501 to 56750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 56501 AND 56750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 56751 to 57000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 56751 AND 57000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 57001 to 57250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 57001 AND 57250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 57251 to 57500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 57251 AND 57500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 57501 to 57750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 57501 AND 57750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 57751 to 58000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 57751 AND 58000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 58001 to 58250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 58001 AND 58250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 58251 to 58500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 58251 AND 58500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 58501 to 58750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 58501 AND 58750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 58751 to 59000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 58751 AND 59000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 59001 to 59250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 59001 AND 59250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 59251 to 59500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 59251 AND 59500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 59501 to 59750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 59501 AND 59750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 59751 to 60000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 59751 AND 60000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 60001 to 60250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 60001 AND 60250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 60251 to 60500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 60251 AND 60500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 60501 to 60750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 60501 AND 60750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 60751 to 61000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 60751 AND 61000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 61001 to 61250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 61001 AND 61250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 61251 to 61500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 61251 AND 61500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 61501 to 61750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 61501 AND 61750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 61751 to 62000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 61751 AND 62000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 62001 to 62250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 62001 AND 62250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 62251 to 62500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 62251 AND 62500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 62501 to 62750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 62501 AND 62750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 62751 to 63000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 62751 AND 63000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 63001 to 63250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 63001 AND 63250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 63251 to 63500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 63251 AND 63500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 63501 to 63750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 63501 AND 63750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 63751 to 64000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 63751 AND 64000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 64001 to 64250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 64001 AND 64250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 64251 to 64500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 64251 AND 64500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 64501 to 64750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 64501 AND 64750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 64751 to 65000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 64751 AND 65000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 65001 to 65250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 65001 AND 65250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 65251 to 65500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 65251 AND 65500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 65501 to 65750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 65501 AND 65750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 65751 to 66000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 65751 AND 66000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 66001 to 66250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 66001 AND 66250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 66251 to 66500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 66251 AND 66500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 66501 to 66750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 66501 AND 66750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 66751 to 67000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 66751 AND 67000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 67001 to 67250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 67001 AND 67250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 67251 to 67500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 67251 AND 67500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 67501 to 67750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 67501 AND 67750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 67751 to 68000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 67751 AND 68000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 68001 to 68250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 68001 AND 68250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 68251 to 68500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 68251 AND 68500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 68501 to 68750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 68501 AND 68750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 68751 to 69000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 68751 AND 69000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 69001 to 69250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 69001 AND 69250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 69251 to 69500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 69251 AND 69500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 69501 to 69750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 69501 AND 69750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 69751 to 70000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 69751 AND 70000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 70001 to 70250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 70001 AND 70250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 70251 to 70500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 70251 AND 70500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 70501 to 70750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 70501 AND 70750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 70751 to 71000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 70751 AND 71000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 71001 to 71250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 71001 AND 71250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 71251 to 71500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 71251 AND 71500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 71501 to 71750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 71501 AND 71750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 71751 to 72000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 71751 AND 72000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 72001 to 72250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 72001 AND 72250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 72251 to 72500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 72251 AND 72500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 72501 to 72750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 72501 AND 72750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 72751 to 73000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 72751 AND 73000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 73001 to 73250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 73001 AND 73250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 73251 to 73500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 73251 AND 73500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 73501 to 73750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 73501 AND 73750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 73751 to 74000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 73751 AND 74000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 74001 to 74250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 74001 AND 74250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 74251 to 74500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 74251 AND 74500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 74501 to 74750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 74501 AND 74750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 74751 to 75000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 74751 AND 75000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 75001 to 75250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 75001 AND 75250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 75251 to 75500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 75251 AND 75500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 75501 to 75750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 75501 AND 75750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 75751 to 76000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 75751 AND 76000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 76001 to 76250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 76001 AND 76250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 76251 to 76500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 76251 AND 76500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 76501 to 76750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 76501 AND 76750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 76751 to 77000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 76751 AND 77000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 77001 to 77250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 77001 AND 77250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 77251 to 77500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 77251 AND 77500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 77501 to 77750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 77501 AND 77750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 77751 to 78000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 77751 AND 78000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 78001 to 78250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 78001 AND 78250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 78251 to 78500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 78251 AND 78500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 78501 to 78750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 78501 AND 78750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 78751 to 79000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 78751 AND 79000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 79001 to 79250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 79001 AND 79250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 79251 to 79500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 79251 AND 79500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 79501 to 79750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 79501 AND 79750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 79751 to 80000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 79751 AND 80000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 80001 to 80250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 80001 AND 80250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 80251 to 80500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 80251 AND 80500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 80501 to 80750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 80501 AND 80750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 80751 to 81000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 80751 AND 81000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 81001 to 81250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 81001 AND 81250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 81251 to 81500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 81251 AND 81500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 81501 to 81750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 81501 AND 81750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 81751 to 82000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 81751 AND 82000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 82001 to 82250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 82001 AND 82250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 82251 to 82500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 82251 AND 82500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 82501 to 82750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 82501 AND 82750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 82751 to 83000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 82751 AND 83000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 83001 to 83250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 83001 AND 83250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 83251 to 83500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 83251 AND 83500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 83501 to 83750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 83501 AND 83750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 83751 to 84000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 83751 AND 84000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 84001 to 84250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 84001 AND 84250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 84251 to 84500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 84251 AND 84500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 84501 to 84750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 84501 AND 84750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 84751 to 85000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 84751 AND 85000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 85001 to 85250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 85001 AND 85250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 85251 to 85500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 85251 AND 85500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 85501 to 85750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 85501 AND 85750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 85751 to 86000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 85751 AND 86000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 86001 to 86250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 86001 AND 86250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 86251 to 86500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 86251 AND 86500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 86501 to 86750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 86501 AND 86750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 86751 to 87000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 86751 AND 87000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 87001 to 87250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 87001 AND 87250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 87251 to 87500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 87251 AND 87500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 87501 to 87750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 87501 AND 87750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 87751 to 88000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 87751 AND 88000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 88001 to 88250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 88001 AND 88250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 88251 to 88500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 88251 AND 88500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 88501 to 88750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 88501 AND 88750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 88751 to 89000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 88751 AND 89000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 89001 to 89250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 89001 AND 89250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 89251 to 89500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 89251 AND 89500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 89501 to 89750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 89501 AND 89750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 89751 to 90000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 89751 AND 90000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 90001 to 90250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 90001 AND 90250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 90251 to 90500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 90251 AND 90500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 90501 to 90750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 90501 AND 90750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 90751 to 91000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 90751 AND 91000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 91001 to 91250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 91001 AND 91250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 91251 to 91500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 91251 AND 91500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 91501 to 91750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 91501 AND 91750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 91751 to 92000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 91751 AND 92000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 92001 to 92250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 92001 AND 92250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 92251 to 92500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 92251 AND 92500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 92501 to 92750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 92501 AND 92750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 92751 to 93000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 92751 AND 93000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 93001 to 93250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 93001 AND 93250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 93251 to 93500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 93251 AND 93500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 93501 to 93750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 93501 AND 93750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 93751 to 94000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 93751 AND 94000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 94001 to 94250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 94001 AND 94250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 94251 to 94500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 94251 AND 94500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 94501 to 94750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 94501 AND 94750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 94751 to 95000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 94751 AND 95000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 95001 to 95250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 95001 AND 95250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 95251 to 95500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 95251 AND 95500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 95501 to 95750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 95501 AND 95750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 95751 to 96000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 95751 AND 96000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 96001 to 96250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 96001 AND 96250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 96251 to 96500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 96251 AND 96500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 96501 to 96750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 96501 AND 96750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 96751 to 97000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 96751 AND 97000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 97001 to 97250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 97001 AND 97250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 97251 to 97500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 97251 AND 97500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 97501 to 97750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 97501 AND 97750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 97751 to 98000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 97751 AND 98000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 98001 to 98250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 98001 AND 98250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 98251 to 98500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 98251 AND 98500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 98501 to 98750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 98501 AND 98750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 98751 to 99000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 98751 AND 99000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 99001 to 99250.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 99001 AND 99250 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 99251 to 99500.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 99251 AND 99500 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 99501 to 99750.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 99501 AND 99750 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users 99751 to 100000.
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key BETWEEN 99751 AND 100000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;

-- Users past 100,000, all at once (a shard of that many users: see docs/operations.md).
INSERT INTO track_firsts (user_key, track_key, first_at)
SELECT user_key, track_key, min(played_at) FROM play_events
 WHERE user_key > 100000 AND kind = 0
 GROUP BY user_key, track_key
ON CONFLICT (user_key, track_key) DO UPDATE SET first_at = excluded.first_at
 WHERE excluded.first_at < track_firsts.first_at;
