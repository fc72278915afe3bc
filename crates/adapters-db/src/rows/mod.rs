//! Row types: how entities are laid out in tables, and the conversions both
//! ways. A row that no longer parses is an error, never skipped.

use chrono::{NaiveDateTime, SubsecRound, TimeDelta};
use diesel::prelude::*;
use domain::{
    AccessChange, Email, EventKind, InfraError, NewSecurityEvent, NewSession, NewUser,
    PasswordHash, Role, SecurityEvent, Session, SessionId, Timestamp, User, UserChange, UserId,
    UserName,
};

use crate::error::StoreError;

mod tokens_and_mail;
use crate::schema::{security_events, sessions, users};
pub(crate) use tokens_and_mail::*;

/// A timestamp as stored: naive UTC, truncated to the microseconds both
/// backends keep (PostgreSQL's `TIMESTAMP` has no more; SQLite would keep
/// nanoseconds, and the two must read back the same).
pub(crate) fn to_db(at: Timestamp) -> NaiveDateTime {
    at.trunc_subsecs(6).naive_utc()
}

pub(crate) fn from_db(at: NaiveDateTime) -> Timestamp {
    at.and_utc()
}

/// `secs` seconds after `at`, or an `Unexpected` error naming `what` when
/// that instant cannot be represented.
pub(crate) fn seconds_after(at: Timestamp, secs: u64, what: &str) -> Result<Timestamp, InfraError> {
    i64::try_from(secs)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .and_then(|delta| at.checked_add_signed(delta))
        .ok_or_else(|| InfraError::unexpected(format!("{what} out of range")))
}

/// `at` as it reads back after a round trip through the database.
pub(crate) fn stored(at: Timestamp) -> Timestamp {
    at.trunc_subsecs(6)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    id: String,
    email: String,
    name: String,
    role: String,
    email_verified: bool,
    is_active: bool,
    password_hash: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    mfa_enabled: bool,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        let corrupt =
            |problem: &dyn ToString| StoreError::corrupt("users", &row.id, problem.to_string());
        Ok(Self {
            id: row.id.parse::<UserId>().map_err(|e| corrupt(&e))?,
            email: Email::parse(&row.email).map_err(|e| corrupt(&e))?,
            name: UserName::parse(&row.name).map_err(|e| corrupt(&e))?,
            role: row.role.parse().map_err(|e| corrupt(&e))?,
            email_verified: row.email_verified,
            is_active: row.is_active,
            password_hash: PasswordHash::new(row.password_hash),
            mfa_enabled: row.mfa_enabled,
            created_at: from_db(row.created_at),
            updated_at: from_db(row.updated_at),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub(crate) struct NewUserRow<'a> {
    id: String,
    email: &'a str,
    name: &'a str,
    role: &'a str,
    email_verified: bool,
    is_active: bool,
    password_hash: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    name_folded: String,
}

impl<'a> From<&'a NewUser> for NewUserRow<'a> {
    fn from(user: &'a NewUser) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.as_str(),
            name: user.name.as_str(),
            role: user.role.as_str(),
            email_verified: user.email_verified,
            is_active: user.is_active,
            password_hash: user.password_hash.expose(),
            created_at: to_db(user.created_at),
            updated_at: to_db(user.created_at),
            name_folded: fold(user.name.as_str()),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub(crate) struct SessionRow {
    id: String,
    user_id: String,
    created_at: NaiveDateTime,
    last_used_at: NaiveDateTime,
    refresh_expires_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    user_agent: Option<String>,
    ip: Option<String>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        let corrupt =
            |problem: &dyn ToString| StoreError::corrupt("sessions", &row.id, problem.to_string());
        Ok(Self {
            id: row.id.parse::<SessionId>().map_err(|e| corrupt(&e))?,
            user_id: row.user_id.parse::<UserId>().map_err(|e| corrupt(&e))?,
            created_at: from_db(row.created_at),
            last_used_at: from_db(row.last_used_at),
            refresh_expires_at: from_db(row.refresh_expires_at),
            expires_at: from_db(row.expires_at),
            revoked_at: row.revoked_at.map(from_db),
            user_agent: row.user_agent,
            ip: row.ip,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
pub(crate) struct NewSessionRow<'a> {
    id: String,
    user_id: String,
    created_at: NaiveDateTime,
    last_used_at: NaiveDateTime,
    refresh_expires_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    user_agent: Option<&'a str>,
    ip: Option<&'a str>,
}

impl<'a> From<&'a NewSession> for NewSessionRow<'a> {
    fn from(session: &'a NewSession) -> Self {
        Self {
            id: session.id.to_string(),
            user_id: session.user_id.to_string(),
            created_at: to_db(session.created_at),
            last_used_at: to_db(session.created_at),
            refresh_expires_at: to_db(session.refresh_expires_at),
            expires_at: to_db(session.expires_at),
            user_agent: session.user_agent.as_deref(),
            ip: session.ip.as_deref(),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = security_events)]
pub(crate) struct NewEventRow<'a> {
    id: String,
    user_id: String,
    kind: &'static str,
    at: NaiveDateTime,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    detail: Option<&'a str>,
}

impl<'a> From<&'a NewSecurityEvent> for NewEventRow<'a> {
    fn from(event: &'a NewSecurityEvent) -> Self {
        Self {
            // Generated here: UUID v7, so (at, id) orders events written in
            // the same microsecond by insertion.
            id: uuid::Uuid::now_v7().hyphenated().to_string(),
            user_id: event.user_id.to_string(),
            kind: event.kind.as_str(),
            at: to_db(event.at),
            ip: event.ip.as_deref(),
            user_agent: event.user_agent.as_deref(),
            detail: event.detail.as_deref(),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = security_events)]
pub(crate) struct EventRow {
    id: String,
    user_id: String,
    kind: String,
    at: NaiveDateTime,
    ip: Option<String>,
    user_agent: Option<String>,
    detail: Option<String>,
}

impl TryFrom<EventRow> for SecurityEvent {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        let corrupt = |problem: &dyn ToString| {
            StoreError::corrupt("security_events", &row.id, problem.to_string())
        };
        Ok(Self {
            id: row.id.parse::<uuid::Uuid>().map_err(|e| corrupt(&e))?,
            user_id: row.user_id.parse::<UserId>().map_err(|e| corrupt(&e))?,
            kind: EventKind::from_name(&row.kind).ok_or_else(|| corrupt(&"unknown kind"))?,
            at: from_db(row.at),
            ip: row.ip,
            user_agent: row.user_agent,
            detail: row.detail,
        })
    }
}

/// Text as the listing's `q` compares it: lowercased by Rust, the same on
/// every backend (SQLite's `lower` folds ASCII only). What `name_folded`
/// holds.
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The fields of an account that a `UserChange` sets; `None` leaves a column
/// as it is (diesel skips it). `name_folded` goes with `name`.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
pub(crate) struct UserChangeRow<'a> {
    email: Option<&'a str>,
    name: Option<&'a str>,
    name_folded: Option<String>,
    password_hash: Option<&'a str>,
    email_verified: Option<bool>,
    role: Option<&'static str>,
    is_active: Option<bool>,
    updated_at: NaiveDateTime,
}

impl<'a> From<&'a UserChange> for UserChangeRow<'a> {
    fn from(change: &'a UserChange) -> Self {
        Self {
            email: None,
            name: change.name.as_ref().map(UserName::as_str),
            name_folded: change.name.as_ref().map(|name| fold(name.as_str())),
            password_hash: change.password_hash.as_ref().map(PasswordHash::expose),
            email_verified: change.email_verified,
            role: None,
            is_active: None,
            updated_at: to_db(change.at),
        }
    }
}

impl<'a> UserChangeRow<'a> {
    pub(crate) fn with_email(self, email: &'a Email) -> Self {
        Self {
            email: Some(email.as_str()),
            ..self
        }
    }

    pub(crate) fn with_access(self, access: AccessChange) -> Self {
        Self {
            role: access.role.map(Role::as_str),
            is_active: access.is_active,
            ..self
        }
    }
}
