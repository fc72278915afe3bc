//! Errors of the credential use cases.

use super::InfraError;
use crate::PasswordError;

/// Use case: ask for a password-reset link. Only infrastructure can fail it.
#[derive(Debug, thiserror::Error)]
pub enum ForgotPasswordError {
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: set a new password with a reset token.
#[derive(Debug, thiserror::Error)]
pub enum ResetPasswordError {
    /// Unknown, used, voided, expired, or a token of another purpose, or its
    /// account is gone or deactivated. Checked before the password rules.
    #[error("invalid or expired token")]
    InvalidOrExpired,
    /// The new password breaks the rules.
    #[error("new password rejected")]
    InvalidPassword(#[from] PasswordError),
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: change one's password, giving the current one.
#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    /// The current password is wrong (counted towards lockout like a login).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures; no password is checked until the lockout ends.
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    /// The new password breaks the rules. Checked first.
    #[error("new password rejected")]
    InvalidPassword(#[from] PasswordError),
    #[error(transparent)]
    Infra(#[from] InfraError),
}
