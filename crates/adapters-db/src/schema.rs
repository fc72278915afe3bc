//! The one diesel schema both backends share.
//!
//! Column types are chosen so that the same `table!` works through
//! `MultiConnection` (which supports only the SQL types common to both):
//!
//! - ids are `Text`: hyphenated UUID v7 strings (`TEXT` on both backends).
//!   They sort by creation time as text, and PostgreSQL's `UUID` type would
//!   need a second schema.
//! - timestamps are `Timestamp`: naive UTC with microsecond precision
//!   (`TIMESTAMP` on PostgreSQL; on SQLite, `TEXT` in diesel's
//!   `YYYY-MM-DD HH:MM:SS[.ffffff]` form, which sorts correctly as text).
//!   Values are truncated to microseconds before they are written, so both
//!   backends read back exactly what was stored.
//! - flags are `Bool` (`BOOLEAN` on PostgreSQL, `INTEGER` 0/1 on SQLite).

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        email_verified -> Bool,
        is_active -> Bool,
        password_hash -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// `name` lowercased as Rust's `str::to_lowercase` does (SQLite's
        /// `lower` folds ASCII only), for the listing's `q`.
        name_folded -> Text,
        /// True exactly while `totp_enrolments` holds a confirmed row.
        mfa_enabled -> Bool,
    }
}

diesel::table! {
    /// One per user at most: pending (`confirmed_at` NULL) or on. The
    /// secret is sealed (`SecretSealer`), bound to the user id.
    totp_enrolments (user_id) {
        user_id -> Text,
        sealed_secret -> Binary,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        last_used_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Recovery codes by keyed hash; single use.
    recovery_codes (user_id, code_hash) {
        user_id -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The `mfa_token`s of logins waiting for their second step, by hash.
    mfa_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        refresh_expires_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    /// Every refresh token a session ever had: the current one has
    /// `rotated_at` NULL; rotated ones stay for reuse detection, and keep
    /// their sealed successor until their retry window ends.
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        rotated_at -> Nullable<Timestamp>,
        successor_sealed -> Nullable<Binary>,
        retry_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    security_events (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        at -> Timestamp,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    /// Per-address request counts of the latest window of each key.
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        in_flight -> Integer,
        in_flight_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The transactional outbox. Undelivered rows have `delivered_at` NULL;
    /// `locked_until` is the lease of the worker that claimed the row.
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        recipient_name -> Text,
        link -> Nullable<Text>,
        created_at -> Timestamp,
        next_attempt_at -> Timestamp,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// One-time tokens by hash. Usable while `used_at` is NULL and
    /// `expires_at` is ahead; a newer token of the same user and purpose
    /// sets `used_at` of the older ones (voids them).
    one_time_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        new_email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// The signing keys of access tokens (asymmetric algorithms); `id` is
    /// the `kid`. At most one `current` and one `next` per algorithm.
    signing_keys (id) {
        id -> Text,
        algorithm -> Text,
        state -> Text,
        public_x -> Text,
        public_y -> Nullable<Text>,
        sealed_private -> Binary,
        created_at -> Timestamp,
        activated_at -> Nullable<Timestamp>,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(security_events -> users (user_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(totp_enrolments -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(mfa_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    refresh_tokens,
    security_events,
    login_throttle,
    outbox,
    rate_limits,
    one_time_tokens,
    totp_enrolments,
    recovery_codes,
    mfa_tokens,
    signing_keys,
);
