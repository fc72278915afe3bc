//! Administration: what an operator does to the accounts the service holds.

mod create_user;

use async_trait::async_trait;
use domain::{RegisterError, RequestContext, User};

use crate::support::new_account::NewAccounts;
use crate::{AuthConfig, Ports};

pub use create_user::CreateUserCommand;

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
}

/// The administration service, one use case per file of this module.
#[derive(Clone)]
pub struct Administration {
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
}
