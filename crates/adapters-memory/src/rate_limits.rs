//! `RateLimitCounter`: the latest window's count per key, under the
//! store's lock.

use async_trait::async_trait;
use domain::ports::RateLimitCounter;
use domain::{InfraError, Timestamp};

use crate::store::{MemoryStore, stored};

#[async_trait]
impl RateLimitCounter for MemoryStore {
    async fn hit(&self, key: &str, window_start: Timestamp) -> Result<u32, InfraError> {
        let window_start = stored(window_start);
        self.with_state(|state| {
            let entry = state
                .rate_limits
                .entry(key.to_owned())
                .or_insert((window_start, 0));
            if entry.0 != window_start {
                *entry = (window_start, 0);
            }
            entry.1 = entry.1.saturating_add(1);
            Ok(entry.1)
        })
    }

    async fn forget_before(&self, before: Timestamp) -> Result<u64, InfraError> {
        let before = stored(before);
        self.with_state(|state| {
            let count = state.rate_limits.len();
            state.rate_limits.retain(|_, (start, _)| *start >= before);
            Ok(u64::try_from(count - state.rate_limits.len()).unwrap_or(u64::MAX))
        })
    }
}
