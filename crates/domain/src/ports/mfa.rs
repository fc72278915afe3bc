use async_trait::async_trait;

use crate::{
    CodeUse, CodeUseError, Effects, InfraError, MfaLogin, MfaLoginError, MfaRemoval, MfaToken,
    NewMfaToken, SealedSecret, Session, Timestamp, TokenHash, TotpConfirmation, TotpEnrolment,
    TotpStartError, UserId,
};

/// Storage of two-factor authentication: each user's TOTP enrolment, the
/// keyed hashes of their recovery codes, and the `mfa_token`s of logins
/// waiting for their second step (by hash only).
///
/// The user's `mfa_enabled` MUST read `true` exactly while the user has a
/// confirmed enrolment: the methods here that confirm or remove one change
/// both in the same transaction. Deleting a user deletes all of this too.
/// Every method that uses a code takes a [`CodeUse`] and MUST use it up as
/// a compare-and-swap in the same transaction as its own write, so of two
/// concurrent uses of one code at most one passes.
///
/// Errors as for `UserRepository`: `Unavailable` when the store cannot be
/// reached in time, `Unexpected` otherwise.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MfaRepository: Send + Sync {
    /// The user's enrolment, pending or confirmed, or `None`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn find_enrolment(&self, user_id: UserId) -> Result<Option<TotpEnrolment>, InfraError>;

    /// Stores a pending enrolment with `sealed_secret` (created at `at`, no
    /// step used), replacing a pending one, and applies `effects`, in one
    /// transaction.
    ///
    /// MUST return, writing nothing, `AlreadyEnabled` when the user's
    /// enrolment is confirmed, and `UserNotFound` for an unknown user.
    async fn start_enrolment(
        &self,
        user_id: UserId,
        sealed_secret: SealedSecret,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), TotpStartError>;

    /// Turns the pending enrolment on: `confirmed_at` and
    /// `last_used_step` set, `mfa_enabled` true, the recovery codes
    /// replaced by `confirmation.recovery_codes` (unused), the sessions
    /// `end_sessions` names ended, and `effects` applied, in one transaction.
    ///
    /// MUST return `CodeRefused`, writing nothing, unless the enrolment is
    /// pending with exactly `confirmation.sealed_secret`.
    async fn confirm_enrolment(
        &self,
        confirmation: TotpConfirmation,
        effects: Effects,
    ) -> Result<(), CodeUseError>;

    /// Uses up `code` and replaces every recovery code of the user by
    /// `codes` (unused; the old ones stop working), and applies `effects`,
    /// in one transaction.
    ///
    /// MUST return `CodeRefused`, writing nothing, when two-factor is off
    /// or `code` cannot be used up (see [`CodeUse`]).
    async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        code: CodeUse,
        codes: Vec<TokenHash>,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), CodeUseError>;

    /// Turns two-factor off: uses up `removal.code` (when given), deletes
    /// the enrolment and the recovery codes, sets `mfa_enabled` false, ends
    /// the sessions `removal.end_sessions` names and applies `effects`, in
    /// one transaction.
    ///
    /// MUST return `CodeRefused`, writing nothing, when two-factor is off
    /// (a pending enrolment is not "on") or the code cannot be used up.
    async fn remove(&self, removal: MfaRemoval, effects: Effects) -> Result<(), CodeUseError>;

    /// Stores an `mfa_token` by its hash. Earlier tokens of the user stay
    /// usable (each until used or expired); expired ones of that user may
    /// be deleted.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure (an unknown user included).
    async fn issue_login_token(&self, token: NewMfaToken) -> Result<(), InfraError>;

    /// The `mfa_token` with this hash, usable or not, or `None`.
    ///
    /// # Errors
    /// As for `issue_login_token`.
    async fn find_login_token(&self, hash: &TokenHash) -> Result<Option<MfaToken>, InfraError>;

    /// The second step of a login, in one transaction: uses up the
    /// `mfa_token` (its `used_at` set), uses up the code, inserts the
    /// session as `SessionRepository::create` does (with the same
    /// compare-and-swap on `opened_with` and the active flag), and applies
    /// `effects`.
    ///
    /// MUST return, writing nothing: `TokenUnusable` when the token is
    /// unknown, used, expired at `login.session.created_at`, or not of
    /// `login.session.user_id`; `CodeRefused` as for
    /// `replace_recovery_codes`; `CredentialsChanged` as for
    /// `SessionRepository::create`. Of two concurrent completions with one
    /// token, at most one wins.
    async fn complete_login(
        &self,
        login: MfaLogin,
        effects: Effects,
    ) -> Result<Session, MfaLoginError>;
}
