use crate::{Email, PasswordHash, Role, Timestamp, UserId, UserName};

/// A user account as stored. Only `adapters-http` decides which fields leave
/// the service; `password_hash` never does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: UserName,
    pub role: Role,
    pub email_verified: bool,
    pub is_active: bool,
    pub password_hash: PasswordHash,
    /// Two-factor authentication is on: a confirmed TOTP enrolment.
    pub mfa_enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A user about to be inserted; `created_at` doubles as `updated_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub name: UserName,
    pub role: Role,
    pub email_verified: bool,
    pub is_active: bool,
    pub password_hash: PasswordHash,
    pub created_at: Timestamp,
}

impl NewUser {
    /// The entity as it reads back right after insertion.
    #[must_use]
    pub fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            name: self.name,
            role: self.role,
            email_verified: self.email_verified,
            is_active: self.is_active,
            password_hash: self.password_hash,
            mfa_enabled: false,
            created_at: self.created_at,
            updated_at: self.created_at,
        }
    }
}
