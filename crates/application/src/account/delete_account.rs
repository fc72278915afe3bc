use domain::{DeleteAccountError, Effects, UserDeletionError};

use super::{Account, Principal};

impl Account {
    /// Deletes the caller's account with its sessions, tokens and events; the
    /// email becomes free. No event is recorded: it would be deleted with
    /// the account. An account already gone counts as deleted.
    ///
    /// # Errors
    /// `LastAdmin` when the caller is the last active admin; `Infra`.
    pub async fn delete_account(&self, principal: &Principal) -> Result<(), DeleteAccountError> {
        match self
            .users
            .delete(principal.user.id, self.clock.now(), Effects::none())
            .await
        {
            Ok(()) | Err(UserDeletionError::NotFound) => Ok(()),
            Err(UserDeletionError::LastAdmin) => Err(DeleteAccountError::LastAdmin),
            Err(UserDeletionError::Infra(infra)) => Err(infra.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::InfraError;

    use super::*;
    use crate::test_support::*;

    #[tokio::test]
    async fn delete_account_deletes_the_callers_account_without_effects() {
        let mut ports = MockPorts::new();
        let principal = principal_of(&user());
        let user_id = principal.user.id;
        ports
            .users
            .expect_delete()
            .times(1)
            .returning(move |id, at, effects| {
                assert_eq!(id, user_id);
                assert_eq!(at, now());
                assert_eq!(effects, Effects::none());
                Ok(())
            });

        let result = ports.account().delete_account(&principal).await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn the_last_active_admin_cannot_delete_their_account() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_delete()
            .returning(|_, _, _| Err(UserDeletionError::LastAdmin));

        let result = ports.account().delete_account(&principal_of(&user())).await;

        assert!(matches!(result, Err(DeleteAccountError::LastAdmin)));
    }

    #[tokio::test]
    async fn deleting_an_account_that_is_already_gone_succeeds() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_delete()
            .returning(|_, _, _| Err(UserDeletionError::NotFound));

        let result = ports.account().delete_account(&principal_of(&user())).await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn delete_account_passes_a_store_failure_on() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_delete()
            .returning(|_, _, _| Err(UserDeletionError::Infra(InfraError::unexpected("down"))));

        let result = ports.account().delete_account(&principal_of(&user())).await;

        assert!(matches!(result, Err(DeleteAccountError::Infra(_))));
    }
}
