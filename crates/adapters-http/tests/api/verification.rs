//! Email verification (and its resend) and email-change confirmation.

use actix_web::test::TestRequest;
use domain::{ChangeEmailError, Email, InfraError, MailKind, OneTimeToken, TokenPurpose, User};
use mockall::predicate::always;
use serde_json::json;

use crate::support::*;

fn verify(body: &serde_json::Value) -> TestRequest {
    post_json("/api/v1/auth/verify-email", body)
}

fn confirm(body: &serde_json::Value) -> TestRequest {
    post_json("/api/v1/auth/confirm-email", body)
}

fn resend() -> TestRequest {
    TestRequest::post().uri("/api/v1/auth/verify-email/resend")
}

fn unverified() -> User {
    User {
        email_verified: false,
        ..user()
    }
}

#[actix_web::test]
async fn verify_email_with_a_usable_token_answers_204_and_verifies_the_address() {
    let mut fixture = Fixture::new();
    let account = unverified();
    let user_id = account.id;
    fixture.link_token(Some(stored_token(&account, TokenPurpose::VerifyEmail)));
    fixture
        .users
        .expect_redeem_token()
        .times(1)
        .returning(move |_, change, _| {
            assert_eq!(change.user_id, user_id);
            assert_eq!(change.email_verified, Some(true));
            Ok(user())
        });

    let reply = send(&fixture.app(), verify(&json!({"token": LINK_TOKEN}))).await;

    reply.assert_no_content();
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn verify_email_with_an_unknown_token_answers_422_invalid_or_expired_token() {
    let mut fixture = Fixture::new();
    fixture.link_token(None);

    let reply = send(&fixture.app(), verify(&json!({"token": "made-up-token"}))).await;

    reply.assert_problem(422, "invalid_or_expired_token");
    assert!(!reply.text().contains("made-up-token"));
}

#[actix_web::test]
async fn verify_email_with_a_used_token_answers_422_invalid_or_expired_token() {
    let mut fixture = Fixture::new();
    fixture.link_token(Some(OneTimeToken {
        used_at: Some(now()),
        ..stored_token(&unverified(), TokenPurpose::VerifyEmail)
    }));

    let reply = send(&fixture.app(), verify(&json!({"token": LINK_TOKEN}))).await;

    reply.assert_problem(422, "invalid_or_expired_token");
}

#[actix_web::test]
async fn verify_email_refuses_a_reset_link_token() {
    let mut fixture = Fixture::new();
    fixture.link_token(Some(stored_token(&user(), TokenPurpose::ResetPassword)));

    let reply = send(&fixture.app(), verify(&json!({"token": LINK_TOKEN}))).await;

    reply.assert_problem(422, "invalid_or_expired_token");
}

#[actix_web::test]
async fn verify_email_without_a_token_answers_422_required_and_lists_unknown_fields() {
    let reply = send(&Fixture::new().app(), verify(&json!({"email": "x"}))).await;

    assert_eq!(
        reply.field_errors(),
        [
            ("token".into(), "required".into()),
            ("email".into(), "unknown_field".into()),
        ]
    );
}

#[actix_web::test]
async fn verify_email_with_a_number_for_the_token_answers_400() {
    let reply = send(&Fixture::new().app(), verify(&json!({"token": 42}))).await;

    let problem = reply.assert_problem(400, "malformed_request");
    assert_eq!(problem["detail"], "`token` has the wrong JSON type");
}

#[actix_web::test]
async fn resend_answers_202_with_an_empty_body_and_queues_a_fresh_link() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&unverified());
    fixture.hashing_works();
    fixture
        .one_time_tokens
        .expect_issue()
        .times(1)
        .returning(|token, effects| {
            assert_eq!(token.purpose, TokenPurpose::VerifyEmail);
            assert_eq!(effects.mails.len(), 1);
            assert_eq!(effects.mails[0].kind, MailKind::VerifyEmail);
            Ok(())
        });

    let reply = send(&fixture.app(), bearer(resend())).await;

    reply.assert_accepted();
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn resend_for_a_verified_address_answers_the_same_202_and_sends_nothing() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    fixture
        .one_time_tokens
        .expect_issue()
        .with(always(), always())
        .never();

    let reply = send(&fixture.app(), bearer(resend())).await;

    reply.assert_accepted();
}

#[actix_web::test]
async fn resend_without_a_token_answers_401_unauthenticated() {
    let reply = send(&Fixture::new().app(), resend()).await;

    reply.assert_problem(401, "unauthenticated");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn resend_when_the_database_is_down_answers_503_not_ready() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&unverified());
    fixture.hashing_works();
    fixture
        .one_time_tokens
        .expect_issue()
        .returning(|_, _| Err(InfraError::Unavailable("pool timed out".into())));

    let reply = send(&fixture.app(), bearer(resend())).await;

    reply.assert_problem(503, "not_ready");
}

fn change_link() -> OneTimeToken {
    OneTimeToken {
        new_email: Some(Email::parse("ada@new.example.org").unwrap()),
        ..stored_token(&user(), TokenPurpose::ChangeEmail)
    }
}

#[actix_web::test]
async fn confirm_email_switches_to_the_new_address_and_answers_204() {
    let mut fixture = Fixture::new();
    fixture.link_token(Some(change_link()));
    fixture
        .users
        .expect_change_email()
        .times(1)
        .returning(|_, email, change, _| {
            assert_eq!(email.as_str(), "ada@new.example.org");
            assert_eq!(change.email_verified, Some(true));
            Ok(user())
        });

    let reply = send(&fixture.app(), confirm(&json!({"token": LINK_TOKEN}))).await;

    reply.assert_no_content();
}

#[actix_web::test]
async fn confirm_email_with_an_unknown_token_answers_422_invalid_or_expired_token() {
    let mut fixture = Fixture::new();
    fixture.link_token(None);

    let reply = send(&fixture.app(), confirm(&json!({"token": "made-up"}))).await;

    reply.assert_problem(422, "invalid_or_expired_token");
}

#[actix_web::test]
async fn confirm_email_refuses_a_verification_token() {
    let mut fixture = Fixture::new();
    fixture.link_token(Some(stored_token(&user(), TokenPurpose::VerifyEmail)));

    let reply = send(&fixture.app(), confirm(&json!({"token": LINK_TOKEN}))).await;

    reply.assert_problem(422, "invalid_or_expired_token");
}

#[actix_web::test]
async fn confirm_email_when_the_address_was_taken_meanwhile_answers_409_email_taken() {
    let mut fixture = Fixture::new();
    fixture.link_token(Some(change_link()));
    fixture
        .users
        .expect_change_email()
        .returning(|_, _, _, _| Err(ChangeEmailError::EmailTaken));

    let reply = send(&fixture.app(), confirm(&json!({"token": LINK_TOKEN}))).await;

    reply.assert_problem(409, "email_taken");
}

#[actix_web::test]
async fn confirm_email_without_a_token_answers_422_required() {
    let reply = send(&Fixture::new().app(), confirm(&json!({}))).await;

    assert_eq!(reply.field_errors(), [("token".into(), "required".into())]);
}
