use domain::{
    Effects, EventKind, LoginError, NewSecurityEvent, NewSession, RequestContext, SessionId, User,
};

use super::{AuthService, TokenPair, seconds, whole_seconds_until};
use crate::LoginCommand;

impl AuthService {
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
        let user = self.check_password(&command, context).await?;
        if !user.is_active {
            return Err(LoginError::AccountDisabled);
        }
        if self.config.require_verified_email && !user.email_verified {
            return Err(LoginError::EmailUnverified);
        }
        self.upgrade_hash_if_weak(&user, &command).await;
        Ok(self.open_session(&user, context).await?)
    }

    /// The account, when it exists and `command.password` is its password.
    /// Each check is counted as a failure before it runs and the count is
    /// cleared on success, so concurrent wrong guesses cannot pass the limit.
    pub(crate) async fn check_password(
        &self,
        command: &LoginCommand,
        context: &RequestContext,
    ) -> Result<User, LoginError> {
        let ports = &self.ports;
        let key = command.email.as_str();
        let now = ports.clock.now();
        // Counted before the check, so that concurrent guesses cannot pass
        // the limit together; a success clears the count below.
        let lockout = self.config.lockout;
        if let Some(until) = ports.throttle.begin_attempt(key, now, lockout).await? {
            return Err(LoginError::LockedOut {
                retry_after_secs: whole_seconds_until(until, now).max(1),
            });
        }
        let user = ports.users.find_by_email(&command.email).await?;
        let verified = match &user {
            Some(user) => {
                ports
                    .hasher
                    .verify(&command.password, &user.password_hash)
                    .await?
            }
            None => {
                ports.hasher.verify_dummy(&command.password).await?;
                false
            }
        };
        match user {
            Some(user) if verified => {
                ports.throttle.clear(key).await?;
                Ok(user)
            }
            user => {
                // Unknown emails are counted too, but have no trail to write.
                let event = |kind| {
                    user.as_ref().map_or_else(Effects::none, |user| {
                        Effects::event(NewSecurityEvent::new(user.id, kind, now, context))
                    })
                };
                ports
                    .throttle
                    .record_failure(
                        key,
                        now,
                        self.config.lockout,
                        event(EventKind::LoginFailed),
                        event(EventKind::LockedOut),
                    )
                    .await?;
                Err(LoginError::InvalidCredentials)
            }
        }
    }

    /// Re-hashes a password stored at a lower cost than configured. Best
    /// effort: a login never fails because of it, and the next one retries.
    async fn upgrade_hash_if_weak(&self, user: &User, command: &LoginCommand) {
        if !self.ports.hasher.needs_rehash(&user.password_hash) {
            return;
        }
        let result = match self.ports.hasher.hash(&command.password).await {
            Ok(hash) => {
                let old = user.password_hash.clone();
                self.ports
                    .users
                    .update_password_hash(user.id, old, hash)
                    .await
            }
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            tracing::warn!(user_id = %user.id, error = &error as &dyn std::error::Error, "password re-hash skipped");
        }
    }

    /// Opens a session for `user` and issues its first token pair.
    async fn open_session(
        &self,
        user: &User,
        context: &RequestContext,
    ) -> Result<TokenPair, domain::InfraError> {
        let ports = &self.ports;
        let now = ports.clock.now();
        let (refresh_token, refresh_hash) = ports.secrets.generate();
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
        };
        let event = NewSecurityEvent::new(user.id, EventKind::LoginSucceeded, now, context);
        let session = ports
            .sessions
            .create(new_session, Effects::event(event))
            .await?;
        self.token_pair(&session, refresh_token, now)
    }
}

#[cfg(test)]
#[path = "login_tests.rs"]
mod tests;
