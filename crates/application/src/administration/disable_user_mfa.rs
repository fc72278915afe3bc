use domain::{
    CodeUseError, DisableUserMfaError, Effects, EndSessions, EventKind, MailKind, MfaRemoval,
    NewSecurityEvent, RequestContext, UserId,
};

use super::{Administration, by_admin};
use crate::Principal;
use crate::support::one_time::mail_to;

/// Whose two-factor authentication an operator turns off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisableUserMfaCommand {
    pub user_id: UserId,
}

impl Administration {
    /// Turns the account's two-factor authentication off (a lost device
    /// and no recovery codes), in one write: enrolment and recovery codes
    /// deleted, every session of the user ended, `mfa_disabled` recorded
    /// naming the admin, the "two-factor off" notice queued.
    ///
    /// # Errors
    /// `NotFound` (no such account, or two-factor is off); `Infra`.
    pub async fn disable_user_mfa(
        &self,
        admin: &Principal,
        command: DisableUserMfaCommand,
        context: &RequestContext,
    ) -> Result<(), DisableUserMfaError> {
        let user = self
            .users
            .find_by_id(command.user_id)
            .await?
            .ok_or(DisableUserMfaError::NotFound)?;
        let now = self.clock.now();
        let event = NewSecurityEvent::new(user.id, EventKind::MfaDisabled, now, context)
            .with_detail(by_admin(admin));
        let effects = Effects::event(event).with_mail(mail_to(
            MailKind::MfaDisabled,
            &user.email,
            &user.name,
            None,
        ));
        let removal = MfaRemoval {
            user_id: user.id,
            code: None,
            end_sessions: EndSessions::All,
            at: now,
        };
        match self.mfa.remove(removal, effects).await {
            Ok(()) => Ok(()),
            Err(CodeUseError::CodeRefused) => Err(DisableUserMfaError::NotFound),
            Err(CodeUseError::Infra(infra)) => Err(infra.into()),
        }
    }
}
