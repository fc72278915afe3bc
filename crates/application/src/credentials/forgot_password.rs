use domain::{Email, EventKind, ForgotPasswordError, NewSecurityEvent, RequestContext};

use super::Credentials;

/// The address a reset link is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForgotPasswordCommand {
    pub email: Email,
}

impl Credentials {
    /// Queues a password-reset link for an active account with this email;
    /// a newer link voids older ones. Unknown and deactivated emails get the
    /// same answer and nothing is written. Neither path does slow work (the
    /// mail is only queued); the HTTP layer pads both to the same latency,
    /// since only a known address costs a write.
    ///
    /// # Errors
    /// `Infra` only.
    pub async fn forgot_password(
        &self,
        command: ForgotPasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ForgotPasswordError> {
        match self.users.find_by_email(&command.email).await? {
            Some(user) if user.is_active => {
                let now = self.clock.now();
                let event =
                    NewSecurityEvent::new(user.id, EventKind::PasswordResetRequested, now, context);
                let ttl_secs = self.config.reset_ttl_secs;
                Ok(self
                    .links
                    .send_password_reset(&user, now, ttl_secs, event)
                    .await?)
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use domain::{InfraError, MailKind, TokenPurpose, User};
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;

    fn known(ports: &mut MockPorts, user: User) {
        ports
            .users
            .expect_find_by_email()
            .withf(|email| email.as_str() == "ada@example.com")
            .return_once(move |_| Ok(Some(user)));
    }

    #[tokio::test]
    async fn forgot_password_issues_a_reset_token_expiring_after_the_reset_ttl() {
        let mut ports = MockPorts::new().with_fresh_token();
        let user = user();
        let user_id = user.id;
        known(&mut ports, user);
        ports
            .one_time_tokens
            .expect_issue()
            .times(1)
            .returning(move |token, _| {
                assert_eq!(token.hash.expose(), FRESH_HASH);
                assert_eq!(token.user_id, user_id);
                assert_eq!(token.purpose, TokenPurpose::ResetPassword);
                assert_eq!(token.new_email, None);
                assert_eq!(token.created_at, now());
                assert_eq!(token.expires_at, now() + Duration::seconds(1_800));
                Ok(())
            });

        let result = ports
            .credentials()
            .forgot_password(
                ForgotPasswordCommand {
                    email: email("ada@example.com"),
                },
                &context(),
            )
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn forgot_password_queues_the_reset_mail_and_event_with_the_token() {
        let mut ports = MockPorts::new().with_fresh_token();
        let user = user();
        let user_id = user.id;
        known(&mut ports, user);
        ports
            .one_time_tokens
            .expect_issue()
            .times(1)
            .returning(move |_, effects| {
                assert_eq!(effects.mails.len(), 1);
                let mail = &effects.mails[0];
                assert_eq!(mail.kind, MailKind::ResetPassword);
                assert_eq!(mail.to.as_str(), "ada@example.com");
                assert_eq!(mail.recipient_name, "Ada");
                assert_eq!(
                    mail.link.as_deref(),
                    Some("http://127.0.0.1:8080/reset-password?token=fresh-token")
                );
                assert_eq!(effects.events.len(), 1);
                assert_eq!(effects.events[0].kind, EventKind::PasswordResetRequested);
                assert_eq!(effects.events[0].user_id, user_id);
                assert_eq!(effects.events[0].user_agent.as_deref(), Some("test-agent"));
                assert!(effects.tokens.is_empty());
                Ok(())
            });

        let result = ports
            .credentials()
            .forgot_password(
                ForgotPasswordCommand {
                    email: email("ada@example.com"),
                },
                &context(),
            )
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn forgot_password_for_an_unknown_email_answers_the_same_and_writes_nothing() {
        let mut ports = MockPorts::new();
        ports.users.expect_find_by_email().returning(|_| Ok(None));
        ports.secrets.expect_generate().never();
        ports
            .one_time_tokens
            .expect_issue()
            .with(always(), always())
            .never();

        let result = ports
            .credentials()
            .forgot_password(
                ForgotPasswordCommand {
                    email: email("nobody@example.com"),
                },
                &context(),
            )
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn forgot_password_for_a_deactivated_account_answers_the_same_and_writes_nothing() {
        let mut ports = MockPorts::new();
        known(
            &mut ports,
            User {
                is_active: false,
                ..user()
            },
        );
        ports.secrets.expect_generate().never();
        ports
            .one_time_tokens
            .expect_issue()
            .with(always(), always())
            .never();

        let result = ports
            .credentials()
            .forgot_password(
                ForgotPasswordCommand {
                    email: email("ada@example.com"),
                },
                &context(),
            )
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn forgot_password_passes_a_store_failure_on() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_email()
            .returning(|_| Err(InfraError::unexpected("down")));

        let result = ports
            .credentials()
            .forgot_password(
                ForgotPasswordCommand {
                    email: email("ada@example.com"),
                },
                &context(),
            )
            .await;

        assert!(result.is_err());
    }
}
