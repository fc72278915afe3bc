//! The writes that travel with a change (`domain::Effects`): security events
//! and outbox mail. Every state-changing port method calls [`apply`] inside
//! its own transaction, and nothing else writes either, so no write path can
//! apply some effects and forget others.

use domain::{Effects, Timestamp};

use crate::connection::DbConnection;
use crate::{events, outbox};

/// Applies `effects` on `conn`, which the caller has inside its transaction.
/// `at` is the time of the change: mail is queued then, and due at once.
pub(crate) fn apply(
    conn: &mut DbConnection,
    effects: &Effects,
    at: Timestamp,
) -> diesel::QueryResult<()> {
    // Destructured, not read field by field: a new kind of effect does not
    // compile until it is written here.
    let Effects { events, mails } = effects;
    events::insert(conn, events)?;
    outbox::enqueue(conn, mails, at)?;
    Ok(())
}
