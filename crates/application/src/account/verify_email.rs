use domain::{
    Effects, EventKind, NewSecurityEvent, RedeemTokenError, RequestContext, Secret, TokenPurpose,
    UserChange, VerifyEmailError,
};

use super::Account;

/// The token from an email-verification link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyEmailCommand {
    pub token: Secret,
}

impl Account {
    /// Marks an email address verified with the token from its link, using
    /// the token up in the same write.
    ///
    /// # Errors
    /// `InvalidOrExpired` for an unknown, used, voided or expired token, one
    /// of another purpose, or one whose account is gone; `Infra`.
    pub async fn verify_email(
        &self,
        command: VerifyEmailCommand,
        context: &RequestContext,
    ) -> Result<(), VerifyEmailError> {
        let now = self.clock.now();
        let Some(stored) = self
            .links
            .usable_token(command.token.expose(), TokenPurpose::VerifyEmail, now)
            .await?
        else {
            return Err(VerifyEmailError::InvalidOrExpired);
        };
        let change = UserChange {
            email_verified: Some(true),
            require_active: true,
            ..UserChange::new(stored.user_id, now)
        };
        let event = NewSecurityEvent::new(stored.user_id, EventKind::EmailVerified, now, context);
        match self
            .users
            .redeem_token(stored.hash, change, Effects::event(event))
            .await
        {
            Ok(_) => Ok(()),
            Err(RedeemTokenError::TokenUnusable | RedeemTokenError::NotFound) => {
                Err(VerifyEmailError::InvalidOrExpired)
            }
            Err(RedeemTokenError::Infra(infra)) => Err(VerifyEmailError::Infra(infra)),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::{EndSessions, User};
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;
    use domain::InfraError;

    fn command() -> VerifyEmailCommand {
        VerifyEmailCommand {
            token: PRESENTED_TOKEN.into(),
        }
    }

    #[tokio::test]
    async fn verify_email_marks_the_address_verified_and_consumes_the_token_in_one_change() {
        let account = User {
            email_verified: false,
            ..user()
        };
        let user_id = account.id;
        let mut ports = MockPorts::new()
            .with_presented_token(Some(stored_token(&account, TokenPurpose::VerifyEmail)));
        ports
            .users
            .expect_redeem_token()
            .times(1)
            .returning(move |token, change, effects| {
                assert_eq!(change.user_id, user_id);
                assert_eq!(change.at, now());
                assert_eq!(change.email_verified, Some(true));
                assert_eq!(token.expose(), PRESENTED_HASH);
                assert_eq!(change.password_hash, None);
                assert_eq!(change.end_sessions, EndSessions::None);
                assert!(change.require_active, "a disabled account stays as it is");
                assert_eq!(effects.events.len(), 1);
                assert_eq!(effects.events[0].kind, EventKind::EmailVerified);
                assert_eq!(effects.events[0].user_id, user_id);
                assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.1"));
                assert!(effects.mails.is_empty());
                assert!(effects.tokens.is_empty());
                Ok(User {
                    email_verified: true,
                    ..user()
                })
            });

        let result = ports.account().verify_email(command(), &context()).await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn verify_email_with_an_unknown_token_is_invalid_and_writes_nothing() {
        let mut ports = MockPorts::new().with_presented_token(None);
        ports
            .users
            .expect_redeem_token()
            .with(always(), always(), always())
            .never();

        let result = ports.account().verify_email(command(), &context()).await;

        assert!(matches!(result, Err(VerifyEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn verify_email_refuses_a_password_reset_token() {
        let stored = stored_token(&user(), TokenPurpose::ResetPassword);
        let mut ports = MockPorts::new().with_presented_token(Some(stored));
        ports
            .users
            .expect_redeem_token()
            .with(always(), always(), always())
            .never();

        let result = ports.account().verify_email(command(), &context()).await;

        assert!(matches!(result, Err(VerifyEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn verify_email_loses_to_a_concurrent_use_of_the_same_token() {
        let stored = stored_token(&user(), TokenPurpose::VerifyEmail);
        let mut ports = MockPorts::new().with_presented_token(Some(stored));
        ports
            .users
            .expect_redeem_token()
            .returning(|_, _, _| Err(RedeemTokenError::TokenUnusable));

        let result = ports.account().verify_email(command(), &context()).await;

        assert!(matches!(result, Err(VerifyEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn verify_email_for_a_deleted_account_is_invalid() {
        let stored = stored_token(&user(), TokenPurpose::VerifyEmail);
        let mut ports = MockPorts::new().with_presented_token(Some(stored));
        ports
            .users
            .expect_redeem_token()
            .returning(|_, _, _| Err(RedeemTokenError::NotFound));

        let result = ports.account().verify_email(command(), &context()).await;

        assert!(matches!(result, Err(VerifyEmailError::InvalidOrExpired)));
    }

    #[tokio::test]
    async fn verify_email_passes_a_store_failure_on() {
        let stored = stored_token(&user(), TokenPurpose::VerifyEmail);
        let mut ports = MockPorts::new().with_presented_token(Some(stored));
        ports
            .users
            .expect_redeem_token()
            .returning(|_, _, _| Err(RedeemTokenError::Infra(InfraError::unexpected("down"))));

        let result = ports.account().verify_email(command(), &context()).await;

        assert!(matches!(result, Err(VerifyEmailError::Infra(_))));
    }
}
