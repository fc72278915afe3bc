//! One-time tokens and the links that carry them, shared by the use cases
//! that send one (register, resend, forgot password, email change) and those
//! that take one back (verify, reset, confirm).

use std::sync::Arc;

use domain::ports::{OneTimeTokenRepository, SecretTokens};
use domain::{
    Effects, Email, InfraError, MailKind, NewOneTimeToken, NewSecurityEvent, OneTimeToken,
    OutgoingMail, SecretToken, Timestamp, TokenPurpose, User, UserId, UserName,
};

use super::seconds;
use crate::Ports;

/// The pages of the public site that take a token from their query string.
pub(crate) const VERIFY_EMAIL_PAGE: &str = "verify-email";
pub(crate) const RESET_PASSWORD_PAGE: &str = "reset-password";
pub(crate) const CONFIRM_EMAIL_PAGE: &str = "confirm-email";

/// The links a new password voids: a pending reset or email change may have
/// been asked for by whoever knew the old one.
pub(crate) const PASSWORD_VOIDS: [TokenPurpose; 2] =
    [TokenPurpose::ResetPassword, TokenPurpose::ChangeEmail];

/// What a use case asks for when it sends a token.
pub(crate) struct TokenRequest {
    pub user_id: UserId,
    pub purpose: TokenPurpose,
    /// The address to switch to, for `ChangeEmail` only.
    pub new_email: Option<Email>,
    pub now: Timestamp,
    pub ttl_secs: u64,
}

/// Makes one-time tokens, the links that carry them, and finds them again.
#[derive(Clone)]
pub(crate) struct Links {
    secrets: Arc<dyn SecretTokens>,
    one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    public_url: String,
}

impl std::fmt::Debug for Links {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Links")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Links {
    /// Links under `public_url` (`APP_PUBLIC_URL`; a trailing slash is
    /// ignored).
    pub(crate) fn new(ports: &Ports, public_url: &str) -> Self {
        Self {
            secrets: ports.secrets.clone(),
            one_time_tokens: ports.one_time_tokens.clone(),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// A fresh token (at least 128 random bits, from `SecretTokens`) and the
    /// record to store: only its hash.
    pub(crate) fn new_one_time_token(
        &self,
        request: TokenRequest,
    ) -> (SecretToken, NewOneTimeToken) {
        let (token, hash) = self.secrets.generate();
        let record = NewOneTimeToken {
            hash,
            user_id: request.user_id,
            purpose: request.purpose,
            new_email: request.new_email,
            created_at: request.now,
            expires_at: request.now + seconds(request.ttl_secs),
        };
        (token, record)
    }

    /// `{public_url}/{page}?token={token}`. Built from configuration only,
    /// never from a request, so a forged Host header cannot redirect a link.
    /// The token is URL-safe by the `SecretTokens` contract.
    pub(crate) fn link(&self, page: &str, token: &SecretToken) -> String {
        format!("{}/{page}?token={}", self.public_url, token.expose())
    }

    /// Stores `token` (voiding the user's earlier unused ones of its
    /// purpose) with `effects`, typically the mail carrying its link.
    pub(crate) async fn issue(
        &self,
        token: NewOneTimeToken,
        effects: Effects,
    ) -> Result<(), InfraError> {
        self.one_time_tokens.issue(token, effects).await
    }

    /// Issues a password-reset token for `user`, valid `ttl_secs` from
    /// `now`, with the mail carrying its link and `event`, atomically (a
    /// newer link voids older ones).
    pub(crate) async fn send_password_reset(
        &self,
        user: &User,
        now: Timestamp,
        ttl_secs: u64,
        event: NewSecurityEvent,
    ) -> Result<(), InfraError> {
        let (token, record) = self.new_one_time_token(TokenRequest {
            user_id: user.id,
            purpose: TokenPurpose::ResetPassword,
            new_email: None,
            now,
            ttl_secs,
        });
        let link = self.link(RESET_PASSWORD_PAGE, &token);
        let effects = Effects::event(event).with_mail(mail_to(
            MailKind::ResetPassword,
            &user.email,
            &user.name,
            Some(link),
        ));
        self.issue(record, effects).await
    }

    /// The stored token behind `presented`, when it has `purpose` and is
    /// usable at `now`. A token of another purpose is never accepted.
    pub(crate) async fn usable_token(
        &self,
        presented: &str,
        purpose: TokenPurpose,
        now: Timestamp,
    ) -> Result<Option<OneTimeToken>, InfraError> {
        let hash = self.secrets.hash(presented);
        let stored = self.one_time_tokens.find(&hash).await?;
        Ok(stored.filter(|token| token.purpose == purpose && token.is_usable(now)))
    }
}

/// A message of `kind` to `to`, addressed to `name`.
pub(crate) fn mail_to(
    kind: MailKind,
    to: &Email,
    name: &UserName,
    link: Option<String>,
) -> OutgoingMail {
    OutgoingMail {
        kind,
        to: to.clone(),
        recipient_name: name.as_str().to_owned(),
        link,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::test_support::*;

    #[test]
    fn a_new_token_stores_only_its_hash_and_expires_after_its_ttl() {
        let service = MockPorts::new().with_fresh_token().links();
        let user_id = UserId::generate();

        let (token, record) = service.new_one_time_token(TokenRequest {
            user_id,
            purpose: TokenPurpose::ResetPassword,
            new_email: None,
            now: now(),
            ttl_secs: 1_800,
        });

        assert_eq!(token.expose(), FRESH_TOKEN);
        assert_eq!(record.hash.expose(), FRESH_HASH);
        assert_eq!(record.user_id, user_id);
        assert_eq!(record.created_at, now());
        assert_eq!(record.expires_at, now() + Duration::seconds(1_800));
    }

    #[test]
    fn links_start_with_the_public_url_and_carry_the_token() {
        let service = MockPorts::new().links();

        let link = service.link(VERIFY_EMAIL_PAGE, &SecretToken::new("abc".into()));

        assert_eq!(link, "http://127.0.0.1:8080/verify-email?token=abc");
    }

    #[test]
    fn a_trailing_slash_on_the_public_url_is_not_doubled() {
        let mut ports = MockPorts::new();
        ports.config.public_url = "https://accounts.example.com/".into();
        let service = ports.links();

        let link = service.link(RESET_PASSWORD_PAGE, &SecretToken::new("abc".into()));

        assert_eq!(
            link,
            "https://accounts.example.com/reset-password?token=abc"
        );
    }

    #[tokio::test]
    async fn a_usable_token_of_the_asked_purpose_is_found_by_the_hash_of_the_presented_one() {
        let user = user();
        let stored = stored_token(&user, TokenPurpose::VerifyEmail);
        let service = MockPorts::new()
            .with_presented_token(Some(stored.clone()))
            .links();

        let found = service
            .usable_token(PRESENTED_TOKEN, TokenPurpose::VerifyEmail, now())
            .await
            .unwrap();

        assert_eq!(found, Some(stored));
    }

    #[tokio::test]
    async fn an_unknown_token_is_not_usable() {
        let service = MockPorts::new().with_presented_token(None).links();

        let found = service
            .usable_token(PRESENTED_TOKEN, TokenPurpose::VerifyEmail, now())
            .await
            .unwrap();

        assert_eq!(found, None);
    }

    #[tokio::test]
    async fn a_token_of_another_purpose_is_not_usable() {
        let stored = stored_token(&user(), TokenPurpose::ResetPassword);
        let service = MockPorts::new().with_presented_token(Some(stored)).links();

        let found = service
            .usable_token(PRESENTED_TOKEN, TokenPurpose::VerifyEmail, now())
            .await
            .unwrap();

        assert_eq!(found, None);
    }

    #[tokio::test]
    async fn an_expired_token_is_not_usable() {
        let stored = OneTimeToken {
            expires_at: now(),
            ..stored_token(&user(), TokenPurpose::VerifyEmail)
        };
        let service = MockPorts::new().with_presented_token(Some(stored)).links();

        let found = service
            .usable_token(PRESENTED_TOKEN, TokenPurpose::VerifyEmail, now())
            .await
            .unwrap();

        assert_eq!(found, None);
    }

    #[tokio::test]
    async fn a_used_or_voided_token_is_not_usable() {
        let stored = OneTimeToken {
            used_at: Some(now() - Duration::minutes(1)),
            ..stored_token(&user(), TokenPurpose::VerifyEmail)
        };
        let service = MockPorts::new().with_presented_token(Some(stored)).links();

        let found = service
            .usable_token(PRESENTED_TOKEN, TokenPurpose::VerifyEmail, now())
            .await
            .unwrap();

        assert_eq!(found, None);
    }

    #[tokio::test]
    async fn a_store_failure_while_looking_a_token_up_is_infra() {
        let mut ports = MockPorts::new();
        ports
            .secrets
            .expect_hash()
            .returning(|_| domain::TokenHash::new(PRESENTED_HASH.into()));
        ports
            .one_time_tokens
            .expect_find()
            .returning(|_| Err(InfraError::unexpected("down")));
        let service = ports.links();

        let result = service
            .usable_token(PRESENTED_TOKEN, TokenPurpose::VerifyEmail, now())
            .await;

        assert!(result.is_err());
    }
}
