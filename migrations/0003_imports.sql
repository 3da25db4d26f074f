-- Imports of Spotify's own data exports (extended streaming history, account data).
-- Every query in src/store/imports.rs has an index below (or in 0001) behind it.

-- What a play is. Polls only ever see music ('track'); exports also hold podcast
-- episodes and audiobook chapters, which must never count in music statistics.
ALTER TABLE play_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'track';  -- track | episode | audiobook
-- How long the stream lasted, when an export says so (polls do not: NULL).
ALTER TABLE play_events ADD COLUMN ms_played INTEGER;
-- 1 when the listener skipped the stream (after 30 s: it still counts), 0 when it
-- played to its end, NULL when unknown (every polled play).
ALTER TABLE play_events ADD COLUMN skipped INTEGER;
-- play_events.source gains 'import_account' (account data: minute precision) next to
-- 'poll' and 'import' (extended streaming history: second precision).

-- The artist's name as an export gave it, for tracks an import created. Exports carry no
-- artist ids, so an imported track gets no track_artists links; readers show this name
-- while a track has no links, and a poll of the track later adds the real ones.
ALTER TABLE tracks ADD COLUMN import_artist_name TEXT;
-- Account data names a track only by (artist, title): it is matched by name.
CREATE INDEX tracks_name ON tracks (name);

-- One upload of export files by a user, with its running report.
CREATE TABLE imports (
    id                   INTEGER PRIMARY KEY,
    user_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    finished_at          INTEGER,              -- the page said every chunk was sent
    chunks               INTEGER NOT NULL DEFAULT 0,
    records_read         INTEGER NOT NULL DEFAULT 0,  -- every record received, good or bad
    imported             INTEGER NOT NULL DEFAULT 0,  -- new plays written
    merged               INTEGER NOT NULL DEFAULT 0,  -- the same listen was already archived from another source (a poll, the other export)
    skipped_duplicate    INTEGER NOT NULL DEFAULT 0,  -- exactly this record was already archived (a re-import, overlapping files)
    skipped_short        INTEGER NOT NULL DEFAULT 0,  -- under 30 s: not a play
    skipped_incognito    INTEGER NOT NULL DEFAULT 0,  -- a private session: left out
    skipped_unidentified INTEGER NOT NULL DEFAULT 0,  -- no track, episode or audiobook named
    errors               INTEGER NOT NULL DEFAULT 0,  -- malformed records (the first 100 are in import_errors)
    gaps_filled          INTEGER NOT NULL DEFAULT 0
);
-- A user's imports (and the cascade when the user is deleted).
CREATE INDEX imports_user ON imports (user_id);

-- The chunks an import received: a resent chunk changes nothing, and consecutive chunks
-- of one file chain into the span of time the export covers (for filling gaps).
CREATE TABLE import_chunks (
    import_id   INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    file        TEXT NOT NULL,
    first_index INTEGER NOT NULL,              -- position of the chunk's first record in its file
    end_index   INTEGER NOT NULL,              -- first_index + records
    span_from   INTEGER,                       -- earliest and latest listen in the chunk
    span_to     INTEGER,
    run_from    INTEGER,                       -- span_from of the first chunk of the unbroken run ending here
    received_at INTEGER NOT NULL,
    PRIMARY KEY (import_id, file, first_index)
) WITHOUT ROWID;
-- The chunk just before a chunk (the one whose end is its start) and its run.
CREATE INDEX import_chunks_end ON import_chunks (import_id, file, end_index, run_from);

-- Malformed records, by file and position; at most 100 an import.
CREATE TABLE import_errors (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    file      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    message   TEXT NOT NULL,
    PRIMARY KEY (import_id, file, position)
) WITHOUT ROWID;
