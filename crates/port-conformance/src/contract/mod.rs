//! The contract tests, by topic, and the fixtures they share. Each test is
//! a `pub(crate) async fn name<H: Harness>(f: Fixture<H>)`, listed in
//! `suite!` (an unlisted one is dead code).

mod support;

pub(crate) mod email_changes;
pub(crate) mod health;
pub(crate) mod last_admin;
pub(crate) mod one_time_tokens;
pub(crate) mod outbox;
pub(crate) mod outbox_queueing;
pub(crate) mod rate_limits;
pub(crate) mod refresh_retries;
pub(crate) mod security_events;
pub(crate) mod session_with_user;
pub(crate) mod sessions;
pub(crate) mod signing_keys;
pub(crate) mod throttle;
pub(crate) mod two_factor;
pub(crate) mod user_change_tokens;
pub(crate) mod user_changes;
pub(crate) mod user_deletion;
pub(crate) mod user_listing;
pub(crate) mod users;

pub(crate) use support::Fixture;
