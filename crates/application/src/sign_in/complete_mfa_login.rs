use domain::{
    CompleteMfaLoginError, Effects, EventKind, MfaLogin, MfaLoginError, NewSecurityEvent,
    RequestContext, Secret, TotpEnrolment,
};

use super::{SignIn, TokenPair};
use crate::support::code_check::{CodeCheckError, MfaCode, Refusal};

/// The second step of a login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompleteMfaLoginCommand {
    /// What the first step answered with `mfa_required`.
    pub mfa_token: Secret,
    pub code: MfaCode,
}

impl SignIn {
    /// Opens the session a login with two-factor on waits for, when `code`
    /// is right, in one write: the `mfa_token` and the code used up, the
    /// session inserted, `login_succeeded` recorded (after
    /// `recovery_code_used` for a recovery code). The code is checked under
    /// the account's lockout: a wrong one counts a failure and records
    /// `mfa_failed`; the right one clears the count.
    ///
    /// # Errors
    /// `InvalidToken` (the `mfa_token` is unknown, used or expired, or the
    /// account was deactivated, got a new password or turned two-factor off
    /// since), `LockedOut`, `InvalidCode`, `Infra`.
    pub async fn complete_mfa_login(
        &self,
        command: CompleteMfaLoginCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, CompleteMfaLoginError> {
        let hash = self.secrets.hash(command.mfa_token.expose());
        let now = self.clock.now();
        let token = self
            .mfa
            .find_login_token(&hash)
            .await?
            .filter(|token| token.is_usable(now))
            .ok_or(CompleteMfaLoginError::InvalidToken)?;
        let user = self
            .users
            .find_by_id(token.user_id)
            .await?
            .filter(|user| user.is_active && user.mfa_enabled)
            .ok_or(CompleteMfaLoginError::InvalidToken)?;
        let enrolment = self
            .mfa
            .find_enrolment(user.id)
            .await?
            .filter(TotpEnrolment::is_confirmed)
            .ok_or(CompleteMfaLoginError::InvalidToken)?;
        let recovery = command.code.is_recovery();
        let user = &user;
        let outcome = self
            .codes
            .check(
                user,
                &enrolment,
                &command.code,
                context,
                |code, now| async move {
                    let (refresh_token, session) = self.new_session(user, context, now);
                    let mut effects = Effects::event(NewSecurityEvent::new(
                        user.id,
                        EventKind::LoginSucceeded,
                        now,
                        context,
                    ));
                    if recovery {
                        effects.events.insert(
                            0,
                            NewSecurityEvent::new(
                                user.id,
                                EventKind::RecoveryCodeUsed,
                                now,
                                context,
                            ),
                        );
                    }
                    let login = MfaLogin {
                        token: hash,
                        code,
                        session,
                    };
                    match self.mfa.complete_login(login, effects).await {
                        Ok(session) => Ok((session, refresh_token, now)),
                        Err(MfaLoginError::CodeRefused) => Err(Refusal::Code),
                        Err(MfaLoginError::TokenUnusable | MfaLoginError::CredentialsChanged) => {
                            Err(Refusal::Other(CompleteMfaLoginError::InvalidToken))
                        }
                        Err(MfaLoginError::Infra(infra)) => Err(Refusal::Other(infra.into())),
                    }
                },
            )
            .await;
        let (session, refresh_token, now) = match outcome {
            Ok(opened) => opened,
            Err(CodeCheckError::InvalidCode) => return Err(CompleteMfaLoginError::InvalidCode),
            Err(CodeCheckError::LockedOut { retry_after_secs }) => {
                return Err(CompleteMfaLoginError::LockedOut { retry_after_secs });
            }
            Err(CodeCheckError::Infra(infra)) => return Err(infra.into()),
            Err(CodeCheckError::Other(error)) => return Err(error),
        };
        Ok(self.token_pair(&session, user.role, refresh_token, now)?)
    }
}

#[cfg(test)]
#[path = "complete_mfa_login_tests.rs"]
mod tests;
