DROP INDEX refresh_tokens_retry_until_idx;
ALTER TABLE refresh_tokens DROP COLUMN retry_until;
ALTER TABLE refresh_tokens DROP COLUMN successor_sealed;
