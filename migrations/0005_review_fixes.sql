-- The outside review's fixes. Every query they add is served by an index below (or an
-- earlier one); tests/store_plans.rs checks the plans.

-- Logins under way live in the browser's login cookie, sealed with the token key: an
-- anonymous visitor of /login writes nothing. (A state is marked used in KV, for the
-- ten minutes a login may take.)
DROP TABLE oauth_logins;

-- A login finds its user by the Spotify user id too: a user filed before /me sent an
-- account_id stays one user when it starts to.
CREATE INDEX users_spotify_id ON users (spotify_id);

-- Spotify's rests of the whole app (a 429 whose body says QUOTA_EXCEEDED): one row,
-- read by the sweep, by every archive and by /api/health.
CREATE TABLE app_rests (
    name        TEXT PRIMARY KEY,              -- spotify_quota
    until       INTEGER NOT NULL,              -- nobody is polled before this instant
    recorded_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Import quotas count a user's imports of the last day.
CREATE INDEX imports_user_created ON imports (user_id, created_at);
DROP INDEX imports_user;

-- The catalogue is shared; what an import wrote into it must not be. A track or album
-- an import creates belongs to the importing user (owner_user_id), gets an id of its own
-- (`<id>~<owner key>`), is shown to nobody else and matched by name for nobody else.
-- NULL: the row came from Spotify (a poll). '' : an import made it before this
-- migration, for whom is not recorded; it stays reachable by the plays that already use
-- it, and is never matched or reused again.
ALTER TABLE tracks ADD COLUMN owner_user_id TEXT;
ALTER TABLE albums ADD COLUMN owner_user_id TEXT;
UPDATE tracks SET owner_user_id = ''
 WHERE import_artist_name IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM track_artists ta WHERE ta.track_id = tracks.id);
UPDATE albums SET owner_user_id = '' WHERE id GLOB 'import-album:*';
-- A user's own catalogue rows, deleted with the account.
CREATE INDEX tracks_owner ON tracks (owner_user_id) WHERE owner_user_id IS NOT NULL;
CREATE INDEX albums_owner ON albums (owner_user_id) WHERE owner_user_id IS NOT NULL;
