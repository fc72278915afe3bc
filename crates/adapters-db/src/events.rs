//! The security trail: written by every state-changing port method, inside
//! that method's transaction (through [`effects::apply`](crate::effects::apply)),
//! and read by `SecurityEventRepository`.

use async_trait::async_trait;
use diesel::prelude::*;
use domain::ports::SecurityEventRepository;
use domain::{EventCursor, InfraError, NewSecurityEvent, SecurityEvent, UserId};

use crate::connection::DbConnection;
use crate::database::Database;
use crate::rows::{EventRow, NewEventRow, to_db};
use crate::schema::security_events;

/// Inserts `events` on `conn`, which the caller has inside its transaction.
pub(crate) fn insert(conn: &mut DbConnection, events: &[NewSecurityEvent]) -> QueryResult<()> {
    // One statement per event: there are one or two per change, and
    // `MultiConnection` has no portable multi-row insert.
    for event in events {
        diesel::insert_into(security_events::table)
            .values(NewEventRow::from(event))
            .execute(conn)?;
    }
    Ok(())
}

#[async_trait]
impl SecurityEventRepository for Database {
    async fn list_for_user(
        &self,
        user_id: UserId,
        limit: u32,
        after: Option<EventCursor>,
    ) -> Result<Vec<SecurityEvent>, InfraError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.run(move |conn| {
            // Keyset pagination on (at, id) descending, along the
            // (user_id, at, id) index. Ids are hyphenated lowercase UUID
            // text, so comparing them as text compares the UUIDs; ORDER BY
            // and `<` use the same collation either way.
            let mut query = security_events::table
                .filter(security_events::user_id.eq(user_id.to_string()))
                .order((security_events::at.desc(), security_events::id.desc()))
                .limit(i64::from(limit))
                .select(EventRow::as_select())
                .into_boxed();
            if let Some(cursor) = after {
                let at = to_db(cursor.at);
                let id = cursor.id.hyphenated().to_string();
                query = query.filter(
                    security_events::at
                        .lt(at)
                        .or(security_events::at.eq(at).and(security_events::id.lt(id))),
                );
            }
            query
                .load(conn)?
                .into_iter()
                .map(SecurityEvent::try_from)
                .collect()
        })
        .await
        .map_err(InfraError::from)
    }
}

/// A user's events, oldest first, as they were written, for the `testing`
/// helpers.
#[cfg(feature = "testing")]
pub(crate) fn of_user(
    conn: &mut DbConnection,
    user_id: UserId,
) -> Result<Vec<NewSecurityEvent>, crate::error::StoreError> {
    security_events::table
        .filter(security_events::user_id.eq(user_id.to_string()))
        .order((security_events::at, security_events::id))
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| {
            let event = SecurityEvent::try_from(row)?;
            Ok(NewSecurityEvent {
                user_id: event.user_id,
                kind: event.kind,
                at: event.at,
                ip: event.ip,
                user_agent: event.user_agent,
                detail: event.detail,
            })
        })
        .collect()
}
