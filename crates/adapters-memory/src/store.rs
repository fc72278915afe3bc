//! The store: one state behind one mutex, and what every port method shares
//! (the lock, timestamps as stored, and the effects that travel with a
//! change).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{SubsecRound, TimeDelta};
use domain::ports::ThrottleState;
use domain::{
    Effects, Email, InfraError, MfaToken, NewOneTimeToken, NewSecurityEvent, OneTimeToken,
    OutgoingMail, RefreshRetry, SecurityEvent, Session, SessionId, SigningKey, Timestamp,
    TokenPurpose, TotpEnrolment, User, UserId,
};
use uuid::Uuid;

/// Every storage port of `domain::ports` in memory: `UserRepository`,
/// `SessionRepository`, `OneTimeTokenRepository`, `SecurityEventRepository`,
/// `Outbox`, `LoginThrottle`, `RateLimitCounter`, `MfaRepository`,
/// `SigningKeyStore` and `HealthProbe`.
///
/// Clones share one state, so the server wires one `MemoryStore` as each
/// `Arc<dyn Port>`, as it does a `Database`. Nothing survives the process.
#[derive(Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `f` on the state, with the lock held for the whole of it: each
    /// port method is one call, so it is atomic and isolated like a
    /// serialisable transaction. `f` is synchronous, so the lock is never
    /// held across an `.await`. A lock poisoned by a panic in an earlier
    /// call is `Unexpected` from then on (what that call left is unknown).
    pub(crate) fn with_state<T, E>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<InfraError>,
    {
        let mut state = self
            .state
            .lock()
            .map_err(|_| InfraError::from(StoreError::Poisoned))?;
        f(&mut state)
    }

    /// Whether the state can still be used (no call panicked while holding
    /// it).
    pub(crate) fn is_healthy(&self) -> bool {
        !self.state.is_poisoned()
    }
}

/// The contents are personal data and secrets: never printed.
impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

/// Why a write was refused where the database would have failed a
/// constraint, or why the store cannot be used. Each becomes
/// `InfraError::Unexpected`. Messages name ids, never a token hash (the
/// lookup key of a live secret) or an email.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("the memory store is poisoned: an earlier call panicked while holding it")]
    Poisoned,
    /// A foreign key: what the database's `REFERENCES users` refuses.
    #[error("{what} refers to user {user}, who does not exist")]
    UnknownUser { what: &'static str, user: UserId },
    /// A primary key: what the database's unique keys refuse.
    #[error("{what} already exists")]
    Duplicate { what: String },
    #[error("{0} out of range")]
    OutOfRange(&'static str),
}

impl From<StoreError> for InfraError {
    fn from(error: StoreError) -> Self {
        Self::unexpected(error)
    }
}

/// `at` as the database stores it, and so as every read gives it back:
/// truncated to microseconds.
pub(crate) fn stored(at: Timestamp) -> Timestamp {
    at.trunc_subsecs(6)
}

/// `secs` seconds after `at`, or `OutOfRange(what)` when that instant cannot
/// be represented.
pub(crate) fn seconds_after(
    at: Timestamp,
    secs: u64,
    what: &'static str,
) -> Result<Timestamp, StoreError> {
    i64::try_from(secs)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .and_then(|delta| at.checked_add_signed(delta))
        .ok_or(StoreError::OutOfRange(what))
}

/// A refresh token a session has, or had.
#[derive(Clone, Debug)]
pub(crate) struct RefreshToken {
    pub(crate) session_id: SessionId,
    /// When a rotation replaced it; `None` for the session's current token.
    pub(crate) rotated_at: Option<Timestamp>,
}

/// An outbox row.
#[derive(Clone, Debug)]
pub(crate) struct OutboxRow {
    pub(crate) id: Uuid,
    pub(crate) mail: OutgoingMail,
    pub(crate) attempts: u32,
    pub(crate) created_at: Timestamp,
    pub(crate) next_attempt_at: Timestamp,
    pub(crate) last_error: Option<String>,
    pub(crate) locked_until: Option<Timestamp>,
    pub(crate) delivered_at: Option<Timestamp>,
}

/// Everything stored, laid out as the database's tables. Every timestamp in
/// it has gone through [`stored`].
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) users: BTreeMap<UserId, User>,
    /// The `users.email` unique key: who has each (lowercased) address.
    pub(crate) emails: HashMap<Email, UserId>,
    pub(crate) sessions: BTreeMap<SessionId, Session>,
    /// By token hash: every refresh token of every existing session.
    pub(crate) refresh_tokens: HashMap<String, RefreshToken>,
    /// By session: the retry kept on its last rotated token (by hash), if
    /// any. At most one per session, as in the database: a rotation erases
    /// the retry of the token before.
    pub(crate) refresh_retries: HashMap<SessionId, (String, RefreshRetry)>,
    /// One-time tokens by hash.
    pub(crate) tokens: HashMap<String, OneTimeToken>,
    /// Each user's security events, in the order written.
    pub(crate) events: HashMap<UserId, Vec<SecurityEvent>>,
    /// In the order queued.
    pub(crate) outbox: Vec<OutboxRow>,
    /// Only keys with something to count.
    pub(crate) throttle: HashMap<String, ThrottleState>,
    /// Per key: the start of its latest window and the hits in it.
    pub(crate) rate_limits: HashMap<String, (Timestamp, u32)>,
    /// At most one TOTP enrolment per user.
    pub(crate) enrolments: HashMap<UserId, TotpEnrolment>,
    /// Per user: recovery code hash → when it was used.
    pub(crate) recovery_codes: HashMap<UserId, HashMap<String, Option<Timestamp>>>,
    /// `mfa_token`s by hash.
    pub(crate) mfa_tokens: HashMap<String, MfaToken>,
    /// Every signing key, in the order stored (oldest first).
    pub(crate) signing_keys: Vec<SigningKey>,
}

impl State {
    /// Whether `tokens`, stored in this order, would break a key, given
    /// which users exist once the change is made: each must belong to such
    /// a user and have a hash no other token has (those of users who will
    /// not exist go with them).
    pub(crate) fn check_tokens<'a>(
        &self,
        tokens: impl IntoIterator<Item = &'a NewOneTimeToken>,
        user_exists: &impl Fn(UserId) -> bool,
    ) -> Result<(), StoreError> {
        let mut hashes = HashSet::new();
        for token in tokens {
            if !user_exists(token.user_id) {
                return Err(StoreError::UnknownUser {
                    what: "a one-time token",
                    user: token.user_id,
                });
            }
            let hash = token.hash.expose();
            let taken = self
                .tokens
                .get(hash)
                .is_some_and(|existing| user_exists(existing.user_id));
            if taken || !hashes.insert(hash) {
                return Err(StoreError::Duplicate {
                    what: format!("a one-time token of user {} with this hash", token.user_id),
                });
            }
        }
        Ok(())
    }

    /// Whether `events` would break a foreign key, given which users exist
    /// once the change is made.
    pub(crate) fn check_events<'a>(
        events: impl IntoIterator<Item = &'a NewSecurityEvent>,
        user_exists: &impl Fn(UserId) -> bool,
    ) -> Result<(), StoreError> {
        match events.into_iter().find(|event| !user_exists(event.user_id)) {
            Some(orphan) => Err(StoreError::UnknownUser {
                what: "a security event",
                user: orphan.user_id,
            }),
            None => Ok(()),
        }
    }

    /// Whether `effects` can be written once the change is made, with
    /// `user_exists` telling which users exist then: what the database's
    /// keys would refuse (an event or a token of an unknown user, a token
    /// hash already stored) is an error here, checked before anything is
    /// written. Mail refers to nobody.
    pub(crate) fn check_effects(
        &self,
        effects: &Effects,
        user_exists: &impl Fn(UserId) -> bool,
    ) -> Result<(), StoreError> {
        let Effects {
            events,
            mails: _,
            tokens,
        } = effects;
        Self::check_events(events, user_exists)?;
        self.check_tokens(tokens, user_exists)
    }

    /// As [`check_effects`](Self::check_effects) for a change that neither
    /// adds nor removes a user.
    pub(crate) fn check_effects_now(&self, effects: &Effects) -> Result<(), StoreError> {
        self.check_effects(effects, &|user| self.users.contains_key(&user))
    }

    /// Writes `effects`, which [`check_effects`](Self::check_effects) has
    /// accepted: events, then tokens (each as `issue` stores one), then
    /// mail, queued at `at` and due at once. Cannot fail.
    pub(crate) fn apply_effects(&mut self, effects: Effects, at: Timestamp) {
        // Destructured, not read field by field: a new kind of effect does
        // not compile until it is written here.
        let Effects {
            events,
            mails,
            tokens,
        } = effects;
        for event in events {
            self.insert_event(event);
        }
        for token in tokens {
            self.store_token(token);
        }
        let at = stored(at);
        for mail in mails {
            self.outbox.push(OutboxRow {
                // UUID v7, ordered within the process: (created_at, id)
                // orders mail queued in the same instant by insertion.
                id: Uuid::now_v7(),
                mail,
                attempts: 0,
                created_at: at,
                next_attempt_at: at,
                last_error: None,
                locked_until: None,
                delivered_at: None,
            });
        }
    }

    fn insert_event(&mut self, event: NewSecurityEvent) {
        let NewSecurityEvent {
            user_id,
            kind,
            at,
            ip,
            user_agent,
            detail,
        } = event;
        self.events.entry(user_id).or_default().push(SecurityEvent {
            // As the database: UUID v7, so (at, id) orders events of the
            // same instant by insertion.
            id: Uuid::now_v7(),
            user_id,
            kind,
            at: stored(at),
            ip,
            user_agent,
            detail,
        });
    }

    /// Stores `token` (accepted by [`check_tokens`](Self::check_tokens))
    /// after voiding, at its creation time, every unused token of the same
    /// user and purpose.
    pub(crate) fn store_token(&mut self, token: NewOneTimeToken) {
        let created_at = stored(token.created_at);
        self.void_tokens(token.user_id, &[token.purpose], created_at);
        let NewOneTimeToken {
            hash,
            user_id,
            purpose,
            new_email,
            created_at: _,
            expires_at,
        } = token;
        self.tokens.insert(
            hash.expose().to_owned(),
            OneTimeToken {
                hash,
                user_id,
                purpose,
                new_email,
                created_at,
                expires_at: stored(expires_at),
                used_at: None,
            },
        );
    }

    /// Marks every unused token of `user_id` with one of `purposes` used at
    /// `at`: those links stop working.
    pub(crate) fn void_tokens(
        &mut self,
        user_id: UserId,
        purposes: &[TokenPurpose],
        at: Timestamp,
    ) {
        if purposes.is_empty() {
            return;
        }
        let at = stored(at);
        for token in self.tokens.values_mut() {
            if token.user_id == user_id
                && token.used_at.is_none()
                && purposes.contains(&token.purpose)
            {
                token.used_at = Some(at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::UserCreationError;
    use domain::ports::{CheckStatus, HealthProbe, Outbox, UserRepository};

    use super::*;

    #[tokio::test]
    async fn a_store_poisoned_by_a_panic_fails_every_call_and_is_not_ready() {
        let store = MemoryStore::new();
        let holder = store.clone();
        let panicked = std::thread::spawn(move || {
            holder.with_state(|_| -> Result<(), InfraError> {
                panic!("a writer dies holding the state")
            })
        })
        .join();
        assert!(panicked.is_err());

        let pending = store.pending().await;
        let found = store.find_by_id(UserId::generate()).await;

        assert!(
            matches!(pending, Err(InfraError::Unexpected(_))),
            "{pending:?}"
        );
        assert!(matches!(found, Err(InfraError::Unexpected(_))), "{found:?}");
        let created = UserRepository::create(
            &store,
            domain::NewUser {
                id: UserId::generate(),
                email: Email::parse("ada@example.com").unwrap(),
                name: domain::UserName::parse("Ada").unwrap(),
                role: domain::Role::User,
                email_verified: false,
                is_active: true,
                password_hash: domain::PasswordHash::new("x".into()),
                created_at: chrono::Utc::now(),
            },
            Effects::none(),
        )
        .await;
        assert!(
            matches!(
                created,
                Err(UserCreationError::Infra(InfraError::Unexpected(_)))
            ),
            "{created:?}"
        );
        let readiness = store.readiness().await;
        assert_eq!(readiness.database, CheckStatus::Failing);
        assert!(!readiness.is_ready());
    }

    #[test]
    fn timestamps_are_stored_to_the_microsecond() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00.123456789Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(stored(at).to_rfc3339(), "2026-01-01T00:00:00.123456+00:00");
    }

    #[test]
    fn a_time_beyond_what_can_be_represented_is_out_of_range() {
        let now = chrono::Utc::now();
        assert!(seconds_after(now, u64::MAX, "x").is_err());
        assert!(seconds_after(now, u64::try_from(i64::MAX).unwrap(), "x").is_err());
        assert_eq!(
            seconds_after(now, 60, "x").unwrap(),
            now + TimeDelta::seconds(60)
        );
    }
}
