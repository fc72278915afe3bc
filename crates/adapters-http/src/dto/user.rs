use application::UserPage;
use chrono::{DateTime, Utc};
use domain::{Role, User};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::pagination::{Cursor, CursorKind};

/// A role, as the API names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Role)]
pub enum RoleName {
    User,
    Admin,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> Self {
        match role {
            Role::User => Self::User,
            Role::Admin => Self::Admin,
        }
    }
}

/// A user account. It never carries a password hash or any token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = User, example = json!({
    "id": "0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "role": "user",
    "email_verified": false,
    "is_active": true,
    "mfa_enabled": false,
    "created_at": "2026-11-23T19:00:00Z",
    "updated_at": "2026-11-23T19:00:00Z"
}))]
pub struct UserResponse {
    /// A UUID v7 (time-ordered).
    pub id: Uuid,
    /// Lowercased and trimmed as stored.
    #[schema(format = "email")]
    pub email: String,
    pub name: String,
    pub role: RoleName,
    pub email_verified: bool,
    pub is_active: bool,
    /// Two-factor authentication (TOTP) is on: a login needs a code too.
    pub mfa_enabled: bool,
    /// RFC 3339, UTC (`Z`); fractional seconds appear when stored.
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC (`Z`); fractional seconds appear when stored.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserResponse {
    fn from(user: &User) -> Self {
        Self {
            id: *user.id.as_uuid(),
            email: user.email.as_str().to_owned(),
            name: user.name.as_str().to_owned(),
            role: user.role.into(),
            email_verified: user.email_verified,
            is_active: user.is_active,
            mfa_enabled: user.mfa_enabled,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// A page of accounts, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = UserPage)]
pub struct UserPageResponse {
    /// At most `limit` accounts.
    pub items: Vec<UserResponse>,
    /// Pass as `cursor` for the next page; `null` exactly when no account
    /// follows this page. Opaque.
    #[schema(required = true, example = "oQAAAABrBXxAB1vKAAGTobJ8PX5PipsMHS4_Slw")]
    pub next_cursor: Option<String>,
}

impl From<UserPage> for UserPageResponse {
    fn from(page: UserPage) -> Self {
        Self {
            items: page.items.iter().map(UserResponse::from).collect(),
            next_cursor: page
                .next_cursor
                .map(|cursor| Cursor::from(cursor).encode(CursorKind::Users)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_cursor_is_one_the_server_would_issue() {
        assert!(
            Cursor::decode("oQAAAABrBXxAB1vKAAGTobJ8PX5PipsMHS4_Slw", CursorKind::Users).is_ok()
        );
    }
}
