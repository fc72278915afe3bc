#![doc = include_str!("../README.md")]

mod events;
mod health;
mod mfa;
mod one_time_tokens;
mod outbox;
mod rate_limits;
mod sessions;
mod signing_keys;
mod store;
mod throttle;
mod users;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use store::MemoryStore;
