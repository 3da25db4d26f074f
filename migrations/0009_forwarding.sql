-- Forwarding: each user's destinations (ListenBrainz, Last.fm; src/forward/) and, per destination,
-- the plays it has yet to accept.

-- One row per user and service. The credential is sealed (src/crypto.rs) under the user
-- and the service. `pending` counts the destination's rows in `forward_outbox`; the
-- trigger below adds to it, a settled batch sets it again from the count.
-- AUTOINCREMENT: an id is never given again, so nothing of a destination (an attempt in
-- flight, a KV mark) can be taken for another's.
CREATE TABLE forward_destinations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_key        INTEGER NOT NULL,               -- users.key
    service         TEXT NOT NULL,                  -- 'listenbrainz' or 'lastfm'
    account         TEXT NOT NULL,                  -- the user's name at the service
    credential      TEXT NOT NULL,                  -- sealed: the ListenBrainz user token, the Last.fm session key
    enabled         INTEGER NOT NULL DEFAULT 1,     -- the user's switch
    pending         INTEGER NOT NULL DEFAULT 0,     -- plays waiting in forward_outbox
    sent            INTEGER NOT NULL DEFAULT 0,     -- plays the service accepted
    passed_over     INTEGER NOT NULL DEFAULT 0,     -- plays its rules keep out (Last.fm: 30 s or less, 14 days old)
    refused         INTEGER NOT NULL DEFAULT 0,     -- plays it refused one by one (a 400), taken off
    solo_plays      INTEGER NOT NULL DEFAULT 0,     -- plays still to send one at a time, after a refused batch
    last_sent_at    INTEGER,
    last_error      TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,     -- failed attempts since the last success
    next_attempt_at INTEGER NOT NULL DEFAULT 0,     -- not before (backoff, Retry-After)
    claimed_until   INTEGER NOT NULL DEFAULT 0,     -- an attempt holds it until then
    relayed_until   INTEGER NOT NULL DEFAULT 0,     -- a message for it is on the queue until then
    last_batch      INTEGER,                        -- the attempt whose batch was recorded last
    revoked_at      INTEGER,                        -- the service refused the credential
    created_at      INTEGER NOT NULL,
    UNIQUE (user_key, service)
);

-- The sweep's question: which destinations have plays to send and may send them now.
CREATE INDEX forward_destinations_due ON forward_destinations (next_attempt_at)
    WHERE pending > 0 AND enabled = 1 AND revoked_at IS NULL;

-- The plays each destination has yet to accept, by their key in play_events. A row goes
-- when the service has accepted its play, in the batch that records the acceptance.
CREATE TABLE forward_outbox (
    destination_id INTEGER NOT NULL,                -- forward_destinations.id
    played_at      INTEGER NOT NULL,
    track_key      INTEGER NOT NULL,
    PRIMARY KEY (destination_id, played_at, track_key)
) WITHOUT ROWID;

-- Every music play a poll archives is queued for each of its user's destinations, by the
-- statement that inserts it: in the archive's own batch, so a crash can neither archive
-- a play without queueing it nor queue one it did not archive. A repeat the primary key
-- absorbs inserts nothing and queues nothing. Imports (source 1, 2) and episodes and
-- audiobooks (kind 1, 2) are not forwarded. A paused or revoked destination keeps
-- collecting: switched on or connected again, it catches up.
CREATE TRIGGER play_events_forward AFTER INSERT ON play_events
WHEN NEW.source = 0 AND NEW.kind = 0
BEGIN
    INSERT INTO forward_outbox (destination_id, played_at, track_key)
        SELECT id, NEW.played_at, NEW.track_key FROM forward_destinations
         WHERE user_key = NEW.user_key
        ON CONFLICT DO NOTHING;
    UPDATE forward_destinations SET pending = pending + 1 WHERE user_key = NEW.user_key;
END;
