use chrono::Duration;
use domain::{InfraError, User, UserId};
use mockall::predicate::always;

use super::*;
use crate::test_support::*;

fn current() -> PlainPassword {
    PlainPassword::new("the current password")
}

fn change_to(new_email: Email) -> RequestEmailChangeCommand {
    RequestEmailChangeCommand {
        new_email,
        password: current(),
    }
}

fn new_email() -> Email {
    email("ada@new.example.org")
}

/// The current password of `user` checks out (`verified`), unlocked; the
/// password check looks the user up by their current email.
fn current_password(ports: &mut MockPorts, user: &User, verified: bool) {
    let found = user.clone();
    ports
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    ports
        .users
        .expect_find_by_email()
        .withf(|email| email.as_str() == "ada@example.com")
        .return_once(move |_| Ok(Some(found)));
    ports
        .hasher
        .expect_verify()
        .return_once(move |_, _| Ok(verified));
}

/// The right password, and the new address belongs to `owner`.
fn accepted(ports: &mut MockPorts, user: &User, owner: Option<User>) {
    current_password(ports, user, true);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .users
        .expect_find_by_email()
        .withf(|email| email.as_str() == "ada@new.example.org")
        .return_once(move |_| Ok(owner));
}

fn nothing_issued(ports: &mut MockPorts) {
    ports.secrets.expect_generate().never();
    ports
        .one_time_tokens
        .expect_issue()
        .with(always(), always())
        .never();
}

#[tokio::test]
async fn request_email_change_issues_a_change_email_token_for_the_new_address() {
    let mut ports = MockPorts::new().with_fresh_token();
    let principal = principal_of(&user());
    let user_id = principal.user.id;
    accepted(&mut ports, &principal.user, None);
    ports
        .one_time_tokens
        .expect_issue()
        .times(1)
        .returning(move |token, _| {
            assert_eq!(token.hash.expose(), FRESH_HASH);
            assert_eq!(token.user_id, user_id);
            assert_eq!(token.purpose, TokenPurpose::ChangeEmail);
            assert_eq!(token.new_email, Some(new_email()));
            assert_eq!(token.created_at, now());
            assert_eq!(token.expires_at, now() + Duration::seconds(86_400));
            Ok(())
        });

    let result = ports
        .account()
        .request_email_change(&principal, change_to(new_email()), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn request_email_change_sends_the_confirmation_link_to_the_new_address() {
    let mut ports = MockPorts::new().with_fresh_token();
    let principal = principal_of(&user());
    accepted(&mut ports, &principal.user, None);
    ports
        .one_time_tokens
        .expect_issue()
        .times(1)
        .returning(|_, effects| {
            let confirm: Vec<_> = effects
                .mails
                .iter()
                .filter(|mail| mail.kind == MailKind::EmailChangeConfirm)
                .collect();
            assert_eq!(confirm.len(), 1);
            assert_eq!(confirm[0].to.as_str(), "ada@new.example.org");
            assert_eq!(confirm[0].recipient_name, "Ada");
            assert_eq!(
                confirm[0].link.as_deref(),
                Some("http://127.0.0.1:8080/confirm-email?token=fresh-token")
            );
            Ok(())
        });

    let result = ports
        .account()
        .request_email_change(&principal, change_to(new_email()), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn request_email_change_sends_a_notice_without_a_link_to_the_old_address() {
    let mut ports = MockPorts::new().with_fresh_token();
    let principal = principal_of(&user());
    accepted(&mut ports, &principal.user, None);
    ports
        .one_time_tokens
        .expect_issue()
        .times(1)
        .returning(|_, effects| {
            assert_eq!(effects.mails.len(), 2);
            let notice: Vec<_> = effects
                .mails
                .iter()
                .filter(|mail| mail.kind == MailKind::EmailChangeNotice)
                .collect();
            assert_eq!(notice.len(), 1);
            assert_eq!(notice[0].to.as_str(), "ada@example.com");
            assert_eq!(notice[0].recipient_name, "Ada");
            assert_eq!(notice[0].link, None);
            Ok(())
        });

    let result = ports
        .account()
        .request_email_change(&principal, change_to(new_email()), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn request_email_change_records_the_event_with_the_token_and_changes_nothing_else() {
    let mut ports = MockPorts::new().with_fresh_token();
    let principal = principal_of(&user());
    let user_id = principal.user.id;
    accepted(&mut ports, &principal.user, None);
    ports
        .one_time_tokens
        .expect_issue()
        .times(1)
        .returning(move |_, effects| {
            assert_eq!(effects.events.len(), 1);
            assert_eq!(effects.events[0].kind, EventKind::EmailChangeRequested);
            assert_eq!(effects.events[0].user_id, user_id);
            assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.1"));
            assert!(effects.tokens.is_empty());
            Ok(())
        });
    ports
        .users
        .expect_apply_change()
        .with(always(), always())
        .never();

    let result = ports
        .account()
        .request_email_change(&principal, change_to(new_email()), &context())
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn request_email_change_to_an_address_of_another_account_is_email_taken() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    let owner = User {
        id: UserId::generate(),
        email: new_email(),
        ..user()
    };
    accepted(&mut ports, &principal.user, Some(owner));
    nothing_issued(&mut ports);

    let result = ports
        .account()
        .request_email_change(&principal, change_to(new_email()), &context())
        .await;

    assert!(matches!(result, Err(RequestEmailChangeError::EmailTaken)));
}

#[tokio::test]
async fn request_email_change_to_the_callers_own_address_is_email_taken() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    let own = principal.user.clone();
    ports
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    ports.hasher.expect_verify().returning(|_, _| Ok(true));
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    // Once for the password check, once for the new address: the same one.
    ports
        .users
        .expect_find_by_email()
        .withf(|email| email.as_str() == "ada@example.com")
        .times(2)
        .returning(move |_| Ok(Some(own.clone())));
    nothing_issued(&mut ports);

    let result = ports
        .account()
        .request_email_change(&principal, change_to(email("ADA@example.com")), &context())
        .await;

    assert!(matches!(result, Err(RequestEmailChangeError::EmailTaken)));
}

#[tokio::test]
async fn a_wrong_password_is_invalid_credentials_before_the_address_is_looked_up() {
    let mut ports = MockPorts::new();
    let principal = principal_of(&user());
    current_password(&mut ports, &principal.user, false);
    ports
        .throttle
        .expect_record_failure()
        .withf(|key, _, _, _, _| key == "ada@example.com")
        .times(1)
        .returning(|_, _, _, _, _| Ok(None));
    ports
        .users
        .expect_find_by_email()
        .withf(|email| email.as_str() == "ada@new.example.org")
        .never();
    nothing_issued(&mut ports);

    let result = ports
        .account()
        .request_email_change(&principal, change_to(new_email()), &context())
        .await;

    assert!(matches!(
        result,
        Err(RequestEmailChangeError::InvalidCredentials)
    ));
}

#[tokio::test]
async fn a_locked_out_account_cannot_request_an_email_change() {
    let mut ports = MockPorts::new();
    ports.throttle.expect_begin_attempt().returning(|_, _, _| {
        Ok(domain::ports::Admission::Locked {
            until: now() + Duration::seconds(30),
        })
    });
    ports.hasher.expect_verify().never();
    nothing_issued(&mut ports);

    let result = ports
        .account()
        .request_email_change(&principal_of(&user()), change_to(new_email()), &context())
        .await;

    assert!(matches!(
        result,
        Err(RequestEmailChangeError::LockedOut {
            retry_after_secs: 30
        })
    ));
}

#[tokio::test]
async fn request_email_change_passes_a_store_failure_on() {
    let mut ports = MockPorts::new().with_fresh_token();
    let principal = principal_of(&user());
    accepted(&mut ports, &principal.user, None);
    ports
        .one_time_tokens
        .expect_issue()
        .returning(|_, _| Err(InfraError::unexpected("down")));

    let result = ports
        .account()
        .request_email_change(&principal, change_to(new_email()), &context())
        .await;

    assert!(matches!(result, Err(RequestEmailChangeError::Infra(_))));
}
