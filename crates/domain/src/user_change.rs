//! Declarative, atomic changes to one account.

use crate::{PasswordHash, Role, SessionId, Timestamp, TokenPurpose, UserId, UserName};

/// Which sessions of the user a change ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EndSessions {
    #[default]
    None,
    All,
    /// All but this one (a password change keeps the caller's session).
    AllExcept(SessionId),
}

/// What every account change may do, applied in one transaction by one of
/// the `UserRepository` change methods. `None` fields are left as they are.
///
/// The parts that can be refused for a reason of their own are not here but
/// in the arguments of the method that applies them: a one-time token to use
/// up (`redeem_token`, `change_email`), a new email (`change_email`), a role
/// or active flag (`change_access`). So each method's error names only what
/// can happen to its callers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserChange {
    pub user_id: UserId,
    /// Becomes `updated_at`, and the revocation time of ended sessions.
    pub at: Timestamp,
    pub name: Option<UserName>,
    pub password_hash: Option<PasswordHash>,
    pub email_verified: Option<bool>,
    pub end_sessions: EndSessions,
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
            password_hash: None,
            email_verified: None,
            end_sessions: EndSessions::None,
            void_tokens: Vec::new(),
            require_active: false,
        }
    }
}

/// A change of what an account may do: its role and whether it is active.
/// Subject to the last-admin guard (`UserRepository::change_access`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccessChange {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

impl AccessChange {
    /// Whether the change could take away an active admin.
    #[must_use]
    pub fn demotes(&self) -> bool {
        self.role == Some(Role::User) || self.is_active == Some(false)
    }
}
