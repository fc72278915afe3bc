//! Two-factor authentication (RFC 6238 TOTP, with single-use recovery
//! codes): what is stored, and the changes the storage port applies.

use crate::{EndSessions, NewSession, SealedSecret, Timestamp, TokenHash, UserId};

/// How many recovery codes a set has.
pub const RECOVERY_CODES: usize = 10;

/// How long the `mfa_token` of a login's first step works, in seconds.
pub const MFA_TOKEN_TTL_SECS: u64 = 300;

/// A user's TOTP enrolment as stored: pending until a code confirms it,
/// then on. At most one per user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpEnrolment {
    pub user_id: UserId,
    /// The base32 secret, sealed by the `SecretSealer` with
    /// [`totp_context`] of the user: it opens on no other row.
    pub sealed_secret: SealedSecret,
    pub created_at: Timestamp,
    /// `None` while pending; when it was confirmed (two-factor is on).
    pub confirmed_at: Option<Timestamp>,
    /// The latest 30-second step a code was accepted for: no code of this
    /// step or an earlier one is accepted again.
    pub last_used_step: Option<u64>,
}

impl TotpEnrolment {
    #[must_use]
    pub const fn is_confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

/// The associated data a user's TOTP secret is sealed with.
#[must_use]
pub fn totp_context(user_id: UserId) -> String {
    format!("totp-secret:{user_id}")
}

/// A second factor that was presented and checked, to be used up by the
/// storage call it accompanies, as a compare-and-swap: of two uses of one
/// code, at most one passes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeUse {
    /// A TOTP code of this step: used up only while the enrolment is on
    /// and its `last_used_step` is earlier (or none), which then becomes
    /// this step.
    TotpStep(u64),
    /// A recovery code, by its keyed hash: used up only while it is one of
    /// the user's and unused (its `used_at` is then set).
    RecoveryCode(TokenHash),
}

/// The confirmation of a pending enrolment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpConfirmation {
    pub user_id: UserId,
    /// The sealed secret the code was checked against: a compare-and-swap,
    /// so an enrolment restarted meanwhile (another secret) is not turned on.
    pub sealed_secret: SealedSecret,
    /// The step of the confirming code, which counts as used.
    pub step: u64,
    /// The keyed hashes of the new recovery codes.
    pub recovery_codes: Vec<TokenHash>,
    pub at: Timestamp,
    pub end_sessions: EndSessions,
}

/// Two-factor authentication turned off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaRemoval {
    pub user_id: UserId,
    /// The code that authorises it (the user's own turn-off), or `None`
    /// (an admin's, for a lost device).
    pub code: Option<CodeUse>,
    pub end_sessions: EndSessions,
    pub at: Timestamp,
}

/// The `mfa_token` a correct password earns when two-factor is on: by
/// hash only, single use, short-lived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMfaToken {
    pub hash: TokenHash,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// An `mfa_token` as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaToken {
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

impl MfaToken {
    /// Unused and not expired at `now`.
    #[must_use]
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.used_at.is_none() && now < self.expires_at
    }
}

/// The second step of a login: uses up the `mfa_token` and the code, and
/// opens the session, together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaLogin {
    pub token: TokenHash,
    pub code: CodeUse,
    /// Its `opened_with` is the password hash the user has now: the
    /// session opens only while the user still has it and is active.
    pub session: NewSession,
}
