//! Credentials: forgotten, reset and changed passwords (and, later, the
//! second factor).

mod change_password;
mod forgot_password;
mod reset_password;

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Clock, LoginThrottle, PasswordHasher, UserRepository};
use domain::{ChangePasswordError, ForgotPasswordError, RequestContext, ResetPasswordError};

use crate::support::one_time::Links;
use crate::support::password_check::PasswordCheck;
use crate::{AuthConfig, Ports, Principal};

pub use change_password::ChangePasswordCommand;
pub use forgot_password::ForgotPasswordCommand;
pub use reset_password::ResetPasswordCommand;

/// Credentials, as the HTTP layer sees them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CredentialsService: Send + Sync + 'static {
    /// Mails a reset link to an active account; see
    /// [`Credentials::forgot_password`].
    async fn forgot_password(
        &self,
        command: ForgotPasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ForgotPasswordError>;

    /// A new password with a reset link's token; see
    /// [`Credentials::reset_password`].
    async fn reset_password(
        &self,
        command: ResetPasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ResetPasswordError>;

    /// A new password given the current one; see
    /// [`Credentials::change_password`].
    async fn change_password(
        &self,
        principal: &Principal,
        command: ChangePasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ChangePasswordError>;
}

/// The credentials service, one use case per file of this module.
#[derive(Clone)]
pub struct Credentials {
    users: Arc<dyn UserRepository>,
    throttle: Arc<dyn LoginThrottle>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    passwords: PasswordCheck,
    links: Links,
    config: AuthConfig,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    #[must_use]
    pub fn new(ports: &Ports, config: AuthConfig) -> Self {
        Self {
            users: ports.users.clone(),
            throttle: ports.throttle.clone(),
            hasher: ports.hasher.clone(),
            clock: ports.clock.clone(),
            passwords: PasswordCheck::new(ports, config.lockout),
            links: Links::new(ports, &config.public_url),
            config,
        }
    }
}

#[async_trait]
impl CredentialsService for Credentials {
    async fn forgot_password(
        &self,
        command: ForgotPasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ForgotPasswordError> {
        Credentials::forgot_password(self, command, context).await
    }

    async fn reset_password(
        &self,
        command: ResetPasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ResetPasswordError> {
        Credentials::reset_password(self, command, context).await
    }

    async fn change_password(
        &self,
        principal: &Principal,
        command: ChangePasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ChangePasswordError> {
        Credentials::change_password(self, principal, command, context).await
    }
}
