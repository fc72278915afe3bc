//! `HealthProbe`: there is no database to reach and no migration to run.

use async_trait::async_trait;
use domain::ports::{CheckStatus, HealthProbe, Readiness};

use crate::store::MemoryStore;

#[async_trait]
impl HealthProbe for MemoryStore {
    /// Ready, unless a call panicked while holding the state (every call
    /// then fails as `Unexpected`, so the instance should be replaced).
    async fn readiness(&self) -> Readiness {
        let status = if self.is_healthy() {
            CheckStatus::Ok
        } else {
            CheckStatus::Failing
        };
        Readiness {
            database: status,
            migrations: status,
        }
    }
}
