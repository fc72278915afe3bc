-- Ids are hyphenated UUID v7 text and timestamps naive UTC (microseconds),
-- the same logical types as the SQLite schema: see adapters-db's schema.rs.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    -- Stored lowercased by the domain, so this is case-insensitive.
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    email_verified BOOLEAN NOT NULL,
    is_active      BOOLEAN NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    -- adapters-db recognises a duplicate email by this name.
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_role_check CHECK (role IN ('user', 'admin'))
);

-- Keyset pagination of the admin listing, newest first.
CREATE INDEX users_created_at_id_idx ON users (created_at, id);
