use domain::{EventKind, NewSecurityEvent, RequestContext, SendPasswordResetError, UserId};

use super::{Administration, by_admin};
use crate::Principal;

/// Whose password an operator has reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendPasswordResetCommand {
    pub user_id: UserId,
}

impl Administration {
    /// Mails the account a password-reset link, as a forgotten password
    /// does, with a `password_reset_requested` event naming the admin; the
    /// admin never chooses or sees a password. A newer link voids older
    /// ones. A deactivated account gets the link too (the admin asked), but
    /// it only works once the account is active again.
    ///
    /// # Errors
    /// `NotFound`; `Infra`.
    pub async fn send_password_reset(
        &self,
        admin: &Principal,
        command: SendPasswordResetCommand,
        context: &RequestContext,
    ) -> Result<(), SendPasswordResetError> {
        let user = self
            .users
            .find_by_id(command.user_id)
            .await?
            .ok_or(SendPasswordResetError::NotFound)?;
        let now = self.clock.now();
        let event = NewSecurityEvent::new(user.id, EventKind::PasswordResetRequested, now, context)
            .with_detail(by_admin(admin));
        Ok(self
            .links
            .send_password_reset(&user, now, self.reset_ttl_secs, event)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use domain::{InfraError, MailKind, TokenPurpose};
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;

    #[tokio::test]
    async fn the_reset_link_is_mailed_with_an_event_naming_the_admin() {
        let mut ports = MockPorts::new().with_fresh_token();
        let (admin, account) = (admin(), user());
        let (admin_id, user_id, stored) = (admin.user.id, account.id, account.clone());
        ports
            .users
            .expect_find_by_id()
            .return_once(move |_| Ok(Some(stored)));
        ports
            .one_time_tokens
            .expect_issue()
            .times(1)
            .returning(move |token, effects| {
                assert_eq!(token.user_id, user_id);
                assert_eq!(token.purpose, TokenPurpose::ResetPassword);
                assert_eq!(effects.mails.len(), 1);
                assert_eq!(effects.mails[0].kind, MailKind::ResetPassword);
                assert_eq!(
                    effects.mails[0].link.as_deref(),
                    Some("http://127.0.0.1:8080/reset-password?token=fresh-token")
                );
                assert_eq!(effects.events[0].kind, EventKind::PasswordResetRequested);
                assert_eq!(
                    effects.events[0].detail,
                    Some(format!("by admin {admin_id}"))
                );
                Ok(())
            });

        let result = ports
            .administration()
            .send_password_reset(&admin, SendPasswordResetCommand { user_id }, &context())
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn an_unknown_account_is_not_found_and_nothing_is_issued() {
        let mut ports = MockPorts::new();
        ports.users.expect_find_by_id().returning(|_| Ok(None));
        ports
            .one_time_tokens
            .expect_issue()
            .with(always(), always())
            .never();

        let result = ports
            .administration()
            .send_password_reset(
                &admin(),
                SendPasswordResetCommand {
                    user_id: UserId::generate(),
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(SendPasswordResetError::NotFound)));
    }

    #[tokio::test]
    async fn a_store_failure_is_infra() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_find_by_id()
            .returning(|_| Err(InfraError::unexpected("down")));

        let result = ports
            .administration()
            .send_password_reset(
                &admin(),
                SendPasswordResetCommand {
                    user_id: UserId::generate(),
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(SendPasswordResetError::Infra(_))));
    }
}
