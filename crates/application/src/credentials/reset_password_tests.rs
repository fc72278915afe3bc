use domain::{OneTimeToken, PasswordError, PasswordHash, TokenPurpose, User};
use mockall::predicate::always;

use super::*;
use crate::test_support::*;
use domain::InfraError;

const NEW_PASSWORD: &str = "correct horse battery staple";

fn reset(new_password: &str) -> ResetPasswordCommand {
    ResetPasswordCommand {
        token: PRESENTED_TOKEN.into(),
        new_password: new_password.into(),
    }
}

/// A usable reset token of `user`, whose account is found as `found`.
fn reset_link_of(user: &User, found: Option<User>) -> MockPorts {
    let mut ports = MockPorts::new()
        .with_presented_token(Some(stored_token(user, TokenPurpose::ResetPassword)));
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(found));
    ports
}

fn hashing(ports: &mut MockPorts) {
    ports
        .hasher
        .expect_hash()
        .returning(|_| Ok(PasswordHash::new("new-hash".into())));
}

fn nothing_written(ports: &mut MockPorts) {
    ports.hasher.expect_hash().never();
    ports
        .users
        .expect_redeem_token()
        .with(always(), always(), always())
        .never();
    ports.throttle.expect_clear().never();
}

#[tokio::test]
async fn reset_password_stores_the_new_hash_verifies_the_email_ends_every_session_and_consumes_the_token()
 {
    let account = user();
    let user_id = account.id;
    let mut ports = reset_link_of(&account, Some(account.clone()));
    hashing(&mut ports);
    ports.throttle.expect_clear().returning(|_| Ok(()));
    ports
        .users
        .expect_redeem_token()
        .times(1)
        .returning(move |token, change, _| {
            assert_eq!(change.user_id, user_id);
            assert_eq!(change.at, now());
            assert_eq!(
                change.password_hash.as_ref().map(PasswordHash::expose),
                Some("new-hash")
            );
            assert_eq!(change.email_verified, Some(true));
            assert_eq!(change.end_sessions, EndSessions::All);
            assert_eq!(
                change.void_tokens,
                [TokenPurpose::ResetPassword, TokenPurpose::ChangeEmail]
            );
            assert_eq!(token.expose(), PRESENTED_HASH);
            assert_eq!(change.name, None);
            Ok(user())
        });

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn reset_password_records_the_event_and_queues_the_password_changed_notice_in_the_same_write()
{
    let account = user();
    let user_id = account.id;
    let mut ports = reset_link_of(&account, Some(account.clone()));
    hashing(&mut ports);
    ports.throttle.expect_clear().returning(|_| Ok(()));
    ports
        .users
        .expect_redeem_token()
        .times(1)
        .returning(move |_, _, effects| {
            assert_eq!(effects.events.len(), 1);
            assert_eq!(effects.events[0].kind, EventKind::PasswordReset);
            assert_eq!(effects.events[0].user_id, user_id);
            assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.1"));
            assert_eq!(effects.mails.len(), 1);
            assert_eq!(effects.mails[0].kind, MailKind::PasswordChanged);
            assert_eq!(effects.mails[0].to.as_str(), "ada@example.com");
            assert_eq!(effects.mails[0].recipient_name, "Ada");
            assert_eq!(effects.mails[0].link, None);
            assert!(effects.tokens.is_empty());
            Ok(user())
        });

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn reset_password_hashes_the_new_password() {
    let account = user();
    let mut ports = reset_link_of(&account, Some(account.clone()));
    ports
        .hasher
        .expect_hash()
        .withf(|password| password.expose() == NEW_PASSWORD)
        .times(1)
        .returning(|_| Ok(PasswordHash::new("new-hash".into())));
    ports.throttle.expect_clear().returning(|_| Ok(()));
    ports
        .users
        .expect_redeem_token()
        .returning(|_, _, _| Ok(user()));

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn reset_password_clears_the_login_failures_of_the_email_after_success() {
    let account = user();
    let mut ports = reset_link_of(&account, Some(account.clone()));
    hashing(&mut ports);
    ports
        .users
        .expect_redeem_token()
        .returning(|_, _, _| Ok(user()));
    ports
        .throttle
        .expect_clear()
        .withf(|key| key == "ada@example.com")
        .times(1)
        .returning(|_| Ok(()));

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn a_failed_clear_of_the_login_failures_does_not_fail_the_reset() {
    let account = user();
    let mut ports = reset_link_of(&account, Some(account.clone()));
    hashing(&mut ports);
    ports
        .users
        .expect_redeem_token()
        .returning(|_, _, _| Ok(user()));
    ports
        .throttle
        .expect_clear()
        .returning(|_| Err(InfraError::unexpected("down")));

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn reset_password_checks_the_token_before_the_password_rules() {
    let mut ports = MockPorts::new().with_presented_token(None);
    ports.users.expect_find_by_id().never();
    nothing_written(&mut ports);

    let result = ports
        .credentials()
        .reset_password(reset("short"), &context())
        .await;

    assert!(matches!(result, Err(ResetPasswordError::InvalidOrExpired)));
}

#[tokio::test]
async fn reset_password_refuses_an_email_verification_token() {
    let account = user();
    let mut ports = MockPorts::new()
        .with_presented_token(Some(stored_token(&account, TokenPurpose::VerifyEmail)));
    ports.users.expect_find_by_id().never();
    nothing_written(&mut ports);

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(result, Err(ResetPasswordError::InvalidOrExpired)));
}

#[tokio::test]
async fn reset_password_refuses_an_expired_token() {
    let account = user();
    let expired = OneTimeToken {
        expires_at: now(),
        ..stored_token(&account, TokenPurpose::ResetPassword)
    };
    let mut ports = MockPorts::new().with_presented_token(Some(expired));
    ports.users.expect_find_by_id().never();
    nothing_written(&mut ports);

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(result, Err(ResetPasswordError::InvalidOrExpired)));
}

#[tokio::test]
async fn reset_password_for_a_deleted_account_is_invalid_and_writes_nothing() {
    let mut ports = reset_link_of(&user(), None);
    nothing_written(&mut ports);

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(result, Err(ResetPasswordError::InvalidOrExpired)));
}

#[tokio::test]
async fn reset_password_for_a_deactivated_account_is_invalid_and_writes_nothing() {
    let account = User {
        is_active: false,
        ..user()
    };
    let mut ports = reset_link_of(&account, Some(account.clone()));
    nothing_written(&mut ports);

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(result, Err(ResetPasswordError::InvalidOrExpired)));
}

#[tokio::test]
async fn reset_password_rejects_a_weak_password_without_hashing_or_writing() {
    let account = user();
    let mut ports = reset_link_of(&account, Some(account.clone()));
    nothing_written(&mut ports);

    let result = ports
        .credentials()
        .reset_password(reset("short"), &context())
        .await;

    assert!(matches!(
        result,
        Err(ResetPasswordError::InvalidPassword(PasswordError::TooShort))
    ));
}

#[tokio::test]
async fn reset_password_rejects_a_password_made_of_the_users_own_email() {
    let account = User {
        email: email("grace.hopper@example.com"),
        ..user()
    };
    let mut ports = reset_link_of(&account, Some(account.clone()));
    nothing_written(&mut ports);

    let result = ports
        .credentials()
        .reset_password(reset("grace.hopper@example.com"), &context())
        .await;

    assert!(matches!(
        result,
        Err(ResetPasswordError::InvalidPassword(PasswordError::TooWeak))
    ));
}

#[tokio::test]
async fn reset_password_writes_nothing_when_the_hashing_queue_is_full() {
    let account = user();
    let mut ports = reset_link_of(&account, Some(account.clone()));
    ports
        .hasher
        .expect_hash()
        .returning(|_| Err(InfraError::Overloaded));
    ports
        .users
        .expect_redeem_token()
        .with(always(), always(), always())
        .never();

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(
        result,
        Err(ResetPasswordError::Infra(InfraError::Overloaded))
    ));
}

#[tokio::test]
async fn reset_password_loses_to_a_concurrent_use_of_the_same_token() {
    let account = user();
    let mut ports = reset_link_of(&account, Some(account.clone()));
    hashing(&mut ports);
    ports
        .users
        .expect_redeem_token()
        .returning(|_, _, _| Err(RedeemTokenError::TokenUnusable));
    ports.throttle.expect_clear().never();

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(result, Err(ResetPasswordError::InvalidOrExpired)));
}

#[tokio::test]
async fn reset_password_passes_a_store_failure_on_without_clearing_the_failures() {
    let account = user();
    let mut ports = reset_link_of(&account, Some(account.clone()));
    hashing(&mut ports);
    ports
        .users
        .expect_redeem_token()
        .returning(|_, _, _| Err(RedeemTokenError::Infra(InfraError::unexpected("down"))));
    ports.throttle.expect_clear().never();

    let result = ports
        .credentials()
        .reset_password(reset(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(result, Err(ResetPasswordError::Infra(_))));
}
