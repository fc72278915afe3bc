//! Outgoing email: what the application queues (in the same transaction as
//! the change that causes it) and what the delivery worker hands a transport.

use std::fmt;

use uuid::Uuid;

use crate::{Email, Timestamp};

/// The eight messages of the service; `as_str` is the `X-Mail-Kind` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MailKind {
    Welcome,
    VerifyEmail,
    ResetPassword,
    PasswordChanged,
    EmailChangeConfirm,
    EmailChangeNotice,
    MfaEnabled,
    MfaDisabled,
}

impl MailKind {
    pub const ALL: [Self; 8] = [
        Self::Welcome,
        Self::VerifyEmail,
        Self::ResetPassword,
        Self::PasswordChanged,
        Self::EmailChangeConfirm,
        Self::EmailChangeNotice,
        Self::MfaEnabled,
        Self::MfaDisabled,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::VerifyEmail => "verify-email",
            Self::ResetPassword => "reset-password",
            Self::PasswordChanged => "password-changed",
            Self::EmailChangeConfirm => "email-change-confirm",
            Self::EmailChangeNotice => "email-change-notice",
            Self::MfaEnabled => "mfa-enabled",
            Self::MfaDisabled => "mfa-disabled",
        }
    }

    /// The kind with this name, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for MailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message to queue: which template, to whom, and the values it shows.
/// `link` is the full URL (built from the public URL, never from a request)
/// for the kinds that carry one. It never holds a password.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub kind: MailKind,
    pub to: Email,
    pub recipient_name: String,
    pub link: Option<String>,
}

impl fmt::Debug for OutgoingMail {
    /// The link carries a one-time token: never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("kind", &self.kind)
            .field("to", &self.to)
            .field("link", &self.link.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

/// A message in the outbox, claimed for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: Uuid,
    pub mail: OutgoingMail,
    /// Delivery attempts before this one.
    pub attempts: u32,
    pub created_at: Timestamp,
    /// The end of the lease this claim holds, as stored: it fences the
    /// claim's outcome (`mark_delivered`, `mark_failed`), which changes
    /// nothing once the lease has passed to another worker.
    pub leased_until: Timestamp,
}
