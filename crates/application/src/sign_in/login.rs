use domain::{
    Effects, EventKind, LoginError, MFA_TOKEN_TTL_SECS, NewMfaToken, NewSecurityEvent, NewSession,
    PlainPassword, RequestContext, SecretToken, SessionCreationError, SessionId, Timestamp, User,
};

use super::{SignIn, TokenPair, seconds};

/// A login attempt. The password carries no rules: it is only compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginCommand {
    pub email: domain::Email,
    pub password: PlainPassword,
}

impl SignIn {
    /// Checks email and password and opens a new session.
    ///
    /// Unknown emails pay for one dummy verify and are counted towards
    /// lockout like real ones, so neither the answer, its timing nor the
    /// lockout tells whether an account exists. `AccountDisabled` and
    /// `EmailUnverified` are only ever answered after a correct password.
    ///
    /// # Errors
    /// With two-factor on, the right password opens no session: it is
    /// `MfaRequired` with a new `mfa_token` (stored by hash, single use,
    /// valid [`MFA_TOKEN_TTL_SECS`]) for the second step,
    /// [`SignIn::complete_mfa_login`]; and it does not clear the failure
    /// count (only the right code does).
    ///
    /// # Errors
    /// `LockedOut` while locked (whatever the password), `InvalidCredentials`,
    /// `AccountDisabled`, `EmailUnverified`, `MfaRequired`, `Infra`.
    pub async fn login(
        &self,
        command: LoginCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, LoginError> {
        let user = self.passwords.check(&command, context).await?;
        if !user.is_active {
            return Err(LoginError::AccountDisabled);
        }
        if self.config.require_verified_email && !user.email_verified {
            return Err(LoginError::EmailUnverified);
        }
        if user.mfa_enabled {
            let mfa_token = self.issue_mfa_token(&user).await?;
            // No session waits on this hash yet: the second step opens one
            // with the hash the user has then.
            self.upgrade_hash_if_weak(&user, &command).await;
            return Err(LoginError::MfaRequired { mfa_token });
        }
        let pair = self.open_session(&user, context).await?;
        // After the session opened: the session is conditional on the hash
        // that was checked, so a re-hash first would refuse it.
        self.upgrade_hash_if_weak(&user, &command).await;
        Ok(pair)
    }

    /// Re-hashes a password stored at a lower cost than configured. Best
    /// effort: a login never fails because of it, and the next one retries.
    async fn upgrade_hash_if_weak(&self, user: &User, command: &LoginCommand) {
        if !self.hasher.needs_rehash(&user.password_hash) {
            return;
        }
        let result = match self.hasher.hash(&command.password).await {
            Ok(hash) => {
                let old = user.password_hash.clone();
                self.users.update_password_hash(user.id, old, hash).await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            tracing::warn!(user_id = %user.id, error = &error as &dyn std::error::Error, "password re-hash skipped");
        }
    }

    /// A new `mfa_token` for `user`, stored by its hash.
    async fn issue_mfa_token(&self, user: &User) -> Result<SecretToken, LoginError> {
        let now = self.clock.now();
        let (token, hash) = self.secrets.generate();
        self.mfa
            .issue_login_token(NewMfaToken {
                hash,
                user_id: user.id,
                created_at: now,
                expires_at: now + seconds(MFA_TOKEN_TTL_SECS),
            })
            .await?;
        Ok(token)
    }

    /// A new session of `user` at `now` and its first refresh token,
    /// conditional on the password hash `user` has.
    pub(super) fn new_session(
        &self,
        user: &User,
        context: &RequestContext,
        now: Timestamp,
    ) -> (SecretToken, NewSession) {
        let (refresh_token, refresh_hash) = self.secrets.generate();
        let expires_at = now + seconds(self.config.session_max_secs);
        let session = NewSession {
            id: SessionId::generate(),
            user_id: user.id,
            refresh_hash,
            created_at: now,
            refresh_expires_at: (now + seconds(self.config.refresh_ttl_secs)).min(expires_at),
            expires_at,
            user_agent: context.user_agent.clone(),
            ip: context.ip.clone(),
            opened_with: user.password_hash.clone(),
        };
        (refresh_token, session)
    }

    /// Opens a session for `user`, as checked, and issues its first token
    /// pair. A reset, change or deactivation that committed while the
    /// password was checked refuses it: the password checked is no longer
    /// the account's, so `InvalidCredentials` (not counted as a failure:
    /// the password was right when checked).
    async fn open_session(
        &self,
        user: &User,
        context: &RequestContext,
    ) -> Result<TokenPair, LoginError> {
        let now = self.clock.now();
        let (refresh_token, new_session) = self.new_session(user, context, now);
        let event = NewSecurityEvent::new(user.id, EventKind::LoginSucceeded, now, context);
        let session = match self
            .sessions
            .create(new_session, Effects::event(event))
            .await
        {
            Ok(session) => session,
            Err(SessionCreationError::CredentialsChanged) => {
                return Err(LoginError::InvalidCredentials);
            }
            Err(SessionCreationError::Infra(infra)) => return Err(infra.into()),
        };
        Ok(self.token_pair(&session, user.role, refresh_token, now)?)
    }
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
