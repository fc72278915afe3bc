use chrono::{DateTime, Utc};
use domain::{Role, User};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

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
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}
