-- Shards: users spread over several D1 databases (src/shards.rs).
--
-- Every shard has every migration applied, so these tables exist everywhere; only shard 0
-- (ARCHIVE_DB, the directory) fills them.

-- Where each user lives: looked up at login (by the account's stable id, or by the
-- Spotify id a user was filed under before `/me` sent one) and by the admin routes.
-- Written before the user's row in their shard, deleted after it.
CREATE TABLE user_shards (
    user_id    TEXT PRIMARY KEY,
    spotify_id TEXT NOT NULL,
    shard      INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX user_shards_spotify_id ON user_shards (spotify_id);

-- Users per shard: where the next new user goes (the fewest for its weight) without
-- counting the directory. Kept by triggers, so it moves exactly when `user_shards` does.
CREATE TABLE shard_users (
    shard INTEGER PRIMARY KEY,
    users INTEGER NOT NULL
);

-- Before shards there was one database: everybody lives in shard 0. (In a new shard,
-- `users` is empty and this files nobody.)
INSERT INTO user_shards (user_id, spotify_id, shard, created_at)
    SELECT id, spotify_id, 0, created_at FROM users;
INSERT INTO shard_users (shard, users) SELECT 0, count(*) FROM user_shards;

CREATE TRIGGER shard_users_on_insert AFTER INSERT ON user_shards
BEGIN
    INSERT INTO shard_users (shard, users) VALUES (NEW.shard, 1)
        ON CONFLICT (shard) DO UPDATE SET users = users + 1;
END;

CREATE TRIGGER shard_users_on_delete AFTER DELETE ON user_shards
BEGIN
    UPDATE shard_users SET users = users - 1 WHERE shard = OLD.shard;
END;

-- What each shard contributed to a sweep: JSON, one object per shard.
ALTER TABLE sweeps ADD COLUMN shards TEXT;
