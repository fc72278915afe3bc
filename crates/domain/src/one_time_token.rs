//! One-time tokens sent by email: email verification, password reset and
//! email-change confirmation. Only their hash is stored.

use crate::{Email, Timestamp, TokenHash, UserId};

/// What a one-time token may be used for; a token of one purpose is never
/// accepted for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
}

impl TokenPurpose {
    pub const ALL: [Self; 3] = [Self::VerifyEmail, Self::ResetPassword, Self::ChangeEmail];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|purpose| purpose.as_str() == name)
    }
}

/// A token about to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOneTimeToken {
    pub hash: TokenHash,
    pub user_id: UserId,
    pub purpose: TokenPurpose,
    /// The address to switch to, for `ChangeEmail` only.
    pub new_email: Option<Email>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A stored token, used or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneTimeToken {
    pub hash: TokenHash,
    pub user_id: UserId,
    pub purpose: TokenPurpose,
    pub new_email: Option<Email>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Set when the token was used, or voided by a newer one.
    pub used_at: Option<Timestamp>,
}

impl OneTimeToken {
    /// Not used, not voided, not expired.
    #[must_use]
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.used_at.is_none() && now < self.expires_at
    }
}
