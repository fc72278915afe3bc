//! Forgot password and reset password.

use actix_web::test::TestRequest;
use domain::{EndSessions, InfraError, TokenPurpose, User};
use mockall::predicate::always;
use serde_json::json;

use crate::support::*;

fn forgot(body: &serde_json::Value) -> TestRequest {
    post_json("/api/v1/auth/forgot-password", body)
}

fn reset(body: &serde_json::Value) -> TestRequest {
    post_json("/api/v1/auth/reset-password", body)
}

fn registered(fixture: &mut Fixture, account: Option<User>) {
    fixture
        .users
        .expect_find_by_email()
        .returning(move |email| {
            Ok(account
                .clone()
                .filter(|user| user.email.as_str() == email.as_str()))
        });
}

#[actix_web::test]
async fn forgot_password_for_an_active_account_queues_a_reset_link_and_answers_202() {
    let mut fixture = Fixture::new();
    registered(&mut fixture, Some(user()));
    fixture.hashing_works();
    fixture
        .one_time_tokens
        .expect_issue()
        .times(1)
        .returning(|token, effects| {
            assert_eq!(token.purpose, TokenPurpose::ResetPassword);
            assert_eq!(effects.mails.len(), 1);
            Ok(())
        });

    let reply = send(&fixture.app(), forgot(&json!({"email": "Ada@Example.com"}))).await;

    reply.assert_accepted();
}

#[actix_web::test]
async fn forgot_password_answers_an_unknown_email_exactly_like_a_known_one() {
    let mut known = Fixture::new();
    registered(&mut known, Some(user()));
    known.hashing_works();
    known
        .one_time_tokens
        .expect_issue()
        .returning(|_, _| Ok(()));
    let mut unknown = Fixture::new();
    registered(&mut unknown, None);
    unknown
        .one_time_tokens
        .expect_issue()
        .with(always(), always())
        .never();
    let body = json!({"email": "ada@example.com"});

    let known = send(&known.app(), forgot(&body)).await;
    let unknown = send(&unknown.app(), forgot(&body)).await;

    unknown.assert_accepted();
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    for header in ["content-type", "content-length", "cache-control"] {
        assert_eq!(known.header(header), unknown.header(header), "{header}");
    }
}

#[actix_web::test]
async fn forgot_password_with_a_malformed_email_answers_422_naming_the_field() {
    let reply = send(&Fixture::new().app(), forgot(&json!({"email": "ada"}))).await;

    assert_eq!(reply.field_errors(), [("email".into(), "email".into())]);
}

#[actix_web::test]
async fn forgot_password_without_an_email_answers_422_required() {
    let reply = send(&Fixture::new().app(), forgot(&json!({}))).await;

    assert_eq!(reply.field_errors(), [("email".into(), "required".into())]);
}

/// A reset with `LINK_TOKEN` of `account` finds the account.
fn reset_link_of(fixture: &mut Fixture, account: &User) {
    fixture.link_token(Some(stored_token(account, TokenPurpose::ResetPassword)));
    let account = account.clone();
    fixture
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(account.clone())));
}

#[actix_web::test]
async fn reset_password_sets_the_password_ends_every_session_and_answers_204() {
    let mut fixture = Fixture::new();
    let account = user();
    reset_link_of(&mut fixture, &account);
    fixture.hashing_works();
    fixture
        .users
        .expect_redeem_token()
        .times(1)
        .returning(|_, change, _| {
            assert!(change.password_hash.is_some());
            assert_eq!(change.end_sessions, EndSessions::All);
            assert_eq!(change.email_verified, Some(true));
            Ok(user())
        });
    fixture.throttle.expect_clear().returning(|_| Ok(()));
    let body = json!({"token": LINK_TOKEN, "new_password": PASSWORD});

    let reply = send(&fixture.app(), reset(&body)).await;

    reply.assert_no_content();
}

#[actix_web::test]
async fn reset_password_with_an_unknown_token_answers_422_whatever_the_password() {
    let mut fixture = Fixture::new();
    fixture.link_token(None);
    let body = json!({"token": "made-up", "new_password": "short"});

    let reply = send(&fixture.app(), reset(&body)).await;

    reply.assert_problem(422, "invalid_or_expired_token");
    assert!(!reply.text().contains("made-up"));
}

#[actix_web::test]
async fn reset_password_with_a_weak_password_answers_422_on_new_password_with_the_rule() {
    let mut fixture = Fixture::new();
    reset_link_of(&mut fixture, &user());
    let body = json!({"token": LINK_TOKEN, "new_password": "s3cr3t-abc"});

    let reply = send(&fixture.app(), reset(&body)).await;

    assert_eq!(
        reply.field_errors(),
        [("new_password".into(), "password_too_short".into())]
    );
    assert!(!reply.text().contains("s3cr3t-abc"));
}

#[actix_web::test]
async fn reset_password_refuses_a_password_built_from_the_accounts_email() {
    let mut fixture = Fixture::new();
    reset_link_of(&mut fixture, &user());
    let body = json!({"token": LINK_TOKEN, "new_password": "ada@example.com"});

    let reply = send(&fixture.app(), reset(&body)).await;

    assert_eq!(
        reply.field_errors(),
        [("new_password".into(), "password_too_weak".into())]
    );
}

#[actix_web::test]
async fn reset_password_with_missing_fields_answers_422_required_for_each() {
    let reply = send(&Fixture::new().app(), reset(&json!({"password": PASSWORD}))).await;

    assert_eq!(
        reply.field_errors(),
        [
            ("token".into(), "required".into()),
            ("new_password".into(), "required".into()),
            ("password".into(), "unknown_field".into()),
        ]
    );
    assert!(!reply.text().contains(PASSWORD));
}

#[actix_web::test]
async fn reset_password_when_hashing_is_overloaded_answers_503_with_retry_after() {
    let mut fixture = Fixture::new();
    reset_link_of(&mut fixture, &user());
    fixture
        .hasher
        .expect_hash()
        .returning(|_| Err(InfraError::Overloaded));
    let body = json!({"token": LINK_TOKEN, "new_password": PASSWORD});

    let reply = send(&fixture.app(), reset(&body)).await;

    reply.assert_problem(503, "overloaded");
    assert_eq!(reply.header("retry-after"), Some("1"));
}
