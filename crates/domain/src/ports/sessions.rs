use async_trait::async_trait;

use crate::{
    Effects, InfraError, NewSession, RefreshRotation, RefreshTokenState, Session,
    SessionCreationError, SessionId, Timestamp, TokenHash, User, UserId,
};

/// Storage of login sessions and their refresh tokens (by hash only).
///
/// Errors as for `UserRepository`: `Unavailable` when the store cannot be
/// reached in time, `Unexpected` otherwise.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Inserts `session` with `session.refresh_hash` as its current refresh
    /// token, and applies `effects`, in one transaction.
    ///
    /// MUST be a compare-and-swap on the credentials: in the same
    /// transaction, holding the user's row against concurrent writes, the
    /// user MUST still exist, be active and have `session.opened_with` as
    /// its password hash; otherwise nothing is written. So a password reset
    /// or change (which ends every session) that commits while a login
    /// checks the old password can never be followed by that login's
    /// session.
    ///
    /// # Errors
    /// `CredentialsChanged` when that check fails. MUST return
    /// `Infra(Unavailable)` when the store cannot be reached within its
    /// acquire timeout; `Infra(Unexpected)` for any other failure.
    async fn create(
        &self,
        session: NewSession,
        effects: Effects,
    ) -> Result<Session, SessionCreationError>;

    /// The session with this id, live or not, or `None`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn find(&self, id: SessionId) -> Result<Option<Session>, InfraError>;

    /// The session with this id, live or not, and its user, read together
    /// in one round trip (what authenticating every request needs), or
    /// `None` when there is no such session.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn find_with_user(&self, id: SessionId) -> Result<Option<(Session, User)>, InfraError>;

    /// What the refresh token with this hash is: the current token of its
    /// session, a token of its session that a rotation replaced (with the
    /// retry its rotation kept, until erased), or `None` when no session
    /// ever had it. MUST remember replaced tokens for as long as their
    /// session exists, so that reuse can be detected. The retry is returned
    /// as stored, even past its `until`: the caller judges the window.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn find_by_refresh_hash(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshTokenState>, InfraError>;

    /// Atomically replaces `rotation.old` by `rotation.new` as the session's
    /// current refresh token, sets `last_used_at = rotation.now` and
    /// `refresh_expires_at`, and applies `effects`.
    ///
    /// MUST be a compare-and-swap: when `old` is no longer current (another
    /// refresh won a race) or the session is revoked, it MUST write nothing
    /// (not even the effects) and return `Ok(None)`. On success it returns
    /// the updated session.
    ///
    /// On success, in the same transaction, `old` MUST keep `rotation.retry`
    /// (none when `None`), and every earlier token of the session MUST lose
    /// its retry: its successor, `old`, has now been used.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure. Losing the compare-and-swap is no error but `Ok(None)`.
    async fn rotate_refresh(
        &self,
        rotation: RefreshRotation,
        effects: Effects,
    ) -> Result<Option<Session>, InfraError>;

    /// Marks the session revoked at `at` and applies `effects`, atomically.
    /// Revoking a revoked or unknown session changes nothing but still
    /// applies `effects`. The retries of the session's tokens MUST be erased
    /// with it (a successor of an ended session is of no use).
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn revoke(
        &self,
        id: SessionId,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), InfraError>;

    /// The live sessions (not revoked, not past their absolute end at `now`)
    /// of `user_id`, most recently used first.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn list_live(&self, user_id: UserId, now: Timestamp) -> Result<Vec<Session>, InfraError>;

    /// Erases every retry whose window has ended (`until <= now`), and
    /// returns how many it erased; the tokens themselves stay, as rotated.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn erase_ended_retries(&self, now: Timestamp) -> Result<u64, InfraError>;
}
