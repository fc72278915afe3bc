//! Rows of one-time tokens and of the outbox.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::{
    Email, MailKind, NewOneTimeToken, OneTimeToken, OutgoingMail, QueuedMail, Timestamp, TokenHash,
    TokenPurpose, UserId,
};

use super::{from_db, to_db};
use crate::error::StoreError;
use crate::schema::{one_time_tokens, outbox};

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

impl MailRow {
    /// The message, as claimed with a lease until `leased_until`.
    pub(crate) fn into_queued(self, leased_until: NaiveDateTime) -> Result<QueuedMail, StoreError> {
        let row = self;
        let corrupt =
            |problem: &dyn ToString| StoreError::corrupt("outbox", &row.id, problem.to_string());
        Ok(QueuedMail {
            id: row.id.parse::<uuid::Uuid>().map_err(|e| corrupt(&e))?,
            mail: OutgoingMail {
                kind: MailKind::from_name(&row.kind).ok_or_else(|| corrupt(&"unknown kind"))?,
                to: Email::parse(&row.recipient).map_err(|e| corrupt(&e))?,
                recipient_name: row.recipient_name,
                link: row.link,
            },
            attempts: u32::try_from(row.attempts).map_err(|e| corrupt(&e))?,
            created_at: from_db(row.created_at),
            leased_until: from_db(leased_until),
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
            // Not leased: the lease it would need is any past instant.
            queued: row
                .mail
                .into_queued(row.locked_until.unwrap_or(row.next_attempt_at))?,
            next_attempt_at: from_db(row.next_attempt_at),
            last_error: row.last_error,
            locked_until: row.locked_until.map(from_db),
            delivered_at: row.delivered_at.map(from_db),
        })
    }
}
