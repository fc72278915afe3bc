//! Row types: how entities are laid out in tables, and the conversions both
//! ways. A row that no longer parses is an error, never skipped.

use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use domain::{
    Email, EventKind, MailKind, NewOneTimeToken, NewSecurityEvent, NewSession, NewUser,
    OneTimeToken, OutgoingMail, PasswordHash, QueuedMail, Role, SecurityEvent, Session, SessionId,
    Timestamp, TokenHash, TokenPurpose, User, UserChange, UserId, UserName,
};

use crate::error::StoreError;
use crate::schema::{one_time_tokens, outbox, security_events, sessions, users};

/// A timestamp as stored: naive UTC, truncated to the microseconds both
/// backends keep (PostgreSQL's `TIMESTAMP` has no more; SQLite would keep
/// nanoseconds, and the two must read back the same).
pub(crate) fn to_db(at: Timestamp) -> NaiveDateTime {
    at.trunc_subsecs(6).naive_utc()
}

pub(crate) fn from_db(at: NaiveDateTime) -> Timestamp {
    at.and_utc()
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

/// The fields of an account that a `UserChange` sets; `None` leaves a column
/// as it is (diesel skips it).
#[derive(AsChangeset)]
#[diesel(table_name = users)]
pub(crate) struct UserChangeRow<'a> {
    email: Option<&'a str>,
    name: Option<&'a str>,
    password_hash: Option<&'a str>,
    email_verified: Option<bool>,
    role: Option<&'static str>,
    is_active: Option<bool>,
    updated_at: NaiveDateTime,
}

impl<'a> From<&'a UserChange> for UserChangeRow<'a> {
    fn from(change: &'a UserChange) -> Self {
        Self {
            email: change.email.as_ref().map(Email::as_str),
            name: change.name.as_ref().map(UserName::as_str),
            password_hash: change.password_hash.as_ref().map(PasswordHash::expose),
            email_verified: change.email_verified,
            role: change.role.map(Role::as_str),
            is_active: change.is_active,
            updated_at: to_db(change.at),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = one_time_tokens)]
pub(crate) struct OneTimeTokenRow {
    token_hash: String,
    user_id: String,
    purpose: String,
    new_email: Option<String>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

impl TryFrom<OneTimeTokenRow> for OneTimeToken {
    type Error = StoreError;

    fn try_from(row: OneTimeTokenRow) -> Result<Self, StoreError> {
        // Named by its user, never by its hash: the hash is the lookup key
        // of a live secret.
        let corrupt = |problem: &dyn ToString| {
            StoreError::corrupt(
                "one_time_tokens",
                format!("of user {}", row.user_id),
                problem.to_string(),
            )
        };
        Ok(Self {
            user_id: row.user_id.parse::<UserId>().map_err(|e| corrupt(&e))?,
            purpose: TokenPurpose::from_name(&row.purpose)
                .ok_or_else(|| corrupt(&"unknown purpose"))?,
            new_email: row
                .new_email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|e| corrupt(&e))?,
            hash: TokenHash::new(row.token_hash),
            created_at: from_db(row.created_at),
            expires_at: from_db(row.expires_at),
            used_at: row.used_at.map(from_db),
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = one_time_tokens)]
pub(crate) struct NewOneTimeTokenRow<'a> {
    token_hash: &'a str,
    user_id: String,
    purpose: &'static str,
    new_email: Option<&'a str>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

impl<'a> From<&'a NewOneTimeToken> for NewOneTimeTokenRow<'a> {
    fn from(token: &'a NewOneTimeToken) -> Self {
        Self {
            token_hash: token.hash.expose(),
            user_id: token.user_id.to_string(),
            purpose: token.purpose.as_str(),
            new_email: token.new_email.as_ref().map(Email::as_str),
            created_at: to_db(token.created_at),
            expires_at: to_db(token.expires_at),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = outbox)]
pub(crate) struct NewMailRow<'a> {
    id: String,
    kind: &'static str,
    recipient: &'a str,
    recipient_name: &'a str,
    link: Option<&'a str>,
    created_at: NaiveDateTime,
    next_attempt_at: NaiveDateTime,
}

impl<'a> NewMailRow<'a> {
    /// `mail`, queued at `at` (the time of the change that causes it) and
    /// due at once. `attempts` starts at the column's default, 0.
    pub(crate) fn new(mail: &'a OutgoingMail, at: Timestamp) -> Self {
        let at = to_db(at);
        Self {
            // UUID v7: (created_at, id) orders mail queued in the same
            // microsecond by insertion.
            id: uuid::Uuid::now_v7().hyphenated().to_string(),
            kind: mail.kind.as_str(),
            recipient: mail.to.as_str(),
            recipient_name: &mail.recipient_name,
            link: mail.link.as_deref(),
            created_at: at,
            next_attempt_at: at,
        }
    }
}

/// What a claim hands the worker.
#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub(crate) struct MailRow {
    id: String,
    kind: String,
    recipient: String,
    recipient_name: String,
    link: Option<String>,
    attempts: i32,
    created_at: NaiveDateTime,
}

impl MailRow {
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl TryFrom<MailRow> for QueuedMail {
    type Error = StoreError;

    fn try_from(row: MailRow) -> Result<Self, StoreError> {
        let corrupt =
            |problem: &dyn ToString| StoreError::corrupt("outbox", &row.id, problem.to_string());
        Ok(Self {
            id: row.id.parse::<uuid::Uuid>().map_err(|e| corrupt(&e))?,
            mail: OutgoingMail {
                kind: MailKind::from_name(&row.kind).ok_or_else(|| corrupt(&"unknown kind"))?,
                to: Email::parse(&row.recipient).map_err(|e| corrupt(&e))?,
                recipient_name: row.recipient_name,
                link: row.link,
            },
            attempts: u32::try_from(row.attempts).map_err(|e| corrupt(&e))?,
            created_at: from_db(row.created_at),
        })
    }
}

#[cfg(feature = "testing")]
#[derive(Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub(crate) struct OutboxEntryRow {
    #[diesel(embed)]
    mail: MailRow,
    next_attempt_at: NaiveDateTime,
    last_error: Option<String>,
    locked_until: Option<NaiveDateTime>,
    delivered_at: Option<NaiveDateTime>,
}

#[cfg(feature = "testing")]
impl TryFrom<OutboxEntryRow> for crate::testing::OutboxEntry {
    type Error = StoreError;

    fn try_from(row: OutboxEntryRow) -> Result<Self, StoreError> {
        Ok(Self {
            queued: QueuedMail::try_from(row.mail)?,
            next_attempt_at: from_db(row.next_attempt_at),
            last_error: row.last_error,
            locked_until: row.locked_until.map(from_db),
            delivered_at: row.delivered_at.map(from_db),
        })
    }
}
