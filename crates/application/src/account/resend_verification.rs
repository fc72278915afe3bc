use domain::{Effects, MailKind, ResendVerificationError, TokenPurpose};

use super::{Account, Principal};
use crate::support::one_time::{TokenRequest, VERIFY_EMAIL_PAGE, mail_to};

impl Account {
    /// Sends the caller a fresh verification link; storing the new token
    /// voids every earlier one. An already verified address gets nothing.
    ///
    /// # Errors
    /// `Infra` only.
    pub async fn resend_verification(
        &self,
        principal: &Principal,
    ) -> Result<(), ResendVerificationError> {
        let user = &principal.user;
        if user.email_verified {
            return Ok(());
        }
        let (token, record) = self.links.new_one_time_token(TokenRequest {
            user_id: user.id,
            purpose: TokenPurpose::VerifyEmail,
            new_email: None,
            now: self.clock.now(),
            ttl_secs: self.config.verify_ttl_secs,
        });
        let link = self.links.link(VERIFY_EMAIL_PAGE, &token);
        let effects = Effects::none().with_mail(mail_to(
            MailKind::VerifyEmail,
            &user.email,
            &user.name,
            Some(link),
        ));
        Ok(self.links.issue(record, effects).await?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use domain::User;
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;
    use domain::InfraError;

    fn unverified() -> User {
        User {
            email_verified: false,
            ..user()
        }
    }

    #[tokio::test]
    async fn resend_verification_issues_a_fresh_token_with_the_verification_mail() {
        let mut ports = MockPorts::new().with_fresh_token();
        let principal = principal_of(&unverified());
        let user_id = principal.user.id;
        ports
            .one_time_tokens
            .expect_issue()
            .times(1)
            .returning(move |token, effects| {
                assert_eq!(token.hash.expose(), FRESH_HASH);
                assert_eq!(token.user_id, user_id);
                assert_eq!(token.purpose, TokenPurpose::VerifyEmail);
                assert_eq!(token.created_at, now());
                assert_eq!(token.expires_at, now() + Duration::seconds(86_400));
                assert_eq!(effects.mails.len(), 1);
                assert_eq!(effects.mails[0].kind, MailKind::VerifyEmail);
                assert_eq!(effects.mails[0].to.as_str(), "ada@example.com");
                assert_eq!(effects.mails[0].recipient_name, "Ada");
                assert_eq!(
                    effects.mails[0].link.as_deref(),
                    Some("http://127.0.0.1:8080/verify-email?token=fresh-token")
                );
                assert!(effects.tokens.is_empty());
                Ok(())
            });

        let result = ports.account().resend_verification(&principal).await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn resend_verification_for_a_verified_address_writes_nothing_and_sends_nothing() {
        let mut ports = MockPorts::new();
        ports.secrets.expect_generate().never();
        ports
            .one_time_tokens
            .expect_issue()
            .with(always(), always())
            .never();

        let result = ports
            .account()
            .resend_verification(&principal_of(&user()))
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn resend_verification_passes_a_store_failure_on() {
        let mut ports = MockPorts::new().with_fresh_token();
        ports
            .one_time_tokens
            .expect_issue()
            .returning(|_, _| Err(InfraError::unexpected("down")));

        let result = ports
            .account()
            .resend_verification(&principal_of(&unverified()))
            .await;

        assert!(result.is_err());
    }
}
