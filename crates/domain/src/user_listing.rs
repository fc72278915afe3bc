//! What `UserRepository::list` selects, and where a page of it starts.

use crate::{Email, Role, Timestamp, User, UserId};

/// Which accounts a listing returns: every field that is set narrows it
/// (they combine with AND); the default lists every account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// A literal substring of the email or of the name, compared
    /// case-insensitively (both sides lowercased as Rust's
    /// `str::to_lowercase` does, so `Å` matches `å`). No character is a
    /// wildcard: `%`, `_` and `\` match only themselves. An empty `q`
    /// matches every account.
    pub q: Option<String>,
    /// Exactly this address (emails are stored lowercased, and `Email`
    /// is, so the lookup is case-insensitive).
    pub email: Option<Email>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

impl UserFilter {
    /// Whether `user` is selected: the reference semantics every store
    /// must have. (The stored email is already lowercase.)
    #[must_use]
    pub fn matches(&self, user: &User) -> bool {
        self.q.as_deref().is_none_or(|q| {
            let q = q.to_lowercase();
            user.email.as_str().contains(&q) || user.name.as_str().to_lowercase().contains(&q)
        }) && self.email.as_ref().is_none_or(|email| user.email == *email)
            && self.role.is_none_or(|role| user.role == role)
            && self
                .is_active
                .is_none_or(|is_active| user.is_active == is_active)
    }
}

/// Where a page of accounts starts: strictly after (older than) this
/// position in (`created_at`, `id`) descending order. It need not name a
/// stored account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserCursor {
    pub created_at: Timestamp,
    pub id: UserId,
}

impl UserCursor {
    /// The position of `user`: the next page starts right after it.
    #[must_use]
    pub const fn of(user: &User) -> Self {
        Self {
            created_at: user.created_at,
            id: user.id,
        }
    }
}
