use async_trait::async_trait;

use crate::{InfraError, Timestamp};

/// Request counters per client key in fixed windows, kept where every
/// process on one database sees them (`APP_RATE_LIMIT__STORE=database`),
/// so N processes enforce one limit, not N.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateLimitCounter: Send + Sync {
    /// Counts one request of `key` in the window that starts at
    /// `window_start`, and returns the requests counted in that window, this
    /// one included. A count of an earlier window starts again at 1.
    ///
    /// MUST be one atomic step in the store: concurrent hits of one key, from
    /// any process, all count.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn hit(&self, key: &str, window_start: Timestamp) -> Result<u32, InfraError>;

    /// Forgets the counts of windows that started before `before`, and
    /// returns how many keys went, so the store holds about one window.
    ///
    /// # Errors
    /// As for [`hit`](Self::hit).
    async fn forget_before(&self, before: Timestamp) -> Result<u64, InfraError>;
}
