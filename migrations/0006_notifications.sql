-- Notifications: where each user wants to hear that archiving broke (or is about to),
-- and an outbox of deliveries written in the same batch as the change that causes them.

-- What the user wants to hear, on their row (no extra row to read per archive).
ALTER TABLE users ADD COLUMN notify_failing_after_hours INTEGER NOT NULL DEFAULT 6;
ALTER TABLE users ADD COLUMN notify_gaps INTEGER NOT NULL DEFAULT 0;   -- a data gap is an event (off by default)
ALTER TABLE users ADD COLUMN notify_daily_limit INTEGER NOT NULL DEFAULT 10; -- events per 24 hours, at most
-- The first failure of the current streak (NULL while archiving works): "failing for
-- longer than the threshold" is measured from here.
ALTER TABLE users ADD COLUMN failing_since INTEGER;

-- A user's channel: a signed webhook, an ntfy topic or a Discord webhook.
-- AUTOINCREMENT: an id is never given twice (the outbox's is the receivers' idempotency
-- key, and a channel's id is part of every event's unique key).
CREATE TABLE notification_channels (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id           TEXT NOT NULL,
    kind              TEXT NOT NULL,             -- webhook | ntfy | discord
    target_enc        TEXT NOT NULL,             -- sealed JSON {url, token?, secret?} (src/crypto.rs)
    target_hint       TEXT NOT NULL,             -- what pages show: https://host/…last4
    enabled           INTEGER NOT NULL DEFAULT 1,
    disabled_at       INTEGER,
    disabled_reason   TEXT,                      -- why deliveries stopped, for the dashboard
    created_at        INTEGER NOT NULL,
    last_delivered_at INTEGER
);
-- The user's channels: every event's fan-out, the dashboard, account deletion.
CREATE INDEX notification_channels_user ON notification_channels (user_id);

-- One row per event and channel. Channel 0 with user '' is the operator's (vars).
CREATE TABLE notification_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT, -- the idempotency key: stm-<id>
    user_id       TEXT NOT NULL,
    channel_id    INTEGER NOT NULL,
    event_key     TEXT NOT NULL,                 -- the occurrence: an event raised twice is one row
    event         TEXT NOT NULL,                 -- needs_login, archiving_failing, …
    data          TEXT NOT NULL,                 -- the event's facts (JSON)
    created_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    not_before    INTEGER NOT NULL,              -- the next attempt waits until then (backoff, Retry-After)
    relay_at      INTEGER,                       -- pending: the sweep (re)sends it to the queue from then; NULL once settled
    sending_until INTEGER,                       -- an attempt holds it until then
    delivered_at  INTEGER,
    failed_at     INTEGER,
    last_error    TEXT,
    UNIQUE (channel_id, event_key)
);
-- The relay: pending deliveries only, by when they are due.
CREATE INDEX notification_outbox_relay ON notification_outbox (relay_at) WHERE relay_at IS NOT NULL;
-- The daily limit, the user's recent deliveries, account deletion.
CREATE INDEX notification_outbox_user ON notification_outbox (user_id, created_at);
-- Retention: the sweep forgets settled deliveries after 90 days.
CREATE INDEX notification_outbox_created ON notification_outbox (created_at);
