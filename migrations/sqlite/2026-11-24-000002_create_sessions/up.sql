CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY NOT NULL,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at         TEXT NOT NULL,
    last_used_at       TEXT NOT NULL,
    refresh_expires_at TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    revoked_at         TEXT,
    user_agent         TEXT,
    ip                 TEXT
) STRICT;

CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- Every refresh token a session ever had, by hash. The current one has
-- rotated_at NULL; rotated ones stay (as long as the session) so that a
-- replayed token is recognised.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    rotated_at TEXT
) STRICT;

CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

-- At most one current token per session, whatever races happen.
CREATE UNIQUE INDEX refresh_tokens_one_current_idx
    ON refresh_tokens (session_id) WHERE rotated_at IS NULL;
