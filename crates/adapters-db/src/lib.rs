#![doc = include_str!("../README.md")]

mod connection;
mod database;
mod effects;
mod error;
mod events;
mod health;
mod mfa;
mod migrations;
mod one_time_tokens;
mod outbox;
mod rate_limits;
mod rows;
mod schema;
mod sessions;
mod signing_keys;
mod throttle;
mod user_listing;
mod users;

#[cfg(feature = "testing")]
pub mod testing;

pub use connection::{Backend, DatabaseUrl};
pub use database::{Database, PoolState};
pub use error::{DbSetupError, MigrationError, UrlError};
