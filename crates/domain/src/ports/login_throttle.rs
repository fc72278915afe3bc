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
    /// When the lockout of `key` ends, if it is locked at `now`.
    async fn locked_until(
        &self,
        key: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, InfraError>;

    /// Counts one failure at `now` and applies `effects`, atomically (the
    /// count MUST be incremented in the store, not read-modify-written, so
    /// concurrent failures all count). A lockout that has already ended
    /// starts a new count. When this failure brings the count to
    /// `policy.max_failures`, the key is locked until `now + lockout_secs`,
    /// `lock_effects` are applied too (in the same transaction), and that
    /// instant is returned; otherwise `lock_effects` are dropped and the
    /// answer is `None`.
    async fn record_failure(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
        effects: Effects,
        lock_effects: Effects,
    ) -> Result<Option<Timestamp>, InfraError>;

    /// Forgets the failures of `key` (after a successful password check).
    async fn clear(&self, key: &str) -> Result<(), InfraError>;
}
