//! Administration: what an operator does to the accounts the service holds.

mod create_user;
mod delete_user;
mod disable_user_mfa;
mod end_user_sessions;
mod get_user;
mod list_user_events;
mod list_users;
mod send_password_reset;
mod update_user;

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Clock, MfaRepository, SecurityEventRepository, UserRepository};
use domain::{
    CreateUserError, DeleteUserError, DisableUserMfaError, EndUserSessionsError, GetUserError,
    ListUserEventsError, ListUsersError, RequestContext, SendPasswordResetError, UpdateUserError,
    User,
};

use crate::support::event_pages::EventPage;
use crate::support::new_account::NewAccounts;
use crate::support::one_time::Links;
use crate::{AuthConfig, Ports, Principal};

pub use create_user::CreateUserCommand;
pub use delete_user::DeleteUserCommand;
pub use disable_user_mfa::DisableUserMfaCommand;
pub use end_user_sessions::EndUserSessionsCommand;
pub use get_user::GetUserQuery;
pub use list_user_events::ListUserEventsQuery;
pub use list_users::{ListUsersQuery, UserPage};
pub use send_password_reset::SendPasswordResetCommand;
pub use update_user::UpdateUserCommand;

/// The `detail` of an event `admin` caused.
fn by_admin(admin: &Principal) -> String {
    crate::support::by_admin(admin.user.id)
}

/// Administration, as the admin API will see it (the command line, which
/// creates the first admin, calls [`Administration`] itself).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AdministrationService: Send + Sync + 'static {
    /// An account with a role and verification state the operator chooses;
    /// see [`Administration::create_user`].
    async fn create_user(
        &self,
        command: CreateUserCommand,
        context: &RequestContext,
    ) -> Result<User, CreateUserError>;

    /// A page of accounts; see [`Administration::list_users`].
    async fn list_users(&self, query: ListUsersQuery) -> Result<UserPage, ListUsersError>;

    /// One account; see [`Administration::get_user`].
    async fn get_user(&self, query: GetUserQuery) -> Result<User, GetUserError>;

    /// Changes an account; see [`Administration::update_user`].
    async fn update_user(
        &self,
        admin: &Principal,
        command: UpdateUserCommand,
        context: &RequestContext,
    ) -> Result<User, UpdateUserError>;

    /// Mails an account a reset link; see
    /// [`Administration::send_password_reset`].
    async fn send_password_reset(
        &self,
        admin: &Principal,
        command: SendPasswordResetCommand,
        context: &RequestContext,
    ) -> Result<(), SendPasswordResetError>;

    /// Ends every session of an account; see
    /// [`Administration::end_user_sessions`].
    async fn end_user_sessions(
        &self,
        admin: &Principal,
        command: EndUserSessionsCommand,
        context: &RequestContext,
    ) -> Result<(), EndUserSessionsError>;

    /// Turns an account's two-factor authentication off; see
    /// [`Administration::disable_user_mfa`].
    async fn disable_user_mfa(
        &self,
        admin: &Principal,
        command: DisableUserMfaCommand,
        context: &RequestContext,
    ) -> Result<(), DisableUserMfaError>;

    /// A page of an account's events; see
    /// [`Administration::list_user_events`].
    async fn list_user_events(
        &self,
        query: ListUserEventsQuery,
    ) -> Result<EventPage, ListUserEventsError>;

    /// Deletes an account; see [`Administration::delete_user`].
    async fn delete_user(&self, command: DeleteUserCommand) -> Result<(), DeleteUserError>;
}

/// The administration service, one use case per file of this module.
#[derive(Clone)]
pub struct Administration {
    users: Arc<dyn UserRepository>,
    events: Arc<dyn SecurityEventRepository>,
    mfa: Arc<dyn MfaRepository>,
    clock: Arc<dyn Clock>,
    accounts: NewAccounts,
    links: Links,
    reset_ttl_secs: u64,
}

impl std::fmt::Debug for Administration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Administration").finish_non_exhaustive()
    }
}

impl Administration {
    #[must_use]
    pub fn new(ports: &Ports, config: AuthConfig) -> Self {
        Self {
            users: ports.users.clone(),
            events: ports.events.clone(),
            mfa: ports.mfa.clone(),
            clock: ports.clock.clone(),
            accounts: NewAccounts::new(ports, &config),
            links: Links::new(ports, &config.public_url),
            reset_ttl_secs: config.reset_ttl_secs,
        }
    }
}

#[async_trait]
impl AdministrationService for Administration {
    async fn create_user(
        &self,
        command: CreateUserCommand,
        context: &RequestContext,
    ) -> Result<User, CreateUserError> {
        Administration::create_user(self, command, context).await
    }

    async fn list_users(&self, query: ListUsersQuery) -> Result<UserPage, ListUsersError> {
        Administration::list_users(self, query).await
    }

    async fn get_user(&self, query: GetUserQuery) -> Result<User, GetUserError> {
        Administration::get_user(self, query).await
    }

    async fn update_user(
        &self,
        admin: &Principal,
        command: UpdateUserCommand,
        context: &RequestContext,
    ) -> Result<User, UpdateUserError> {
        Administration::update_user(self, admin, command, context).await
    }

    async fn send_password_reset(
        &self,
        admin: &Principal,
        command: SendPasswordResetCommand,
        context: &RequestContext,
    ) -> Result<(), SendPasswordResetError> {
        Administration::send_password_reset(self, admin, command, context).await
    }

    async fn end_user_sessions(
        &self,
        admin: &Principal,
        command: EndUserSessionsCommand,
        context: &RequestContext,
    ) -> Result<(), EndUserSessionsError> {
        Administration::end_user_sessions(self, admin, command, context).await
    }

    async fn disable_user_mfa(
        &self,
        admin: &Principal,
        command: DisableUserMfaCommand,
        context: &RequestContext,
    ) -> Result<(), DisableUserMfaError> {
        Administration::disable_user_mfa(self, admin, command, context).await
    }

    async fn list_user_events(
        &self,
        query: ListUserEventsQuery,
    ) -> Result<EventPage, ListUserEventsError> {
        Administration::list_user_events(self, query).await
    }

    async fn delete_user(&self, command: DeleteUserCommand) -> Result<(), DeleteUserError> {
        Administration::delete_user(self, command).await
    }
}
