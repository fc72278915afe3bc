use async_trait::async_trait;

use crate::{Effects, InfraError, NewOneTimeToken, OneTimeToken, TokenHash};

/// Storage of one-time tokens (by hash only).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OneTimeTokenRepository: Send + Sync {
    /// Voids (marks used at `token.created_at`) every unused earlier token of
    /// the same user and purpose, stores `token`, and applies `effects`
    /// (typically the mail carrying the link), all in one transaction.
    /// A change that must also store a token carries it in `Effects::tokens`
    /// instead, which stores it the same way.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure. A token or effect that refers to an unknown user is
    /// `Unexpected`, and nothing is written.
    async fn issue(&self, token: NewOneTimeToken, effects: Effects) -> Result<(), InfraError>;

    /// The token with this hash, used or not, or `None`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure, including a stored token that no longer parses (never skipped).
    async fn find(&self, hash: &TokenHash) -> Result<Option<OneTimeToken>, InfraError>;
}
