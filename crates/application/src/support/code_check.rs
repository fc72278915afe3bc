//! The second-factor check that the login's second step and every change
//! guarded by a code share, with the same lockout as the password check.

use std::sync::Arc;

use domain::ports::{Admission, Clock, LockoutPolicy, LoginThrottle, SecondFactor, SecretSealer};
use domain::{
    CodeUse, DisableMfaError, Effects, EventKind, InfraError, NewSecurityEvent,
    RegenerateRecoveryCodesError, RequestContext, Secret, Timestamp, TotpEnrolment, User,
    totp_context,
};

use super::whole_seconds_until;
use crate::Ports;

/// A second factor as the user typed it.
#[derive(Clone, PartialEq, Eq)]
pub enum MfaCode {
    /// A 6-digit code from the authenticator app.
    Totp(Secret),
    /// One of the recovery codes.
    Recovery(Secret),
}

impl std::fmt::Debug for MfaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Totp(_) => "MfaCode::Totp([redacted])",
            Self::Recovery(_) => "MfaCode::Recovery([redacted])",
        })
    }
}

impl MfaCode {
    /// A field that takes either: six digits are a TOTP code, anything else
    /// a recovery code (which are ten characters, never six digits).
    #[must_use]
    pub fn either(code: Secret) -> Self {
        let text = code.expose().trim();
        if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            Self::Totp(code)
        } else {
            Self::Recovery(code)
        }
    }

    /// Whether a recovery code is used (its event travels with the change).
    pub(crate) const fn is_recovery(&self) -> bool {
        matches!(self, Self::Recovery(_))
    }
}

/// Why the write a code guards was not done, besides a bad code.
pub(crate) enum Refusal<R> {
    /// The code could not be used up (the compare-and-swap lost): counted
    /// as a wrong code.
    Code,
    /// Another outcome of the write: no verdict on the code.
    Other(R),
}

/// How a check with a code failed.
#[derive(Debug)]
pub(crate) enum CodeCheckError<R> {
    InvalidCode,
    LockedOut { retry_after_secs: u64 },
    Infra(InfraError),
    Other(R),
}

/// Checks TOTP and recovery codes, counting wrong ones towards the
/// account's lockout (keyed on its email, as the password check is).
#[derive(Clone)]
pub(crate) struct CodeCheck {
    throttle: Arc<dyn LoginThrottle>,
    factor: Arc<dyn SecondFactor>,
    sealer: Arc<dyn SecretSealer>,
    clock: Arc<dyn Clock>,
    lockout: LockoutPolicy,
}

impl std::fmt::Debug for CodeCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeCheck").finish_non_exhaustive()
    }
}

impl CodeCheck {
    pub(crate) fn new(ports: &Ports, lockout: LockoutPolicy) -> Self {
        Self {
            throttle: ports.throttle.clone(),
            factor: ports.second_factor.clone(),
            sealer: ports.sealer.clone(),
            clock: ports.clock.clone(),
            lockout,
        }
    }

    /// The TOTP secret of `enrolment`, opened. `None` when it does not
    /// open (the encryption key changed): no code can match it then.
    pub(crate) fn secret(&self, enrolment: &TotpEnrolment) -> Option<Secret> {
        let secret = self
            .sealer
            .open(&enrolment.sealed_secret, &totp_context(enrolment.user_id));
        if secret.is_none() {
            tracing::warn!(user_id = %enrolment.user_id, "a TOTP secret does not open under the encryption key");
        }
        secret
    }

    /// What `code` proves against `enrolment` at `now`, to be used up by
    /// the write it guards, or `None` for a code that cannot be right.
    fn prove(&self, enrolment: &TotpEnrolment, code: &MfaCode, now: Timestamp) -> Option<CodeUse> {
        match code {
            MfaCode::Totp(code) => {
                let secret = self.secret(enrolment)?;
                self.factor
                    .verify(&secret, code.expose(), now, enrolment.last_used_step)
                    .map(CodeUse::TotpStep)
            }
            // Checked by the write itself: a compare-and-swap on the hash.
            MfaCode::Recovery(code) => Some(CodeUse::RecoveryCode(
                self.factor.recovery_code_hash(code.expose()),
            )),
        }
    }

    /// Checks `code` for `user` and, when it may be right, hands what it
    /// proves to `write`, which uses it up. A check runs only when the
    /// lockout admits one (else `LockedOut`, nothing checked). A wrong code
    /// (or one `write` could not use up) counts a failure, records
    /// `mfa_failed` (and `locked_out` at the limit); a right one clears the
    /// count; another outcome of `write` counts nothing.
    pub(crate) async fn check<T, R, F, Fut>(
        &self,
        user: &User,
        enrolment: &TotpEnrolment,
        code: &MfaCode,
        context: &RequestContext,
        write: F,
    ) -> Result<T, CodeCheckError<R>>
    where
        F: FnOnce(CodeUse, Timestamp) -> Fut,
        Fut: Future<Output = Result<T, Refusal<R>>>,
    {
        let key = user.email.as_str();
        let now = self.clock.now();
        match self
            .throttle
            .begin_attempt(key, now, self.lockout)
            .await
            .map_err(CodeCheckError::Infra)?
        {
            Admission::Check => {}
            Admission::Locked { until } => {
                return Err(CodeCheckError::LockedOut {
                    retry_after_secs: whole_seconds_until(until, now).max(1),
                });
            }
            Admission::Busy => {
                return Err(CodeCheckError::LockedOut {
                    retry_after_secs: 1,
                });
            }
        }
        let outcome = match self.prove(enrolment, code, now) {
            Some(proof) => write(proof, now).await,
            None => Err(Refusal::Code),
        };
        match outcome {
            Ok(value) => {
                self.throttle
                    .record_success(key)
                    .await
                    .map_err(CodeCheckError::Infra)?;
                Ok(value)
            }
            Err(Refusal::Code) => {
                let event =
                    |kind| Effects::event(NewSecurityEvent::new(user.id, kind, now, context));
                self.throttle
                    .record_failure(
                        key,
                        now,
                        self.lockout,
                        event(EventKind::MfaFailed),
                        event(EventKind::LockedOut),
                    )
                    .await
                    .map_err(CodeCheckError::Infra)?;
                Err(CodeCheckError::InvalidCode)
            }
            Err(Refusal::Other(other)) => {
                if let Err(abandon) = self.throttle.abandon(key).await {
                    tracing::warn!(error = %abandon, "could not release a code check");
                }
                Err(CodeCheckError::Other(other))
            }
        }
    }
}

/// A failed code check as the error of each use case that checks a code
/// after the password (the write's own outcomes, `Other`, are its `Infra`).
macro_rules! code_check_failures {
    ($($error:ident),+ $(,)?) => {$(
        impl From<CodeCheckError<InfraError>> for $error {
            fn from(error: CodeCheckError<InfraError>) -> Self {
                match error {
                    CodeCheckError::InvalidCode => Self::InvalidCode,
                    CodeCheckError::LockedOut { retry_after_secs } => {
                        Self::LockedOut { retry_after_secs }
                    }
                    CodeCheckError::Infra(infra) | CodeCheckError::Other(infra) => {
                        Self::Infra(infra)
                    }
                }
            }
        }
    )+};
}

code_check_failures!(RegenerateRecoveryCodesError, DisableMfaError);
