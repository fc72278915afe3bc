use domain::{
    CodeUseError, ConfirmTotpError, Effects, EndSessions, EventKind, MailKind, NewSecurityEvent,
    RequestContext, Secret, TotpConfirmation,
};

use super::{Credentials, Principal};
use crate::support::one_time::mail_to;

/// Confirm a pending enrolment with a code from the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfirmTotpCommand {
    pub code: Secret,
}

impl Credentials {
    /// Turns two-factor on when `code` is the pending secret's TOTP (the
    /// step of `now` or one either side; that step counts as used), in one
    /// write: the enrolment confirmed, ten new recovery codes stored as
    /// keyed hashes, every other session of the user ended, `mfa_enabled`
    /// recorded and the "two-factor on" notice queued. Returns the recovery
    /// codes, which are not kept anywhere else.
    ///
    /// Wrong codes here do not count towards lockout: the caller already
    /// holds a session and the secret they confirm protects nothing yet.
    ///
    /// # Errors
    /// `NotStarted`, `AlreadyEnabled`, `InvalidCode` (also when the
    /// enrolment was restarted with another secret meanwhile), `Infra`.
    pub async fn confirm_totp(
        &self,
        principal: &Principal,
        command: ConfirmTotpCommand,
        context: &RequestContext,
    ) -> Result<Vec<Secret>, ConfirmTotpError> {
        let user = &principal.user;
        let enrolment = self
            .mfa
            .find_enrolment(user.id)
            .await?
            .ok_or(ConfirmTotpError::NotStarted)?;
        if enrolment.is_confirmed() {
            return Err(ConfirmTotpError::AlreadyEnabled);
        }
        let now = self.clock.now();
        let step = self
            .codes
            .secret(&enrolment)
            .and_then(|secret| {
                self.factor.verify(
                    &secret,
                    command.code.expose(),
                    now,
                    enrolment.last_used_step,
                )
            })
            .ok_or(ConfirmTotpError::InvalidCode)?;
        let (codes, hashes): (Vec<_>, Vec<_>) =
            self.factor.new_recovery_codes().into_iter().unzip();
        let confirmation = TotpConfirmation {
            user_id: user.id,
            sealed_secret: enrolment.sealed_secret,
            step,
            recovery_codes: hashes,
            at: now,
            end_sessions: EndSessions::AllExcept(principal.session_id),
        };
        let event = NewSecurityEvent::new(user.id, EventKind::MfaEnabled, now, context);
        let effects = Effects::event(event).with_mail(mail_to(
            MailKind::MfaEnabled,
            &user.email,
            &user.name,
            None,
        ));
        match self.mfa.confirm_enrolment(confirmation, effects).await {
            Ok(()) => Ok(codes),
            Err(CodeUseError::CodeRefused) => Err(ConfirmTotpError::InvalidCode),
            Err(CodeUseError::Infra(infra)) => Err(infra.into()),
        }
    }
}
