use domain::{
    CodeUseError, Effects, EventKind, NewSecurityEvent, PlainPassword,
    RegenerateRecoveryCodesError, RequestContext, Secret,
};

use super::{Credentials, Principal};
use crate::support::code_check::{MfaCode, Refusal};

/// A fresh set of recovery codes, giving the password and a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegenerateRecoveryCodesCommand {
    pub current: PlainPassword,
    /// A TOTP code or a recovery code.
    pub code: MfaCode,
}

impl Credentials {
    /// Replaces every recovery code of the caller by ten new ones (the old
    /// ones stop working), using up `code`, with a
    /// `recovery_codes_regenerated` event (and `recovery_code_used` when a
    /// recovery code authorised it), in one write. The password, then the
    /// code, are checked as at login, both counted towards lockout.
    ///
    /// # Errors
    /// `NotEnabled`, `LockedOut`, `InvalidCredentials`, `InvalidCode`,
    /// `Infra`.
    pub async fn regenerate_recovery_codes(
        &self,
        principal: &Principal,
        command: RegenerateRecoveryCodesCommand,
        context: &RequestContext,
    ) -> Result<Vec<Secret>, RegenerateRecoveryCodesError> {
        let user = &principal.user;
        if !user.mfa_enabled {
            return Err(RegenerateRecoveryCodesError::NotEnabled);
        }
        self.passwords
            .check_current(principal, command.current, context)
            .await?;
        let enrolment = self
            .mfa
            .find_enrolment(user.id)
            .await?
            .filter(domain::TotpEnrolment::is_confirmed)
            .ok_or(RegenerateRecoveryCodesError::NotEnabled)?;
        let (codes, hashes): (Vec<_>, Vec<_>) =
            self.factor.new_recovery_codes().into_iter().unzip();
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
                        EventKind::RecoveryCodesRegenerated,
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
                    match self
                        .mfa
                        .replace_recovery_codes(user.id, code, hashes, now, effects)
                        .await
                    {
                        Ok(()) => Ok(()),
                        Err(CodeUseError::CodeRefused) => Err(Refusal::Code),
                        Err(CodeUseError::Infra(infra)) => Err(Refusal::Other(infra)),
                    }
                },
            )
            .await?;
        Ok(codes)
    }
}
