//! Errors. Ports share [`InfraError`] for failures no caller can act on
//! beyond retrying; ports and use cases with cases a caller *can* act on have
//! an enum of their own that wraps it.

use crate::PasswordError;

/// A boxed cause, kept for the log and never shown to a client.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Failures of infrastructure behind a port.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// A bounded queue (password hashing) is full; try again shortly.
    #[error("overloaded")]
    Overloaded,
    /// A dependency (the database) cannot be reached in time.
    #[error("unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else. The cause goes to the log, never to a client.
    #[error("unexpected failure")]
    Unexpected(#[source] BoxError),
}

impl InfraError {
    /// Wraps any error as `Unexpected`.
    pub fn unexpected(cause: impl Into<BoxError>) -> Self {
        Self::Unexpected(cause.into())
    }
}

/// `UserRepository::create` failures.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// `UserRepository::apply_change` failures.
#[derive(Debug, thiserror::Error)]
pub enum UserChangeError {
    /// No such user, or a deactivated one and the change requires an
    /// active account.
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// `UserRepository::redeem_token` failures.
#[derive(Debug, thiserror::Error)]
pub enum RedeemTokenError {
    /// As for [`UserChangeError::NotFound`].
    #[error("no such user")]
    NotFound,
    /// The token is not this user's, or was used, voided or expired.
    #[error("token no longer usable")]
    TokenUnusable,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// `UserRepository::change_email` failures.
#[derive(Debug, thiserror::Error)]
pub enum ChangeEmailError {
    /// As for [`UserChangeError::NotFound`].
    #[error("no such user")]
    NotFound,
    /// As for [`RedeemTokenError::TokenUnusable`].
    #[error("token no longer usable")]
    TokenUnusable,
    /// Another account has the new email.
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// `UserRepository::change_access` failures.
#[derive(Debug, thiserror::Error)]
pub enum AccessChangeError {
    /// As for [`UserChangeError::NotFound`].
    #[error("no such user")]
    NotFound,
    /// The change would leave no active admin.
    #[error("the last active admin must remain")]
    LastAdmin,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// `UserRepository::delete` failures.
#[derive(Debug, thiserror::Error)]
pub enum DeleteUserError {
    #[error("no such user")]
    NotFound,
    #[error("the last active admin must remain")]
    LastAdmin,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Why an access token was refused. Both become `invalid_token`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenDecodeError {
    #[error("token is malformed, not an access token, or has a bad signature")]
    Invalid,
    #[error("token has expired")]
    Expired,
}

/// Use case: register (and admin/CLI user creation).
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<CreateUserError> for RegisterError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::EmailTaken => Self::EmailTaken,
            CreateUserError::Infra(infra) => Self::Infra(infra),
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
pub enum AuthError {
    /// Bad signature, wrong purpose, expired, ended session or inactive user.
    #[error("invalid access token")]
    InvalidToken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<TokenDecodeError> for AuthError {
    fn from(_: TokenDecodeError) -> Self {
        Self::InvalidToken
    }
}

/// Use case: verify an email address with a one-time token.
#[derive(Debug, thiserror::Error)]
pub enum TokenUseError {
    /// Unknown, used, voided, expired, or a token of another purpose.
    #[error("invalid or expired token")]
    InvalidOrExpired,
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

impl From<LoginError> for ChangePasswordError {
    /// From a re-check of the current password, which only ever fails with
    /// `InvalidCredentials`, `LockedOut` or `Infra`.
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::LockedOut { retry_after_secs } => Self::LockedOut { retry_after_secs },
            LoginError::Infra(infra) => Self::Infra(infra),
            LoginError::InvalidCredentials
            | LoginError::AccountDisabled
            | LoginError::EmailUnverified => Self::InvalidCredentials,
        }
    }
}

/// Use case: ask to change one's email address, giving the password.
#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
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

impl From<LoginError> for EmailChangeError {
    /// From a re-check of the current password, which only ever fails with
    /// `InvalidCredentials`, `LockedOut` or `Infra`.
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::LockedOut { retry_after_secs } => Self::LockedOut { retry_after_secs },
            LoginError::Infra(infra) => Self::Infra(infra),
            LoginError::InvalidCredentials
            | LoginError::AccountDisabled
            | LoginError::EmailUnverified => Self::InvalidCredentials,
        }
    }
}

/// Use case: confirm an email change with its one-time token.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmEmailError {
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

/// Use case: end one of one's own sessions.
#[derive(Debug, thiserror::Error)]
pub enum RevokeSessionError {
    /// No such session, not the caller's, or already ended.
    #[error("no such session")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}
