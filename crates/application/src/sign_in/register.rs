use domain::{RegisterError, RequestContext, Role, User};

use super::SignIn;
use crate::CreateUserCommand;

/// Self-service registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterCommand {
    pub email: domain::Email,
    pub name: domain::UserName,
    pub password: domain::Password,
}

impl From<RegisterCommand> for CreateUserCommand {
    fn from(command: RegisterCommand) -> Self {
        Self {
            email: command.email,
            name: command.name,
            password: command.password,
            role: Role::User,
            email_verified: false,
            created_by: None,
        }
    }
}

impl SignIn {
    /// Self-service sign-up: an active `user` whose email is not yet
    /// verified, welcomed with a verification link, created as
    /// [`Administration::create_user`](crate::Administration::create_user)
    /// creates one.
    ///
    /// # Errors
    /// `EmailTaken`; `Infra(Overloaded)` when the hashing queue is full.
    pub async fn register(
        &self,
        command: RegisterCommand,
        context: &RequestContext,
    ) -> Result<User, RegisterError> {
        Ok(self.accounts.create(command.into(), context).await?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use domain::{InfraError, PasswordHash, Role, UserCreationError};
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;
    use domain::{EventKind, MailKind, TokenPurpose};

    fn command() -> RegisterCommand {
        RegisterCommand {
            email: email("ada@example.com"),
            name: name("Ada"),
            password: strong_password(),
        }
    }

    fn hashing(ports: &mut MockPorts) {
        ports
            .hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::new("hashed".into())));
    }

    #[tokio::test]
    async fn register_stores_an_active_unverified_user_with_the_hash_and_a_registered_event() {
        let mut ports = MockPorts::new().with_fresh_token();
        hashing(&mut ports);
        ports
            .users
            .expect_create()
            .times(1)
            .returning(|user, effects| {
                assert_eq!(user.email.as_str(), "ada@example.com");
                assert_eq!(user.role, Role::User);
                assert!(user.is_active);
                assert!(!user.email_verified);
                assert_eq!(user.password_hash.expose(), "hashed");
                assert_eq!(user.created_at, now());
                assert_eq!(effects.events.len(), 1);
                assert_eq!(effects.events[0].kind, EventKind::Registered);
                assert_eq!(effects.events[0].user_id, user.id);
                assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.1"));
                assert_eq!(effects.events[0].user_agent.as_deref(), Some("test-agent"));
                Ok(user.into_user())
            });

        let user = ports
            .sign_in()
            .register(command(), &context())
            .await
            .unwrap();

        assert_eq!(user.name.as_str(), "Ada");
    }

    #[tokio::test]
    async fn register_queues_the_welcome_mail_with_the_verification_link_in_the_same_write() {
        let mut ports = MockPorts::new().with_fresh_token();
        hashing(&mut ports);
        ports
            .users
            .expect_create()
            .times(1)
            .returning(|user, effects| {
                assert_eq!(effects.mails.len(), 1);
                let mail = &effects.mails[0];
                assert_eq!(mail.kind, MailKind::Welcome);
                assert_eq!(mail.to.as_str(), "ada@example.com");
                assert_eq!(mail.recipient_name, "Ada");
                assert_eq!(
                    mail.link.as_deref(),
                    Some("http://127.0.0.1:8080/verify-email?token=fresh-token")
                );
                Ok(user.into_user())
            });

        assert!(
            ports
                .sign_in()
                .register(command(), &context())
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn register_stores_the_hash_of_a_verification_token_expiring_after_the_verify_ttl() {
        let mut ports = MockPorts::new().with_fresh_token();
        ports.config.verify_ttl_secs = 3_600;
        hashing(&mut ports);
        ports
            .users
            .expect_create()
            .times(1)
            .returning(|user, effects| {
                assert_eq!(effects.tokens.len(), 1);
                let token = &effects.tokens[0];
                assert_eq!(token.hash.expose(), FRESH_HASH);
                assert_eq!(token.user_id, user.id);
                assert_eq!(token.purpose, TokenPurpose::VerifyEmail);
                assert_eq!(token.new_email, None);
                assert_eq!(token.created_at, now());
                assert_eq!(token.expires_at, now() + Duration::seconds(3_600));
                Ok(user.into_user())
            });

        assert!(
            ports
                .sign_in()
                .register(command(), &context())
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn register_rejects_a_taken_email() {
        let mut ports = MockPorts::new().with_fresh_token();
        hashing(&mut ports);
        ports
            .users
            .expect_create()
            .returning(|_, _| Err(UserCreationError::EmailTaken));

        let result = ports.sign_in().register(command(), &context()).await;

        assert!(matches!(result, Err(RegisterError::EmailTaken)));
    }

    #[tokio::test]
    async fn register_writes_nothing_when_the_hashing_queue_is_full() {
        let mut ports = MockPorts::new();
        ports
            .hasher
            .expect_hash()
            .returning(|_| Err(InfraError::Overloaded));
        ports.users.expect_create().with(always(), always()).never();

        let result = ports.sign_in().register(command(), &context()).await;

        assert!(matches!(
            result,
            Err(RegisterError::Infra(InfraError::Overloaded))
        ));
    }
}
