use domain::{
    ConfirmEmailError, Effects, EventKind, InfraError, NewSecurityEvent, RequestContext,
    TokenPurpose, UserChange, UserChangeError,
};

use super::AuthService;

impl AuthService {
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
        token: &str,
        context: &RequestContext,
    ) -> Result<(), ConfirmEmailError> {
        let now = self.ports.clock.now();
        let Some(stored) = self
            .usable_token(token, TokenPurpose::ChangeEmail, now)
            .await?
        else {
            return Err(ConfirmEmailError::InvalidOrExpired);
        };
        let Some(new_email) = stored.new_email else {
            return Err(ConfirmEmailError::InvalidOrExpired);
        };
        let change = UserChange {
            email: Some(new_email),
            email_verified: Some(true),
            consume_token: Some(stored.hash),
            require_active: true,
            ..UserChange::new(stored.user_id, now)
        };
        let event = NewSecurityEvent::new(stored.user_id, EventKind::EmailChanged, now, context);
        match self
            .ports
            .users
            .apply_change(change, Effects::event(event))
            .await
        {
            Ok(_) => Ok(()),
            Err(UserChangeError::EmailTaken) => Err(ConfirmEmailError::EmailTaken),
            Err(UserChangeError::TokenUnusable | UserChangeError::NotFound) => {
                Err(ConfirmEmailError::InvalidOrExpired)
            }
            Err(UserChangeError::Infra(infra)) => Err(infra.into()),
            Err(other @ UserChangeError::LastAdmin) => Err(InfraError::unexpected(other).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::{EndSessions, OneTimeToken, User};
    use mockall::predicate::always;

    use super::*;
    use crate::auth::test_support::*;

    fn change_link_of(user: &User) -> OneTimeToken {
        OneTimeToken {
            new_email: Some(email("ada@new.example.org")),
            ..stored_token(user, TokenPurpose::ChangeEmail)
        }
    }

    fn nothing_written(ports: &mut MockPorts) {
        ports
            .users
            .expect_apply_change()
            .with(always(), always())
            .never();
    }

    #[tokio::test]
    async fn confirm_email_change_switches_to_the_new_verified_address_and_consumes_the_token() {
        let account = user();
        let user_id = account.id;
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&account)));
        ports
            .users
            .expect_apply_change()
            .times(1)
            .returning(move |change, _| {
                assert_eq!(change.user_id, user_id);
                assert_eq!(change.at, now());
                assert_eq!(
                    change.email.as_ref().map(domain::Email::as_str),
                    Some("ada@new.example.org")
                );
                assert_eq!(change.email_verified, Some(true));
                assert_eq!(
                    change.consume_token.as_ref().map(|hash| hash.expose()),
                    Some(PRESENTED_HASH)
                );
                assert_eq!(change.password_hash, None);
                assert_eq!(change.end_sessions, EndSessions::None);
                assert!(change.require_active, "a disabled account stays as it is");
                Ok(user())
            });

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
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
            .expect_apply_change()
            .times(1)
            .returning(move |_, effects| {
                assert_eq!(effects.events.len(), 1);
                assert_eq!(effects.events[0].kind, EventKind::EmailChanged);
                assert_eq!(effects.events[0].user_id, user_id);
                assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.1"));
                assert!(effects.mails.is_empty());
                assert!(effects.tokens.is_empty());
                Ok(user())
            });

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn confirm_email_change_with_an_unknown_token_is_invalid_and_writes_nothing() {
        let mut ports = MockPorts::new().with_presented_token(None);
        nothing_written(&mut ports);

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailError::InvalidOrExpired)));
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
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn confirm_email_change_refuses_a_token_without_a_new_address() {
        let stored = stored_token(&user(), TokenPurpose::ChangeEmail);
        let mut ports = MockPorts::new().with_presented_token(Some(stored));
        nothing_written(&mut ports);

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn confirm_email_change_is_email_taken_when_the_address_was_taken_meanwhile() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::EmailTaken));

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailError::EmailTaken)));
    }

    #[tokio::test]
    async fn confirm_email_change_loses_to_a_concurrent_use_of_the_same_token() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::TokenUnusable));

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn confirm_email_change_for_a_deleted_account_is_invalid() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::NotFound));

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn confirm_email_change_passes_a_store_failure_on() {
        let mut ports = MockPorts::new().with_presented_token(Some(change_link_of(&user())));
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::Infra(InfraError::unexpected("down"))));

        let result = ports
            .service()
            .confirm_email_change(PRESENTED_TOKEN, &context())
            .await;

        assert!(matches!(result, Err(ConfirmEmailError::Infra(_))));
    }
}
