use domain::{
    ChangePasswordError, Effects, EndSessions, EventKind, MailKind, NewSecurityEvent, Password,
    PlainPassword, RequestContext, Secret, UserChange, UserChangeError,
};

use super::{Credentials, Principal};
use crate::support::one_time::{PASSWORD_VOIDS, mail_to};

/// A new password, given the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangePasswordCommand {
    pub current: PlainPassword,
    /// Not parsed yet: the rules need the account's email and name.
    pub new_password: Secret,
}

impl Credentials {
    /// Replaces the caller's password, given the current one. In one write it
    /// stores the new hash, ends every other session of the user (the
    /// caller's stays), records a `password_changed` event and queues a
    /// "password changed" notice.
    ///
    /// The new password is checked first, so a rule breach costs no bcrypt
    /// and counts no failure; the current one is then checked exactly as a
    /// login checks it, lockout included.
    ///
    /// # Errors
    /// `InvalidPassword`, `LockedOut`, `InvalidCredentials` (also when the
    /// account was deleted meanwhile), `Infra` (`Overloaded` when the hashing
    /// queue is full).
    pub async fn change_password(
        &self,
        principal: &Principal,
        command: ChangePasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ChangePasswordError> {
        let user = &principal.user;
        let password = Password::parse(
            command.new_password.expose(),
            &[user.email.as_str(), user.name.as_str()],
        )?;
        self.passwords
            .check_current(principal, command.current, context)
            .await?;
        let password_hash = self.hasher.hash(password.as_plain()).await?;
        let now = self.clock.now();
        let change = UserChange {
            password_hash: Some(password_hash),
            end_sessions: EndSessions::AllExcept(principal.session_id),
            void_tokens: PASSWORD_VOIDS.to_vec(),
            ..UserChange::new(user.id, now)
        };
        let event = NewSecurityEvent::new(user.id, EventKind::PasswordChanged, now, context);
        let effects = Effects::event(event).with_mail(mail_to(
            MailKind::PasswordChanged,
            &user.email,
            &user.name,
            None,
        ));
        match self.users.apply_change(change, effects).await {
            Ok(_) => Ok(()),
            Err(UserChangeError::NotFound) => Err(ChangePasswordError::InvalidCredentials),
            Err(UserChangeError::Infra(infra)) => Err(infra.into()),
        }
    }
}

#[cfg(test)]
#[path = "change_password_tests.rs"]
mod tests;
