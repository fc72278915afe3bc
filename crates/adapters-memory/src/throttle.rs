//! `LoginThrottle`: failures and checks in flight per login key, by the
//! rules of `domain::ports::ThrottleState`, under the store's lock.

use async_trait::async_trait;
use domain::ports::{Admission, LockoutPolicy, LoginThrottle, ThrottleState};
use domain::{Effects, InfraError, Timestamp};

use crate::store::{MemoryStore, State, seconds_after, stored};

/// `now + policy.lockout_secs` as stored, or an error when that cannot be
/// represented.
fn lock_end(now: Timestamp, policy: LockoutPolicy) -> Result<Timestamp, InfraError> {
    Ok(stored(seconds_after(
        now,
        policy.lockout_secs,
        "lockout_secs",
    )?))
}

impl State {
    /// Applies `change` to the state of `key`, dropping the key when nothing
    /// is left to count.
    fn throttle_change<T>(&mut self, key: &str, change: impl FnOnce(&mut ThrottleState) -> T) -> T {
        let mut row = self.throttle.get(key).copied().unwrap_or_default();
        let result = change(&mut row);
        if row.is_empty() {
            self.throttle.remove(key);
        } else {
            self.throttle.insert(key.to_owned(), row);
        }
        result
    }
}

#[async_trait]
impl LoginThrottle for MemoryStore {
    async fn begin_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
    ) -> Result<Admission, InfraError> {
        let now = stored(now);
        self.with_state(|state| Ok(state.throttle_change(key, |row| row.admit(now, policy))))
    }

    async fn record_failure(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
        effects: Effects,
        lock_effects: Effects,
    ) -> Result<Option<Timestamp>, InfraError> {
        let lock_end = lock_end(now, policy)?;
        let now = stored(now);
        self.with_state(|state| {
            // Only the failure that reaches the limit locks (and reports
            // it); later ones during the lockout leave its end alone.
            let mut row = state.throttle.get(key).copied().unwrap_or_default();
            let locked = row.fail(policy, lock_end);
            // When it locks, both sets are written in one step: checked
            // together, before anything changes.
            let (lock_events, lock_tokens) = if locked.is_some() {
                (&lock_effects.events[..], &lock_effects.tokens[..])
            } else {
                (&[][..], &[][..])
            };
            let user_exists = |user| state.users.contains_key(&user);
            State::check_events(effects.events.iter().chain(lock_events), &user_exists)?;
            state.check_tokens(effects.tokens.iter().chain(lock_tokens), &user_exists)?;
            state.throttle_change(key, |stored_row| *stored_row = row);
            state.apply_effects(effects, now);
            if locked.is_some() {
                state.apply_effects(lock_effects, now);
            }
            Ok(locked)
        })
    }

    async fn record_success(&self, key: &str) -> Result<(), InfraError> {
        self.with_state(|state| {
            state.throttle_change(key, ThrottleState::succeed);
            Ok(())
        })
    }

    async fn abandon(&self, key: &str) -> Result<(), InfraError> {
        self.with_state(|state| {
            state.throttle_change(key, ThrottleState::release);
            Ok(())
        })
    }

    async fn clear(&self, key: &str) -> Result<(), InfraError> {
        self.with_state(|state| {
            state.throttle_change(key, ThrottleState::clear);
            Ok(())
        })
    }
}
