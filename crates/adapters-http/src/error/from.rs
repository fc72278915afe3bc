//! Domain and use-case errors as API errors. Status codes stay in `mod.rs`.

use domain::{AuthError, InfraError, LoginError, RefreshError, RegisterError};

use super::{ApiError, FieldErrors, GrantError};

impl From<InfraError> for ApiError {
    fn from(error: InfraError) -> Self {
        match error {
            InfraError::Overloaded => Self::Overloaded,
            InfraError::Unavailable(cause) => Self::NotReady {
                checks: None,
                cause: Some(cause),
            },
            InfraError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::EmailTaken => Self::EmailTaken,
            RegisterError::Infra(infra) => infra.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => Self::InvalidCredentials,
            LoginError::AccountDisabled => Self::AccountDisabled,
            LoginError::EmailUnverified => Self::EmailUnverified,
            LoginError::LockedOut { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            LoginError::Infra(infra) => infra.into(),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::InvalidToken => Self::InvalidToken,
            RefreshError::Infra(infra) => infra.into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidToken => Self::InvalidToken,
            AuthError::Infra(infra) => infra.into(),
        }
    }
}

impl From<GrantError> for ApiError {
    fn from(error: GrantError) -> Self {
        Self::Grant(error)
    }
}

impl ApiError {
    /// A failed password grant of the token endpoint: credential and
    /// account failures are RFC 6749 `invalid_grant`; lockout and
    /// infrastructure failures answer as everywhere else.
    #[must_use]
    pub fn from_password_grant(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => {
                GrantError::invalid_grant("invalid username or password").into()
            }
            LoginError::AccountDisabled => {
                GrantError::invalid_grant("the account is deactivated").into()
            }
            LoginError::EmailUnverified => {
                GrantError::invalid_grant("the email address is not verified").into()
            }
            other => other.into(),
        }
    }

    /// A failed refresh-token grant of the token endpoint.
    #[must_use]
    pub fn from_refresh_grant(error: RefreshError) -> Self {
        match error {
            RefreshError::InvalidToken => {
                GrantError::invalid_grant("the refresh token is invalid, expired or revoked").into()
            }
            RefreshError::Infra(infra) => infra.into(),
        }
    }
}
