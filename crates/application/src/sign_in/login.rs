use domain::{
    Effects, EventKind, LoginError, NewSecurityEvent, NewSession, PlainPassword, RequestContext,
    SessionCreationError, SessionId, User,
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
    /// `LockedOut` while locked (whatever the password), `InvalidCredentials`,
    /// `AccountDisabled`, `EmailUnverified`, `Infra`.
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
        let (refresh_token, refresh_hash) = self.secrets.generate();
        let expires_at = now + seconds(self.config.session_max_secs);
        let new_session = NewSession {
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
        Ok(self.token_pair(&session, refresh_token, now)?)
    }
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
