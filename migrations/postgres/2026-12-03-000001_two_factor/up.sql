-- Two-factor authentication (TOTP). `users.mfa_enabled` is true exactly
-- while the user's enrolment is confirmed: both change in one transaction.
ALTER TABLE users ADD COLUMN mfa_enabled BOOLEAN NOT NULL DEFAULT FALSE;

-- At most one enrolment per user: pending (confirmed_at NULL) or on. The
-- secret is sealed under APP_AUTH__ENCRYPTION_KEY (XChaCha20-Poly1305, the
-- user id as associated data), never stored in plain text. last_used_step
-- is the latest 30-second step a code was accepted for.
CREATE TABLE totp_enrolments (
    user_id        TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sealed_secret  BYTEA NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    confirmed_at   TIMESTAMP,
    last_used_step BIGINT
);

-- Recovery codes by keyed hash (HMAC-SHA256), single use.
CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- The mfa_token of a login waiting for its second step, by hash only.
CREATE TABLE mfa_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);

CREATE INDEX mfa_tokens_user_id_idx ON mfa_tokens (user_id);
