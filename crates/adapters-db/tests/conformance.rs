//! The storage ports' conformance suite (`port-conformance`) on both
//! backends: `sqlite::<topic>::<test>` on a fresh SQLite file per test,
//! `postgres::<topic>::<test>` on a fresh PostgreSQL database per test
//! (dropped afterwards). See the crate README for the environment variables.

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use adapters_db::Database;
use adapters_db::testing::{self, TestDatabase};
use async_trait::async_trait;
use domain::{NewSecurityEvent, UserId};
use port_conformance::{Harness, OutboxEntry};

/// A migrated database for one test.
#[derive(Debug)]
struct Fresh {
    // Dropped first: the pool closes before its database is dropped.
    db: Database,
    test_db: TestDatabase,
}

impl Fresh {
    async fn new(test_db: TestDatabase) -> Self {
        let db = test_db.migrated().await;
        Self { db, test_db }
    }

    async fn events(&self, user: UserId) -> Vec<NewSecurityEvent> {
        testing::security_events(&self.db, user).await.unwrap()
    }

    /// The outbox as `testing` reads it, as the suite's `OutboxEntry`.
    async fn outbox(&self) -> Vec<OutboxEntry> {
        testing::outbox(&self.db)
            .await
            .unwrap()
            .into_iter()
            .map(|entry| {
                let testing::OutboxEntry {
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

    /// A second pool on the same database, as another process would have.
    fn another_handle(&self) -> Database {
        Database::connect(self.test_db.url(), 2, Duration::from_secs(10)).unwrap()
    }
}

/// A fresh SQLite file per test.
#[derive(Debug)]
struct SqliteHarness(Fresh);

#[async_trait]
impl Harness for SqliteHarness {
    type Store = Database;

    async fn fresh() -> Option<Self> {
        Some(Self(Fresh::new(TestDatabase::sqlite()).await))
    }

    fn store(&self) -> &Database {
        &self.0.db
    }

    async fn events(&self, user: UserId) -> Vec<NewSecurityEvent> {
        self.0.events(user).await
    }

    async fn outbox(&self) -> Vec<OutboxEntry> {
        self.0.outbox().await
    }

    fn another_handle(&self) -> Database {
        self.0.another_handle()
    }
}

/// A fresh PostgreSQL database per test, or a skip (see
/// [`TestDatabase::postgres`]).
#[derive(Debug)]
struct PostgresHarness(Fresh);

#[async_trait]
impl Harness for PostgresHarness {
    type Store = Database;

    async fn fresh() -> Option<Self> {
        Some(Self(Fresh::new(TestDatabase::postgres()?).await))
    }

    fn store(&self) -> &Database {
        &self.0.db
    }

    async fn events(&self, user: UserId) -> Vec<NewSecurityEvent> {
        self.0.events(user).await
    }

    async fn outbox(&self) -> Vec<OutboxEntry> {
        self.0.outbox().await
    }

    fn another_handle(&self) -> Database {
        self.0.another_handle()
    }
}

mod sqlite {
    port_conformance::suite!(super::SqliteHarness);
}

mod postgres {
    port_conformance::suite!(super::PostgresHarness);
}
