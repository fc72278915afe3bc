use domain::{CreateUserError, Email, Password, RequestContext, Role, User, UserId, UserName};

use super::Administration;

/// Creation of an account by an operator (admin API or `create-admin`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateUserCommand {
    pub email: Email,
    pub name: UserName,
    pub password: Password,
    pub role: Role,
    pub email_verified: bool,
    /// The admin who creates it, named in the `registered` event's
    /// `detail`; `None` from the command line, which has no caller.
    pub created_by: Option<UserId>,
}

impl Administration {
    /// Creates an active account with the role and verification state the
    /// operator chose, with its `registered` event; an unverified one is
    /// welcomed with a verification link, as a self-registered one is.
    ///
    /// # Errors
    /// `EmailTaken`; `Infra(Overloaded)` when the hashing queue is full.
    pub async fn create_user(
        &self,
        command: CreateUserCommand,
        context: &RequestContext,
    ) -> Result<User, CreateUserError> {
        Ok(self.accounts.create(command, context).await?)
    }
}

#[cfg(test)]
mod tests {
    use domain::{MailKind, PasswordHash};

    use super::*;
    use crate::test_support::*;

    fn hashing(ports: &mut MockPorts) {
        ports
            .hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::new("hashed".into())));
    }

    fn verified_admin() -> CreateUserCommand {
        CreateUserCommand {
            email: email("root@example.com"),
            name: name("Root"),
            password: strong_password(),
            role: Role::Admin,
            email_verified: true,
            created_by: None,
        }
    }

    #[tokio::test]
    async fn create_user_keeps_the_requested_role_and_verification_state() {
        let mut ports = MockPorts::new();
        hashing(&mut ports);
        ports
            .users
            .expect_create()
            .returning(|user, _| Ok(user.into_user()));

        let user = ports
            .administration()
            .create_user(verified_admin(), &context())
            .await
            .unwrap();

        assert_eq!(user.role, Role::Admin);
        assert!(user.email_verified);
    }

    #[tokio::test]
    async fn create_user_of_a_verified_account_stores_no_token_and_queues_no_mail() {
        let mut ports = MockPorts::new();
        hashing(&mut ports);
        ports.secrets.expect_generate().never();
        ports
            .users
            .expect_create()
            .times(1)
            .returning(|user, effects| {
                assert!(effects.tokens.is_empty());
                assert!(effects.mails.is_empty());
                assert_eq!(effects.events.len(), 1);
                Ok(user.into_user())
            });

        let result = ports
            .administration()
            .create_user(verified_admin(), &context())
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn create_user_of_an_unverified_account_queues_the_welcome_mail() {
        let mut ports = MockPorts::new().with_fresh_token();
        hashing(&mut ports);
        ports
            .users
            .expect_create()
            .times(1)
            .returning(|user, effects| {
                assert_eq!(effects.mails.len(), 1);
                assert_eq!(effects.mails[0].kind, MailKind::Welcome);
                assert_eq!(effects.mails[0].to.as_str(), "bob@example.com");
                assert_eq!(effects.tokens.len(), 1);
                Ok(user.into_user())
            });
        let command = CreateUserCommand {
            email: email("bob@example.com"),
            name: name("Bob"),
            password: strong_password(),
            role: Role::User,
            email_verified: false,
            created_by: None,
        };

        assert!(
            ports
                .administration()
                .create_user(command, &context())
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn the_registered_event_names_the_admin_who_created_the_account() {
        let mut ports = MockPorts::new();
        hashing(&mut ports);
        let admin = UserId::generate();
        ports
            .users
            .expect_create()
            .times(1)
            .returning(move |user, effects| {
                assert_eq!(effects.events[0].detail, Some(format!("by admin {admin}")));
                Ok(user.into_user())
            });
        let command = CreateUserCommand {
            created_by: Some(admin),
            ..verified_admin()
        };

        let result = ports
            .administration()
            .create_user(command, &context())
            .await;

        assert!(result.is_ok());
    }
}
