use async_trait::async_trait;

use crate::{Effects, InfraError, Timestamp};

/// After `max_failures` failed password checks in a row, an account is
/// locked for `lockout_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lockout_secs: u64,
}

/// Counts failed password checks per login key (the lowercased email,
/// whether or not an account has it, so lockout reveals nothing).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Starts a password check for `key` at `now` and counts it as a
    /// failure in advance (incremented in the store, atomically, so that
    /// concurrent checks cannot together exceed the limit; a success clears
    /// the count afterwards). A lockout that has ended starts a new count.
    ///
    /// Returns when the lockout ends, and the password MUST then not be
    /// checked, if `key` is locked at `now`, or if this attempt is beyond
    /// `policy.max_failures` (more checks at once than the limit allows: the
    /// key is then locked until `now + lockout_secs`). `None`: go ahead.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure. A failure counts nothing, and the caller MUST then not check
    /// the password.
    async fn begin_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
    ) -> Result<Option<Timestamp>, InfraError>;

    /// Records that an attempt begun with `begin_attempt` failed, and
    /// applies `effects`, atomically. When the failures counted have
    /// reached `policy.max_failures` and `key` is not locked yet, it is
    /// locked until `now + lockout_secs`, `lock_effects` are applied too,
    /// and that instant is returned; otherwise `lock_effects` are dropped
    /// and the answer is `None`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure, and then neither the failure nor any effect is recorded.
    async fn record_failure(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
        effects: Effects,
        lock_effects: Effects,
    ) -> Result<Option<Timestamp>, InfraError>;

    /// Forgets the failures of `key` (after a successful password check).
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn clear(&self, key: &str) -> Result<(), InfraError>;
}
