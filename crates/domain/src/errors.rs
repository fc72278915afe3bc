//! Errors. Ports share [`InfraError`] for failures no caller can act on
//! beyond retrying; ports and use cases with cases a caller *can* act on have
//! an enum of their own that wraps it.

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
    #[error("no such user")]
    NotFound,
    #[error("email already registered")]
    EmailTaken,
    /// The token to consume was used, voided or expired meanwhile.
    #[error("token no longer usable")]
    TokenUnusable,
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
