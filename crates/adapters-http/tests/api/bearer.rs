use actix_web::test::TestRequest;
use domain::InfraError;

use crate::support::*;

fn me() -> TestRequest {
    TestRequest::get().uri("/api/v1/users/me")
}

#[actix_web::test]
async fn me_answers_the_callers_account() {
    let mut fixture = Fixture::new();
    let user = user();
    fixture.authenticates(&user);

    let reply = send(&fixture.app(), bearer(me())).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["id"], user.id.to_string());
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["created_at"], "2026-11-23T19:00:00Z");
    assert!(!reply.text().contains(STORED_HASH));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn me_without_credentials_answers_401_unauthenticated_with_a_bearer_challenge() {
    let reply = send(&Fixture::new().app(), me()).await;

    reply.assert_problem(401, "unauthenticated");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn me_with_basic_credentials_answers_401_unauthenticated() {
    let request = me().insert_header(("authorization", "Basic YWRhOnNlY3JldA=="));

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(401, "unauthenticated");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
}

#[actix_web::test]
async fn me_with_a_blank_bearer_answers_401_unauthenticated() {
    let request = me().insert_header(("authorization", "Bearer   "));

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn me_with_a_bad_token_answers_401_invalid_token_with_the_error_challenge() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let request = me().insert_header(("authorization", "Bearer forged.token.value"));

    let reply = send(&fixture.app(), request).await;

    reply.assert_problem(401, "invalid_token");
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
    assert!(!reply.text().contains("forged"));
}

#[actix_web::test]
async fn me_with_any_query_parameter_answers_422_unknown_parameter() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let app = fixture.app();

    for (query, field) in [
        ("?fields=email", "fields"),
        ("?role=admin", "role"),
        ("?debug", "debug"),
        ("?%69d=1", "id"),
    ] {
        let request = bearer(TestRequest::get().uri(&format!("/api/v1/users/me{query}")));

        let reply = send(&app, request).await;

        assert_eq!(
            reply.field_errors(),
            [(field.into(), "unknown_parameter".into())],
            "{query}"
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
}

#[actix_web::test]
async fn me_with_an_empty_query_string_answers_the_account() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());

    let reply = send(
        &fixture.app(),
        bearer(TestRequest::get().uri("/api/v1/users/me?")),
    )
    .await;

    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[actix_web::test]
async fn me_checks_credentials_before_the_query() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let app = fixture.app();
    let with_query = || TestRequest::get().uri("/api/v1/users/me?role=admin");

    let missing = send(&app, with_query()).await;
    let bad = send(
        &app,
        with_query().insert_header(("authorization", "Bearer forged.token.value")),
    )
    .await;

    missing.assert_problem(401, "unauthenticated");
    bad.assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn logout_ends_the_session_and_answers_204() {
    let mut fixture = Fixture::new();
    let session_id = fixture.authenticates(&user());
    fixture
        .sessions
        .expect_revoke()
        .times(1)
        .returning(move |id, _, _| {
            assert_eq!(id, session_id);
            Ok(())
        });

    let reply = send(
        &fixture.app(),
        bearer(TestRequest::post().uri("/api/v1/auth/logout")),
    )
    .await;

    assert_eq!(reply.status, 204, "{}", reply.text());
    assert!(reply.body.is_empty());
}

#[actix_web::test]
async fn logout_without_a_token_answers_401_unauthenticated() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::post().uri("/api/v1/auth/logout"),
    )
    .await;

    reply.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn logout_when_the_database_is_down_answers_503_not_ready() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    fixture
        .sessions
        .expect_revoke()
        .returning(|_, _, _| Err(InfraError::Unavailable("connection refused".into())));

    let reply = send(
        &fixture.app(),
        bearer(TestRequest::post().uri("/api/v1/auth/logout")),
    )
    .await;

    reply.assert_problem(503, "not_ready");
}
