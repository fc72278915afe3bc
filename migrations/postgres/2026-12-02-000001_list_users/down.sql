-- The pg_trgm extension stays: something else may have come to use it.
DROP INDEX users_name_folded_trgm_idx;
DROP INDEX users_email_trgm_idx;
DROP INDEX users_role_is_active_created_at_id_idx;
ALTER TABLE users DROP COLUMN name_folded;
