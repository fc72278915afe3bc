use async_trait::async_trait;
use uuid::Uuid;

use crate::{InfraError, QueuedMail, Timestamp};

/// The transactional outbox: mail queued by `Effects` with the change that
/// causes it, delivered later by a worker.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Claims up to `limit` undelivered messages that are due at `now`, oldest
    /// first, and leases them to the caller until `now + lease_secs`.
    ///
    /// MUST NOT hand one message to two callers whose leases overlap, even in
    /// different processes (on PostgreSQL: `FOR UPDATE SKIP LOCKED`). A
    /// message whose lease ran out without `mark_delivered` or `mark_failed`
    /// (its worker died) is claimable again. So callers MUST choose
    /// `lease_secs` well above the longest a send can take (the transport's
    /// timeout), or a slow send may be repeated by another worker.
    ///
    /// A row that no longer parses is leased alone and reported as
    /// `Unexpected` (never dropped, never blocking the rows behind it).
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure (a row that no longer parses is `Unexpected`, as above).
    async fn claim(
        &self,
        now: Timestamp,
        limit: u32,
        lease_secs: u64,
    ) -> Result<Vec<QueuedMail>, InfraError>;

    /// Marks a message delivered: it is never claimed again, and its link
    /// (which carries a one-time token) is erased.
    ///
    /// MUST be fenced by the claim's lease: only a row still leased until
    /// `leased_until` (the claim's [`QueuedMail::leased_until`]) changes, so
    /// a worker whose lease ran out and passed to another changes nothing.
    /// Unknown, already delivered or re-leased ids are left alone.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure; the message then stays leased and is claimed again when its
    /// lease ends.
    async fn mark_delivered(
        &self,
        id: Uuid,
        leased_until: Timestamp,
        at: Timestamp,
    ) -> Result<(), InfraError>;

    /// Records a failed attempt: one more attempt, `error` as the last error
    /// (short, never a secret), due again at `retry_at`, lease released.
    /// Fenced by the lease exactly like `mark_delivered`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure; as for `mark_delivered`.
    async fn mark_failed(
        &self,
        id: Uuid,
        leased_until: Timestamp,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<(), InfraError>;

    /// Deletes up to `limit` messages delivered before `before` (never an
    /// undelivered one), oldest first, and returns how many went. Callers
    /// repeat it while it returns `limit`, so no one statement runs long.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn delete_delivered(&self, before: Timestamp, limit: u32) -> Result<u64, InfraError>;

    /// How many messages wait for delivery.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn pending(&self) -> Result<u64, InfraError>;
}
