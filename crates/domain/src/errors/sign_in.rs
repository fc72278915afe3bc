//! Errors of the sign-in use cases.

use super::{InfraError, TokenDecodeError, UserCreationError};
use crate::SecretToken;

/// Use case: register (and admin/CLI user creation).
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<UserCreationError> for RegisterError {
    fn from(error: UserCreationError) -> Self {
        match error {
            UserCreationError::EmailTaken => Self::EmailTaken,
            UserCreationError::Infra(infra) => Self::Infra(infra),
        }
    }
}

/// Use case: log in with email and password.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Unknown email or wrong password: indistinguishable by design.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Correct password, deactivated account.
    #[error("account disabled")]
    AccountDisabled,
    /// Correct password, unverified email, and verification is required.
    #[error("email not verified")]
    EmailUnverified,
    /// Too many failures; no password is checked until the lockout ends.
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    /// Correct password, and two-factor authentication is on: no session
    /// yet. `mfa_token` opens one with a code at the second step.
    #[error("a second factor is required")]
    MfaRequired { mfa_token: SecretToken },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: the second step of a login, with the `mfa_token` and a code.
#[derive(Debug, thiserror::Error)]
pub enum CompleteMfaLoginError {
    /// The `mfa_token` is unknown, used or expired, or the account changed
    /// (deactivated, new password) since the password was checked.
    #[error("invalid mfa token")]
    InvalidToken,
    /// Wrong, reused or expired code (counted towards lockout).
    #[error("invalid code")]
    InvalidCode,
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: exchange a refresh token for a new pair.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Unknown, expired, rotated (the session is then revoked) or belonging
    /// to an ended session or inactive user.
    #[error("invalid refresh token")]
    InvalidToken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: authenticate a request by its access token.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticateError {
    /// Bad signature, wrong purpose, expired, ended session or inactive user.
    #[error("invalid access token")]
    InvalidToken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<TokenDecodeError> for AuthenticateError {
    fn from(_: TokenDecodeError) -> Self {
        Self::InvalidToken
    }
}

/// Use case: end the caller's session (logout). Only infrastructure can fail it.
#[derive(Debug, thiserror::Error)]
pub enum LogoutError {
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: list the caller's live sessions. Only infrastructure can fail it.
#[derive(Debug, thiserror::Error)]
pub enum ListSessionsError {
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: end one of one's own sessions.
#[derive(Debug, thiserror::Error)]
pub enum RevokeSessionError {
    /// No such session, not the caller's, or already ended.
    #[error("no such session")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}
