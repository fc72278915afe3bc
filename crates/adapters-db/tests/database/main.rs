//! What only this adapter has, beyond the ports' conformance suite
//! (`tests/conformance.rs`): connecting, migrations, the pool, and rows
//! corrupted with raw SQL. Tests declared with `backend_tests!` run on
//! SQLite and on PostgreSQL (`sqlite::<name>` and `postgres::<name>`), each
//! on a fresh database; the others target one situation each. See the crate
//! README for the environment variables.

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod support;

mod availability;
mod corrupt_rows;
mod health;
mod migrations;
