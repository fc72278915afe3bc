//! `UserRepository`.

use std::cmp::Reverse;

use async_trait::async_trait;
use domain::ports::UserRepository;
use domain::refusal::{TokenUnusable, UserNotFound};
use domain::{
    AccessChange, AccessChangeError, ChangeEmailError, Effects, Email, EndSessions, InfraError,
    NewUser, PasswordHash, RedeemTokenError, Role, Timestamp, TokenHash, User, UserChange,
    UserChangeError, UserCreationError, UserCursor, UserDeletionError, UserFilter, UserId,
};

use crate::store::{MemoryStore, State, StoreError, stored};

/// What a change method writes beyond the fields of its `UserChange`, once
/// its guard has accepted the change.
#[derive(Default)]
struct Extra<'a> {
    /// The one-time token to use up (`redeem_token`, `change_email`).
    token: Option<&'a TokenHash>,
    /// The new email (`change_email`).
    email: Option<Email>,
    /// The new role and active flag (`change_access`).
    access: AccessChange,
}

impl State {
    /// Whether user `id` is an active admin and no other user is.
    fn is_last_admin(&self, id: UserId) -> bool {
        let is_active_admin = |user: &User| user.role == Role::Admin && user.is_active;
        self.users.get(&id).is_some_and(is_active_admin)
            && self
                .users
                .values()
                .filter(|user| is_active_admin(user))
                .all(|user| user.id == id)
    }

    /// Whether the token with hash `hash` is `user_id`'s and usable at `at`
    /// (already [`stored`]).
    fn token_usable(&self, hash: &TokenHash, user_id: UserId, at: Timestamp) -> bool {
        self.tokens.get(hash.expose()).is_some_and(|token| {
            token.user_id == user_id && token.used_at.is_none() && token.expires_at > at
        })
    }

    /// Whether an account other than `user_id` has `email`.
    fn email_taken(&self, email: &Email, user_id: UserId) -> bool {
        self.emails
            .get(email)
            .is_some_and(|owner| *owner != user_id)
    }

    /// The body of every change method, under the lock. First every check,
    /// in the database adapter's order: the user (`NotFound` when missing,
    /// or deactivated and the change requires an active account), then
    /// `guard` (the method's own refusals), then the effects
    /// (`Unexpected`). Only then, and infallibly, the writes: fields and
    /// `updated_at` set, the token in `extra` used up, tokens voided,
    /// sessions ended, effects applied. So a refusal or a failure leaves
    /// everything as it was.
    fn change_user<R>(
        &mut self,
        change: UserChange,
        extra: Extra<'_>,
        effects: Effects,
        guard: impl FnOnce(&Self) -> Result<(), R>,
    ) -> Result<User, R>
    where
        R: From<UserNotFound> + From<InfraError>,
    {
        let UserChange {
            user_id: id,
            at,
            name,
            password_hash,
            email_verified,
            end_sessions,
            void_tokens,
            require_active,
        } = change;
        let at = stored(at);
        if !self
            .users
            .get(&id)
            .is_some_and(|user| user.is_active || !require_active)
        {
            return Err(UserNotFound.into());
        }
        guard(self)?;
        self.check_effects_now(&effects).map_err(InfraError::from)?;

        // The writes, none of which can fail. The user's row first: it was
        // found above, and were it missing, nothing would be written yet.
        let Some(user) = self.users.get_mut(&id) else {
            return Err(UserNotFound.into());
        };
        if let Some(email) = extra.email {
            let old = std::mem::replace(&mut user.email, email.clone());
            self.emails.remove(&old);
            self.emails.insert(email, id);
        }
        if let Some(name) = name {
            user.name = name;
        }
        if let Some(hash) = password_hash {
            user.password_hash = hash;
        }
        if let Some(verified) = email_verified {
            user.email_verified = verified;
        }
        if let Some(role) = extra.access.role {
            user.role = role;
        }
        if let Some(is_active) = extra.access.is_active {
            user.is_active = is_active;
        }
        user.updated_at = at;
        let changed = user.clone();
        if let Some(hash) = extra.token
            && let Some(token) = self.tokens.get_mut(hash.expose())
        {
            token.used_at = Some(at);
        }
        self.void_tokens(id, &void_tokens, at);
        self.end_sessions(id, end_sessions, at);
        self.apply_effects(effects, at);
        Ok(changed)
    }

    /// Revokes at `at` every unrevoked session of `user_id` that `which`
    /// names. Their refresh tokens die with them: a rotation needs an
    /// unrevoked session.
    pub(crate) fn end_sessions(&mut self, user_id: UserId, which: EndSessions, at: Timestamp) {
        let keep = match which {
            EndSessions::None => return,
            EndSessions::All => None,
            EndSessions::AllExcept(keep) => Some(keep),
        };
        // Pending `mfa_token`s go too: no session may open from before.
        self.mfa_tokens.retain(|_, token| token.user_id != user_id);
        for session in self.sessions.values_mut() {
            if session.user_id == user_id
                && session.revoked_at.is_none()
                && Some(session.id) != keep
            {
                session.revoked_at = Some(at);
            }
        }
    }
}

#[async_trait]
impl UserRepository for MemoryStore {
    async fn create(&self, user: NewUser, effects: Effects) -> Result<User, UserCreationError> {
        let user = NewUser {
            created_at: stored(user.created_at),
            ..user
        };
        self.with_state(|state| {
            // The primary key first, then the email's unique key, as the
            // database's insert checks them.
            if state.users.contains_key(&user.id) {
                return Err(InfraError::from(StoreError::Duplicate {
                    what: format!("user {}", user.id),
                })
                .into());
            }
            if state.emails.contains_key(&user.email) {
                return Err(UserCreationError::EmailTaken);
            }
            state
                .check_effects(&effects, &|id| {
                    id == user.id || state.users.contains_key(&id)
                })
                .map_err(InfraError::from)?;
            let created = user.into_user();
            state.emails.insert(created.email.clone(), created.id);
            state.users.insert(created.id, created.clone());
            state.apply_effects(effects, created.created_at);
            Ok(created)
        })
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, InfraError> {
        self.with_state(|state| Ok(state.users.get(&id).cloned()))
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, InfraError> {
        self.with_state(|state| {
            Ok(state
                .emails
                .get(email)
                .and_then(|id| state.users.get(id))
                .cloned())
        })
    }

    async fn list(
        &self,
        filter: &UserFilter,
        limit: u32,
        after: Option<UserCursor>,
    ) -> Result<Vec<User>, InfraError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // A position in (created_at, id) order, compared as the database
        // compares it: with `created_at` as stored.
        let after = after.map(|cursor| (stored(cursor.created_at), cursor.id));
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        self.with_state(|state| {
            let mut users: Vec<&User> = state
                .users
                .values()
                .filter(|user| after.is_none_or(|after| (user.created_at, user.id) < after))
                .filter(|user| filter.matches(user))
                .collect();
            // Newest first, by (created_at, id) descending.
            users.sort_unstable_by_key(|user| Reverse((user.created_at, user.id)));
            Ok(users.into_iter().take(limit).cloned().collect())
        })
    }

    async fn update_password_hash(
        &self,
        id: UserId,
        old: PasswordHash,
        new: PasswordHash,
    ) -> Result<(), InfraError> {
        self.with_state(|state| {
            // A compare-and-swap on the old hash; nothing else changes.
            if let Some(user) = state.users.get_mut(&id)
                && user.password_hash == old
            {
                user.password_hash = new;
            }
            Ok(())
        })
    }

    async fn apply_change(
        &self,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, UserChangeError> {
        self.with_state(|state| state.change_user(change, Extra::default(), effects, |_| Ok(())))
    }

    async fn redeem_token(
        &self,
        token: TokenHash,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, RedeemTokenError> {
        let (user_id, at) = (change.user_id, stored(change.at));
        let extra = Extra {
            token: Some(&token),
            ..Extra::default()
        };
        self.with_state(|state| {
            state.change_user(change, extra, effects, |state| {
                if state.token_usable(&token, user_id, at) {
                    Ok(())
                } else {
                    Err(TokenUnusable.into())
                }
            })
        })
    }

    async fn change_email(
        &self,
        token: TokenHash,
        email: Email,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, ChangeEmailError> {
        let (user_id, at) = (change.user_id, stored(change.at));
        let extra = Extra {
            token: Some(&token),
            email: Some(email.clone()),
            ..Extra::default()
        };
        self.with_state(|state| {
            state.change_user(change, extra, effects, |state| {
                if !state.token_usable(&token, user_id, at) {
                    Err(TokenUnusable.into())
                } else if state.email_taken(&email, user_id) {
                    Err(ChangeEmailError::EmailTaken)
                } else {
                    Ok(())
                }
            })
        })
    }

    async fn change_access(
        &self,
        access: AccessChange,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, AccessChangeError> {
        let user_id = change.user_id;
        let extra = Extra {
            access,
            ..Extra::default()
        };
        self.with_state(|state| {
            state.change_user(change, extra, effects, |state| {
                if access.demotes() && state.is_last_admin(user_id) {
                    Err(AccessChangeError::LastAdmin)
                } else {
                    Ok(())
                }
            })
        })
    }

    async fn delete(
        &self,
        id: UserId,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), UserDeletionError> {
        self.with_state(|state| {
            if !state.users.contains_key(&id) {
                return Err(UserDeletionError::NotFound);
            }
            if state.is_last_admin(id) {
                return Err(UserDeletionError::LastAdmin);
            }
            // Effects are written after the deletion: one that refers to
            // the deleted user fails it all, as the database's foreign keys
            // do.
            state
                .check_effects(&effects, &|user| {
                    user != id && state.users.contains_key(&user)
                })
                .map_err(InfraError::from)?;
            if let Some(deleted) = state.users.remove(&id) {
                state.emails.remove(&deleted.email);
            }
            // What the database's cascades take: sessions (with their
            // refresh tokens), one-time tokens and events.
            state.sessions.retain(|_, session| session.user_id != id);
            let sessions = &state.sessions;
            state
                .refresh_tokens
                .retain(|_, token| sessions.contains_key(&token.session_id));
            state
                .refresh_retries
                .retain(|session, _| sessions.contains_key(session));
            state.tokens.retain(|_, token| token.user_id != id);
            state.events.remove(&id);
            state.enrolments.remove(&id);
            state.recovery_codes.remove(&id);
            state.mfa_tokens.retain(|_, token| token.user_id != id);
            state.apply_effects(effects, at);
            Ok(())
        })
    }
}
