//! `SessionRepository`: sessions and their refresh tokens.

use std::cmp::Reverse;

use async_trait::async_trait;
use domain::ports::SessionRepository;
use domain::{
    Effects, InfraError, NewSession, RefreshRetry, RefreshRotation, RefreshTokenState, Session,
    SessionCreationError, SessionId, Timestamp, TokenHash, User, UserId,
};

use crate::store::{MemoryStore, RefreshToken, State, StoreError, stored};

impl State {
    /// Whether `session` can be inserted with `effects`: `false` when the
    /// credentials the login checked are no longer the user's (or the user
    /// is inactive or gone); an error where the database's keys would
    /// refuse it. Writes nothing.
    pub(crate) fn session_opens(
        &self,
        session: &NewSession,
        effects: &Effects,
    ) -> Result<bool, InfraError> {
        let opens = self
            .users
            .get(&session.user_id)
            .is_some_and(|user| user.is_active && user.password_hash == session.opened_with);
        if !opens {
            return Ok(false);
        }
        // What the database's keys refuse: a session id or a refresh
        // token hash already stored.
        if self.sessions.contains_key(&session.id) {
            return Err(StoreError::Duplicate {
                what: format!("session {}", session.id),
            }
            .into());
        }
        if self
            .refresh_tokens
            .contains_key(session.refresh_hash.expose())
        {
            return Err(StoreError::Duplicate {
                what: "a refresh token with this hash".to_owned(),
            }
            .into());
        }
        self.check_effects_now(effects)?;
        Ok(true)
    }

    /// Inserts `session` (accepted by [`session_opens`](Self::session_opens))
    /// with its first refresh token, and applies `effects`. Cannot fail.
    pub(crate) fn store_session(&mut self, session: &NewSession, effects: Effects) -> Session {
        let created = Session {
            created_at: stored(session.created_at),
            last_used_at: stored(session.created_at),
            refresh_expires_at: stored(session.refresh_expires_at),
            expires_at: stored(session.expires_at),
            ..session.to_session()
        };
        self.sessions.insert(created.id, created.clone());
        self.refresh_tokens.insert(
            session.refresh_hash.expose().to_owned(),
            RefreshToken {
                session_id: created.id,
                rotated_at: None,
            },
        );
        self.apply_effects(effects, created.created_at);
        created
    }
}

#[async_trait]
impl SessionRepository for MemoryStore {
    async fn create(
        &self,
        session: NewSession,
        effects: Effects,
    ) -> Result<Session, SessionCreationError> {
        self.with_state(|state| {
            if !state.session_opens(&session, &effects)? {
                return Ok(None);
            }
            Ok::<_, InfraError>(Some(state.store_session(&session, effects)))
        })?
        .ok_or(SessionCreationError::CredentialsChanged)
    }

    async fn find(&self, id: SessionId) -> Result<Option<Session>, InfraError> {
        self.with_state(|state| Ok(state.sessions.get(&id).cloned()))
    }

    async fn find_with_user(&self, id: SessionId) -> Result<Option<(Session, User)>, InfraError> {
        self.with_state(|state| {
            let Some(session) = state.sessions.get(&id) else {
                return Ok(None);
            };
            // Sessions go with their user, so it is there.
            let user = state
                .users
                .get(&session.user_id)
                .ok_or_else(|| InfraError::unexpected(format!("session {id} outlived its user")))?;
            Ok(Some((session.clone(), user.clone())))
        })
    }

    async fn find_by_refresh_hash(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshTokenState>, InfraError> {
        self.with_state(|state| {
            let Some(token) = state.refresh_tokens.get(hash.expose()) else {
                return Ok(None);
            };
            // Refresh tokens go with their session, so it is there.
            let session = state
                .sessions
                .get(&token.session_id)
                .cloned()
                .ok_or_else(|| {
                    InfraError::unexpected(format!(
                        "a refresh token of session {} outlived it",
                        token.session_id
                    ))
                })?;
            Ok(Some(match token.rotated_at {
                None => RefreshTokenState::Current(session),
                Some(_) => RefreshTokenState::Rotated {
                    retry: state
                        .refresh_retries
                        .get(&session.id)
                        .filter(|(rotated, _)| rotated == hash.expose())
                        .map(|(_, retry)| retry.clone()),
                    session,
                },
            }))
        })
    }

    async fn rotate_refresh(
        &self,
        rotation: RefreshRotation,
        effects: Effects,
    ) -> Result<Option<Session>, InfraError> {
        let RefreshRotation {
            session_id,
            old,
            new,
            now,
            refresh_expires_at,
            retry,
        } = rotation;
        let now = stored(now);
        self.with_state(|state| {
            // The compare-and-swap: an unrevoked session whose current token
            // is `old`; anything else writes nothing, effects included.
            let live = state
                .sessions
                .get(&session_id)
                .is_some_and(|session| session.revoked_at.is_none());
            let current = state
                .refresh_tokens
                .get(old.expose())
                .is_some_and(|token| token.session_id == session_id && token.rotated_at.is_none());
            if !live || !current {
                return Ok(None);
            }
            // `old` itself included: every token a session had stays.
            if state.refresh_tokens.contains_key(new.expose()) {
                return Err(StoreError::Duplicate {
                    what: "a refresh token with this hash".to_owned(),
                }
                .into());
            }
            state.check_effects_now(&effects)?;
            if let Some(token) = state.refresh_tokens.get_mut(old.expose()) {
                token.rotated_at = Some(now);
            }
            // Replaces the retry of the token before `old`: `old` was its
            // successor, and has now been used.
            match retry {
                Some(retry) => {
                    let retry = RefreshRetry {
                        until: stored(retry.until),
                        ..retry
                    };
                    state
                        .refresh_retries
                        .insert(session_id, (old.expose().to_owned(), retry));
                }
                None => {
                    state.refresh_retries.remove(&session_id);
                }
            }
            state.refresh_tokens.insert(
                new.expose().to_owned(),
                RefreshToken {
                    session_id,
                    rotated_at: None,
                },
            );
            let session = state.sessions.get_mut(&session_id).map(|session| {
                session.last_used_at = now;
                session.refresh_expires_at = stored(refresh_expires_at);
                session.clone()
            });
            state.apply_effects(effects, now);
            Ok(session)
        })
    }

    async fn revoke(
        &self,
        id: SessionId,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), InfraError> {
        self.with_state(|state| {
            state.check_effects_now(&effects)?;
            // Only a live session changes: revoking twice keeps the first
            // revocation time.
            if let Some(session) = state.sessions.get_mut(&id)
                && session.revoked_at.is_none()
            {
                session.revoked_at = Some(stored(at));
            }
            state.refresh_retries.remove(&id);
            state.apply_effects(effects, at);
            Ok(())
        })
    }

    async fn list_live(&self, user_id: UserId, now: Timestamp) -> Result<Vec<Session>, InfraError> {
        let now = stored(now);
        self.with_state(|state| {
            let mut live: Vec<Session> = state
                .sessions
                .values()
                .filter(|session| {
                    session.user_id == user_id
                        && session.revoked_at.is_none()
                        && session.expires_at > now
                })
                .cloned()
                .collect();
            // Most recently used first; of one instant, the newest id first.
            live.sort_unstable_by_key(|session| Reverse((session.last_used_at, session.id)));
            Ok(live)
        })
    }

    async fn erase_ended_retries(&self, now: Timestamp) -> Result<u64, InfraError> {
        self.with_state(|state| {
            let before = state.refresh_retries.len();
            state
                .refresh_retries
                .retain(|_, (_, retry)| retry.until > now);
            Ok(u64::try_from(before - state.refresh_retries.len()).unwrap_or(u64::MAX))
        })
    }
}
