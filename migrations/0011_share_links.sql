-- Public links (src/share.rs, src/web/shares.rs): a user's opt-in view of their archive
-- for anyone holding the link, until it expires or the user revokes it.
--
-- Where: in the user's own shard, beside the plays it shows. A link carries its shard as a
-- session cookie does (`{shard}.{token}` past shard 0, the token alone in shard 0), so a
-- visitor without a session is answered from one read in one database, and the
-- directory holds nothing of it. Every shard has the table; only the owner's fills it.
--
-- Never the token: `token_hash` is the SHA-256 (hex) of the random part, as sessions
-- store theirs, so a copy of the database opens no link. The token is shown once, when
-- the link is made.
CREATE TABLE share_links (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- never given again: a revoked id stays revoked
    user_key    INTEGER NOT NULL,                  -- users.key
    kind        TEXT NOT NULL,                     -- 'recap' (a range's figures) or 'recent' (the latest plays)
    range_year  INTEGER,                           -- a recap of a whole local year, else NULL
    range_from  TEXT,                              -- a recap's first local day (YYYY-MM-DD); NULL for 'recent'
    range_to    TEXT,                              -- a recap's last local day, inclusive; NULL for 'recent'
    show_name   INTEGER NOT NULL DEFAULT 0,        -- 1: the page shows the user's display name
    token_hash  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,                           -- NULL: until revoked
    revoked_at  INTEGER
);

-- The public page's one read: the link by its token's hash.
CREATE UNIQUE INDEX share_links_token ON share_links (token_hash);
-- The user's list, the cap's count, a revocation and the account's deletion.
CREATE INDEX share_links_user ON share_links (user_key, id);
