//! Errors of the administration use cases.

use super::{InfraError, UserCreationError};

/// Use case: create an account with a role (an operator's registration).
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<UserCreationError> for CreateUserError {
    fn from(error: UserCreationError) -> Self {
        match error {
            UserCreationError::EmailTaken => Self::EmailTaken,
            UserCreationError::Infra(infra) => Self::Infra(infra),
        }
    }
}

/// Use case: list accounts. Only infrastructure can fail it.
#[derive(Debug, thiserror::Error)]
pub enum ListUsersError {
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: read one account.
#[derive(Debug, thiserror::Error)]
pub enum GetUserError {
    /// No account has this id.
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: change an account's name, role, active flag or verification.
#[derive(Debug, thiserror::Error)]
pub enum UpdateUserError {
    /// No account has this id.
    #[error("no such user")]
    NotFound,
    /// The change would demote or deactivate the last active admin.
    #[error("the last active admin must remain")]
    LastAdmin,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: mail an account a password-reset link, on an operator's
/// request.
#[derive(Debug, thiserror::Error)]
pub enum SendPasswordResetError {
    /// No account has this id.
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: end every session of an account.
#[derive(Debug, thiserror::Error)]
pub enum EndUserSessionsError {
    /// No account has this id.
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: read an account's security events.
#[derive(Debug, thiserror::Error)]
pub enum ListUserEventsError {
    /// No account has this id.
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: delete an account.
#[derive(Debug, thiserror::Error)]
pub enum DeleteUserError {
    /// No account has this id.
    #[error("no such user")]
    NotFound,
    /// The account is the last active admin.
    #[error("the last active admin must remain")]
    LastAdmin,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Use case: an admin turns a user's two-factor authentication off.
#[derive(Debug, thiserror::Error)]
pub enum DisableUserMfaError {
    /// No such user, or two-factor authentication is off.
    #[error("no such user, or two-factor authentication is off")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}
