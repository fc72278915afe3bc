#![doc = include_str!("../README.md")]

mod error;
mod hasher;
mod jwt;
mod keys;
mod pool;
mod sealer;
mod tokens;
mod totp;

pub use error::CryptoConfigError;
pub use hasher::{BcryptHasher, DEFAULT_HASH_QUEUE, HasherConfig, default_workers};
pub use jwt::{JwtCodec, TokenProfile};
pub use keys::KeyGenerator;
pub use pool::{DurationObserver, HashPoolStats};
pub use sealer::AeadSealer;
pub use tokens::RandomTokens;
pub use totp::TotpFactor;
