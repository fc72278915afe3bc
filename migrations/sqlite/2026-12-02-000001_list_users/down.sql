CREATE INDEX users_created_at_id_idx ON users (created_at, id);
DROP INDEX users_created_at_id_search_idx;
DROP INDEX users_role_is_active_created_at_id_idx;
ALTER TABLE users DROP COLUMN name_folded;
