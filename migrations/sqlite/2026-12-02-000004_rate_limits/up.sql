-- Per-address request counts in fixed one-minute windows, shared by every
-- process on the database (APP_RATE_LIMIT__STORE=database). A key holds
-- the count of its latest window only; older windows are deleted.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY NOT NULL,
    window_start TEXT NOT NULL,
    hits         INTEGER NOT NULL CHECK (hits >= 0)
) STRICT;
CREATE INDEX rate_limits_window_start_idx ON rate_limits (window_start);
