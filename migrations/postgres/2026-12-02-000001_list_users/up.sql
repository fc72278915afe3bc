-- The admin listing (UserRepository::list).
--
-- `name_folded` is the name lowercased as Rust's `str::to_lowercase` does;
-- adapters-db writes it with every write that sets the name, and `q`
-- (lowercased the same way) is matched against it and against `email`
-- (stored lowercased already). Existing rows are backfilled with `lower`,
-- which is Unicode-aware here but may differ from Rust's in rare cases
-- (a final `Σ`, a dotted `İ`) until the name is next written.
ALTER TABLE users ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
UPDATE users SET name_folded = lower(name);
ALTER TABLE users ALTER COLUMN name_folded DROP DEFAULT;

-- A listing filtered by role and active flag walks this backwards, newest
-- first, as an unfiltered one walks users_created_at_id_idx (a B-tree is
-- read in either direction, so no DESC copy of that index is needed).
CREATE INDEX users_role_is_active_created_at_id_idx
    ON users (role, is_active, created_at, id);

-- `q` is a `LIKE '%...%'` substring search: trigram indexes serve it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
CREATE INDEX users_name_folded_trgm_idx ON users USING gin (name_folded gin_trgm_ops);
