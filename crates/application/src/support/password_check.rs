//! The password check that login and every sensitive change share, with
//! its lockout.

use std::sync::Arc;

use domain::ports::{
    Admission, Clock, LockoutPolicy, LoginThrottle, PasswordHasher, UserRepository,
};
use domain::{
    ChangePasswordError, DisableMfaError, Effects, EventKind, InfraError, LoginError,
    NewSecurityEvent, PlainPassword, RegenerateRecoveryCodesError, RequestContext,
    RequestEmailChangeError, StartTotpError, User,
};

use super::whole_seconds_until;
use crate::{LoginCommand, Ports, Principal};

/// Why a password check failed: the only outcomes a caller can meet.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PasswordCheckError {
    /// Unknown email or wrong password: indistinguishable by design.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures; no password is checked until the lockout ends.
    #[error("locked out")]
    LockedOut { retry_after_secs: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Checks a password against an account, counting failures towards
/// lockout per lowercased email.
#[derive(Clone)]
pub(crate) struct PasswordCheck {
    users: Arc<dyn UserRepository>,
    throttle: Arc<dyn LoginThrottle>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    lockout: LockoutPolicy,
}

impl std::fmt::Debug for PasswordCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCheck")
            .field("lockout", &self.lockout)
            .finish_non_exhaustive()
    }
}

impl PasswordCheck {
    pub(crate) fn new(ports: &Ports, lockout: LockoutPolicy) -> Self {
        Self {
            users: ports.users.clone(),
            throttle: ports.throttle.clone(),
            hasher: ports.hasher.clone(),
            clock: ports.clock.clone(),
            lockout,
        }
    }

    /// The account, when it exists and `command.password` is its password.
    /// Only failed checks count towards lockout, and a check runs only while
    /// the failures counted plus the checks in flight stay under the limit,
    /// so concurrent wrong guesses cannot pass it and concurrent right
    /// passwords lock nothing (the extra ones are `Busy`: 429, retry in a
    /// second). Unknown emails pay for one dummy verify and are counted like
    /// real ones, so neither the answer, its timing nor the lockout tells
    /// whether an account exists.
    pub(crate) async fn check(
        &self,
        command: &LoginCommand,
        context: &RequestContext,
    ) -> Result<User, PasswordCheckError> {
        let key = command.email.as_str();
        let now = self.clock.now();
        match self.throttle.begin_attempt(key, now, self.lockout).await? {
            Admission::Check => {}
            Admission::Locked { until } => {
                return Err(PasswordCheckError::LockedOut {
                    retry_after_secs: whole_seconds_until(until, now).max(1),
                });
            }
            Admission::Busy => {
                return Err(PasswordCheckError::LockedOut {
                    retry_after_secs: 1,
                });
            }
        }
        let verdict = self.verify(command).await;
        let (user, verified) = match verdict {
            Ok(verdict) => verdict,
            Err(error) => {
                // No verdict (the hashing queue was full, the store failed):
                // nothing counts. A failure to say so is left to the
                // in-flight check's expiry.
                if let Err(abandon) = self.throttle.abandon(key).await {
                    tracing::warn!(error = %abandon, "could not release a password check");
                }
                return Err(error.into());
            }
        };
        match user {
            Some(user) if verified => {
                if user.mfa_enabled {
                    // With two-factor on, the right password alone never
                    // clears the count: only a right code does (see
                    // `CodeCheck`). The check ends, counting nothing.
                    self.throttle.abandon(key).await?;
                } else {
                    self.throttle.record_success(key).await?;
                }
                Ok(user)
            }
            user => {
                // Unknown emails are counted too, but have no trail to write.
                let event = |kind| {
                    user.as_ref().map_or_else(Effects::none, |user| {
                        Effects::event(NewSecurityEvent::new(user.id, kind, now, context))
                    })
                };
                self.throttle
                    .record_failure(
                        key,
                        now,
                        self.lockout,
                        event(EventKind::LoginFailed),
                        event(EventKind::LockedOut),
                    )
                    .await?;
                Err(PasswordCheckError::InvalidCredentials)
            }
        }
    }

    /// The account of `command.email`, if any, and whether the password is
    /// its password (an unknown email pays for a dummy verify).
    async fn verify(&self, command: &LoginCommand) -> Result<(Option<User>, bool), InfraError> {
        let user = self.users.find_by_email(&command.email).await?;
        let verified = match &user {
            Some(user) => {
                self.hasher
                    .verify(&command.password, &user.password_hash)
                    .await?
            }
            None => {
                self.hasher.verify_dummy(&command.password).await?;
                false
            }
        };
        Ok((user, verified))
    }

    /// Checks the caller's current password exactly as a login does (same
    /// lockout, keyed on the caller's email), before a sensitive change.
    ///
    /// # Errors
    /// `LockedOut`, `InvalidCredentials` (also when the email now resolves to
    /// another account, which a concurrent email change could cause), `Infra`.
    pub(crate) async fn check_current(
        &self,
        principal: &Principal,
        current: PlainPassword,
        context: &RequestContext,
    ) -> Result<(), PasswordCheckError> {
        let command = LoginCommand {
            email: principal.user.email.clone(),
            password: current,
        };
        let checked = self.check(&command, context).await?;
        if checked.id != principal.user.id {
            return Err(PasswordCheckError::InvalidCredentials);
        }
        Ok(())
    }
}

/// A failed check as the error of each use case that checks a password:
/// each has these three cases (a login has two more of its own, for a
/// correct password on an account that may not sign in).
macro_rules! password_check_failures {
    ($($error:ident),+ $(,)?) => {$(
        impl From<PasswordCheckError> for $error {
            fn from(error: PasswordCheckError) -> Self {
                match error {
                    PasswordCheckError::InvalidCredentials => Self::InvalidCredentials,
                    PasswordCheckError::LockedOut { retry_after_secs } => {
                        Self::LockedOut { retry_after_secs }
                    }
                    PasswordCheckError::Infra(infra) => Self::Infra(infra),
                }
            }
        }
    )+};
}

password_check_failures!(
    LoginError,
    ChangePasswordError,
    RequestEmailChangeError,
    StartTotpError,
    RegenerateRecoveryCodesError,
    DisableMfaError,
);

#[cfg(test)]
mod tests {
    use domain::UserId;

    use super::*;
    use crate::test_support::*;

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
            .returning(|_, _, _| Ok(domain::ports::Admission::Check));
        ports
            .users
            .expect_find_by_email()
            .return_once(move |_| Ok(Some(user)));
        ports.hasher.expect_verify().returning(|_, _| Ok(true));
        ports
            .throttle
            .expect_record_success()
            .withf(|key| key == "ada@example.com")
            .times(1)
            .returning(|_| Ok(()));

        let result = ports
            .password_check()
            .check_current(&principal, current(), &context())
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
            .returning(|_, _, _| Ok(domain::ports::Admission::Check));
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
            .password_check()
            .check_current(&principal, current(), &context())
            .await;

        assert!(matches!(
            result,
            Err(PasswordCheckError::InvalidCredentials)
        ));
    }

    #[tokio::test]
    async fn a_check_beyond_the_allowance_in_flight_is_refused_for_one_second_unchecked() {
        let mut ports = MockPorts::new();
        let principal = principal_of(&user());
        ports
            .throttle
            .expect_begin_attempt()
            .returning(|_, _, _| Ok(Admission::Busy));
        ports.users.expect_find_by_email().never();
        ports.hasher.expect_verify().never();
        ports.throttle.expect_record_failure().never();

        let result = ports
            .password_check()
            .check_current(&principal, current(), &context())
            .await;

        assert!(matches!(
            result,
            Err(PasswordCheckError::LockedOut {
                retry_after_secs: 1
            })
        ));
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
            .returning(|_, _, _| Ok(domain::ports::Admission::Check));
        ports
            .users
            .expect_find_by_email()
            .return_once(move |_| Ok(Some(other)));
        ports.hasher.expect_verify().returning(|_, _| Ok(true));
        ports.throttle.expect_record_success().returning(|_| Ok(()));

        let result = ports
            .password_check()
            .check_current(&principal, current(), &context())
            .await;

        assert!(matches!(
            result,
            Err(PasswordCheckError::InvalidCredentials)
        ));
    }
}
