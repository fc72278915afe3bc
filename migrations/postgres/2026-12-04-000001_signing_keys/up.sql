-- The signing keys of access tokens under an asymmetric algorithm
-- (APP_AUTH__SIGNING_ALG EdDSA or ES256), shared by every process. The id
-- is the tokens' `kid`. The private half is sealed under
-- APP_AUTH__ENCRYPTION_KEY (XChaCha20-Poly1305, `signing-key:{id}` as
-- associated data); the public half is the JWK's x (and y for P-256).
CREATE TABLE signing_keys (
    id             TEXT PRIMARY KEY NOT NULL,
    algorithm      TEXT NOT NULL CHECK (algorithm IN ('EdDSA', 'ES256')),
    state          TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired')),
    public_x       TEXT NOT NULL,
    public_y       TEXT,
    sealed_private BYTEA NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    activated_at   TIMESTAMP,
    retired_at     TIMESTAMP
);
-- At most one current and one next key per algorithm: the first keys are
-- made once however many processes start together.
CREATE UNIQUE INDEX signing_keys_one_per_state ON signing_keys (algorithm, state)
    WHERE state <> 'retired';
