//! A look behind the ports (feature `testing`): what the database adapter's
//! `testing` module reads with SQL, for this crate's tests and the
//! conformance suite.

use domain::{InfraError, NewSecurityEvent, QueuedMail, Timestamp, UserId};

use crate::store::MemoryStore;

/// An outbox row as stored: what a claim would hand a worker, and the
/// delivery state around it. `Debug` hides the link (see `OutgoingMail`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub queued: QueuedMail,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub locked_until: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
}

impl MemoryStore {
    /// Every security event of `user_id`, oldest first (by `(at, id)`), as
    /// written.
    ///
    /// # Errors
    /// `Unexpected` when the store is poisoned.
    pub fn security_events(&self, user_id: UserId) -> Result<Vec<NewSecurityEvent>, InfraError> {
        self.with_state(|state| {
            let mut events: Vec<_> = state.events.get(&user_id).into_iter().flatten().collect();
            events.sort_unstable_by_key(|event| (event.at, event.id));
            Ok(events
                .into_iter()
                .map(|event| NewSecurityEvent {
                    user_id: event.user_id,
                    kind: event.kind,
                    at: event.at,
                    ip: event.ip.clone(),
                    user_agent: event.user_agent.clone(),
                    detail: event.detail.clone(),
                })
                .collect())
        })
    }

    /// Every outbox row, delivered or not, oldest first (by `(created_at,
    /// id)`, so in the order queued within one instant).
    ///
    /// # Errors
    /// `Unexpected` when the store is poisoned.
    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>, InfraError> {
        self.with_state(|state| {
            let mut rows: Vec<_> = state.outbox.iter().collect();
            rows.sort_unstable_by_key(|row| (row.created_at, row.id));
            Ok(rows
                .into_iter()
                .map(|row| OutboxEntry {
                    // Not leased: the lease it would need is any past
                    // instant.
                    queued: row.queued(row.locked_until.unwrap_or(row.next_attempt_at)),
                    next_attempt_at: row.next_attempt_at,
                    last_error: row.last_error.clone(),
                    locked_until: row.locked_until,
                    delivered_at: row.delivered_at,
                })
                .collect())
        })
    }
}
