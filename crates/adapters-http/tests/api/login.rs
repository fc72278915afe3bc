use chrono::Duration;
use domain::{InfraError, User};
use serde_json::json;

use crate::support::*;

fn login(body: &serde_json::Value) -> actix_web::test::TestRequest {
    post_json("/api/v1/auth/login", body)
}

fn credentials() -> serde_json::Value {
    json!({"email": "ada@example.com", "password": PASSWORD})
}

#[actix_web::test]
async fn login_answers_200_with_a_bearer_token_pair() {
    let mut fixture = Fixture::new();
    fixture.login_succeeds(&user());

    let reply = send(&fixture.app(), login(&credentials())).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    let pair = reply.json();
    assert_eq!(pair["access_token"], ACCESS_TOKEN);
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert_eq!(pair["refresh_token"], NEW_REFRESH_TOKEN);
    assert_eq!(pair["refresh_expires_in"], 2_592_000);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn login_never_answers_with_the_password_or_the_hash() {
    let mut fixture = Fixture::new();
    fixture.login_succeeds(&user());

    let reply = send(&fixture.app(), login(&credentials())).await;

    assert!(!reply.text().contains(PASSWORD));
    assert!(!reply.text().contains(STORED_HASH));
}

#[actix_web::test]
async fn login_with_wrong_credentials_answers_401_invalid_credentials() {
    let mut fixture = Fixture::new();
    fixture.password_check(Some(user()), false);

    let reply = send(&fixture.app(), login(&credentials())).await;

    reply.assert_problem(401, "invalid_credentials");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    assert!(!reply.text().contains(PASSWORD));
}

#[actix_web::test]
async fn login_with_an_unknown_email_answers_exactly_like_a_wrong_password() {
    let mut unknown = Fixture::new();
    unknown.password_check(None, false);
    let mut wrong = Fixture::new();
    wrong.password_check(Some(user()), false);

    let unknown = send(&unknown.app(), login(&credentials())).await;
    let wrong = send(&wrong.app(), login(&credentials())).await;

    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.body, wrong.body);
}

#[actix_web::test]
async fn login_of_a_disabled_account_answers_403_account_disabled() {
    let mut fixture = Fixture::new();
    fixture.password_check(
        Some(User {
            is_active: false,
            ..user()
        }),
        true,
    );

    let reply = send(&fixture.app(), login(&credentials())).await;

    reply.assert_problem(403, "account_disabled");
}

#[actix_web::test]
async fn login_with_an_unverified_email_when_required_answers_403_email_unverified() {
    let mut fixture = Fixture::new();
    fixture.auth.require_verified_email = true;
    fixture.password_check(
        Some(User {
            email_verified: false,
            ..user()
        }),
        true,
    );

    let reply = send(&fixture.app(), login(&credentials())).await;

    reply.assert_problem(403, "email_unverified");
}

#[actix_web::test]
async fn login_while_locked_out_answers_429_with_retry_after() {
    let mut fixture = Fixture::new();
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| {
            Ok(domain::ports::Admission::Locked {
                until: now() + Duration::seconds(120),
            })
        });

    let reply = send(&fixture.app(), login(&credentials())).await;

    reply.assert_problem(429, "too_many_requests");
    assert_eq!(reply.header("retry-after"), Some("120"));
}

#[actix_web::test]
async fn login_while_the_allowance_is_in_flight_answers_429_with_retry_after_1() {
    let mut fixture = Fixture::new();
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Busy));

    let reply = send(&fixture.app(), login(&credentials())).await;

    reply.assert_problem(429, "too_many_requests");
    assert_eq!(reply.header("retry-after"), Some("1"));
}

#[actix_web::test]
async fn login_when_hashing_is_overloaded_answers_503_with_retry_after() {
    let mut fixture = Fixture::new();
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    fixture
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(user())));
    fixture
        .hasher
        .expect_verify()
        .returning(|_, _| Err(InfraError::Overloaded));
    fixture
        .throttle
        .expect_abandon()
        .times(1)
        .returning(|_| Ok(()));

    let reply = send(&fixture.app(), login(&credentials())).await;

    reply.assert_problem(503, "overloaded");
    assert_eq!(reply.header("retry-after"), Some("1"));
}

#[actix_web::test]
async fn login_with_a_malformed_email_answers_422_email() {
    let request = login(&json!({"email": "ada", "password": PASSWORD}));

    let reply = send(&Fixture::new().app(), request).await;

    assert_eq!(reply.field_errors(), [("email".into(), "email".into())]);
}

#[actix_web::test]
async fn login_without_a_password_answers_422_required() {
    let request = login(&json!({"email": "ada@example.com"}));

    let reply = send(&Fixture::new().app(), request).await;

    assert_eq!(
        reply.field_errors(),
        [("password".into(), "required".into())]
    );
}

#[actix_web::test]
async fn login_with_a_number_for_the_password_answers_400_without_echoing_it() {
    let request = login(&json!({"email": "ada@example.com", "password": 314159265358_u64}));

    let reply = send(&Fixture::new().app(), request).await;

    let problem = reply.assert_problem(400, "malformed_request");
    assert_eq!(problem["detail"], "`password` has the wrong JSON type");
    assert!(!reply.text().contains("314159265358"));
}

#[actix_web::test]
async fn login_with_null_for_the_password_answers_400() {
    let request = login(&json!({"email": "ada@example.com", "password": null}));

    let reply = send(&Fixture::new().app(), request).await;

    let problem = reply.assert_problem(400, "malformed_request");
    assert_eq!(problem["detail"], "`password` must not be null");
}
