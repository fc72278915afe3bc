//! Errors of the account use cases.

use super::InfraError;

/// Use case: verify an email address with a one-time token.
#[derive(Debug, thiserror::Error)]
pub enum VerifyEmailError {
    /// Unknown, used, voided, expired, or a token of another purpose.
    #[error("invalid or expired token")]
    InvalidOrExpired,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: send the caller a fresh verification link. Only infrastructure can fail it.
#[derive(Debug, thiserror::Error)]
pub enum ResendVerificationError {
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: ask to change one's email address, giving the password.
#[derive(Debug, thiserror::Error)]
pub enum RequestEmailChangeError {
    /// The current password is wrong (counted towards lockout like a login).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures; no password is checked until the lockout ends.
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    /// The new address belongs to an account (the caller's own included).
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: confirm an email change with its one-time token.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmEmailChangeError {
    /// Unknown, used, voided, expired, or a token of another purpose.
    #[error("invalid or expired token")]
    InvalidOrExpired,
    /// Another account took the address after the change was requested.
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: rename oneself.
#[derive(Debug, thiserror::Error)]
pub enum UpdateProfileError {
    /// The account was deleted after the request was authenticated.
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: delete one's own account.
#[derive(Debug, thiserror::Error)]
pub enum DeleteAccountError {
    /// The caller is the last active admin.
    #[error("the last active admin must remain")]
    LastAdmin,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: read a user's security events. Only infrastructure can fail it.
#[derive(Debug, thiserror::Error)]
pub enum ListEventsError {
    #[error(transparent)]
    Infra(#[from] InfraError),
}
