//! The security trail: written by every state-changing port method, inside
//! that method's transaction (through [`effects::apply`](crate::effects::apply)).

use diesel::prelude::*;
use domain::NewSecurityEvent;

use crate::connection::DbConnection;
use crate::rows::NewEventRow;
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

/// A user's events, oldest first, for the `testing` helpers (until a port
/// reads the trail).
#[cfg(feature = "testing")]
pub(crate) fn of_user(
    conn: &mut DbConnection,
    user_id: domain::UserId,
) -> Result<Vec<domain::NewSecurityEvent>, crate::error::StoreError> {
    use crate::rows::EventRow;

    security_events::table
        .filter(security_events::user_id.eq(user_id.to_string()))
        .order((security_events::at, security_events::id))
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(domain::NewSecurityEvent::try_from)
        .collect()
}
