use chrono::Duration;
use domain::{InfraError, User};

use crate::support::*;

const PASSWORD_GRANT: &str =
    "grant_type=password&username=ada%40example.com&password=correct+horse+battery+staple";

#[actix_web::test]
async fn the_password_grant_answers_200_with_an_uncacheable_token_pair() {
    let mut fixture = Fixture::new();
    fixture.login_succeeds(&user());

    let reply = send(&fixture.app(), post_form(PASSWORD_GRANT)).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["access_token"], ACCESS_TOKEN);
    assert_eq!(reply.json()["token_type"], "Bearer");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("pragma"), Some("no-cache"));
}

#[actix_web::test]
async fn the_password_grant_ignores_unrecognised_parameters() {
    let mut fixture = Fixture::new();
    fixture.login_succeeds(&user());
    let body = format!("{PASSWORD_GRANT}&scope=&client_id=swagger");

    let reply = send(&fixture.app(), post_form(&body)).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[actix_web::test]
async fn wrong_credentials_answer_400_invalid_grant_as_plain_json() {
    let mut fixture = Fixture::new();
    fixture.password_check(Some(user()), false);

    let reply = send(&fixture.app(), post_form(PASSWORD_GRANT)).await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json()["error"], "invalid_grant");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert!(!reply.text().contains("correct horse"));
}

#[actix_web::test]
async fn a_disabled_account_answers_invalid_grant() {
    let mut fixture = Fixture::new();
    fixture.password_check(
        Some(User {
            is_active: false,
            ..user()
        }),
        true,
    );

    let reply = send(&fixture.app(), post_form(PASSWORD_GRANT)).await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_grant");
}

#[actix_web::test]
async fn a_username_that_is_not_an_email_answers_invalid_grant() {
    let body = "grant_type=password&username=ada&password=x";

    let reply = send(&Fixture::new().app(), post_form(body)).await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_grant");
}

#[actix_web::test]
async fn the_refresh_token_grant_answers_200_with_a_new_pair() {
    let mut fixture = Fixture::new();
    fixture.refresh_succeeds(&user());
    let body = format!("grant_type=refresh_token&refresh_token={REFRESH_TOKEN}");

    let reply = send(&fixture.app(), post_form(&body)).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["refresh_token"], NEW_REFRESH_TOKEN);
}

#[actix_web::test]
async fn a_bad_refresh_token_answers_invalid_grant_without_echoing_it() {
    let mut fixture = Fixture::new();
    fixture.refresh_succeeds(&user());

    let reply = send(
        &fixture.app(),
        post_form("grant_type=refresh_token&refresh_token=stolen-guess-123"),
    )
    .await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_grant");
    assert!(!reply.text().contains("stolen-guess-123"));
}

#[actix_web::test]
async fn an_unknown_grant_type_answers_unsupported_grant_type() {
    let reply = send(
        &Fixture::new().app(),
        post_form("grant_type=client_credentials"),
    )
    .await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "unsupported_grant_type");
}

#[actix_web::test]
async fn a_missing_parameter_answers_invalid_request() {
    for body in [
        "",
        "username=a%40b.c&password=x",
        "grant_type=password&username=a%40b.c",
        "grant_type=refresh_token&refresh_token=",
    ] {
        let reply = send(&Fixture::new().app(), post_form(body)).await;

        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.json()["error"], "invalid_request", "{body}");
    }
}

#[actix_web::test]
async fn a_repeated_parameter_answers_invalid_request() {
    let body = format!("{PASSWORD_GRANT}&password=other");

    let reply = send(&Fixture::new().app(), post_form(&body)).await;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_request");
}

#[actix_web::test]
async fn a_json_body_answers_415_as_a_problem() {
    let request = post_json(
        "/api/v1/auth/token",
        &serde_json::json!({"grant_type": "password"}),
    );

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn the_password_grant_while_locked_out_answers_429_as_a_problem() {
    let mut fixture = Fixture::new();
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| {
            Ok(domain::ports::Admission::Locked {
                until: now() + Duration::seconds(30),
            })
        });

    let reply = send(&fixture.app(), post_form(PASSWORD_GRANT)).await;

    reply.assert_problem(429, "too_many_requests");
    assert_eq!(reply.header("retry-after"), Some("30"));
}

#[actix_web::test]
async fn the_password_grant_when_overloaded_answers_503_as_a_problem() {
    let mut fixture = Fixture::new();
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    fixture.users.expect_find_by_email().returning(|_| Ok(None));
    fixture
        .hasher
        .expect_verify_dummy()
        .returning(|_| Err(InfraError::Overloaded));
    fixture
        .throttle
        .expect_abandon()
        .times(1)
        .returning(|_| Ok(()));

    let reply = send(&fixture.app(), post_form(PASSWORD_GRANT)).await;

    reply.assert_problem(503, "overloaded");
    assert_eq!(reply.header("retry-after"), Some("1"));
}
