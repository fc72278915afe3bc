use domain::{
    ChangeEmailError, ConfirmEmailChangeError, Effects, EventKind, NewSecurityEvent,
    RequestContext, Secret, TokenPurpose, UserChange,
};

use super::Account;

/// The token from an email-change confirmation link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmEmailChangeCommand {
    pub token: Secret,
}

impl Account {
    /// Switches the account to the address an email-change link was sent to,
    /// and marks it verified (the link proved the mailbox), using the token
    /// up and recording an `email_changed` event, in one write.
    ///
    /// # Errors
    /// `InvalidOrExpired` for an unknown, used, voided or expired token, one
    /// of another purpose, or one whose account is gone; `EmailTaken` when
    /// another account took the address meanwhile; `Infra`.
    pub async fn confirm_email_change(
        &self,
        command: ConfirmEmailChangeCommand,
        context: &RequestContext,
    ) -> Result<(), ConfirmEmailChangeError> {
        let now = self.clock.now();
        let Some(stored) = self
            .links
            .usable_token(command.token.expose(), TokenPurpose::ChangeEmail, now)
            .await?
        else {
            return Err(ConfirmEmailChangeError::InvalidOrExpired);
        };
        let Some(new_email) = stored.new_email else {
            return Err(ConfirmEmailChangeError::InvalidOrExpired);
        };
        let change = UserChange {
            email_verified: Some(true),
            require_active: true,
            ..UserChange::new(stored.user_id, now)
        };
        let event = NewSecurityEvent::new(stored.user_id, EventKind::EmailChanged, now, context);
        match self
            .users
            .change_email(stored.hash, new_email, change, Effects::event(event))
            .await
        {
            Ok(_) => Ok(()),
            Err(ChangeEmailError::EmailTaken) => Err(ConfirmEmailChangeError::EmailTaken),
            Err(ChangeEmailError::TokenUnusable | ChangeEmailError::NotFound) => {
                Err(ConfirmEmailChangeError::InvalidOrExpired)
            }
            Err(ChangeEmailError::Infra(infra)) => Err(infra.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::{EndSessions, OneTimeToken, User};
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;
    use domain::InfraError;

    fn command() -> ConfirmEmailChangeCommand {
        ConfirmEmailChangeCommand {
            token: PRESENTED_TOKEN.into(),
        }
    }

    fn change_link_of(user: &User) -> OneTimeToken {
        OneTimeToken {
            new_email: Some(email("ada@new.example.org")),
            ..stored_token(user, TokenPurpose::ChangeEmail)
        }
    }

    fn nothing_written(ports: &mut MockPorts) {
        ports
            .users
            .expect_change_email()
            .with(always(), always(), always(), always())
            .never();
    }

    #[tokio::test]
    async fn confirm_email_change_switches_to_the_new_verified_address_and_consumes_the_token() {
        let account = user();
        let user_id = account.id;
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&account)));
        ports
            .users
            .expect_change_email()
            .times(1)
            .returning(move |token, email, change, _| {
                assert_eq!(change.user_id, user_id);
                assert_eq!(change.at, now());
                assert_eq!(email.as_str(), "ada@new.example.org");
                assert_eq!(change.email_verified, Some(true));
                assert_eq!(token.expose(), PRESENTED_HASH);
                assert_eq!(change.password_hash, None);
                assert_eq!(change.end_sessions, EndSessions::None);
                assert!(change.require_active, "a disabled account stays as it is");
                Ok(user())
            });

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn confirm_email_change_records_an_email_changed_event_and_queues_no_mail() {
        let account = user();
        let user_id = account.id;
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&account)));
        ports
            .users
            .expect_change_email()
            .times(1)
            .returning(move |_, _, _, effects| {
                assert_eq!(effects.events.len(), 1);
                assert_eq!(effects.events[0].kind, EventKind::EmailChanged);
                assert_eq!(effects.events[0].user_id, user_id);
                assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.1"));
                assert!(effects.mails.is_empty());
                assert!(effects.tokens.is_empty());
                Ok(user())
            });

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn confirm_email_change_with_an_unknown_token_is_invalid_and_writes_nothing() {
        let mut ports = MockPorts::new().with_presented_token(None);
        nothing_written(&mut ports);

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(matches!(
            result,
            Err(ConfirmEmailChangeError::InvalidOrExpired)
        ));
    }

    #[tokio::test]
    async fn confirm_email_change_refuses_an_email_verification_token() {
        let stored = OneTimeToken {
            new_email: Some(email("ada@new.example.org")),
            ..stored_token(&user(), TokenPurpose::VerifyEmail)
        };
        let mut ports = MockPorts::new().with_presented_token(Some(stored));
        nothing_written(&mut ports);

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(matches!(
            result,
            Err(ConfirmEmailChangeError::InvalidOrExpired)
        ));
    }

    #[tokio::test]
    async fn confirm_email_change_refuses_a_token_without_a_new_address() {
        let stored = stored_token(&user(), TokenPurpose::ChangeEmail);
        let mut ports = MockPorts::new().with_presented_token(Some(stored));
        nothing_written(&mut ports);

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(matches!(
            result,
            Err(ConfirmEmailChangeError::InvalidOrExpired)
        ));
    }

    #[tokio::test]
    async fn confirm_email_change_is_email_taken_when_the_address_was_taken_meanwhile() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_change_email()
            .returning(|_, _, _, _| Err(ChangeEmailError::EmailTaken));

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailChangeError::EmailTaken)));
    }

    #[tokio::test]
    async fn confirm_email_change_loses_to_a_concurrent_use_of_the_same_token() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_change_email()
            .returning(|_, _, _, _| Err(ChangeEmailError::TokenUnusable));

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(matches!(
            result,
            Err(ConfirmEmailChangeError::InvalidOrExpired)
        ));
    }

    #[tokio::test]
    async fn confirm_email_change_for_a_deleted_account_is_invalid() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_change_email()
            .returning(|_, _, _, _| Err(ChangeEmailError::NotFound));

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(matches!(
            result,
            Err(ConfirmEmailChangeError::InvalidOrExpired)
        ));
    }

    #[tokio::test]
    async fn confirm_email_change_passes_a_store_failure_on() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_change_email()
            .returning(|_, _, _, _| Err(ChangeEmailError::Infra(InfraError::unexpected("down"))));

        let result = ports
            .account()
            .confirm_email_change(command(), &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailChangeError::Infra(_))));
    }
}
