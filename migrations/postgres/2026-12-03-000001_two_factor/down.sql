DROP INDEX mfa_tokens_user_id_idx;
DROP TABLE mfa_tokens;
DROP TABLE recovery_codes;
DROP TABLE totp_enrolments;
ALTER TABLE users DROP COLUMN mfa_enabled;
