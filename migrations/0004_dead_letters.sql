-- Archive jobs that failed every retry, moved here from the dead-letter queue so that an
-- operator sees them and can replay one (POST /api/admin/jobs with its body).
CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT NOT NULL UNIQUE,          -- the Queue's message id: a redelivery is stored once
    body        TEXT NOT NULL,                 -- the job as the queue carried it (JSON)
    received_at INTEGER NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters (received_at);
