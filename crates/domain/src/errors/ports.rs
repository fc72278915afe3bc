//! Errors of the port methods that have outcomes a caller can act on.

use super::InfraError;

/// `UserRepository::create` failures.
#[derive(Debug, thiserror::Error)]
pub enum UserCreationError {
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

/// `SessionRepository::create` failures.
#[derive(Debug, thiserror::Error)]
pub enum SessionCreationError {
    /// The user no longer has the password hash the login checked, is no
    /// longer active, or is gone: a reset, change or deactivation committed
    /// while the password was being checked.
    #[error("the credentials changed while they were checked")]
    CredentialsChanged,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// `UserRepository::delete` failures.
#[derive(Debug, thiserror::Error)]
pub enum UserDeletionError {
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
    /// Well formed, with the configured algorithm, but its `kid` names no
    /// key of the installed set: the caller may reload the key set (a
    /// rotation by another process) and decode again; otherwise it is
    /// `Invalid`.
    #[error("token names a key that is not in the key set")]
    UnknownKey,
}

/// What refuses an account change, as the change methods of
/// `UserRepository` share it: each converts into the error of every method
/// that can meet it, and only those, so an adapter can write one guarded
/// transaction body generic over the method's error.
pub mod refusal {
    use super::{AccessChangeError, ChangeEmailError, RedeemTokenError, UserChangeError};

    /// The user does not exist, or is deactivated and the change requires an
    /// active account.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct UserNotFound;

    /// The one-time token is not the user's, or was used, voided or expired.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct TokenUnusable;

    /// The change would leave no active admin.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct LastAdmin;

    macro_rules! refusal_into {
        ($refusal:ident => $variant:ident for $($error:ident),+) => {$(
            impl From<$refusal> for $error {
                fn from(_: $refusal) -> Self {
                    Self::$variant
                }
            }
        )+};
    }

    refusal_into!(
        UserNotFound => NotFound
        for UserChangeError, RedeemTokenError, ChangeEmailError, AccessChangeError
    );
    refusal_into!(TokenUnusable => TokenUnusable for RedeemTokenError, ChangeEmailError);
    refusal_into!(LastAdmin => LastAdmin for AccessChangeError);
}

/// `MfaRepository::start_enrolment` failures.
#[derive(Debug, thiserror::Error)]
pub enum TotpStartError {
    /// The user's enrolment is confirmed: two-factor is on already.
    #[error("two-factor authentication is already on")]
    AlreadyEnabled,
    #[error("no such user")]
    UserNotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Failures of the `MfaRepository` methods that use up a code.
#[derive(Debug, thiserror::Error)]
pub enum CodeUseError {
    /// The compare-and-swap failed: the code's step is not later than the
    /// last one used, the recovery code is not the user's or is used, or
    /// the enrolment is not in the state the change needs (on; or, to
    /// confirm, pending with the secret the code was checked against).
    #[error("the code is no longer usable")]
    CodeRefused,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// `MfaRepository::complete_login` failures.
#[derive(Debug, thiserror::Error)]
pub enum MfaLoginError {
    /// The `mfa_token` is unknown, used or expired.
    #[error("mfa token no longer usable")]
    TokenUnusable,
    /// As for [`CodeUseError::CodeRefused`].
    #[error("the code is no longer usable")]
    CodeRefused,
    /// As for [`SessionCreationError::CredentialsChanged`].
    #[error("the credentials changed while they were checked")]
    CredentialsChanged,
    #[error(transparent)]
    Infra(#[from] InfraError),
}
