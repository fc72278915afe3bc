//! The writes that travel with a change (`domain::Effects`): security events,
//! outbox mail and one-time tokens. Every state-changing port method calls
//! [`apply`] inside its own transaction, and nothing else writes events or
//! mail, so no write path can apply some effects and forget others. (Tokens
//! are written by one function, which `OneTimeTokenRepository::issue` calls
//! for its own token too.)

use domain::{Effects, Timestamp};

use crate::connection::DbConnection;
use crate::{events, one_time_tokens, outbox};

/// Applies `effects` on `conn`, which the caller has inside its transaction.
/// `at` is the time of the change: mail is queued then, and due at once.
/// Tokens are stored as `OneTimeTokenRepository::issue` stores one (earlier
/// unused tokens of the same user and purpose voided), before the mail that
/// carries their link.
pub(crate) fn apply(
    conn: &mut DbConnection,
    effects: &Effects,
    at: Timestamp,
) -> diesel::QueryResult<()> {
    // Destructured, not read field by field: a new kind of effect does not
    // compile until it is written here.
    let Effects {
        events,
        mails,
        tokens,
    } = effects;
    events::insert(conn, events)?;
    one_time_tokens::store(conn, tokens)?;
    outbox::enqueue(conn, mails, at)?;
    Ok(())
}
