use async_trait::async_trait;

use crate::{CreateUserError, Effects, Email, InfraError, NewUser, PasswordHash, User, UserId};

/// Storage of user accounts.
///
/// Every method MUST return `InfraError::Unavailable` when the store cannot
/// be reached within its acquire timeout, and `InfraError::Unexpected` for
/// any other failure, including a stored row that no longer parses (a row is
/// never silently dropped).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Inserts `user` and applies `effects`, all in one transaction.
    ///
    /// MUST return `CreateUserError::EmailTaken` (and write nothing) when
    /// another account has the same email; emails are stored lowercased, so
    /// this is case-insensitive.
    async fn create(&self, user: NewUser, effects: Effects) -> Result<User, CreateUserError>;

    /// The account with this id, or `None`.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, InfraError>;

    /// The account with this (lowercased) email, or `None`.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, InfraError>;

    /// Replaces the stored password hash (a re-hash at a higher cost: the
    /// password itself is unchanged, so sessions and `updated_at` are left
    /// alone). Updating an id that does not exist is not an error.
    async fn update_password_hash(&self, id: UserId, hash: PasswordHash) -> Result<(), InfraError>;
}
