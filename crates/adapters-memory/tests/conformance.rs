//! The storage ports' conformance suite (`port-conformance`) on the memory
//! store: `memory::<topic>::<test>`, each on a fresh, empty store.

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adapters_memory::MemoryStore;
use adapters_memory::testing::OutboxEntry as MemoryOutboxEntry;
use async_trait::async_trait;
use domain::{NewSecurityEvent, UserId};
use port_conformance::{Harness, OutboxEntry};

/// A fresh store per test.
#[derive(Debug)]
struct MemoryHarness(MemoryStore);

#[async_trait]
impl Harness for MemoryHarness {
    type Store = MemoryStore;

    async fn fresh() -> Option<Self> {
        Some(Self(MemoryStore::new()))
    }

    fn store(&self) -> &MemoryStore {
        &self.0
    }

    async fn events(&self, user: UserId) -> Vec<NewSecurityEvent> {
        self.0.security_events(user).unwrap()
    }

    async fn outbox(&self) -> Vec<OutboxEntry> {
        self.0
            .outbox_entries()
            .unwrap()
            .into_iter()
            .map(|entry| {
                let MemoryOutboxEntry {
                    queued,
                    next_attempt_at,
                    last_error,
                    locked_until,
                    delivered_at,
                } = entry;
                OutboxEntry {
                    queued,
                    next_attempt_at,
                    last_error,
                    locked_until,
                    delivered_at,
                }
            })
            .collect()
    }

    /// A clone: the same state, as a second process on one database would
    /// see the same rows.
    fn another_handle(&self) -> MemoryStore {
        self.0.clone()
    }
}

mod memory {
    port_conformance::suite!(super::MemoryHarness);
}
