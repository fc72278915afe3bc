//! `Outbox`: mail queued with the change that causes it (through
//! `State::apply_effects`), claimed under a lease by delivery workers.

use async_trait::async_trait;
use domain::ports::Outbox;
use domain::{InfraError, QueuedMail, Timestamp};
use uuid::Uuid;

use crate::store::{MemoryStore, OutboxRow, seconds_after, stored};

/// The longest `last_error` kept, in characters.
const MAX_ERROR_CHARS: usize = 500;

impl OutboxRow {
    /// What a claim leasing it until `leased_until` hands the worker.
    pub(crate) fn queued(&self, leased_until: Timestamp) -> QueuedMail {
        QueuedMail {
            id: self.id,
            mail: self.mail.clone(),
            attempts: self.attempts,
            created_at: self.created_at,
            leased_until,
        }
    }

    /// Undelivered and still under the lease that ends at `leased_until`.
    fn is_leased_until(&self, id: Uuid, leased_until: Timestamp) -> bool {
        self.id == id
            && self.delivered_at.is_none()
            && self.locked_until == Some(stored(leased_until))
    }

    /// Undelivered, due at `now` and not leased then.
    fn is_due(&self, now: Timestamp) -> bool {
        self.delivered_at.is_none()
            && self.next_attempt_at <= now
            && self.locked_until.is_none_or(|until| until <= now)
    }
}

#[async_trait]
impl Outbox for MemoryStore {
    async fn claim(
        &self,
        now: Timestamp,
        limit: u32,
        lease_secs: u64,
    ) -> Result<Vec<QueuedMail>, InfraError> {
        let lease_end = stored(seconds_after(now, lease_secs, "lease_secs")?);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let now = stored(now);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        self.with_state(|state| {
            // The lock makes the claim one step: no two claims see a row as
            // due while the other's lease on it runs.
            let mut due: Vec<&mut OutboxRow> = state
                .outbox
                .iter_mut()
                .filter(|row| row.is_due(now))
                .collect();
            // Oldest first; of one instant, in the order queued.
            due.sort_unstable_by_key(|row| (row.created_at, row.id));
            Ok(due
                .into_iter()
                .take(limit)
                .map(|row| {
                    row.locked_until = Some(lease_end);
                    row.queued(lease_end)
                })
                .collect())
        })
    }

    async fn mark_delivered(
        &self,
        id: Uuid,
        leased_until: Timestamp,
        at: Timestamp,
    ) -> Result<(), InfraError> {
        self.with_state(|state| {
            // Only an undelivered row under this claim's lease changes:
            // delivering twice keeps the first time, and a worker whose
            // lease passed to another changes nothing. The link goes: its
            // one-time token must not stay at rest once sent.
            if let Some(row) = state
                .outbox
                .iter_mut()
                .find(|row| row.is_leased_until(id, leased_until))
            {
                row.delivered_at = Some(stored(at));
                row.locked_until = None;
                row.mail.link = None;
            }
            Ok(())
        })
    }

    async fn mark_failed(
        &self,
        id: Uuid,
        leased_until: Timestamp,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<(), InfraError> {
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        self.with_state(|state| {
            // Fenced like `mark_delivered`: a delivered row stays delivered,
            // and a late report from a worker whose lease ran out changes
            // nothing.
            if let Some(row) = state
                .outbox
                .iter_mut()
                .find(|row| row.is_leased_until(id, leased_until))
            {
                row.attempts = row.attempts.saturating_add(1);
                row.last_error = Some(error);
                row.next_attempt_at = stored(retry_at);
                row.locked_until = None;
            }
            Ok(())
        })
    }

    async fn delete_delivered(&self, before: Timestamp, limit: u32) -> Result<u64, InfraError> {
        let before = stored(before);
        self.with_state(|state| {
            let mut old: Vec<(Timestamp, Uuid)> = state
                .outbox
                .iter()
                .filter_map(|row| {
                    row.delivered_at
                        .filter(|at| *at < before)
                        .map(|at| (at, row.id))
                })
                .collect();
            old.sort_unstable();
            old.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            let doomed: std::collections::HashSet<Uuid> =
                old.into_iter().map(|(_, id)| id).collect();
            state.outbox.retain(|row| !doomed.contains(&row.id));
            Ok(u64::try_from(doomed.len()).unwrap_or(u64::MAX))
        })
    }

    async fn pending(&self) -> Result<u64, InfraError> {
        self.with_state(|state| {
            let pending = state
                .outbox
                .iter()
                .filter(|row| row.delivered_at.is_none())
                .count();
            u64::try_from(pending).map_err(InfraError::unexpected)
        })
    }
}
