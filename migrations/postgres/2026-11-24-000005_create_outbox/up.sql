-- The transactional outbox: mail written in the same transaction as the
-- change that causes it, delivered later by a worker. `kind` is not
-- constrained here, so that a new kind needs no migration; a stored kind or
-- recipient the code cannot parse is an error when claimed, never dropped.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    recipient_name  TEXT NOT NULL,
    -- Carries a one-time token: cleared once the message is delivered.
    link            TEXT,
    created_at      TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error      TEXT,
    -- The lease of the worker that claimed it; claimable again once past.
    locked_until    TIMESTAMP,
    delivered_at    TIMESTAMP
);

-- The worker's question, "which undelivered messages are due", reads only
-- this small index: delivered rows leave it.
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
