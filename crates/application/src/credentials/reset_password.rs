use domain::{
    Effects, Email, EndSessions, EventKind, MailKind, NewSecurityEvent, Password, RedeemTokenError,
    RequestContext, ResetPasswordError, Secret, TokenPurpose, UserChange,
};

use super::Credentials;
use crate::support::one_time::{PASSWORD_VOIDS, mail_to};

/// A new password, with the token from a reset link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetPasswordCommand {
    pub token: Secret,
    /// Not parsed yet: the token is checked before the password rules.
    pub new_password: Secret,
}

impl Credentials {
    /// Sets a new password with the token from a reset link. In one write it
    /// stores the new hash, marks the email verified (the link proved the
    /// mailbox), ends every session of the user, uses the token up, records
    /// a `password_reset` event and queues a "password changed" notice.
    /// Then it forgets the address's failed logins.
    ///
    /// The token is checked before the password rules, so a guessed token
    /// learns nothing from them.
    ///
    /// # Errors
    /// `InvalidOrExpired` for an unknown, used, voided or expired token, one
    /// of another purpose, or one whose account is gone or deactivated;
    /// `InvalidPassword`; `Infra` (`Overloaded` when the hashing queue is
    /// full).
    pub async fn reset_password(
        &self,
        command: ResetPasswordCommand,
        context: &RequestContext,
    ) -> Result<(), ResetPasswordError> {
        let now = self.clock.now();
        let Some(stored) = self
            .links
            .usable_token(command.token.expose(), TokenPurpose::ResetPassword, now)
            .await?
        else {
            return Err(ResetPasswordError::InvalidOrExpired);
        };
        let user = match self.users.find_by_id(stored.user_id).await? {
            Some(user) if user.is_active => user,
            _ => return Err(ResetPasswordError::InvalidOrExpired),
        };
        let password = Password::parse(
            command.new_password.expose(),
            &[user.email.as_str(), user.name.as_str()],
        )?;
        let password_hash = self.hasher.hash(password.as_plain()).await?;
        let change = UserChange {
            password_hash: Some(password_hash),
            email_verified: Some(true),
            end_sessions: EndSessions::All,
            void_tokens: PASSWORD_VOIDS.to_vec(),
            ..UserChange::new(user.id, now)
        };
        let event = NewSecurityEvent::new(user.id, EventKind::PasswordReset, now, context);
        let effects = Effects::event(event).with_mail(mail_to(
            MailKind::PasswordChanged,
            &user.email,
            &user.name,
            None,
        ));
        match self.users.redeem_token(stored.hash, change, effects).await {
            Ok(_) => {}
            Err(RedeemTokenError::TokenUnusable | RedeemTokenError::NotFound) => {
                return Err(ResetPasswordError::InvalidOrExpired);
            }
            Err(RedeemTokenError::Infra(infra)) => return Err(infra.into()),
        }
        self.forget_login_failures(&user.email).await;
        Ok(())
    }

    /// Clears the lockout count of `email` once its owner proved control of
    /// the mailbox. Best effort: the reset has happened, and a stale count
    /// only ends with its lockout.
    async fn forget_login_failures(&self, email: &Email) {
        if let Err(error) = self.throttle.clear(email.as_str()).await {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "login failures not cleared after a password reset"
            );
        }
    }
}

#[cfg(test)]
#[path = "reset_password_tests.rs"]
mod tests;
