-- The admin listing (UserRepository::list).
--
-- `name_folded` is the name lowercased as Rust's `str::to_lowercase` does;
-- adapters-db writes it with every write that sets the name, and `q`
-- (lowercased the same way) is matched against it and against `email`
-- (stored lowercased already). SQLite's `lower` folds ASCII only, so the
-- backfill of existing rows is exact for ASCII names and leaves other
-- letters as they are until the name is next written. SQLite cannot add a
-- NOT NULL column without a default, nor drop the default afterwards short
-- of rebuilding the table; adapters-db never relies on it.
ALTER TABLE users ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
UPDATE users SET name_folded = lower(name);

-- A listing filtered by role and active flag walks this backwards, newest
-- first, as an unfiltered one walks users_created_at_id_idx (an index is
-- read in either direction, so no DESC copy of that index is needed).
CREATE INDEX users_role_is_active_created_at_id_idx
    ON users (role, is_active, created_at, id);

-- SQLite has no trigram index, so a search walks the listing order and
-- tests each account. With the searched columns in the index that walk
-- reads the index alone and fetches only the rows that match: a rare `q`
-- over 100,000 accounts takes about 30 ms instead of 60 to 110 (the table
-- lookup per row was the cost), a common one stops after a page. It serves
-- the unfiltered and deep pages as users_created_at_id_idx did, so that one
-- goes.
CREATE INDEX users_created_at_id_search_idx
    ON users (created_at, id, email, name_folded);
DROP INDEX users_created_at_id_idx;

