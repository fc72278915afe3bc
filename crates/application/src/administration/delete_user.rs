use domain::{DeleteUserError, Effects, UserDeletionError, UserId};

use super::Administration;

/// Which account an operator deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeleteUserCommand {
    pub user_id: UserId,
}

impl Administration {
    /// Deletes the account with its sessions, tokens and events; the email
    /// becomes free. No event is recorded: it would be deleted with the
    /// account (the request log keeps who asked).
    ///
    /// # Errors
    /// `NotFound`; `LastAdmin` when the account is the last active admin
    /// (the acting admin included), checked inside the deletion; `Infra`.
    pub async fn delete_user(&self, command: DeleteUserCommand) -> Result<(), DeleteUserError> {
        match self
            .users
            .delete(command.user_id, self.clock.now(), Effects::none())
            .await
        {
            Ok(()) => Ok(()),
            Err(UserDeletionError::NotFound) => Err(DeleteUserError::NotFound),
            Err(UserDeletionError::LastAdmin) => Err(DeleteUserError::LastAdmin),
            Err(UserDeletionError::Infra(infra)) => Err(infra.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::InfraError;

    use super::*;
    use crate::test_support::*;

    async fn deleting(answer: Result<(), UserDeletionError>) -> Result<(), DeleteUserError> {
        let mut ports = MockPorts::new();
        let user_id = UserId::generate();
        ports
            .users
            .expect_delete()
            .withf(move |id, at, effects| {
                *id == user_id && *at == now() && *effects == Effects::none()
            })
            .times(1)
            .return_once(move |_, _, _| answer);
        ports
            .administration()
            .delete_user(DeleteUserCommand { user_id })
            .await
    }

    #[tokio::test]
    async fn delete_user_deletes_the_account_at_the_clock_time_without_effects() {
        assert!(deleting(Ok(())).await.is_ok());
    }

    #[tokio::test]
    async fn an_unknown_account_is_not_found() {
        let result = deleting(Err(UserDeletionError::NotFound)).await;

        assert!(matches!(result, Err(DeleteUserError::NotFound)));
    }

    #[tokio::test]
    async fn the_last_active_admin_is_last_admin() {
        let result = deleting(Err(UserDeletionError::LastAdmin)).await;

        assert!(matches!(result, Err(DeleteUserError::LastAdmin)));
    }

    #[tokio::test]
    async fn a_store_failure_is_infra() {
        let result = deleting(Err(UserDeletionError::Infra(InfraError::unexpected(
            "down",
        ))))
        .await;

        assert!(matches!(result, Err(DeleteUserError::Infra(_))));
    }
}
