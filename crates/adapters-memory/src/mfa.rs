//! `MfaRepository`: TOTP enrolments, recovery codes and `mfa_token`s.

use std::collections::HashMap;

use async_trait::async_trait;
use domain::ports::MfaRepository;
use domain::{
    CodeUse, CodeUseError, Effects, InfraError, MfaLogin, MfaLoginError, MfaRemoval, MfaToken,
    NewMfaToken, SealedSecret, Session, Timestamp, TokenHash, TotpConfirmation, TotpEnrolment,
    TotpStartError, UserId,
};

use crate::store::{MemoryStore, State, StoreError, stored};

impl State {
    fn is_on(&self, user_id: UserId) -> bool {
        self.enrolments
            .get(&user_id)
            .is_some_and(TotpEnrolment::is_confirmed)
    }

    /// Whether `code` can be used up now (two-factor on, the step later than
    /// the last, the recovery code the user's and unused). Writes nothing.
    fn code_usable(&self, user_id: UserId, code: &CodeUse) -> bool {
        if !self.is_on(user_id) {
            return false;
        }
        match code {
            CodeUse::TotpStep(step) => self
                .enrolments
                .get(&user_id)
                .is_some_and(|e| e.last_used_step.is_none_or(|last| last < *step)),
            CodeUse::RecoveryCode(hash) => self
                .recovery_codes
                .get(&user_id)
                .and_then(|codes| codes.get(hash.expose()))
                .is_some_and(Option::is_none),
        }
    }

    /// Uses up `code`, which [`code_usable`](Self::code_usable) accepted.
    fn use_code(&mut self, user_id: UserId, code: &CodeUse, at: Timestamp) {
        match code {
            CodeUse::TotpStep(step) => {
                if let Some(enrolment) = self.enrolments.get_mut(&user_id) {
                    enrolment.last_used_step = Some(*step);
                }
            }
            CodeUse::RecoveryCode(hash) => {
                if let Some(used) = self
                    .recovery_codes
                    .get_mut(&user_id)
                    .and_then(|codes| codes.get_mut(hash.expose()))
                {
                    *used = Some(stored(at));
                }
            }
        }
    }

    fn set_mfa_enabled(&mut self, user_id: UserId, on: bool) {
        if let Some(user) = self.users.get_mut(&user_id) {
            user.mfa_enabled = on;
        }
    }

    fn store_codes(&mut self, user_id: UserId, codes: &[TokenHash]) {
        self.recovery_codes.insert(
            user_id,
            codes
                .iter()
                .map(|hash| (hash.expose().to_owned(), None))
                .collect::<HashMap<_, _>>(),
        );
    }
}

#[async_trait]
impl MfaRepository for MemoryStore {
    async fn find_enrolment(&self, user_id: UserId) -> Result<Option<TotpEnrolment>, InfraError> {
        self.with_state(|state| Ok(state.enrolments.get(&user_id).cloned()))
    }

    async fn start_enrolment(
        &self,
        user_id: UserId,
        sealed_secret: SealedSecret,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), TotpStartError> {
        self.with_state(|state| {
            if !state.users.contains_key(&user_id) {
                return Err(TotpStartError::UserNotFound);
            }
            if state.is_on(user_id) {
                return Err(TotpStartError::AlreadyEnabled);
            }
            state
                .check_effects_now(&effects)
                .map_err(InfraError::from)?;
            state.enrolments.insert(
                user_id,
                TotpEnrolment {
                    user_id,
                    sealed_secret,
                    created_at: stored(at),
                    confirmed_at: None,
                    last_used_step: None,
                },
            );
            state.apply_effects(effects, at);
            Ok(())
        })
    }

    async fn confirm_enrolment(
        &self,
        confirmation: TotpConfirmation,
        effects: Effects,
    ) -> Result<(), CodeUseError> {
        self.with_state(|state| {
            let c = confirmation;
            let pending = state
                .enrolments
                .get(&c.user_id)
                .is_some_and(|e| !e.is_confirmed() && e.sealed_secret == c.sealed_secret);
            if !pending || !state.users.contains_key(&c.user_id) {
                return Err(CodeUseError::CodeRefused);
            }
            state
                .check_effects_now(&effects)
                .map_err(InfraError::from)?;
            let at = stored(c.at);
            if let Some(enrolment) = state.enrolments.get_mut(&c.user_id) {
                enrolment.confirmed_at = Some(at);
                enrolment.last_used_step = Some(c.step);
            }
            state.store_codes(c.user_id, &c.recovery_codes);
            state.set_mfa_enabled(c.user_id, true);
            state.end_sessions(c.user_id, c.end_sessions, at);
            state.apply_effects(effects, at);
            Ok(())
        })
    }

    async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        code: CodeUse,
        codes: Vec<TokenHash>,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), CodeUseError> {
        self.with_state(|state| {
            if !state.code_usable(user_id, &code) {
                return Err(CodeUseError::CodeRefused);
            }
            state
                .check_effects_now(&effects)
                .map_err(InfraError::from)?;
            state.use_code(user_id, &code, at);
            state.store_codes(user_id, &codes);
            state.apply_effects(effects, at);
            Ok(())
        })
    }

    async fn remove(&self, removal: MfaRemoval, effects: Effects) -> Result<(), CodeUseError> {
        self.with_state(|state| {
            let r = removal;
            let usable = match &r.code {
                Some(code) => state.code_usable(r.user_id, code),
                None => state.is_on(r.user_id),
            };
            if !usable {
                return Err(CodeUseError::CodeRefused);
            }
            state
                .check_effects_now(&effects)
                .map_err(InfraError::from)?;
            let at = stored(r.at);
            state.enrolments.remove(&r.user_id);
            state.recovery_codes.remove(&r.user_id);
            state.set_mfa_enabled(r.user_id, false);
            state.end_sessions(r.user_id, r.end_sessions, at);
            state.apply_effects(effects, at);
            Ok(())
        })
    }

    async fn issue_login_token(&self, token: NewMfaToken) -> Result<(), InfraError> {
        self.with_state(|state| {
            if !state.users.contains_key(&token.user_id) {
                return Err(StoreError::UnknownUser {
                    what: "an mfa token",
                    user: token.user_id,
                }
                .into());
            }
            if state.mfa_tokens.contains_key(token.hash.expose()) {
                return Err(StoreError::Duplicate {
                    what: "an mfa token with this hash".to_owned(),
                }
                .into());
            }
            let now = stored(token.created_at);
            state
                .mfa_tokens
                .retain(|_, t| t.user_id != token.user_id || t.expires_at > now);
            state.mfa_tokens.insert(
                token.hash.expose().to_owned(),
                MfaToken {
                    user_id: token.user_id,
                    created_at: now,
                    expires_at: stored(token.expires_at),
                    used_at: None,
                },
            );
            Ok(())
        })
    }

    async fn find_login_token(&self, hash: &TokenHash) -> Result<Option<MfaToken>, InfraError> {
        self.with_state(|state| Ok(state.mfa_tokens.get(hash.expose()).cloned()))
    }

    async fn complete_login(
        &self,
        login: MfaLogin,
        effects: Effects,
    ) -> Result<Session, MfaLoginError> {
        self.with_state(|state| {
            let session = &login.session;
            let at = stored(session.created_at);
            if !state.session_opens(session, &effects)? {
                return Err(MfaLoginError::CredentialsChanged);
            }
            let token_usable = state
                .mfa_tokens
                .get(login.token.expose())
                .is_some_and(|t| t.user_id == session.user_id && t.is_usable(at));
            if !token_usable {
                return Err(MfaLoginError::TokenUnusable);
            }
            if !state.code_usable(session.user_id, &login.code) {
                return Err(MfaLoginError::CodeRefused);
            }
            if let Some(token) = state.mfa_tokens.get_mut(login.token.expose()) {
                token.used_at = Some(at);
            }
            state.use_code(session.user_id, &login.code, at);
            Ok(state.store_session(session, effects))
        })
    }
}
