use domain::{
    Effects, EventKind, MailKind, NewSecurityEvent, NewUser, RegisterError, RequestContext,
    TokenPurpose, User, UserId,
};

use super::AuthService;
use super::one_time::{TokenRequest, VERIFY_EMAIL_PAGE, mail_to};
use crate::{CreateUserCommand, RegisterCommand};

impl AuthService {
    /// Self-service sign-up: an active `user` whose email is not yet
    /// verified, welcomed with a verification link.
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
    /// and records a `registered` event with it, atomically. An unverified
    /// account also gets, in the same write, an email-verification token and
    /// the welcome mail carrying its link; a verified one gets no mail.
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
        let mut effects = Effects::event(NewSecurityEvent::new(
            id,
            EventKind::Registered,
            now,
            context,
        ));
        if !user.email_verified {
            let (token, record) = self.new_one_time_token(TokenRequest {
                user_id: id,
                purpose: TokenPurpose::VerifyEmail,
                new_email: None,
                now,
                ttl_secs: self.config.verify_ttl_secs,
            });
            let link = self.link(VERIFY_EMAIL_PAGE, &token);
            effects = effects.with_token(record).with_mail(mail_to(
                MailKind::Welcome,
                &user.email,
                &user.name,
                Some(link),
            ));
        }
        Ok(self.ports.users.create(user, effects).await?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
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
            .service()
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
                .service()
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
                .service()
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

    fn verified_admin() -> CreateUserCommand {
        CreateUserCommand {
            email: email("root@example.com"),
            name: name("Root"),
            password: strong_password(),
            role: Role::Admin,
            email_verified: true,
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
            .service()
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
            .service()
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
        };

        assert!(
            ports
                .service()
                .create_user(command, &context())
                .await
                .is_ok()
        );
    }
}
