//! `LoginThrottle`: failure counts per login key.

use async_trait::async_trait;
use domain::ports::{LockoutPolicy, LoginThrottle};
use domain::{Effects, InfraError, Timestamp};

use crate::store::{MemoryStore, State, ThrottleRow, seconds_after, stored};

/// `now + policy.lockout_secs` as stored, or an error when that cannot be
/// represented.
fn lock_end(now: Timestamp, policy: LockoutPolicy) -> Result<Timestamp, InfraError> {
    Ok(stored(seconds_after(
        now,
        policy.lockout_secs,
        "lockout_secs",
    )?))
}

#[async_trait]
impl LoginThrottle for MemoryStore {
    async fn begin_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
    ) -> Result<Option<Timestamp>, InfraError> {
        let lock_end = lock_end(now, policy)?;
        let now = stored(now);
        self.with_state(|state| {
            // Counted before the check, under the lock, so concurrent
            // attempts all count; a lockout that has ended starts a new
            // count.
            let row = state
                .throttle
                .entry(key.to_owned())
                .and_modify(|row| {
                    if row.locked_until.is_some_and(|until| until <= now) {
                        *row = ThrottleRow {
                            failures: 1,
                            locked_until: None,
                        };
                    } else {
                        row.failures = row.failures.saturating_add(1);
                    }
                })
                .or_insert(ThrottleRow {
                    failures: 1,
                    locked_until: None,
                });
            if let Some(until) = row.locked_until {
                return Ok(Some(until));
            }
            // More attempts than the limit at once: this one waits for the
            // lockout instead of being checked.
            if row.failures > policy.max_failures {
                row.locked_until = Some(lock_end);
                return Ok(Some(lock_end));
            }
            Ok(None)
        })
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
            // No row: a success cleared the count meanwhile. Only the
            // failure that reaches the limit locks (and reports it); later
            // ones during the lockout leave its end alone.
            let locks = state.throttle.get(key).is_some_and(|row| {
                row.locked_until.is_none() && row.failures >= policy.max_failures
            });
            // When it locks, both sets are written in one step: checked
            // together.
            let (lock_events, lock_tokens) = if locks {
                (&lock_effects.events[..], &lock_effects.tokens[..])
            } else {
                (&[][..], &[][..])
            };
            let user_exists = |user| state.users.contains_key(&user);
            State::check_events(effects.events.iter().chain(lock_events), &user_exists)?;
            state.check_tokens(effects.tokens.iter().chain(lock_tokens), &user_exists)?;
            let mut locked = None;
            if locks && let Some(row) = state.throttle.get_mut(key) {
                row.locked_until = Some(lock_end);
                locked = Some(lock_end);
            }
            state.apply_effects(effects, now);
            if locked.is_some() {
                state.apply_effects(lock_effects, now);
            }
            Ok(locked)
        })
    }

    async fn clear(&self, key: &str) -> Result<(), InfraError> {
        self.with_state(|state| {
            state.throttle.remove(key);
            Ok(())
        })
    }
}
