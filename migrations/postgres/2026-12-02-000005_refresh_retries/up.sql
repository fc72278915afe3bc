-- A rotated refresh token keeps, for APP_AUTH__REFRESH_REUSE_GRACE_SECS and
-- while its successor is unused, the successor sealed under the encryption
-- key (never in plain text) and the end of that window. Both are NULL
-- otherwise, and erased when the window ends or the successor is used.
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed BYTEA;
ALTER TABLE refresh_tokens ADD COLUMN retry_until TIMESTAMP;

-- The sweep that erases ended windows reads only the few rows that have one.
CREATE INDEX refresh_tokens_retry_until_idx
    ON refresh_tokens (retry_until) WHERE retry_until IS NOT NULL;
