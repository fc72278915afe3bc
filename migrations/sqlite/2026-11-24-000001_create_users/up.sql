-- Ids are hyphenated UUID v7 text and timestamps TEXT in diesel's
-- 'YYYY-MM-DD HH:MM:SS[.ffffff]' form (naive UTC), which sorts as text: the
-- same logical types as the PostgreSQL schema, see adapters-db's schema.rs.
-- STRICT makes SQLite refuse a value of the wrong type.
CREATE TABLE users (
    id             TEXT PRIMARY KEY NOT NULL,
    -- Stored lowercased by the domain, so this is case-insensitive.
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    email_verified INTEGER NOT NULL CHECK (email_verified IN (0, 1)),
    is_active      INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    -- adapters-db recognises a duplicate email by the column (users.email).
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_role_check CHECK (role IN ('user', 'admin'))
) STRICT;

-- Keyset pagination of the admin listing, newest first.
CREATE INDEX users_created_at_id_idx ON users (created_at, id);
