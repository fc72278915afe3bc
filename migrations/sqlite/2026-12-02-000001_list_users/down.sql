DROP INDEX users_role_is_active_created_at_id_idx;
ALTER TABLE users DROP COLUMN name_folded;
