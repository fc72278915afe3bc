use async_trait::async_trait;

use crate::{
    AccessChange, AccessChangeError, ChangeEmailError, Effects, Email, InfraError, NewUser,
    PasswordHash, RedeemTokenError, Timestamp, TokenHash, User, UserChange, UserChangeError,
    UserCreationError, UserCursor, UserDeletionError, UserFilter, UserId,
};

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
    /// MUST return `UserCreationError::EmailTaken` (and write nothing) when
    /// another account has the same email; emails are stored lowercased, so
    /// this is case-insensitive.
    async fn create(&self, user: NewUser, effects: Effects) -> Result<User, UserCreationError>;

    /// The account with this id, or `None`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure, including a stored row that no longer parses.
    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, InfraError>;

    /// The account with this (lowercased) email, or `None`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure, as for `find_by_id`.
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, InfraError>;

    /// Up to `limit` accounts that match `filter`, newest first by
    /// `(created_at, id)` descending; with `after`, only those strictly
    /// older than that position in this order (keyset pagination, so a
    /// page read after new accounts were created neither repeats nor skips
    /// any account that existed before).
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be
    /// reached within its acquire timeout; `InfraError::Unexpected` for any
    /// other failure, including a stored row that no longer parses.
    async fn list(
        &self,
        filter: &UserFilter,
        limit: u32,
        after: Option<UserCursor>,
    ) -> Result<Vec<User>, InfraError>;

    /// Replaces the stored password hash `old` by `new` (a re-hash at a
    /// higher cost: the password itself is unchanged, so sessions and
    /// `updated_at` are left alone).
    ///
    /// MUST be a compare-and-swap: when the stored hash is no longer `old`
    /// (a reset or change committed meanwhile) it writes nothing, so a
    /// re-hash never brings an old password back. Neither that nor an
    /// unknown id is an error.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn update_password_hash(
        &self,
        id: UserId,
        old: PasswordHash,
        new: PasswordHash,
    ) -> Result<(), InfraError>;

    /// Applies `change` and `effects` in one transaction, or nothing:
    /// sets the given fields and `updated_at = change.at`; voids the tokens
    /// of the purposes `change.void_tokens` names (used at `change.at`); and
    /// ends the sessions `change.end_sessions` names (revoked at
    /// `change.at`). Returns the user as changed.
    ///
    /// MUST return `NotFound`, writing nothing, when the user does not
    /// exist, or is deactivated and `change.require_active` is set.
    async fn apply_change(
        &self,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, UserChangeError>;

    /// As `apply_change`, and uses up the one-time token with hash `token`
    /// (its `used_at` becomes `change.at`) in the same transaction.
    ///
    /// MUST return, writing nothing:
    /// - `NotFound` as for `apply_change`;
    /// - `TokenUnusable` when the token does not belong to this user or is
    ///   used, voided or expired at `change.at`. A compare-and-swap: of two
    ///   concurrent redemptions of one token, exactly one wins.
    async fn redeem_token(
        &self,
        token: TokenHash,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, RedeemTokenError>;

    /// As `redeem_token`, and sets the user's email to `email`: the caller
    /// passes the address the token was issued for (its `new_email`); the
    /// store does not compare the two.
    ///
    /// MUST return, writing nothing, `NotFound` and `TokenUnusable` as for
    /// `redeem_token`, and `EmailTaken` when another account has `email`
    /// (emails are stored lowercased, so case-insensitively).
    async fn change_email(
        &self,
        token: TokenHash,
        email: Email,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, ChangeEmailError>;

    /// As `apply_change`, and sets the role and active flag `access` names.
    ///
    /// MUST return, writing nothing, `NotFound` as for `apply_change`, and
    /// `LastAdmin` when the change would demote or deactivate the last
    /// active admin, checked so that two concurrent changes cannot both
    /// pass (e.g. under a lock on the admin rows).
    async fn change_access(
        &self,
        access: AccessChange,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, AccessChangeError>;

    /// Deletes the user at `at`, with their sessions, tokens and events (the
    /// email becomes free), and applies `effects`, atomically. Effects that
    /// refer to the deleted user (an event, a token) cannot be stored and
    /// fail the whole deletion as `Infra(Unexpected)`.
    ///
    /// MUST return `NotFound` for an unknown id and `LastAdmin` (writing
    /// nothing) when the user is the last active admin, with the same
    /// concurrency guarantee as `change_access`.
    async fn delete(
        &self,
        id: UserId,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), UserDeletionError>;
}
