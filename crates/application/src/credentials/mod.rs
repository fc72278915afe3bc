//! Credentials: forgotten, reset and changed passwords, and the second
//! factor (TOTP enrolment, recovery codes, turning it off).

mod change_password;
mod confirm_totp;
mod disable_mfa;
mod forgot_password;
mod regenerate_recovery_codes;
mod reset_password;
mod start_totp;

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{
    Clock, LoginThrottle, MfaRepository, PasswordHasher, SecondFactor, SecretSealer, UserRepository,
};
use domain::{
    ChangePasswordError, ConfirmTotpError, DisableMfaError, ForgotPasswordError,
    RegenerateRecoveryCodesError, RequestContext, ResetPasswordError, Secret, StartTotpError,
};

use crate::support::code_check::CodeCheck;
use crate::support::one_time::Links;
use crate::support::password_check::PasswordCheck;
use crate::{AuthConfig, Ports, Principal};

pub use change_password::ChangePasswordCommand;
pub use confirm_totp::ConfirmTotpCommand;
pub use disable_mfa::DisableMfaCommand;
pub use forgot_password::ForgotPasswordCommand;
pub use regenerate_recovery_codes::RegenerateRecoveryCodesCommand;
pub use reset_password::ResetPasswordCommand;
pub use start_totp::{StartTotpCommand, TotpEnrolmentStarted};

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

    /// Starts a TOTP enrolment; see [`Credentials::start_totp`].
    async fn start_totp(
        &self,
        principal: &Principal,
        command: StartTotpCommand,
        context: &RequestContext,
    ) -> Result<TotpEnrolmentStarted, StartTotpError>;

    /// Confirms it with a code; see [`Credentials::confirm_totp`].
    async fn confirm_totp(
        &self,
        principal: &Principal,
        command: ConfirmTotpCommand,
        context: &RequestContext,
    ) -> Result<Vec<Secret>, ConfirmTotpError>;

    /// A fresh set of recovery codes; see
    /// [`Credentials::regenerate_recovery_codes`].
    async fn regenerate_recovery_codes(
        &self,
        principal: &Principal,
        command: RegenerateRecoveryCodesCommand,
        context: &RequestContext,
    ) -> Result<Vec<Secret>, RegenerateRecoveryCodesError>;

    /// Turns two-factor off; see [`Credentials::disable_mfa`].
    async fn disable_mfa(
        &self,
        principal: &Principal,
        command: DisableMfaCommand,
        context: &RequestContext,
    ) -> Result<(), DisableMfaError>;
}

/// The credentials service, one use case per file of this module.
#[derive(Clone)]
pub struct Credentials {
    users: Arc<dyn UserRepository>,
    throttle: Arc<dyn LoginThrottle>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    mfa: Arc<dyn MfaRepository>,
    factor: Arc<dyn SecondFactor>,
    sealer: Arc<dyn SecretSealer>,
    passwords: PasswordCheck,
    codes: CodeCheck,
    links: Links,
    /// The `otpauth_uri` issuer: the host of the public URL.
    issuer: String,
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
            mfa: ports.mfa.clone(),
            factor: ports.second_factor.clone(),
            sealer: ports.sealer.clone(),
            passwords: PasswordCheck::new(ports, config.lockout),
            codes: CodeCheck::new(ports, config.lockout),
            links: Links::new(ports, &config.public_url),
            issuer: start_totp::issuer_of(&config.public_url),
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

    async fn start_totp(
        &self,
        principal: &Principal,
        command: StartTotpCommand,
        context: &RequestContext,
    ) -> Result<TotpEnrolmentStarted, StartTotpError> {
        Credentials::start_totp(self, principal, command, context).await
    }

    async fn confirm_totp(
        &self,
        principal: &Principal,
        command: ConfirmTotpCommand,
        context: &RequestContext,
    ) -> Result<Vec<Secret>, ConfirmTotpError> {
        Credentials::confirm_totp(self, principal, command, context).await
    }

    async fn regenerate_recovery_codes(
        &self,
        principal: &Principal,
        command: RegenerateRecoveryCodesCommand,
        context: &RequestContext,
    ) -> Result<Vec<Secret>, RegenerateRecoveryCodesError> {
        Credentials::regenerate_recovery_codes(self, principal, command, context).await
    }

    async fn disable_mfa(
        &self,
        principal: &Principal,
        command: DisableMfaCommand,
        context: &RequestContext,
    ) -> Result<(), DisableMfaError> {
        Credentials::disable_mfa(self, principal, command, context).await
    }
}
