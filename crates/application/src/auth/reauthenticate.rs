use domain::{LoginError, PlainPassword, RequestContext};

use super::{AuthService, Principal};
use crate::LoginCommand;

impl AuthService {
    /// Checks the caller's current password exactly as a login does (same
    /// lockout, keyed on the caller's email), before a sensitive change.
    ///
    /// # Errors
    /// `LockedOut`, `InvalidCredentials` (also when the email now resolves to
    /// another account, which a concurrent email change could cause), `Infra`.
    pub(crate) async fn check_current_password(
        &self,
        principal: &Principal,
        current: PlainPassword,
        context: &RequestContext,
    ) -> Result<(), LoginError> {
        let command = LoginCommand {
            email: principal.user.email.clone(),
            password: current,
        };
        let checked = self.check_password(&command, context).await?;
        if checked.id != principal.user.id {
            return Err(LoginError::InvalidCredentials);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use domain::UserId;

    use super::*;
    use crate::auth::test_support::*;

    fn current() -> PlainPassword {
        PlainPassword::new("the current password")
    }

    #[tokio::test]
    async fn the_right_current_password_passes_and_clears_the_failure_count() {
        let mut ports = MockPorts::new();
        let user = user();
        let principal = principal_of(&user);
        ports
            .throttle
            .expect_begin_attempt()
            .returning(|_, _, _| Ok(None));
        ports
            .users
            .expect_find_by_email()
            .return_once(move |_| Ok(Some(user)));
        ports.hasher.expect_verify().returning(|_, _| Ok(true));
        ports
            .throttle
            .expect_clear()
            .withf(|key| key == "ada@example.com")
            .times(1)
            .returning(|_| Ok(()));

        let result = ports
            .service()
            .check_current_password(&principal, current(), &context())
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn a_wrong_current_password_counts_a_failure_under_the_callers_email() {
        let mut ports = MockPorts::new();
        let user = user();
        let principal = principal_of(&user);
        ports
            .throttle
            .expect_begin_attempt()
            .returning(|_, _, _| Ok(None));
        ports
            .users
            .expect_find_by_email()
            .return_once(move |_| Ok(Some(user)));
        ports.hasher.expect_verify().returning(|_, _| Ok(false));
        ports
            .throttle
            .expect_record_failure()
            .withf(|key, _, _, _, _| key == "ada@example.com")
            .times(1)
            .returning(|_, _, _, _, _| Ok(None));

        let result = ports
            .service()
            .check_current_password(&principal, current(), &context())
            .await;

        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }

    #[tokio::test]
    async fn a_password_that_matches_another_account_under_the_same_email_is_refused() {
        let mut ports = MockPorts::new();
        let principal = principal_of(&user());
        let other = domain::User {
            id: UserId::generate(),
            ..user()
        };
        ports
            .throttle
            .expect_begin_attempt()
            .returning(|_, _, _| Ok(None));
        ports
            .users
            .expect_find_by_email()
            .return_once(move |_| Ok(Some(other)));
        ports.hasher.expect_verify().returning(|_, _| Ok(true));
        ports.throttle.expect_clear().returning(|_| Ok(()));

        let result = ports
            .service()
            .check_current_password(&principal, current(), &context())
            .await;

        assert!(matches!(result, Err(LoginError::InvalidCredentials)));
    }
}
