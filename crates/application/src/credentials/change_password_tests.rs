use chrono::Duration;
use domain::{PasswordError, PasswordHash, TokenPurpose, User};
use mockall::predicate::always;

use super::*;
use crate::test_support::*;
use domain::InfraError;

const NEW_PASSWORD: &str = "correct horse battery staple";

fn current() -> PlainPassword {
    PlainPassword::new("the current password")
}

fn change(new_password: &str) -> ChangePasswordCommand {
    ChangePasswordCommand {
        current: current(),
        new_password: new_password.into(),
    }
}

/// The current password of `user` checks out (`verified`), unlocked.
fn current_password(ports: &mut MockPorts, user: &User, verified: bool) {
    let found = user.clone();
    ports
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    ports
        .users
        .expect_find_by_email()
        .return_once(move |_| Ok(Some(found)));
    ports
        .hasher
        .expect_verify()
        .return_once(move |_, _| Ok(verified));
}

fn accepted(ports: &mut MockPorts, user: &User) {
    current_password(ports, user, true);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .hasher
        .expect_hash()
        .returning(|_| Ok(PasswordHash::new("new-hash".into())));
}

#[tokio::test]
async fn change_password_stores_the_new_hash_and_ends_every_other_session() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    let (user_id, session_id) = (principal.user.id, principal.session_id);
    accepted(&mut ports, &principal.user);
    ports
        .users
        .expect_apply_change()
        .times(1)
        .returning(move |change, _| {
            assert_eq!(change.user_id, user_id);
            assert_eq!(change.at, now());
            assert_eq!(
                change.password_hash.as_ref().map(PasswordHash::expose),
                Some("new-hash")
            );
            assert_eq!(change.end_sessions, EndSessions::AllExcept(session_id));
            assert_eq!(
                change.void_tokens,
                [TokenPurpose::ResetPassword, TokenPurpose::ChangeEmail]
            );
            assert_eq!(change.email_verified, None);
            Ok(user())
        });

    let result = ports
        .credentials()
        .change_password(&principal, change(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn change_password_records_the_event_and_queues_the_notice_in_the_same_write() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    let user_id = principal.user.id;
    accepted(&mut ports, &principal.user);
    ports
        .users
        .expect_apply_change()
        .times(1)
        .returning(move |_, effects| {
            assert_eq!(effects.events.len(), 1);
            assert_eq!(effects.events[0].kind, EventKind::PasswordChanged);
            assert_eq!(effects.events[0].user_id, user_id);
            assert_eq!(effects.events[0].user_agent.as_deref(), Some("test-agent"));
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
        .change_password(&principal, change(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn change_password_hashes_the_new_password_not_the_current_one() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    current_password(&mut ports, &principal.user, true);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .hasher
        .expect_hash()
        .withf(|password| password.expose() == NEW_PASSWORD)
        .times(1)
        .returning(|_| Ok(PasswordHash::new("new-hash".into())));
    ports
        .users
        .expect_apply_change()
        .returning(|_, _| Ok(user()));

    let result = ports
        .credentials()
        .change_password(&principal, change(NEW_PASSWORD), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn a_weak_new_password_is_refused_before_any_password_check_or_write() {
    let mut ports = MockPorts::new();
    ports.throttle.expect_begin_attempt().never();
    ports.hasher.expect_verify().never();
    ports.hasher.expect_hash().never();
    ports
        .users
        .expect_apply_change()
        .with(always(), always())
        .never();

    let result = ports
        .credentials()
        .change_password(&principal_of(&user()), change("password1234"), &context())
        .await;

    assert!(matches!(
        result,
        Err(ChangePasswordError::InvalidPassword(PasswordError::TooWeak))
    ));
}

#[tokio::test]
async fn a_wrong_current_password_is_invalid_credentials_and_counts_a_failure() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    current_password(&mut ports, &principal.user, false);
    ports
        .throttle
        .expect_record_failure()
        .withf(|key, _, _, effects, _| {
            key == "ada@example.com" && effects.events[0].kind == EventKind::LoginFailed
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(None));
    ports.hasher.expect_hash().never();
    ports
        .users
        .expect_apply_change()
        .with(always(), always())
        .never();

    let result = ports
        .credentials()
        .change_password(&principal, change(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(
        result,
        Err(ChangePasswordError::InvalidCredentials)
    ));
}

#[tokio::test]
async fn a_locked_out_account_cannot_change_its_password_even_with_the_right_one() {
    let mut ports = MockPorts::new();
    ports.throttle.expect_begin_attempt().returning(|_, _, _| {
        Ok(domain::ports::Admission::Locked {
            until: now() + Duration::seconds(120),
        })
    });
    ports.hasher.expect_verify().never();
    ports.hasher.expect_hash().never();

    let result = ports
        .credentials()
        .change_password(&principal_of(&user()), change(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(
        result,
        Err(ChangePasswordError::LockedOut {
            retry_after_secs: 120
        })
    ));
}

#[tokio::test]
async fn change_password_writes_nothing_when_the_hashing_queue_is_full() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    current_password(&mut ports, &principal.user, true);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .hasher
        .expect_hash()
        .returning(|_| Err(InfraError::Overloaded));
    ports
        .users
        .expect_apply_change()
        .with(always(), always())
        .never();

    let result = ports
        .credentials()
        .change_password(&principal, change(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(
        result,
        Err(ChangePasswordError::Infra(InfraError::Overloaded))
    ));
}

#[tokio::test]
async fn change_password_of_an_account_deleted_meanwhile_is_invalid_credentials() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    accepted(&mut ports, &principal.user);
    ports
        .users
        .expect_apply_change()
        .returning(|_, _| Err(UserChangeError::NotFound));

    let result = ports
        .credentials()
        .change_password(&principal, change(NEW_PASSWORD), &context())
        .await;

    assert!(matches!(
        result,
        Err(ChangePasswordError::InvalidCredentials)
    ));
}
