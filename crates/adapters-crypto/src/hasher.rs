//! `PasswordHasher`: a peppered HMAC pre-hash, then bcrypt, on a bounded pool.
//!
//! bcrypt reads only the first 72 bytes of its input, and a password may be
//! up to 128 code points (512 bytes) long. Hashing the password first with
//! HMAC-SHA256 and handing bcrypt the 44-character base64 of that digest
//! means every byte counts and nothing is truncated. The HMAC key (the
//! pepper) lives outside the database, so a leaked table alone cannot be
//! attacked offline.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bcrypt::HashParts;
use domain::ports::PasswordHasher;
use domain::{InfraError, PasswordHash, PlainPassword, Secret};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::CryptoConfigError;
use crate::pool::{DurationObserver, HashPool, HashPoolStats};
use crate::tokens::random_bytes;

/// The queue length when `APP_AUTH__HASH_QUEUE` is not set.
pub const DEFAULT_HASH_QUEUE: usize = 16;

/// The costs bcrypt accepts.
const COSTS: std::ops::RangeInclusive<u32> = 4..=31;

/// The prefix of every hash this adapter writes; others get re-hashed.
const OUR_PREFIX: &str = "$2b$";

/// What `BcryptHasher` needs. `Debug` never shows the pepper.
#[derive(Clone, Debug)]
pub struct HasherConfig {
    /// bcrypt cost, 4 to 31 (`APP_AUTH__BCRYPT_COST`).
    pub cost: u32,
    /// HMAC key for the pre-hash (`APP_AUTH__PASSWORD_PEPPER`). Changing it
    /// makes every stored hash fail to verify.
    pub pepper: Secret,
    /// Hashes that may run at once; at least 1.
    pub workers: usize,
    /// Hashes that may wait beyond those (`APP_AUTH__HASH_QUEUE`).
    pub queue: usize,
}

impl HasherConfig {
    /// A config with one worker per core and the default queue.
    #[must_use]
    pub fn new(cost: u32, pepper: impl Into<Secret>) -> Self {
        Self {
            cost,
            pepper: pepper.into(),
            workers: default_workers(),
            queue: DEFAULT_HASH_QUEUE,
        }
    }
}

/// One worker per core, as the architecture asks (1 if that is unknown).
#[must_use]
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// bcrypt over an HMAC-SHA256 pre-hash, on a bounded pool.
pub struct BcryptHasher {
    cost: u32,
    pepper: Hmac<Sha256>,
    pool: HashPool,
    /// A hash of a random password at the configured cost, which
    /// `verify_dummy` checks against.
    dummy: String,
}

impl BcryptHasher {
    /// Builds the hasher. Makes one hash at the configured cost (the dummy
    /// for `verify_dummy`) on the calling thread, so call it at start-up.
    ///
    /// # Errors
    /// A cost outside 4..=31, no workers, an empty pepper, or a failure of
    /// the OS random source.
    pub fn new(config: HasherConfig) -> Result<Self, CryptoConfigError> {
        Self::build(config, None)
    }

    /// As [`new`](Self::new), and `observer` hears how long each hash or
    /// verify ran (for `password_hash_duration_seconds`).
    ///
    /// # Errors
    /// As for [`new`](Self::new).
    pub fn with_observer(
        config: HasherConfig,
        observer: DurationObserver,
    ) -> Result<Self, CryptoConfigError> {
        Self::build(config, Some(observer))
    }

    fn build(
        config: HasherConfig,
        observer: Option<DurationObserver>,
    ) -> Result<Self, CryptoConfigError> {
        if !COSTS.contains(&config.cost) {
            return Err(CryptoConfigError::CostOutOfRange(config.cost));
        }
        if config.workers == 0 {
            return Err(CryptoConfigError::NoWorkers);
        }
        if config.pepper.is_empty() {
            return Err(CryptoConfigError::EmptySecret("password pepper"));
        }
        let pepper = Hmac::<Sha256>::new_from_slice(config.pepper.expose().as_bytes())
            .map_err(|_| CryptoConfigError::EmptySecret("password pepper"))?;
        let mut hasher = Self {
            cost: config.cost,
            pepper,
            pool: HashPool::new(config.workers, config.queue, observer),
            dummy: String::new(),
        };
        let random_password = STANDARD.encode(random_bytes::<32>());
        hasher.dummy = bcrypt::hash(hasher.pre_hash(&random_password), config.cost)
            .map_err(CryptoConfigError::DummyHash)?;
        Ok(hasher)
    }

    /// Live pool numbers for metrics; the handle outlives `self`.
    #[must_use]
    pub fn stats(&self) -> HashPoolStats {
        self.pool.stats()
    }

    /// Hashes running now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.pool.stats().in_flight()
    }

    /// Hashes waiting for a worker.
    #[must_use]
    pub fn queue_depth(&self) -> usize {
        self.pool.stats().queue_depth()
    }

    /// Hashes refused as `Overloaded` since start-up.
    #[must_use]
    pub fn rejected_total(&self) -> u64 {
        self.pool.stats().rejected_total()
    }

    /// The 44-character base64 of HMAC-SHA256(pepper, password): what bcrypt
    /// actually hashes. `password` is NFC already (`PlainPassword`).
    fn pre_hash(&self, password: &str) -> String {
        let mut mac = self.pepper.clone();
        mac.update(password.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    /// Checks `password` against a hash already known to parse.
    async fn verify_parsed(
        &self,
        password: &PlainPassword,
        hash: String,
    ) -> Result<bool, InfraError> {
        let input = self.pre_hash(password.expose());
        self.pool
            .run(move || bcrypt::verify(input, &hash))
            .await?
            .map_err(InfraError::unexpected)
    }
}

/// The stored hash, if bcrypt can check against it: it parses, and its cost
/// is one bcrypt accepts (a cost of 99 parses but cannot be verified).
fn parse(hash: &PasswordHash) -> Option<HashParts> {
    HashParts::from_str(hash.expose())
        .ok()
        .filter(|parts| COSTS.contains(&parts.get_cost()))
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: &PlainPassword) -> Result<PasswordHash, InfraError> {
        let input = self.pre_hash(password.expose());
        let cost = self.cost;
        let hash = self
            .pool
            .run(move || bcrypt::hash(input, cost))
            .await?
            .map_err(InfraError::unexpected)?;
        Ok(PasswordHash::new(hash))
    }

    async fn verify(
        &self,
        password: &PlainPassword,
        hash: &PasswordHash,
    ) -> Result<bool, InfraError> {
        if parse(hash).is_none() {
            return Ok(false);
        }
        self.verify_parsed(password, hash.expose().to_owned()).await
    }

    async fn verify_dummy(&self, password: &PlainPassword) -> Result<(), InfraError> {
        self.verify_parsed(password, self.dummy.clone())
            .await
            .map(|_| ())
    }

    fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        match parse(hash) {
            Some(parts) => parts.get_cost() < self.cost || !hash.expose().starts_with(OUR_PREFIX),
            None => true,
        }
    }
}

impl fmt::Debug for BcryptHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BcryptHasher")
            .field("cost", &self.cost)
            .field("pepper", &"[redacted]")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[path = "hasher_tests.rs"]
mod tests;
