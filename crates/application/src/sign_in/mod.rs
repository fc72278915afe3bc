//! Signing in and sessions: register, log in (and its second step with
//! two-factor on), refresh, log out,
//! authenticate a request, and the caller's sessions.

mod authenticate;
mod complete_mfa_login;
mod list_sessions;
mod login;
mod logout;
mod refresh;
mod register;
mod revoke_session;

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{
    AccessClaims, Clock, MfaRepository, PasswordHasher, SecretSealer, SecretTokens,
    SessionRepository, TokenCodec, UserRepository,
};
use domain::{
    AuthenticateError, CompleteMfaLoginError, InfraError, ListSessionsError, LoginError,
    LogoutError, RefreshError, RegisterError, RequestContext, RevokeSessionError, Role,
    SecretToken, Session, SessionId, Timestamp, User,
};

use crate::support::code_check::CodeCheck;
use crate::support::new_account::NewAccounts;
use crate::support::password_check::PasswordCheck;
use crate::support::{seconds, whole_seconds_until};
use crate::{AuthConfig, Ports, SigningKeys};

pub use authenticate::AuthenticateQuery;
pub use complete_mfa_login::CompleteMfaLoginCommand;
pub use list_sessions::SessionView;
pub use login::LoginCommand;
pub use refresh::RefreshCommand;
pub use register::RegisterCommand;
pub use revoke_session::RevokeSessionCommand;

/// Signing in and sessions, as the HTTP layer sees them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SignInService: Send + Sync + 'static {
    /// Self-service sign-up; see [`SignIn::register`].
    async fn register(
        &self,
        command: RegisterCommand,
        context: &RequestContext,
    ) -> Result<User, RegisterError>;

    /// Email and password for a new session; see [`SignIn::login`].
    async fn login(
        &self,
        command: LoginCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, LoginError>;

    /// The second step of a login with two-factor on; see
    /// [`SignIn::complete_mfa_login`].
    async fn complete_mfa_login(
        &self,
        command: CompleteMfaLoginCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, CompleteMfaLoginError>;

    /// A refresh token for a new pair; see [`SignIn::refresh`].
    async fn refresh(
        &self,
        command: RefreshCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, RefreshError>;

    /// Ends the caller's session; see [`SignIn::logout`].
    async fn logout(
        &self,
        principal: &Principal,
        context: &RequestContext,
    ) -> Result<(), LogoutError>;

    /// The caller behind an access token; see [`SignIn::authenticate`].
    async fn authenticate(&self, query: AuthenticateQuery) -> Result<Principal, AuthenticateError>;

    /// The caller's live sessions; see [`SignIn::list_sessions`].
    async fn list_sessions(
        &self,
        principal: &Principal,
    ) -> Result<Vec<SessionView>, ListSessionsError>;

    /// Ends one of the caller's sessions; see [`SignIn::revoke_session`].
    async fn revoke_session(
        &self,
        principal: &Principal,
        command: RevokeSessionCommand,
        context: &RequestContext,
    ) -> Result<(), RevokeSessionError>;
}

/// The authenticated caller of a request: the user as loaded for this very
/// request (so role and status changes apply at once) and the session its
/// token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user: User,
    pub session_id: SessionId,
}

/// What a login or refresh hands to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPair {
    pub access_token: SecretToken,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub refresh_token: SecretToken,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
}

/// The sign-in service, one use case per file of this module.
#[derive(Clone)]
pub struct SignIn {
    users: Arc<dyn UserRepository>,
    sessions: Arc<dyn SessionRepository>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Arc<dyn TokenCodec>,
    secrets: Arc<dyn SecretTokens>,
    sealer: Arc<dyn SecretSealer>,
    mfa: Arc<dyn MfaRepository>,
    clock: Arc<dyn Clock>,
    passwords: PasswordCheck,
    codes: CodeCheck,
    accounts: NewAccounts,
    keys: Arc<SigningKeys>,
    config: AuthConfig,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SignIn {
    #[must_use]
    pub fn new(ports: &Ports, config: AuthConfig) -> Self {
        Self {
            users: ports.users.clone(),
            sessions: ports.sessions.clone(),
            hasher: ports.hasher.clone(),
            tokens: ports.tokens.clone(),
            secrets: ports.secrets.clone(),
            sealer: ports.sealer.clone(),
            mfa: ports.mfa.clone(),
            clock: ports.clock.clone(),
            passwords: PasswordCheck::new(ports, config.lockout),
            codes: CodeCheck::new(ports, config.lockout),
            accounts: NewAccounts::new(ports, &config),
            keys: Arc::new(SigningKeys::new(ports, &config)),
            config,
        }
    }

    /// The signing keys this service's tokens use (the same codec): the
    /// server loads them at start, keeps them fresh and publishes them.
    #[must_use]
    pub fn signing_keys(&self) -> Arc<SigningKeys> {
        Arc::clone(&self.keys)
    }

    /// Issues an access token for `session` (of a user with `role`) and
    /// pairs it with `refresh_token`.
    fn token_pair(
        &self,
        session: &Session,
        role: Role,
        refresh_token: SecretToken,
        now: Timestamp,
    ) -> Result<TokenPair, InfraError> {
        let expires_at = now + seconds(self.config.access_ttl_secs);
        let access_token = self.tokens.issue(&AccessClaims {
            user_id: session.user_id,
            session_id: session.id,
            role,
            issued_at: now,
            expires_at,
        })?;
        Ok(TokenPair {
            access_token,
            expires_in: self.config.access_ttl_secs,
            refresh_token,
            refresh_expires_in: whole_seconds_until(session.refresh_expires_at, now),
        })
    }
}

#[async_trait]
impl SignInService for SignIn {
    async fn register(
        &self,
        command: RegisterCommand,
        context: &RequestContext,
    ) -> Result<User, RegisterError> {
        SignIn::register(self, command, context).await
    }

    async fn login(
        &self,
        command: LoginCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, LoginError> {
        SignIn::login(self, command, context).await
    }

    async fn complete_mfa_login(
        &self,
        command: CompleteMfaLoginCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, CompleteMfaLoginError> {
        SignIn::complete_mfa_login(self, command, context).await
    }

    async fn refresh(
        &self,
        command: RefreshCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, RefreshError> {
        SignIn::refresh(self, command, context).await
    }

    async fn logout(
        &self,
        principal: &Principal,
        context: &RequestContext,
    ) -> Result<(), LogoutError> {
        SignIn::logout(self, principal, context).await
    }

    async fn authenticate(&self, query: AuthenticateQuery) -> Result<Principal, AuthenticateError> {
        SignIn::authenticate(self, query).await
    }

    async fn list_sessions(
        &self,
        principal: &Principal,
    ) -> Result<Vec<SessionView>, ListSessionsError> {
        SignIn::list_sessions(self, principal).await
    }

    async fn revoke_session(
        &self,
        principal: &Principal,
        command: RevokeSessionCommand,
        context: &RequestContext,
    ) -> Result<(), RevokeSessionError> {
        SignIn::revoke_session(self, principal, command, context).await
    }
}
