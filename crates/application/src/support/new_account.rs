//! Creating an account, as self-service registration and an operator both
//! do it.

use std::sync::Arc;

use domain::ports::{Clock, PasswordHasher, UserRepository};
use domain::{
    Effects, EventKind, MailKind, NewSecurityEvent, NewUser, RequestContext, TokenPurpose, User,
    UserCreationError, UserId,
};

use super::by_admin;
use super::one_time::{Links, TokenRequest, VERIFY_EMAIL_PAGE, mail_to};
use crate::{AuthConfig, CreateUserCommand, Ports};

/// Creates accounts: hashes the password, records the `registered` event
/// and, for an unverified address, queues the welcome mail with its link.
#[derive(Clone)]
pub(crate) struct NewAccounts {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    links: Links,
    verify_ttl_secs: u64,
}

impl NewAccounts {
    pub(crate) fn new(ports: &Ports, config: &AuthConfig) -> Self {
        Self {
            users: ports.users.clone(),
            hasher: ports.hasher.clone(),
            clock: ports.clock.clone(),
            links: Links::new(ports, &config.public_url),
            verify_ttl_secs: config.verify_ttl_secs,
        }
    }

    /// Creates an active account with the given role and verification state
    /// and records a `registered` event with it, atomically. An unverified
    /// account also gets, in the same write, an email-verification token and
    /// the welcome mail carrying its link; a verified one gets no mail.
    ///
    /// # Errors
    /// `EmailTaken`; `Infra(Overloaded)` when the hashing queue is full.
    pub(crate) async fn create(
        &self,
        command: CreateUserCommand,
        context: &RequestContext,
    ) -> Result<User, UserCreationError> {
        let password_hash = self.hasher.hash(command.password.as_plain()).await?;
        let now = self.clock.now();
        let id = UserId::generate();
        let user = NewUser {
            id,
            email: command.email,
            name: command.name,
            role: command.role,
            email_verified: command.email_verified,
            is_active: true,
            password_hash,
            created_at: now,
        };
        let mut registered = NewSecurityEvent::new(id, EventKind::Registered, now, context);
        if let Some(admin) = command.created_by {
            registered = registered.with_detail(by_admin(admin));
        }
        let mut effects = Effects::event(registered);
        if !user.email_verified {
            let (token, record) = self.links.new_one_time_token(TokenRequest {
                user_id: id,
                purpose: TokenPurpose::VerifyEmail,
                new_email: None,
                now,
                ttl_secs: self.verify_ttl_secs,
            });
            let link = self.links.link(VERIFY_EMAIL_PAGE, &token);
            effects = effects.with_token(record).with_mail(mail_to(
                MailKind::Welcome,
                &user.email,
                &user.name,
                Some(link),
            ));
        }
        self.users.create(user, effects).await
    }
}
