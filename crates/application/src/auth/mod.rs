//! The authentication service: one `impl` block per use case, each in its own
//! file.

mod authenticate;
mod change_password;
mod confirm_email_change;
mod delete_account;
mod forgot_password;
mod list_events;
mod list_sessions;
mod login;
mod logout;
mod one_time;
mod reauthenticate;
mod refresh;
mod register;
mod request_email_change;
mod resend_verification;
mod reset_password;
mod revoke_session;
#[cfg(test)]
mod test_support;
mod update_profile;
mod verify_email;

use std::sync::Arc;

use chrono::Duration;
use domain::ports::{
    AccessClaims, Clock, LoginThrottle, OneTimeTokenRepository, PasswordHasher, SecretTokens,
    SecurityEventRepository, SessionRepository, TokenCodec, UserRepository,
};
use domain::{InfraError, SecretToken, Session, SessionId, Timestamp, User};

use crate::AuthConfig;

pub use list_events::EventPage;
pub use list_sessions::SessionView;

/// The ports the service drives.
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub events: Arc<dyn SecurityEventRepository>,
    pub throttle: Arc<dyn LoginThrottle>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenCodec>,
    pub secrets: Arc<dyn SecretTokens>,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports").finish_non_exhaustive()
    }
}

/// Registration, login, refresh, logout, request authentication, and the
/// account lifecycle around them (email verification, password reset and
/// change, email change, profile, sessions, the security trail).
#[derive(Clone, Debug)]
pub struct AuthService {
    ports: Ports,
    config: AuthConfig,
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

impl AuthService {
    #[must_use]
    pub fn new(ports: Ports, config: AuthConfig) -> Self {
        Self { ports, config }
    }

    #[must_use]
    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// Issues an access token for `session` and pairs it with `refresh_token`.
    fn token_pair(
        &self,
        session: &Session,
        refresh_token: SecretToken,
        now: Timestamp,
    ) -> Result<TokenPair, InfraError> {
        let expires_at = now + seconds(self.config.access_ttl_secs);
        let access_token = self.ports.tokens.issue(&AccessClaims {
            user_id: session.user_id,
            session_id: session.id,
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

/// A configured number of seconds as a duration. Configuration bounds keep
/// these far below the overflow point; saturate rather than panic anyway.
pub(crate) fn seconds(secs: u64) -> Duration {
    Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1_000))
}

/// Whole seconds from `now` until `then`, rounded up, never negative.
pub(crate) fn whole_seconds_until(then: Timestamp, now: Timestamp) -> u64 {
    let millis = (then - now).num_milliseconds().max(0);
    u64::try_from(millis).map_or(0, |m| m.div_ceil(1000))
}
