-- The compact archive: a play is a user's integer key, an instant, a track's integer key,
-- an interned context and a few small codes, in one clustered B-tree (WITHOUT ROWID)
-- whose primary key is also the rule "one play per user, instant and track". 26 to 30
-- bytes a play with everything, by the size of its keys (242 before); one row written
-- per new play (3 before).
--
-- Every query the Worker runs is still served by an index (tests/store_plans.rs checks
-- the plans). Spotify's ids stay, as unique columns: every API, export and page shows
-- them as before. What can be derived is no longer stored: a track's URI from its id, a
-- cover's URL from its image hash, artists' and albums' URIs (never shown).
--
-- The copy is one statement per catalogue table and two per range of 100,000 plays, each
-- well inside D1's 30 s a statement for an archive of two million plays
-- (docs/operations.md says how it was measured, and how to apply this migration to a
-- large archive). The old tables are dropped only after everything is copied.

-- A user's integer key, for the plays. Seeded from the rowid once (a rowid may change
-- when a database is vacuumed; the key never does); a new user takes the next key in the
-- same statement that creates them, however they are inserted. The key of the newest
-- user, once their account is deleted, may be given again: nothing is left under it
-- (the plays go in the deletion's batch, and every write finds the key by the user's id
-- in its own statement).
ALTER TABLE users ADD COLUMN key INTEGER;
UPDATE users SET key = rowid;
CREATE UNIQUE INDEX users_key ON users (key);
CREATE TRIGGER users_key_on_insert AFTER INSERT ON users WHEN NEW.key IS NULL
BEGIN
    UPDATE users SET key = (SELECT coalesce(max(key), 0) + 1 FROM users) WHERE id = NEW.id;
END;

-- The catalogue, with integer keys. A new table of each, filled from the old one.
CREATE TABLE artists_compact (
    key  INTEGER PRIMARY KEY,
    id   TEXT NOT NULL UNIQUE,                 -- Spotify id, or local-artist:… for local files
    name TEXT NOT NULL
);
INSERT INTO artists_compact (id, name) SELECT id, name FROM artists ORDER BY rowid;

CREATE TABLE albums_compact (
    key           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,        -- Spotify id, local-album:…, import-album:…
    name          TEXT NOT NULL,
    image         TEXT,                        -- the cover: its hash on Spotify's image host, or a whole URL from elsewhere
    release_date  TEXT,
    owner_user_id TEXT                         -- an import's own row (see 0005); NULL: from Spotify
);
INSERT INTO albums_compact (id, name, image, release_date, owner_user_id)
SELECT id, name,
       CASE WHEN image_url GLOB 'https://i.scdn.co/image/?*'
                 AND instr(substr(image_url, 25), '/') = 0 AND instr(substr(image_url, 25), ':') = 0
            THEN substr(image_url, 25) ELSE image_url END,
       release_date, owner_user_id
  FROM albums ORDER BY rowid;

CREATE TABLE tracks_compact (
    key                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,   -- Spotify id, local:…, or an import's <id>~<owner key>
    name               TEXT NOT NULL,
    uri                TEXT,                   -- NULL: spotify:track:<the id as shown>
    duration_ms        INTEGER NOT NULL,
    album_key          INTEGER REFERENCES albums_compact (key),
    is_local           INTEGER NOT NULL DEFAULT 0,
    explicit           INTEGER NOT NULL DEFAULT 0,
    import_artist_name TEXT,                   -- the export's artist name, for tracks an import created (see 0003)
    owner_user_id      TEXT                    -- an import's own row (see 0005); NULL: from Spotify
);
INSERT INTO tracks_compact (id, name, uri, duration_ms, album_key, is_local, explicit, import_artist_name, owner_user_id)
SELECT t.id, t.name,
       CASE WHEN t.uri = 'spotify:track:' || CASE WHEN instr(t.id, '~') > 0
                                                  THEN substr(t.id, 1, instr(t.id, '~') - 1) ELSE t.id END
            THEN NULL ELSE t.uri END,
       t.duration_ms, al.key, t.is_local, t.explicit, t.import_artist_name, t.owner_user_id
  FROM tracks t LEFT JOIN albums_compact al ON al.id = t.album_id
 ORDER BY t.rowid;

CREATE TABLE track_artists_compact (
    track_key  INTEGER NOT NULL REFERENCES tracks_compact (key),
    artist_key INTEGER NOT NULL REFERENCES artists_compact (key),
    position   INTEGER NOT NULL,               -- 0 is the main artist
    PRIMARY KEY (track_key, artist_key)
) WITHOUT ROWID;
INSERT INTO track_artists_compact (track_key, artist_key, position)
SELECT t.key, a.key, ta.position
  FROM track_artists ta JOIN tracks_compact t ON t.id = ta.track_id JOIN artists_compact a ON a.id = ta.artist_id;

-- Context URIs (playlists, albums, artists) are repeated by nearly every play: each is
-- stored once.
CREATE TABLE contexts (
    key INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE
);

-- Every play, once. Codes rather than words: 0 costs no byte in a SQLite record. No
-- foreign keys: every insert finds the keys it writes in the same statement, and each
-- check would cost a read per play and key.
CREATE TABLE play_events_compact (
    user_key    INTEGER NOT NULL,              -- users.key
    played_at   INTEGER NOT NULL,              -- when the play ended (Spotify's played_at), Unix ms
    track_key   INTEGER NOT NULL,              -- tracks.key
    context_key INTEGER,                       -- contexts.key
    source      INTEGER NOT NULL DEFAULT 0,    -- 0 poll, 1 import (extended history), 2 import_account (account data)
    kind        INTEGER NOT NULL DEFAULT 0,    -- 0 track, 1 episode, 2 audiobook
    skipped     INTEGER,                       -- 1 skipped, 0 played to its end, NULL unknown (polls)
    ms_played   INTEGER,                       -- how long the stream lasted, when an export says (polls: NULL)
    PRIMARY KEY (user_key, played_at, track_key)
) WITHOUT ROWID;

-- The plays are copied 100,000 at a time, by ranges of the old table's ids, so that no
-- statement comes near D1's 30 s: the copy of two million plays in one statement took
-- 162 s on the local runtime, a range of 100,000 at most 3.9 s (docs/operations.md).
-- The ranges cover ids up to 10,000,000 (a database of 2.4 GB in the old form), then
-- the rest in one; tests/compact_migration.rs checks that they meet without a gap. In
-- the old table's order, each user's plays come oldest first: the new B-tree's pages
-- fill up as they would by polls.

-- Plays 1 to 100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1 AND 100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1 AND 100000;

-- Plays 100,001 to 200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 100001 AND 200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 100001 AND 200000;

-- Plays 200,001 to 300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 200001 AND 300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 200001 AND 300000;

-- Plays 300,001 to 400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 300001 AND 400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 300001 AND 400000;

-- Plays 400,001 to 500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 400001 AND 500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 400001 AND 500000;

-- Plays 500,001 to 600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 500001 AND 600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 500001 AND 600000;

-- Plays 600,001 to 700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 600001 AND 700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 600001 AND 700000;

-- Plays 700,001 to 800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 700001 AND 800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 700001 AND 800000;

-- Plays 800,001 to 900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 800001 AND 900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 800001 AND 900000;

-- Plays 900,001 to 1,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 900001 AND 1000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 900001 AND 1000000;

-- Plays 1,000,001 to 1,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1000001 AND 1100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1000001 AND 1100000;

-- Plays 1,100,001 to 1,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1100001 AND 1200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1100001 AND 1200000;

-- Plays 1,200,001 to 1,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1200001 AND 1300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1200001 AND 1300000;

-- Plays 1,300,001 to 1,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1300001 AND 1400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1300001 AND 1400000;

-- Plays 1,400,001 to 1,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1400001 AND 1500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1400001 AND 1500000;

-- Plays 1,500,001 to 1,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1500001 AND 1600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1500001 AND 1600000;

-- Plays 1,600,001 to 1,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1600001 AND 1700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1600001 AND 1700000;

-- Plays 1,700,001 to 1,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1700001 AND 1800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1700001 AND 1800000;

-- Plays 1,800,001 to 1,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1800001 AND 1900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1800001 AND 1900000;

-- Plays 1,900,001 to 2,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 1900001 AND 2000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 1900001 AND 2000000;

-- Plays 2,000,001 to 2,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2000001 AND 2100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2000001 AND 2100000;

-- Plays 2,100,001 to 2,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2100001 AND 2200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2100001 AND 2200000;

-- Plays 2,200,001 to 2,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2200001 AND 2300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2200001 AND 2300000;

-- Plays 2,300,001 to 2,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2300001 AND 2400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2300001 AND 2400000;

-- Plays 2,400,001 to 2,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2400001 AND 2500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2400001 AND 2500000;

-- Plays 2,500,001 to 2,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2500001 AND 2600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2500001 AND 2600000;

-- Plays 2,600,001 to 2,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2600001 AND 2700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2600001 AND 2700000;

-- Plays 2,700,001 to 2,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2700001 AND 2800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2700001 AND 2800000;

-- Plays 2,800,001 to 2,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2800001 AND 2900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2800001 AND 2900000;

-- Plays 2,900,001 to 3,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 2900001 AND 3000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 2900001 AND 3000000;

-- Plays 3,000,001 to 3,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3000001 AND 3100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3000001 AND 3100000;

-- Plays 3,100,001 to 3,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3100001 AND 3200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3100001 AND 3200000;

-- Plays 3,200,001 to 3,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3200001 AND 3300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3200001 AND 3300000;

-- Plays 3,300,001 to 3,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3300001 AND 3400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3300001 AND 3400000;

-- Plays 3,400,001 to 3,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3400001 AND 3500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3400001 AND 3500000;

-- Plays 3,500,001 to 3,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3500001 AND 3600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3500001 AND 3600000;

-- Plays 3,600,001 to 3,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3600001 AND 3700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3600001 AND 3700000;

-- Plays 3,700,001 to 3,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3700001 AND 3800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3700001 AND 3800000;

-- Plays 3,800,001 to 3,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3800001 AND 3900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3800001 AND 3900000;

-- Plays 3,900,001 to 4,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 3900001 AND 4000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 3900001 AND 4000000;

-- Plays 4,000,001 to 4,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4000001 AND 4100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4000001 AND 4100000;

-- Plays 4,100,001 to 4,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4100001 AND 4200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4100001 AND 4200000;

-- Plays 4,200,001 to 4,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4200001 AND 4300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4200001 AND 4300000;

-- Plays 4,300,001 to 4,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4300001 AND 4400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4300001 AND 4400000;

-- Plays 4,400,001 to 4,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4400001 AND 4500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4400001 AND 4500000;

-- Plays 4,500,001 to 4,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4500001 AND 4600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4500001 AND 4600000;

-- Plays 4,600,001 to 4,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4600001 AND 4700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4600001 AND 4700000;

-- Plays 4,700,001 to 4,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4700001 AND 4800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4700001 AND 4800000;

-- Plays 4,800,001 to 4,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4800001 AND 4900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4800001 AND 4900000;

-- Plays 4,900,001 to 5,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 4900001 AND 5000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 4900001 AND 5000000;

-- Plays 5,000,001 to 5,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5000001 AND 5100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5000001 AND 5100000;

-- Plays 5,100,001 to 5,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5100001 AND 5200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5100001 AND 5200000;

-- Plays 5,200,001 to 5,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5200001 AND 5300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5200001 AND 5300000;

-- Plays 5,300,001 to 5,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5300001 AND 5400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5300001 AND 5400000;

-- Plays 5,400,001 to 5,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5400001 AND 5500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5400001 AND 5500000;

-- Plays 5,500,001 to 5,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5500001 AND 5600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5500001 AND 5600000;

-- Plays 5,600,001 to 5,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5600001 AND 5700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5600001 AND 5700000;

-- Plays 5,700,001 to 5,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5700001 AND 5800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5700001 AND 5800000;

-- Plays 5,800,001 to 5,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5800001 AND 5900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5800001 AND 5900000;

-- Plays 5,900,001 to 6,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 5900001 AND 6000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 5900001 AND 6000000;

-- Plays 6,000,001 to 6,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6000001 AND 6100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6000001 AND 6100000;

-- Plays 6,100,001 to 6,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6100001 AND 6200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6100001 AND 6200000;

-- Plays 6,200,001 to 6,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6200001 AND 6300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6200001 AND 6300000;

-- Plays 6,300,001 to 6,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6300001 AND 6400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6300001 AND 6400000;

-- Plays 6,400,001 to 6,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6400001 AND 6500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6400001 AND 6500000;

-- Plays 6,500,001 to 6,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6500001 AND 6600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6500001 AND 6600000;

-- Plays 6,600,001 to 6,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6600001 AND 6700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6600001 AND 6700000;

-- Plays 6,700,001 to 6,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6700001 AND 6800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6700001 AND 6800000;

-- Plays 6,800,001 to 6,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6800001 AND 6900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6800001 AND 6900000;

-- Plays 6,900,001 to 7,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 6900001 AND 7000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 6900001 AND 7000000;

-- Plays 7,000,001 to 7,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7000001 AND 7100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7000001 AND 7100000;

-- Plays 7,100,001 to 7,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7100001 AND 7200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7100001 AND 7200000;

-- Plays 7,200,001 to 7,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7200001 AND 7300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7200001 AND 7300000;

-- Plays 7,300,001 to 7,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7300001 AND 7400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7300001 AND 7400000;

-- Plays 7,400,001 to 7,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7400001 AND 7500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7400001 AND 7500000;

-- Plays 7,500,001 to 7,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7500001 AND 7600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7500001 AND 7600000;

-- Plays 7,600,001 to 7,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7600001 AND 7700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7600001 AND 7700000;

-- Plays 7,700,001 to 7,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7700001 AND 7800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7700001 AND 7800000;

-- Plays 7,800,001 to 7,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7800001 AND 7900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7800001 AND 7900000;

-- Plays 7,900,001 to 8,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 7900001 AND 8000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 7900001 AND 8000000;

-- Plays 8,000,001 to 8,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8000001 AND 8100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8000001 AND 8100000;

-- Plays 8,100,001 to 8,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8100001 AND 8200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8100001 AND 8200000;

-- Plays 8,200,001 to 8,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8200001 AND 8300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8200001 AND 8300000;

-- Plays 8,300,001 to 8,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8300001 AND 8400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8300001 AND 8400000;

-- Plays 8,400,001 to 8,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8400001 AND 8500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8400001 AND 8500000;

-- Plays 8,500,001 to 8,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8500001 AND 8600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8500001 AND 8600000;

-- Plays 8,600,001 to 8,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8600001 AND 8700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8600001 AND 8700000;

-- Plays 8,700,001 to 8,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8700001 AND 8800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8700001 AND 8800000;

-- Plays 8,800,001 to 8,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8800001 AND 8900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8800001 AND 8900000;

-- Plays 8,900,001 to 9,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 8900001 AND 9000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 8900001 AND 9000000;

-- Plays 9,000,001 to 9,100,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9000001 AND 9100000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9000001 AND 9100000;

-- Plays 9,100,001 to 9,200,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9100001 AND 9200000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9100001 AND 9200000;

-- Plays 9,200,001 to 9,300,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9200001 AND 9300000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9200001 AND 9300000;

-- Plays 9,300,001 to 9,400,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9300001 AND 9400000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9300001 AND 9400000;

-- Plays 9,400,001 to 9,500,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9400001 AND 9500000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9400001 AND 9500000;

-- Plays 9,500,001 to 9,600,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9500001 AND 9600000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9500001 AND 9600000;

-- Plays 9,600,001 to 9,700,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9600001 AND 9700000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9600001 AND 9700000;

-- Plays 9,700,001 to 9,800,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9700001 AND 9800000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9700001 AND 9800000;

-- Plays 9,800,001 to 9,900,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9800001 AND 9900000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9800001 AND 9900000;

-- Plays 9,900,001 to 10,000,000.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id BETWEEN 9900001 AND 10000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id BETWEEN 9900001 AND 10000000;

-- Plays past 10,000,000, all at once.
INSERT INTO contexts (uri)
SELECT DISTINCT p.context_uri FROM play_events p WHERE p.id > 10000000 AND p.context_uri IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO play_events_compact (user_key, played_at, track_key, context_key, source, kind, skipped, ms_played)
SELECT u.key, p.played_at, t.key, c.key,
       CASE p.source WHEN 'poll' THEN 0 WHEN 'import' THEN 1 ELSE 2 END,
       CASE p.kind WHEN 'track' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END,
       p.skipped, p.ms_played
  FROM play_events p
  JOIN users u ON u.id = p.user_id
  JOIN tracks_compact t ON t.id = p.track_id
  LEFT JOIN contexts c ON c.uri = p.context_uri
 WHERE p.id > 10000000;

-- The old tables go, children before parents (dropping a parent looks for its children).
DROP TABLE play_events;
DROP TABLE track_artists;
DROP TABLE tracks;
DROP TABLE albums;
DROP TABLE artists;

ALTER TABLE artists_compact RENAME TO artists;
ALTER TABLE albums_compact RENAME TO albums;
ALTER TABLE tracks_compact RENAME TO tracks;
ALTER TABLE track_artists_compact RENAME TO track_artists;
ALTER TABLE play_events_compact RENAME TO play_events;

-- Account data names a track only by (artist, title): it is matched by name.
CREATE INDEX tracks_name ON tracks (name);
-- A user's own catalogue rows, emptied with the account.
CREATE INDEX tracks_owner ON tracks (owner_user_id) WHERE owner_user_id IS NOT NULL;
CREATE INDEX albums_owner ON albums (owner_user_id) WHERE owner_user_id IS NOT NULL;
