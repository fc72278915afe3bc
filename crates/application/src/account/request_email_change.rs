use domain::{
    Effects, Email, EventKind, MailKind, NewSecurityEvent, PlainPassword, RequestContext,
    RequestEmailChangeError, TokenPurpose,
};

use super::{Account, Principal};
use crate::support::one_time::{CONFIRM_EMAIL_PAGE, TokenRequest, mail_to};

/// The address to switch to, and the current password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestEmailChangeCommand {
    pub new_email: Email,
    pub password: PlainPassword,
}

impl Account {
    /// Starts a change of the caller's email, given the current password: a
    /// confirmation link goes to the new address and a notice (without a
    /// link) to the old one, with an `email_change_requested` event, in one
    /// write. A newer request voids older links. Nothing else changes until
    /// the link is used.
    ///
    /// The password is checked first, so only its owner learns whether the
    /// new address is taken.
    ///
    /// # Errors
    /// `LockedOut`, `InvalidCredentials`, `EmailTaken` (the caller's own
    /// address included), `Infra`.
    pub async fn request_email_change(
        &self,
        principal: &Principal,
        command: RequestEmailChangeCommand,
        context: &RequestContext,
    ) -> Result<(), RequestEmailChangeError> {
        let RequestEmailChangeCommand {
            new_email,
            password,
        } = command;
        self.passwords
            .check_current(principal, password, context)
            .await?;
        if self.users.find_by_email(&new_email).await?.is_some() {
            return Err(RequestEmailChangeError::EmailTaken);
        }
        let user = &principal.user;
        let now = self.clock.now();
        let (token, record) = self.links.new_one_time_token(TokenRequest {
            user_id: user.id,
            purpose: TokenPurpose::ChangeEmail,
            new_email: Some(new_email.clone()),
            now,
            ttl_secs: self.config.verify_ttl_secs,
        });
        let link = self.links.link(CONFIRM_EMAIL_PAGE, &token);
        let confirm = mail_to(
            MailKind::EmailChangeConfirm,
            &new_email,
            &user.name,
            Some(link),
        );
        let notice = mail_to(MailKind::EmailChangeNotice, &user.email, &user.name, None);
        let event = NewSecurityEvent::new(user.id, EventKind::EmailChangeRequested, now, context);
        let effects = Effects::event(event).with_mail(confirm).with_mail(notice);
        Ok(self.links.issue(record, effects).await?)
    }
}

#[cfg(test)]
#[path = "request_email_change_tests.rs"]
mod tests;
