//! Administration: what an operator does to the accounts the service holds.

mod create_user;
mod get_user;
mod list_users;
mod update_user;

use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{Clock, UserRepository};
use domain::{GetUserError, ListUsersError, RegisterError, RequestContext, UpdateUserError, User};

use crate::support::new_account::NewAccounts;
use crate::{AuthConfig, Ports, Principal};

pub use create_user::CreateUserCommand;
pub use get_user::GetUserQuery;
pub use list_users::{ListUsersQuery, UserPage};
pub use update_user::UpdateUserCommand;

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
    ) -> Result<User, RegisterError>;

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
}

/// The administration service, one use case per file of this module.
#[derive(Clone)]
pub struct Administration {
    users: Arc<dyn UserRepository>,
    clock: Arc<dyn Clock>,
    accounts: NewAccounts,
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
            clock: ports.clock.clone(),
            accounts: NewAccounts::new(ports, &config),
        }
    }
}

#[async_trait]
impl AdministrationService for Administration {
    async fn create_user(
        &self,
        command: CreateUserCommand,
        context: &RequestContext,
    ) -> Result<User, RegisterError> {
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
}
