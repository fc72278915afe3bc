use domain::{
    Effects, EventKind, NewSecurityEvent, NewUser, RegisterError, RequestContext, User, UserId,
};

use super::AuthService;
use crate::{CreateUserCommand, RegisterCommand};

impl AuthService {
    /// Self-service sign-up: an active `user` whose email is not yet
    /// verified.
    ///
    /// # Errors
    /// `EmailTaken`; `Infra(Overloaded)` when the hashing queue is full.
    pub async fn register(
        &self,
        command: RegisterCommand,
        context: &RequestContext,
    ) -> Result<User, RegisterError> {
        self.create_user(command.into(), context).await
    }

    /// Creates an active account with the given role and verification state
    /// and records a `registered` event with it, atomically.
    ///
    /// # Errors
    /// As for [`AuthService::register`].
    pub async fn create_user(
        &self,
        command: CreateUserCommand,
        context: &RequestContext,
    ) -> Result<User, RegisterError> {
        let password_hash = self.ports.hasher.hash(command.password.as_plain()).await?;
        let now = self.ports.clock.now();
        let id = UserId::generate();
        let user = NewUser {
            id,
            email: command.email,
            name: command.name,
            role: command.role,
            email_verified: command.email_verified,
            is_active: true,
            password_hash,
            created_at: now,
        };
        let event = NewSecurityEvent::new(id, EventKind::Registered, now, context);
        Ok(self.ports.users.create(user, Effects::event(event)).await?)
    }
}

#[cfg(test)]
mod tests {
    use domain::{CreateUserError, InfraError, PasswordHash, Role};
    use mockall::predicate::always;

    use super::*;
    use crate::auth::test_support::*;

    fn command() -> RegisterCommand {
        RegisterCommand {
            email: email("ada@example.com"),
            name: name("Ada"),
            password: strong_password(),
        }
    }

    #[tokio::test]
    async fn register_stores_an_active_unverified_user_with_the_hash_and_a_registered_event() {
        let mut ports = MockPorts::new();
        ports
            .hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::new("hashed".into())));
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
                Ok(user.into_user())
            });

        let user = ports
            .service()
            .register(command(), &context())
            .await
            .unwrap();

        assert_eq!(user.name.as_str(), "Ada");
    }

    #[tokio::test]
    async fn register_rejects_a_taken_email() {
        let mut ports = MockPorts::new();
        ports
            .hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::new("hashed".into())));
        ports
            .users
            .expect_create()
            .returning(|_, _| Err(CreateUserError::EmailTaken));

        let result = ports.service().register(command(), &context()).await;

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

        let result = ports.service().register(command(), &context()).await;

        assert!(matches!(
            result,
            Err(RegisterError::Infra(InfraError::Overloaded))
        ));
    }

    #[tokio::test]
    async fn create_user_keeps_the_requested_role_and_verification_state() {
        let mut ports = MockPorts::new();
        ports
            .hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::new("hashed".into())));
        ports
            .users
            .expect_create()
            .returning(|user, _| Ok(user.into_user()));
        let command = CreateUserCommand {
            email: email("root@example.com"),
            name: name("Root"),
            password: strong_password(),
            role: Role::Admin,
            email_verified: true,
        };

        let user = ports
            .service()
            .create_user(command, &context())
            .await
            .unwrap();

        assert_eq!(user.role, Role::Admin);
        assert!(user.email_verified);
    }
}
