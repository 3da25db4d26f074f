-- The history API: "Archive now" and the user's time zone for the stats.
-- Every new query is served by the indexes of 0001: plays by
-- play_events_user_time (user_id, played_at, and the rowid as its tie-break), the
-- catalogue by primary keys, users by id.

-- When the user last pressed "Archive now": at most one request in 5 minutes, and the
-- request is pending until an archive succeeds after it.
ALTER TABLE users ADD COLUMN archive_requested_at INTEGER;

-- The user's default IANA time zone for stats (Europe/Berlin); NULL means UTC.
ALTER TABLE users ADD COLUMN time_zone TEXT;
