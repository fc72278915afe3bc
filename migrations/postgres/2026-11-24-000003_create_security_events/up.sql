-- The append-only security trail. `kind` is not constrained here, so that a
-- new kind needs no migration; a stored kind the code does not know is an
-- error when read, never dropped.
CREATE TABLE security_events (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    ip         TEXT,
    user_agent TEXT,
    detail     TEXT
);

-- A user's events, newest first, by keyset on (at, id).
CREATE INDEX security_events_user_id_at_id_idx ON security_events (user_id, at, id);
