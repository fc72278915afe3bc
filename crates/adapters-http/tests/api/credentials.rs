//! `PUT /api/v1/users/me/password` and `POST /api/v1/users/me/email`: the
//! operations that re-check the current password.

use actix_web::test::TestRequest;
use chrono::Duration;
use domain::{EndSessions, MailKind, TokenPurpose, User, UserId};
use serde_json::json;

use crate::support::*;

const NEW_PASSWORD: &str = "another horse battery staple";

fn change_password(body: &serde_json::Value) -> TestRequest {
    bearer(json_request(
        TestRequest::put(),
        "/api/v1/users/me/password",
        body,
    ))
}

fn change_email(body: &serde_json::Value) -> TestRequest {
    bearer(post_json("/api/v1/users/me/email", body))
}

fn passwords(current: &str) -> serde_json::Value {
    json!({"current_password": current, "new_password": NEW_PASSWORD})
}

fn email_change(new_email: &str) -> serde_json::Value {
    json!({"new_email": new_email, "current_password": PASSWORD})
}

fn locked_out(fixture: &mut Fixture) {
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| {
            Ok(domain::ports::Admission::Locked {
                until: now() + Duration::seconds(120),
            })
        });
}

#[actix_web::test]
async fn change_password_keeps_this_session_ends_the_others_and_answers_204() {
    let mut fixture = Fixture::new();
    let account = user();
    let session_id = fixture.authenticates(&account);
    fixture.password_check(Some(account), true);
    fixture.hashing_works();
    fixture
        .users
        .expect_apply_change()
        .times(1)
        .returning(move |change, effects| {
            assert!(change.password_hash.is_some());
            assert_eq!(change.end_sessions, EndSessions::AllExcept(session_id));
            assert_eq!(effects.mails[0].kind, MailKind::PasswordChanged);
            Ok(user())
        });

    let reply = send(&fixture.app(), change_password(&passwords(PASSWORD))).await;

    reply.assert_no_content();
}

#[actix_web::test]
async fn change_password_with_a_wrong_current_password_answers_401_invalid_credentials() {
    let mut fixture = Fixture::new();
    let account = user();
    fixture.authenticates(&account);
    fixture.password_check(Some(account), false);

    let reply = send(&fixture.app(), change_password(&passwords("wrong guess"))).await;

    reply.assert_problem(401, "invalid_credentials");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    assert!(!reply.text().contains("wrong guess"));
}

#[actix_web::test]
async fn change_password_while_locked_out_answers_429_with_retry_after() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    locked_out(&mut fixture);

    let reply = send(&fixture.app(), change_password(&passwords(PASSWORD))).await;

    reply.assert_problem(429, "too_many_requests");
    assert_eq!(reply.header("retry-after"), Some("120"));
}

#[actix_web::test]
async fn change_password_to_a_weak_one_answers_422_on_new_password_without_a_check() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let body = json!({"current_password": PASSWORD, "new_password": "Ada Lovelace"});

    let reply = send(&fixture.app(), change_password(&body)).await;

    assert_eq!(
        reply.field_errors(),
        [("new_password".into(), "password_too_weak".into())]
    );
}

#[actix_web::test]
async fn change_password_with_missing_fields_answers_422_required_for_each() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());

    let reply = send(&fixture.app(), change_password(&json!({}))).await;

    assert_eq!(
        reply.field_errors(),
        [
            ("current_password".into(), "required".into()),
            ("new_password".into(), "required".into()),
        ]
    );
}

#[actix_web::test]
async fn change_password_without_a_token_answers_401_unauthenticated() {
    let request = json_request(
        TestRequest::put(),
        "/api/v1/users/me/password",
        &passwords(PASSWORD),
    );

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn change_email_queues_the_confirmation_and_answers_202_with_an_empty_body() {
    let mut fixture = Fixture::new();
    let account = user();
    fixture.authenticates(&account);
    fixture.password_check(Some(account), true);
    fixture.hashing_works();
    fixture
        .one_time_tokens
        .expect_issue()
        .times(1)
        .returning(|token, effects| {
            assert_eq!(token.purpose, TokenPurpose::ChangeEmail);
            assert_eq!(
                token.new_email.as_ref().map(domain::Email::as_str),
                Some("ada@new.example.org")
            );
            let kinds: Vec<MailKind> = effects.mails.iter().map(|mail| mail.kind).collect();
            assert_eq!(
                kinds,
                [MailKind::EmailChangeConfirm, MailKind::EmailChangeNotice]
            );
            Ok(())
        });

    let reply = send(
        &fixture.app(),
        change_email(&email_change("Ada@New.Example.org")),
    )
    .await;

    reply.assert_accepted();
}

#[actix_web::test]
async fn change_email_with_a_wrong_password_answers_401_invalid_credentials() {
    let mut fixture = Fixture::new();
    let account = user();
    fixture.authenticates(&account);
    fixture.password_check(Some(account), false);

    let reply = send(
        &fixture.app(),
        change_email(&email_change("ada@new.example.org")),
    )
    .await;

    reply.assert_problem(401, "invalid_credentials");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn change_email_while_locked_out_answers_429_with_retry_after() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    locked_out(&mut fixture);

    let reply = send(
        &fixture.app(),
        change_email(&email_change("ada@new.example.org")),
    )
    .await;

    reply.assert_problem(429, "too_many_requests");
    assert_eq!(reply.header("retry-after"), Some("120"));
}

#[actix_web::test]
async fn change_email_to_a_taken_address_answers_409_email_taken() {
    let mut fixture = Fixture::new();
    let account = user();
    fixture.authenticates(&account);
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    fixture
        .users
        .expect_find_by_email()
        .returning(move |email| {
            Ok(Some(User {
                id: if email.as_str() == "ada@example.com" {
                    account.id
                } else {
                    UserId::generate()
                },
                email: email.clone(),
                ..account.clone()
            }))
        });
    fixture.hasher.expect_verify().returning(|_, _| Ok(true));
    fixture
        .throttle
        .expect_record_success()
        .returning(|_| Ok(()));

    let reply = send(
        &fixture.app(),
        change_email(&email_change("grace@example.com")),
    )
    .await;

    reply.assert_problem(409, "email_taken");
}

#[actix_web::test]
async fn change_email_with_a_malformed_address_answers_422_on_new_email() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());

    let reply = send(&fixture.app(), change_email(&email_change("not-an-email"))).await;

    assert_eq!(reply.field_errors(), [("new_email".into(), "email".into())]);
}

#[actix_web::test]
async fn change_email_with_missing_fields_answers_422_required_for_each() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());

    let reply = send(&fixture.app(), change_email(&json!({"email": "x@y.z"}))).await;

    assert_eq!(
        reply.field_errors(),
        [
            ("new_email".into(), "required".into()),
            ("current_password".into(), "required".into()),
            ("email".into(), "unknown_field".into()),
        ]
    );
}
