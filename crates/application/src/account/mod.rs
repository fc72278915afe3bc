//! The account: verifying and changing its email, the profile, deletion,
//! and the owner's security trail.

mod confirm_email_change;
mod delete_account;
mod list_events;
mod request_email_change;
mod resend_verification;
mod update_profile;
mod verify_email;

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Clock, SecurityEventRepository, UserRepository};
use domain::{
    ConfirmEmailChangeError, DeleteAccountError, ListEventsError, RequestContext,
    RequestEmailChangeError, ResendVerificationError, UpdateProfileError, User, VerifyEmailError,
};

use crate::support::one_time::Links;
use crate::support::password_check::PasswordCheck;
use crate::{AuthConfig, Ports, Principal};

pub use confirm_email_change::ConfirmEmailChangeCommand;
pub use list_events::ListEventsQuery;

pub use crate::support::event_pages::EventPage;
pub use request_email_change::RequestEmailChangeCommand;
pub use update_profile::UpdateProfileCommand;
pub use verify_email::VerifyEmailCommand;

/// The account, as the HTTP layer sees it.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountService: Send + Sync + 'static {
    /// Marks an address verified with its link's token; see
    /// [`Account::verify_email`].
    async fn verify_email(
        &self,
        command: VerifyEmailCommand,
        context: &RequestContext,
    ) -> Result<(), VerifyEmailError>;

    /// A fresh verification link for the caller; see
    /// [`Account::resend_verification`].
    async fn resend_verification(
        &self,
        principal: &Principal,
    ) -> Result<(), ResendVerificationError>;

    /// Starts a change of the caller's email; see
    /// [`Account::request_email_change`].
    async fn request_email_change(
        &self,
        principal: &Principal,
        command: RequestEmailChangeCommand,
        context: &RequestContext,
    ) -> Result<(), RequestEmailChangeError>;

    /// Completes an email change with its link's token; see
    /// [`Account::confirm_email_change`].
    async fn confirm_email_change(
        &self,
        command: ConfirmEmailChangeCommand,
        context: &RequestContext,
    ) -> Result<(), ConfirmEmailChangeError>;

    /// Renames the caller; see [`Account::update_profile`].
    async fn update_profile(
        &self,
        principal: &Principal,
        command: UpdateProfileCommand,
    ) -> Result<User, UpdateProfileError>;

    /// Deletes the caller's account; see [`Account::delete_account`].
    async fn delete_account(&self, principal: &Principal) -> Result<(), DeleteAccountError>;

    /// A page of a user's security events; see [`Account::list_events`].
    async fn list_events(&self, query: ListEventsQuery) -> Result<EventPage, ListEventsError>;
}

/// The account service, one use case per file of this module.
#[derive(Clone)]
pub struct Account {
    users: Arc<dyn UserRepository>,
    events: Arc<dyn SecurityEventRepository>,
    clock: Arc<dyn Clock>,
    passwords: PasswordCheck,
    links: Links,
    config: AuthConfig,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Account {
    #[must_use]
    pub fn new(ports: &Ports, config: AuthConfig) -> Self {
        Self {
            users: ports.users.clone(),
            events: ports.events.clone(),
            clock: ports.clock.clone(),
            passwords: PasswordCheck::new(ports, config.lockout),
            links: Links::new(ports, &config.public_url),
            config,
        }
    }
}

#[async_trait]
impl AccountService for Account {
    async fn verify_email(
        &self,
        command: VerifyEmailCommand,
        context: &RequestContext,
    ) -> Result<(), VerifyEmailError> {
        Account::verify_email(self, command, context).await
    }

    async fn resend_verification(
        &self,
        principal: &Principal,
    ) -> Result<(), ResendVerificationError> {
        Account::resend_verification(self, principal).await
    }

    async fn request_email_change(
        &self,
        principal: &Principal,
        command: RequestEmailChangeCommand,
        context: &RequestContext,
    ) -> Result<(), RequestEmailChangeError> {
        Account::request_email_change(self, principal, command, context).await
    }

    async fn confirm_email_change(
        &self,
        command: ConfirmEmailChangeCommand,
        context: &RequestContext,
    ) -> Result<(), ConfirmEmailChangeError> {
        Account::confirm_email_change(self, command, context).await
    }

    async fn update_profile(
        &self,
        principal: &Principal,
        command: UpdateProfileCommand,
    ) -> Result<User, UpdateProfileError> {
        Account::update_profile(self, principal, command).await
    }

    async fn delete_account(&self, principal: &Principal) -> Result<(), DeleteAccountError> {
        Account::delete_account(self, principal).await
    }

    async fn list_events(&self, query: ListEventsQuery) -> Result<EventPage, ListEventsError> {
        Account::list_events(self, query).await
    }
}
