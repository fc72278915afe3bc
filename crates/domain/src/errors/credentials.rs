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

/// Use case: start a TOTP enrolment, giving the current password.
#[derive(Debug, thiserror::Error)]
pub enum StartTotpError {
    #[error("two-factor authentication is already on")]
    AlreadyEnabled,
    /// The current password is wrong (counted towards lockout).
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: confirm a pending TOTP enrolment with a code.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmTotpError {
    /// No enrolment was started.
    #[error("no enrolment started")]
    NotStarted,
    #[error("two-factor authentication is already on")]
    AlreadyEnabled,
    /// Wrong, reused or expired code (or the enrolment restarted meanwhile).
    #[error("invalid code")]
    InvalidCode,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: replace the recovery codes, giving the password and a code.
#[derive(Debug, thiserror::Error)]
pub enum RegenerateRecoveryCodesError {
    /// Two-factor authentication is off.
    #[error("two-factor authentication is off")]
    NotEnabled,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    /// Wrong, reused or expired code (counted towards lockout).
    #[error("invalid code")]
    InvalidCode,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: turn two-factor authentication off, giving the password and a
/// code.
#[derive(Debug, thiserror::Error)]
pub enum DisableMfaError {
    #[error("two-factor authentication is off")]
    NotEnabled,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    #[error("invalid code")]
    InvalidCode,
    #[error(transparent)]
    Infra(#[from] InfraError),
}
