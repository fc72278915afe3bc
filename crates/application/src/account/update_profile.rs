use domain::{Effects, UpdateProfileError, User, UserChange, UserChangeError, UserName};

use super::{Account, Principal};

/// The caller's new name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateProfileCommand {
    pub name: UserName,
}

impl Account {
    /// Renames the caller. No security event fits a self-service rename, so
    /// none is recorded.
    ///
    /// # Errors
    /// `NotFound` when the account was deleted after the request was
    /// authenticated; `Infra`.
    pub async fn update_profile(
        &self,
        principal: &Principal,
        command: UpdateProfileCommand,
    ) -> Result<User, UpdateProfileError> {
        let change = UserChange {
            name: Some(command.name),
            ..UserChange::new(principal.user.id, self.clock.now())
        };
        match self.users.apply_change(change, Effects::none()).await {
            Ok(user) => Ok(user),
            Err(UserChangeError::NotFound) => Err(UpdateProfileError::NotFound),
            Err(UserChangeError::Infra(infra)) => Err(infra.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::{EndSessions, InfraError};

    use super::*;
    use crate::test_support::*;

    fn rename() -> UpdateProfileCommand {
        UpdateProfileCommand {
            name: name("Ada Lovelace"),
        }
    }

    #[tokio::test]
    async fn update_profile_changes_the_name_only_and_returns_the_changed_user() {
        let mut ports = MockPorts::new();
        let principal = principal_of(&user());
        let user_id = principal.user.id;
        ports
            .users
            .expect_apply_change()
            .times(1)
            .returning(move |change, effects| {
                assert_eq!(
                    change,
                    UserChange {
                        name: Some(name("Ada Lovelace")),
                        ..UserChange::new(user_id, now())
                    }
                );
                assert_eq!(change.end_sessions, EndSessions::None);
                assert_eq!(effects, Effects::none());
                Ok(User {
                    name: name("Ada Lovelace"),
                    updated_at: now(),
                    ..user()
                })
            });

        let user = ports
            .account()
            .update_profile(&principal, rename())
            .await
            .unwrap();

        assert_eq!(user.name.as_str(), "Ada Lovelace");
    }

    #[tokio::test]
    async fn update_profile_of_an_account_deleted_meanwhile_is_not_found() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::NotFound));

        let result = ports
            .account()
            .update_profile(&principal_of(&user()), rename())
            .await;

        assert!(matches!(result, Err(UpdateProfileError::NotFound)));
    }

    #[tokio::test]
    async fn update_profile_passes_a_store_failure_on() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::Infra(InfraError::unexpected("down"))));

        let result = ports
            .account()
            .update_profile(&principal_of(&user()), rename())
            .await;

        assert!(matches!(result, Err(UpdateProfileError::Infra(_))));
    }
}
