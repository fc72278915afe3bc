//! Row types: how entities are laid out in tables, and the conversions both
//! ways. A row that no longer parses is an error, never skipped.

use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use domain::{
    Email, MailKind, NewSecurityEvent, NewSession, NewUser, OutgoingMail, PasswordHash, QueuedMail,
    Session, SessionId, Timestamp, User, UserId, UserName,
};

use crate::error::StoreError;
use crate::schema::{outbox, security_events, sessions, users};

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

#[cfg(feature = "testing")]
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

#[cfg(feature = "testing")]
impl TryFrom<EventRow> for NewSecurityEvent {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        let corrupt = |problem: &dyn ToString| {
            StoreError::corrupt("security_events", &row.id, problem.to_string())
        };
        Ok(Self {
            user_id: row.user_id.parse::<UserId>().map_err(|e| corrupt(&e))?,
            kind: domain::EventKind::from_name(&row.kind)
                .ok_or_else(|| corrupt(&"unknown kind"))?,
            at: from_db(row.at),
            ip: row.ip,
            user_agent: row.user_agent,
            detail: row.detail,
        })
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
