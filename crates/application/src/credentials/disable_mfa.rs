use domain::{
    CodeUseError, DisableMfaError, Effects, EndSessions, EventKind, MailKind, MfaRemoval,
    NewSecurityEvent, PlainPassword, RequestContext,
};

use super::{Credentials, Principal};
use crate::support::code_check::{MfaCode, Refusal};
use crate::support::one_time::mail_to;

/// Turn two-factor off, giving the password and a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisableMfaCommand {
    pub current: PlainPassword,
    /// A TOTP code or a recovery code.
    pub code: MfaCode,
}

impl Credentials {
    /// Turns the caller's two-factor authentication off in one write: the
    /// enrolment and recovery codes deleted, `code` used up, `mfa_disabled`
    /// recorded (after `recovery_code_used` when a recovery code was given)
    /// and the "two-factor off" notice queued. Sessions stay. The password,
    /// then the code, are checked as at login, both counted towards lockout.
    ///
    /// # Errors
    /// `NotEnabled`, `LockedOut`, `InvalidCredentials`, `InvalidCode`,
    /// `Infra`.
    pub async fn disable_mfa(
        &self,
        principal: &Principal,
        command: DisableMfaCommand,
        context: &RequestContext,
    ) -> Result<(), DisableMfaError> {
        let user = &principal.user;
        if !user.mfa_enabled {
            return Err(DisableMfaError::NotEnabled);
        }
        self.passwords
            .check_current(principal, command.current, context)
            .await?;
        let enrolment = self
            .mfa
            .find_enrolment(user.id)
            .await?
            .filter(domain::TotpEnrolment::is_confirmed)
            .ok_or(DisableMfaError::NotEnabled)?;
        let recovery = command.code.is_recovery();
        self.codes
            .check(
                user,
                &enrolment,
                &command.code,
                context,
                |code, now| async move {
                    let mut effects = Effects::event(NewSecurityEvent::new(
                        user.id,
                        EventKind::MfaDisabled,
                        now,
                        context,
                    ))
                    .with_mail(mail_to(
                        MailKind::MfaDisabled,
                        &user.email,
                        &user.name,
                        None,
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
                    let removal = MfaRemoval {
                        user_id: user.id,
                        code: Some(code),
                        end_sessions: EndSessions::None,
                        at: now,
                    };
                    match self.mfa.remove(removal, effects).await {
                        Ok(()) => Ok(()),
                        Err(CodeUseError::CodeRefused) => Err(Refusal::Code),
                        Err(CodeUseError::Infra(infra)) => Err(Refusal::Other(infra)),
                    }
                },
            )
            .await?;
        Ok(())
    }
}
