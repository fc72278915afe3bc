use async_trait::async_trait;

use crate::{Effects, InfraError, Timestamp};

/// After `max_failures` failed password checks in a row, an account is
/// locked for `lockout_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lockout_secs: u64,
}

/// Whether a password check may run now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Check the password; the check is in flight until it is recorded
    /// (`record_failure`, `record_success` or `abandon`).
    Check,
    /// The key is locked until then: no password is checked.
    Locked { until: Timestamp },
    /// As many checks are in flight as failures remain before the limit:
    /// this one is not checked, counts nothing and locks nothing; the
    /// caller may try again in a moment.
    Busy,
}

/// How long a check may stay in flight before it is taken for one that
/// will never be recorded (a process that died mid-check): longer than any
/// password check, queue included. After it, the in-flight count of a key
/// that saw no new check is forgotten.
pub const STALE_CHECK_SECS: i64 = 60;

/// Counts failed password checks per login key (the lowercased email,
/// whether or not an account has it, so lockout reveals nothing), and the
/// checks in flight, so that concurrent wrong guesses can never get more
/// checks than the limit while concurrent right ones never lock anything.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Admits a password check for `key` at `now`, atomically:
    /// - `Locked` while a lockout runs (a lockout that has ended starts a
    ///   new count of zero failures);
    /// - `Busy` when the failures counted plus the checks in flight have
    ///   reached `policy.max_failures` (in-flight checks older than
    ///   [`STALE_CHECK_SECS`] are forgotten first); nothing is counted;
    /// - otherwise `Check`, and the check is counted in flight.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure. A failure counts nothing, and the caller MUST then not check
    /// the password.
    async fn begin_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
    ) -> Result<Admission, InfraError>;

    /// Records that a check admitted with `Check` failed (it is no longer in
    /// flight, and one more failure counts), and applies `effects`,
    /// atomically. When the failures have reached `policy.max_failures` and
    /// `key` is not locked yet, it is locked until `now + lockout_secs`,
    /// `lock_effects` are applied too, and that instant is returned;
    /// otherwise `lock_effects` are dropped and the answer is `None`.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure, and then neither the failure nor any effect is recorded.
    async fn record_failure(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
        effects: Effects,
        lock_effects: Effects,
    ) -> Result<Option<Timestamp>, InfraError>;

    /// Records that a check admitted with `Check` succeeded: the failures of
    /// `key` are forgotten and the check is no longer in flight. A key with
    /// nothing left to count MUST take no room in the store.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` when the store cannot be reached
    /// within its acquire timeout; `InfraError::Unexpected` for any other
    /// failure.
    async fn record_success(&self, key: &str) -> Result<(), InfraError>;

    /// Records that a check admitted with `Check` never ran to a verdict
    /// (the hashing queue was full, or the store failed meanwhile): it is no
    /// longer in flight, and no failure counts.
    ///
    /// # Errors
    /// As for [`record_success`](Self::record_success).
    async fn abandon(&self, key: &str) -> Result<(), InfraError>;

    /// Forgets the failures and any lockout of `key` (its owner proved
    /// control of the mailbox); checks in flight stay counted.
    ///
    /// # Errors
    /// As for [`record_success`](Self::record_success).
    async fn clear(&self, key: &str) -> Result<(), InfraError>;
}

/// What a store keeps for one login key, and the rules of
/// [`LoginThrottle`] on it as plain data: every adapter reads the row,
/// applies one of these under its lock (a transaction, a mutex) and writes
/// the result back, so the rules exist once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failed checks since the last success or lockout.
    pub failures: u32,
    /// Checks admitted and not recorded yet.
    pub in_flight: u32,
    /// When the last check was admitted (for [`STALE_CHECK_SECS`]).
    pub in_flight_at: Option<Timestamp>,
    /// The end of the running lockout, if any.
    pub locked_until: Option<Timestamp>,
}

impl ThrottleState {
    /// Admits a check at `now` (see [`LoginThrottle::begin_attempt`]).
    pub fn admit(&mut self, now: Timestamp, policy: LockoutPolicy) -> Admission {
        match self.locked_until {
            Some(until) if until > now => return Admission::Locked { until },
            Some(_) => {
                self.failures = 0;
                self.locked_until = None;
            }
            None => {}
        }
        let stale = self
            .in_flight_at
            .is_some_and(|at| now.signed_duration_since(at).num_seconds() >= STALE_CHECK_SECS);
        if stale {
            self.in_flight = 0;
            self.in_flight_at = None;
        }
        if self.failures.saturating_add(self.in_flight) >= policy.max_failures {
            return Admission::Busy;
        }
        self.in_flight += 1;
        self.in_flight_at = Some(now);
        Admission::Check
    }

    /// One admitted check failed; when this failure reaches the limit it
    /// starts a lockout that ends at `lock_end`, which is returned.
    pub fn fail(&mut self, policy: LockoutPolicy, lock_end: Timestamp) -> Option<Timestamp> {
        self.release();
        self.failures = self.failures.saturating_add(1);
        if self.locked_until.is_none() && self.failures >= policy.max_failures {
            self.locked_until = Some(lock_end);
            return Some(lock_end);
        }
        None
    }

    /// One admitted check succeeded.
    pub fn succeed(&mut self) {
        self.release();
        self.failures = 0;
    }

    /// One admitted check ended without a verdict.
    pub fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if self.in_flight == 0 {
            self.in_flight_at = None;
        }
    }

    /// The failures and any lockout forgotten; checks in flight stay.
    pub fn clear(&mut self) {
        self.failures = 0;
        self.locked_until = None;
    }

    /// Whether there is nothing to keep (the store may drop the row).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.failures == 0 && self.in_flight == 0 && self.locked_until.is_none()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};

    use super::*;

    const POLICY: LockoutPolicy = LockoutPolicy {
        max_failures: 3,
        lockout_secs: 900,
    };

    fn at(secs: i64) -> Timestamp {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap() + TimeDelta::seconds(secs)
    }

    #[test]
    fn checks_beyond_the_remaining_allowance_are_busy_and_count_nothing() {
        let mut state = ThrottleState::default();
        let admitted: Vec<Admission> = (0..5).map(|_| state.admit(at(0), POLICY)).collect();

        assert_eq!(
            admitted,
            [
                Admission::Check,
                Admission::Check,
                Admission::Check,
                Admission::Busy,
                Admission::Busy
            ]
        );
        assert_eq!((state.failures, state.in_flight), (0, 3));
    }

    #[test]
    fn right_passwords_in_flight_together_never_lock() {
        let mut state = ThrottleState::default();
        for _ in 0..3 {
            state.admit(at(0), POLICY);
        }
        for _ in 0..3 {
            state.succeed();
        }

        assert!(state.is_empty(), "{state:?}");
        assert_eq!(state.admit(at(1), POLICY), Admission::Check);
    }

    #[test]
    fn the_failure_that_reaches_the_limit_locks_and_later_ones_keep_its_end() {
        let mut state = ThrottleState::default();
        for _ in 0..3 {
            state.admit(at(0), POLICY);
        }

        assert_eq!(state.fail(POLICY, at(900)), None);
        assert_eq!(state.fail(POLICY, at(900)), None);
        assert_eq!(state.fail(POLICY, at(900)), Some(at(900)));
        assert_eq!(
            state.admit(at(10), POLICY),
            Admission::Locked { until: at(900) }
        );
    }

    #[test]
    fn a_lockout_that_has_ended_starts_a_new_count() {
        let mut state = ThrottleState {
            failures: 3,
            locked_until: Some(at(0)),
            ..ThrottleState::default()
        };

        assert_eq!(state.admit(at(0), POLICY), Admission::Check);
        assert_eq!((state.failures, state.locked_until), (0, None));
    }

    #[test]
    fn a_check_without_a_verdict_frees_its_place_and_counts_nothing() {
        let mut state = ThrottleState::default();
        for _ in 0..3 {
            state.admit(at(0), POLICY);
        }
        state.release();

        assert_eq!(state.failures, 0);
        assert_eq!(state.admit(at(0), POLICY), Admission::Check);
    }

    #[test]
    fn checks_in_flight_longer_than_the_stale_limit_are_forgotten() {
        let mut state = ThrottleState::default();
        for _ in 0..3 {
            state.admit(at(0), POLICY);
        }

        assert_eq!(
            state.admit(at(STALE_CHECK_SECS - 1), POLICY),
            Admission::Busy
        );
        assert_eq!(state.admit(at(STALE_CHECK_SECS), POLICY), Admission::Check);
        assert_eq!(state.in_flight, 1);
    }

    #[test]
    fn clearing_forgets_failures_and_lockout_but_not_checks_in_flight() {
        let mut state = ThrottleState {
            failures: 3,
            in_flight: 1,
            in_flight_at: Some(at(0)),
            locked_until: Some(at(900)),
        };
        state.clear();

        assert_eq!(state.failures, 0);
        assert_eq!(state.locked_until, None);
        assert_eq!(state.in_flight, 1);
    }
}
