-- Failed password checks per login key (the lowercased email, whether or not
-- an account has it). No foreign key, so that lockout reveals nothing.
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL CHECK (failures >= 0),
    locked_until TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL
);
