use crate::{NewOneTimeToken, OutgoingMail, Timestamp, UserId};

/// Where a request came from, as far as the service can tell; recorded on
/// sessions and security events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The kinds of the append-only security trail. This declaration is the
/// one list: the stored and wire names (`snake_case` of the variant), the
/// parse back, and the list of every kind ([`EventKind::ALL`], in this order,
/// which the OpenAPI document's enum follows) all come from it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    Registered,
    LoginSucceeded,
    LoginFailed,
    LockedOut,
    LoggedOut,
    TokenRefreshed,
    RefreshReuseDetected,
    SessionRevoked,
    PasswordChanged,
    PasswordResetRequested,
    PasswordReset,
    EmailVerified,
    EmailChangeRequested,
    EmailChanged,
    UpdatedByAdmin,
    Deactivated,
    Reactivated,
    MfaEnabled,
    MfaDisabled,
    MfaFailed,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [Self] = <Self as strum::VariantArray>::VARIANTS;

    /// The stored and wire name: `login_succeeded`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The kind with this stored name, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        name.parse().ok()
    }
}

/// One entry for the security trail. It never holds a password or a token:
/// `detail` is a short, fixed, human-readable remark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSecurityEvent {
    pub user_id: UserId,
    pub kind: EventKind,
    pub at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

impl NewSecurityEvent {
    #[must_use]
    pub fn new(user_id: UserId, kind: EventKind, at: Timestamp, context: &RequestContext) -> Self {
        Self {
            user_id,
            kind,
            at,
            ip: context.ip.clone(),
            user_agent: context.user_agent.clone(),
            detail: None,
        }
    }

    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// The writes that must land in the same transaction as the change they
/// accompany: security events, outbox mail, and one-time tokens (whose link
/// that mail carries). Every state-changing port
/// method takes one and applies it atomically with its own write, or not at
/// all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effects {
    pub events: Vec<NewSecurityEvent>,
    pub mails: Vec<OutgoingMail>,
    /// Each is stored as `OneTimeTokenRepository::issue` stores one: earlier
    /// unused tokens of the same user and purpose are voided first.
    pub tokens: Vec<NewOneTimeToken>,
}

impl Effects {
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn event(event: NewSecurityEvent) -> Self {
        Self {
            events: vec![event],
            mails: Vec::new(),
            tokens: Vec::new(),
        }
    }

    /// Adds a message to queue with the change.
    #[must_use]
    pub fn with_mail(mut self, mail: OutgoingMail) -> Self {
        self.mails.push(mail);
        self
    }

    /// Adds a one-time token to store with the change.
    #[must_use]
    pub fn with_token(mut self, token: NewOneTimeToken) -> Self {
        self.tokens.push(token);
        self
    }
}

/// An entry of the security trail, as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityEvent {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    pub kind: EventKind,
    pub at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

/// Where a page of events starts: strictly after (older than) this event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventCursor {
    pub at: Timestamp,
    pub id: uuid::Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for &kind in EventKind::ALL {
            assert_eq!(EventKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::from_name("nope"), None);
    }

    #[test]
    fn names_are_the_snake_case_of_the_variants() {
        assert_eq!(
            EventKind::RefreshReuseDetected.as_str(),
            "refresh_reuse_detected"
        );
        assert_eq!(EventKind::LoginSucceeded.to_string(), "login_succeeded");
    }
}
