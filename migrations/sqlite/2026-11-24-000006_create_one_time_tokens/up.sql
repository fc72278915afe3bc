-- One-time tokens sent by email (email verification, password reset, email
-- change), stored only by hash. A token is usable while used_at is NULL and
-- expires_at is ahead; issuing a newer one of the same user and purpose
-- voids the older ones (sets used_at). Deleting the user deletes them.
CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    -- The address to switch to, for change_email only.
    new_email  TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- When it was used, or voided by a newer token.
    used_at    TEXT,
    CONSTRAINT one_time_tokens_purpose_check
        CHECK (purpose IN ('verify_email', 'reset_password', 'change_email'))
) STRICT;

-- Voiding a user's earlier tokens of one purpose, and the cascade from users.
CREATE INDEX one_time_tokens_user_id_purpose_idx ON one_time_tokens (user_id, purpose);
