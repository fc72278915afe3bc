//! The repository contract suite: every test runs on SQLite and on
//! PostgreSQL (`sqlite::<name>` and `postgres::<name>`), each on a fresh
//! database. See the crate README for the environment variables.

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

mod availability;
mod health;
mod last_admin;
mod migrations;
mod one_time_tokens;
mod outbox;
mod outbox_queueing;
mod security_events;
mod user_change_tokens;
mod user_changes;
mod user_deletion;
mod users;
