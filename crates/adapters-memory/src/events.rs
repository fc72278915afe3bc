//! `SecurityEventRepository`: reading the trail (written through
//! `State::apply_effects`).

use std::cmp::Reverse;

use async_trait::async_trait;
use domain::ports::SecurityEventRepository;
use domain::{EventCursor, InfraError, SecurityEvent, UserId};

use crate::store::{MemoryStore, stored};

#[async_trait]
impl SecurityEventRepository for MemoryStore {
    async fn list_for_user(
        &self,
        user_id: UserId,
        limit: u32,
        after: Option<EventCursor>,
    ) -> Result<Vec<SecurityEvent>, InfraError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // A position in (at, id) order, compared as the database compares
        // it: with `at` as stored.
        let after = after.map(|cursor| (stored(cursor.at), cursor.id));
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        self.with_state(|state| {
            let mut events: Vec<&SecurityEvent> = state
                .events
                .get(&user_id)
                .into_iter()
                .flatten()
                .filter(|event| after.is_none_or(|after| (event.at, event.id) < after))
                .collect();
            // Newest first, by (at, id) descending.
            events.sort_unstable_by_key(|event| Reverse((event.at, event.id)));
            Ok(events.into_iter().take(limit).cloned().collect())
        })
    }
}
