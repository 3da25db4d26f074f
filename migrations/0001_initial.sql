-- Spotify Time Machine: the archive's schema.
-- Instants are INTEGER Unix milliseconds (UTC); D1 passes numbers as doubles, and these
-- stay far below 2^53. Every query in src/store.rs has an index below behind it.

-- One row per connected Spotify account.
CREATE TABLE users (
    id                   TEXT PRIMARY KEY,      -- /me account_id when given, else /me id
    spotify_id           TEXT NOT NULL,         -- /me id
    display_name         TEXT,
    email                TEXT,                  -- absent when Spotify does not give it
    country              TEXT,
    product              TEXT,
    access_token_enc     TEXT,                  -- AES-256-GCM sealed (src/crypto.rs)
    refresh_token_enc    TEXT,                  -- AES-256-GCM sealed
    token_expires_at     INTEGER,               -- access token expiry
    authorized_at        INTEGER NOT NULL,      -- last Spotify authorization: the refresh token dies 6 months later
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    -- Polling state.
    is_active            INTEGER NOT NULL DEFAULT 1,  -- swept at all: 0 while paused or needing re-login
    needs_reauth         INTEGER NOT NULL DEFAULT 0,  -- Spotify answered invalid_grant: only a login helps
    paused               INTEGER NOT NULL DEFAULT 0,  -- the user paused archiving
    next_due_at          INTEGER NOT NULL DEFAULT 0,  -- the sweep picks the user from this instant
    last_polled_at       INTEGER,               -- last archive attempt, success or failure
    last_success_at      INTEGER,               -- last archive that wrote its batch
    cursor_after         INTEGER,               -- played_at of the newest archived play: recently-played's `after`
    last_page_size       INTEGER,               -- items on the last page (50 = the window was full)
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_failure_type    TEXT,                  -- AUTH | NETWORK | RATE_LIMITED | UNKNOWN
    last_failure_at      INTEGER,
    cooldown_until       INTEGER                -- circuit breaker: not swept before this
);
-- The sweep: active users by due time.
CREATE INDEX users_due ON users (next_due_at) WHERE is_active = 1;
-- The sweep's count of users resting in a cooldown.
CREATE INDEX users_cooldown ON users (cooldown_until) WHERE cooldown_until IS NOT NULL;

-- The catalogue, shared by every user, filled from the plays themselves (no catalogue calls).
CREATE TABLE artists (
    id         TEXT PRIMARY KEY,               -- Spotify id, or local-artist:… for local files
    name       TEXT NOT NULL,
    uri        TEXT,
    updated_at INTEGER NOT NULL
);

CREATE TABLE albums (
    id           TEXT PRIMARY KEY,             -- Spotify id, or local-album:…
    name         TEXT NOT NULL,
    uri          TEXT,
    image_url    TEXT,                         -- about 300 px, may be absent
    release_date TEXT,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE tracks (
    id          TEXT PRIMARY KEY,              -- Spotify id, or local:… for local files
    name        TEXT NOT NULL,
    uri         TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    album_id    TEXT REFERENCES albums (id),
    is_local    INTEGER NOT NULL DEFAULT 0,
    explicit    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE track_artists (
    track_id  TEXT NOT NULL REFERENCES tracks (id),
    artist_id TEXT NOT NULL REFERENCES artists (id),
    position  INTEGER NOT NULL,                -- 0 is the main artist
    PRIMARY KEY (track_id, artist_id)
) WITHOUT ROWID;
-- An artist's tracks (stats by artist).
CREATE INDEX track_artists_artist ON track_artists (artist_id);

-- Every play, once: the unique key makes a redelivered or overlapping page harmless.
CREATE TABLE play_events (
    id          INTEGER PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    track_id    TEXT NOT NULL REFERENCES tracks (id),
    played_at   INTEGER NOT NULL,              -- when the play ended (Spotify's played_at)
    context_uri TEXT,                          -- playlist, album or artist it was played from
    source      TEXT NOT NULL DEFAULT 'poll',  -- poll | import
    archived_at INTEGER NOT NULL,
    UNIQUE (user_id, track_id, played_at)
);
-- A user's history, newest first.
CREATE INDEX play_events_user_time ON play_events (user_id, played_at DESC);

-- Spans where plays may be missing, recorded honestly.
CREATE TABLE data_gaps (
    id          INTEGER PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    gap_from    INTEGER NOT NULL,              -- the newest play we had
    gap_to      INTEGER NOT NULL,              -- the oldest play we got after it
    reason      TEXT NOT NULL,                 -- window_overflow | downtime
    detected_at INTEGER NOT NULL,
    filled_at   INTEGER,                       -- set when an import covers the span
    UNIQUE (user_id, gap_from, gap_to)
);

-- Logins under way: the state (hashed) and the PKCE verifier, usable once.
CREATE TABLE oauth_logins (
    state_hash    TEXT PRIMARY KEY,
    code_verifier TEXT NOT NULL,
    browser_hash  TEXT NOT NULL,               -- the login cookie, hashed: binds the login to one browser
    expires_at    INTEGER NOT NULL
);
CREATE INDEX oauth_logins_expiry ON oauth_logins (expires_at);

-- Browser sessions; only the hash of the cookie's id is stored.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- One row per sweep, for operators.
CREATE TABLE sweeps (
    id               INTEGER PRIMARY KEY,
    started_at       INTEGER NOT NULL,
    trigger          TEXT NOT NULL,            -- cron | admin
    users_due        INTEGER NOT NULL,
    skipped_cooldown INTEGER NOT NULL,
    enqueued         INTEGER NOT NULL,
    messages         INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL,
    error            TEXT
);
CREATE INDEX sweeps_started ON sweeps (started_at);
