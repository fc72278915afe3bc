#![doc = include_str!("../README.md")]

pub mod errors;
pub mod ids;
pub mod mail;
pub mod mfa;
pub mod one_time_token;
pub mod ports;
pub mod security_event;
pub mod session;
pub mod signing_key;
pub mod user;
pub mod user_change;
pub mod user_listing;
pub mod values;

pub use errors::*;
pub use ids::{KeyId, SessionId, UserId};
pub use mail::{MailKind, OutgoingMail, QueuedMail};
pub use mfa::{
    CodeUse, MFA_TOKEN_TTL_SECS, MfaLogin, MfaRemoval, MfaToken, NewMfaToken, RECOVERY_CODES,
    TotpConfirmation, TotpEnrolment, totp_context,
};
pub use one_time_token::{NewOneTimeToken, OneTimeToken, TokenPurpose};
pub use security_event::{
    Effects, EventCursor, EventKind, NewSecurityEvent, RequestContext, SecurityEvent,
};
pub use session::{NewSession, RefreshRetry, RefreshRotation, RefreshTokenState, Session};
pub use signing_key::{
    KeyRing, KeyState, NewSigningKey, PublicKey, PublishedKey, SigningAlgorithm, SigningKey,
    signing_key_context,
};
pub use user::{NewUser, User};
pub use user_change::{AccessChange, EndSessions, UserChange};
pub use user_listing::{UserCursor, UserFilter};
pub use values::{
    Email, EmailError, Password, PasswordError, PasswordHash, PlainPassword, Role, RoleError,
    SealedSecret, Secret, SecretToken, TokenHash, UserName, UserNameError,
};

/// A point in time, always UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
