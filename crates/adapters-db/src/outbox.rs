//! `Outbox` on both backends: mail queued with the change that causes it
//! (through [`effects::apply`](crate::effects::apply)), claimed under a lease
//! by delivery workers.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ports::Outbox;
use domain::{InfraError, OutgoingMail, QueuedMail, Timestamp};
use uuid::Uuid;

use crate::connection::{DbConnection, write_transaction};
use crate::database::Database;
use crate::error::StoreError;
use crate::rows::{MailRow, NewMailRow, seconds_after, to_db};
use crate::schema::outbox;

/// The longest `last_error` kept, in characters.
const MAX_ERROR_CHARS: usize = 500;

/// Queues `mails` on `conn`, which the caller has inside its transaction:
/// one row each, created at `at` and due at once.
pub(crate) fn enqueue(
    conn: &mut DbConnection,
    mails: &[OutgoingMail],
    at: Timestamp,
) -> QueryResult<()> {
    // One statement per message, as for events: rarely more than one.
    for mail in mails {
        diesel::insert_into(outbox::table)
            .values(NewMailRow::new(mail, at))
            .execute(conn)?;
    }
    Ok(())
}

/// Undelivered rows due at `now` and not leased, oldest first.
#[diesel::dsl::auto_type]
fn due(now: NaiveDateTime, limit: i64) -> _ {
    outbox::table
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::next_attempt_at.le(now))
        .filter(
            outbox::locked_until
                .is_null()
                .or(outbox::locked_until.le(now)),
        )
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .limit(limit)
}

/// Selects the due rows for a claim. On PostgreSQL each row is locked as it
/// is found, and rows locked by a concurrent claim are skipped rather than
/// waited for (a skipped row is already someone else's); once that claim
/// commits, its lease keeps the row out of every later claim. On SQLite the
/// surrounding `BEGIN IMMEDIATE` lets one writer in at a time.
fn select_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<MailRow>> {
    match conn {
        DbConnection::Pg(pg) => due(now, limit)
            .select(MailRow::as_select())
            .for_update()
            .skip_locked()
            .load(pg),
        DbConnection::Sqlite(sqlite) => due(now, limit).select(MailRow::as_select()).load(sqlite),
    }
}

fn lease(conn: &mut DbConnection, ids: &[String], until: NaiveDateTime) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set(outbox::locked_until.eq(until))
        .execute(conn)
}

#[async_trait]
impl Outbox for Database {
    async fn claim(
        &self,
        now: Timestamp,
        limit: u32,
        lease_secs: u64,
    ) -> Result<Vec<QueuedMail>, InfraError> {
        let lease_end = seconds_after(now, lease_secs, "lease_secs")?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.run(move |conn| {
            // The outer `?` is the transaction's own failure; what is left is
            // the claim's outcome, committed either way (see below).
            write_transaction(conn, |conn| {
                let until = to_db(lease_end);
                let mut mails = Vec::new();
                let mut ids = Vec::new();
                let mut corrupt = Vec::new();
                let mut first_error = None;
                for row in select_due(conn, to_db(now), i64::from(limit))? {
                    let id = row.id().to_owned();
                    match row.into_queued(until) {
                        Ok(mail) => {
                            mails.push(mail);
                            ids.push(id);
                        }
                        Err(error) => {
                            corrupt.push(id);
                            first_error.get_or_insert(error);
                        }
                    }
                }
                match first_error {
                    None => {
                        lease(conn, &ids, until)?;
                        Ok::<_, StoreError>(Ok(mails))
                    }
                    // A row that no longer parses is reported, never dropped.
                    // Only it is leased (and the transaction still commits):
                    // the next claim gets the good rows instead of failing on
                    // the same one, and the bad one is reported again each
                    // time its lease runs out.
                    Some(error) => {
                        lease(conn, &corrupt, until)?;
                        Ok(Err(error))
                    }
                }
            })?
        })
        .await
        .map_err(InfraError::from)
    }

    async fn mark_delivered(
        &self,
        id: Uuid,
        leased_until: Timestamp,
        at: Timestamp,
    ) -> Result<(), InfraError> {
        self.run(move |conn| {
            // Only an undelivered row still under this claim's lease
            // changes: delivering twice keeps the first time, and a worker
            // whose lease passed to another changes nothing. The link goes:
            // its one-time token must not stay at rest once sent.
            diesel::update(
                outbox::table
                    .find(id.hyphenated().to_string())
                    .filter(outbox::delivered_at.is_null())
                    .filter(outbox::locked_until.eq(to_db(leased_until))),
            )
            .set((
                outbox::delivered_at.eq(to_db(at)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::link.eq(None::<String>),
            ))
            .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(InfraError::from)
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        leased_until: Timestamp,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<(), InfraError> {
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        self.run(move |conn| {
            // Fenced like `mark_delivered`: a delivered row stays delivered,
            // and a late report from a worker whose lease ran out changes
            // nothing.
            diesel::update(
                outbox::table
                    .find(id.hyphenated().to_string())
                    .filter(outbox::delivered_at.is_null())
                    .filter(outbox::locked_until.eq(to_db(leased_until))),
            )
            .set((
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::last_error.eq(error),
                outbox::next_attempt_at.eq(to_db(retry_at)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(InfraError::from)
    }

    async fn delete_delivered(&self, before: Timestamp, limit: u32) -> Result<u64, InfraError> {
        self.run(move |conn| {
            // Delivered rows never change again, so reading the batch and
            // deleting it need no transaction between them.
            let oldest: Vec<String> = outbox::table
                .filter(outbox::delivered_at.lt(to_db(before)))
                .order((outbox::delivered_at.asc(), outbox::id.asc()))
                .limit(i64::from(limit))
                .select(outbox::id)
                .load(conn)?;
            let deleted = diesel::delete(
                outbox::table
                    .filter(outbox::id.eq_any(&oldest))
                    .filter(outbox::delivered_at.is_not_null()),
            )
            .execute(conn)?;
            Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
        })
        .await
        .map_err(InfraError::from)
    }

    async fn pending(&self) -> Result<u64, InfraError> {
        self.run(|conn| {
            let count: i64 = outbox::table
                .filter(outbox::delivered_at.is_null())
                .count()
                .get_result(conn)?;
            u64::try_from(count).map_err(|e| StoreError::corrupt("outbox", "count", e))
        })
        .await
        .map_err(InfraError::from)
    }
}

/// Every outbox row, oldest first, for the `testing` helpers.
#[cfg(feature = "testing")]
pub(crate) fn all(conn: &mut DbConnection) -> Result<Vec<crate::testing::OutboxEntry>, StoreError> {
    outbox::table
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .select(crate::rows::OutboxEntryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(crate::testing::OutboxEntry::try_from)
        .collect()
}
