-- Lockout counts failed checks only: `failures` now counts failures (no
-- longer attempts begun), and the checks in flight are counted apart, with
-- the time the last one was admitted, so a check that is never recorded
-- (a process that died mid-check) is forgotten after a while.
ALTER TABLE login_throttle ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0 CHECK (in_flight >= 0);
ALTER TABLE login_throttle ADD COLUMN in_flight_at TIMESTAMP;
