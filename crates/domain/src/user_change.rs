//! A declarative, atomic change to one account.

use crate::{
    Email, PasswordHash, Role, SessionId, Timestamp, TokenHash, TokenPurpose, UserId, UserName,
};

/// Which sessions of the user a change ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EndSessions {
    #[default]
    None,
    All,
    /// All but this one (a password change keeps the caller's session).
    AllExcept(SessionId),
}

/// Everything one account change may do, applied in one transaction by
/// `UserRepository::apply_change`. `None` fields are left as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserChange {
    pub user_id: UserId,
    /// Becomes `updated_at`, and the revocation time of ended sessions.
    pub at: Timestamp,
    pub name: Option<UserName>,
    pub email: Option<Email>,
    pub password_hash: Option<PasswordHash>,
    pub email_verified: Option<bool>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub end_sessions: EndSessions,
    /// A one-time token of this user that the change uses up: the change
    /// happens only if the token is still usable at `at`.
    pub consume_token: Option<TokenHash>,
    /// Every unused one-time token of this user with one of these purposes
    /// stops working (a new password voids pending resets and email
    /// changes, which someone holding the old one may have asked for).
    pub void_tokens: Vec<TokenPurpose>,
    /// Only for an active account: a deactivated one answers `NotFound`
    /// (self-service links must not change an account an admin disabled).
    pub require_active: bool,
}

impl UserChange {
    /// A change that does nothing yet; set the fields it needs.
    #[must_use]
    pub fn new(user_id: UserId, at: Timestamp) -> Self {
        Self {
            user_id,
            at,
            name: None,
            email: None,
            password_hash: None,
            email_verified: None,
            role: None,
            is_active: None,
            end_sessions: EndSessions::None,
            consume_token: None,
            void_tokens: Vec::new(),
            require_active: false,
        }
    }
}
