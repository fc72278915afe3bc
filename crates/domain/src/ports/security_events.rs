use async_trait::async_trait;

use crate::{EventCursor, InfraError, SecurityEvent, UserId};

/// Reading the security trail (it is written through `Effects`).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SecurityEventRepository: Send + Sync {
    /// Up to `limit` events of `user_id`, newest first, ordered by
    /// `(at, id)` descending; with `after`, only events strictly older than
    /// that position in this order (keyset pagination).
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure, including a stored event that no longer parses (never skipped).
    async fn list_for_user(
        &self,
        user_id: UserId,
        limit: u32,
        after: Option<EventCursor>,
    ) -> Result<Vec<SecurityEvent>, InfraError>;
}
