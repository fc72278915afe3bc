use actix_web::test::TestRequest;
use domain::{InfraError, UserCreationError};
use serde_json::json;

use crate::support::*;

fn body() -> serde_json::Value {
    json!({"email": "Ada@Example.com", "password": PASSWORD, "name": "Ada Lovelace"})
}

fn register(body: &serde_json::Value) -> TestRequest {
    post_json("/api/v1/auth/register", body)
}

#[actix_web::test]
async fn register_answers_201_with_the_user_and_its_location() {
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture
        .users
        .expect_create()
        .returning(|user, _| Ok(user.into_user()));

    let reply = send(&fixture.app(), register(&body())).await;

    assert_eq!(reply.status, 201, "{}", reply.text());
    let user = reply.json();
    let id = user["id"].as_str().unwrap();
    assert_eq!(
        reply.header("location").unwrap(),
        format!("/api/v1/users/{id}")
    );
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["role"], "user");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["is_active"], true);
    assert_eq!(user["mfa_enabled"], false);
    assert_eq!(user["created_at"], "2026-11-24T12:00:00Z");
    assert_eq!(user["updated_at"], "2026-11-24T12:00:00Z");
    assert_eq!(user.as_object().unwrap().len(), 9, "{user}");
}

#[actix_web::test]
async fn register_never_answers_with_the_password_or_its_hash() {
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture
        .users
        .expect_create()
        .returning(|user, _| Ok(user.into_user()));

    let reply = send(&fixture.app(), register(&body())).await;

    assert_eq!(reply.status, 201);
    assert!(!reply.text().contains(PASSWORD));
    assert!(!reply.text().contains(STORED_HASH));
}

#[actix_web::test]
async fn register_passes_the_client_address_and_user_agent_to_the_use_case() {
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture.users.expect_create().returning(|user, effects| {
        assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.10"));
        assert_eq!(
            effects.events[0].user_agent.as_deref(),
            Some("test-agent/1.0")
        );
        Ok(user.into_user())
    });
    let request = register(&body())
        .peer_addr("192.0.2.10:5555".parse().unwrap())
        .insert_header(("user-agent", "test-agent/1.0"));

    let reply = send(&fixture.app(), request).await;

    assert_eq!(reply.status, 201);
}

#[actix_web::test]
async fn register_with_a_taken_email_answers_409_email_taken() {
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture
        .users
        .expect_create()
        .returning(|_, _| Err(UserCreationError::EmailTaken));

    let reply = send(&fixture.app(), register(&body())).await;

    reply.assert_problem(409, "email_taken");
}

#[actix_web::test]
async fn register_lists_every_invalid_field_at_once() {
    let request = register(&json!({"email": "not-an-email", "password": "short", "name": "  "}));

    let reply = send(&Fixture::new().app(), request).await;

    let errors = reply.field_errors();
    assert_eq!(
        errors,
        [
            ("email".into(), "email".into()),
            ("password".into(), "password_too_short".into()),
            ("name".into(), "name_empty".into()),
        ]
    );
    assert_eq!(reply.json()["detail"], "3 fields are invalid");
}

#[actix_web::test]
async fn register_with_missing_fields_answers_422_required_for_each() {
    let reply = send(&Fixture::new().app(), register(&json!({"name": "Ada"}))).await;

    assert_eq!(
        reply.field_errors(),
        [
            ("email".into(), "required".into()),
            ("password".into(), "required".into()),
        ]
    );
}

#[actix_web::test]
async fn register_with_an_unknown_field_answers_422_unknown_field() {
    let mut body = body();
    body["role"] = json!("admin");

    let reply = send(&Fixture::new().app(), register(&body)).await;

    assert_eq!(
        reply.field_errors(),
        [("role".into(), "unknown_field".into())]
    );
}

#[actix_web::test]
async fn register_reports_unknown_fields_together_with_rule_failures() {
    let request =
        register(&json!({"email": "x", "password": PASSWORD, "name": "Ada", "is_active": true}));

    let reply = send(&Fixture::new().app(), request).await;

    assert_eq!(
        reply.field_errors(),
        [
            ("email".into(), "email".into()),
            ("is_active".into(), "unknown_field".into()),
        ]
    );
}

#[actix_web::test]
async fn register_refuses_a_password_built_from_the_users_own_email() {
    let request = register(&json!({
        "email": "grace.hopper@example.com",
        "password": "grace.hopper@example.com",
        "name": "Grace Hopper"
    }));

    let reply = send(&Fixture::new().app(), request).await;

    assert_eq!(
        reply.field_errors(),
        [("password".into(), "password_too_weak".into())]
    );
    assert!(!reply.text().contains("grace.hopper@example.com"));
}

#[actix_web::test]
async fn register_when_hashing_is_overloaded_answers_503_with_retry_after() {
    let mut fixture = Fixture::new();
    fixture
        .hasher
        .expect_hash()
        .returning(|_| Err(InfraError::Overloaded));

    let reply = send(&fixture.app(), register(&body())).await;

    reply.assert_problem(503, "overloaded");
    assert_eq!(reply.header("retry-after"), Some("1"));
}

#[actix_web::test]
async fn register_when_the_database_is_down_answers_503_not_ready() {
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture
        .users
        .expect_create()
        .returning(|_, _| Err(InfraError::Unavailable("pool timed out".into()).into()));

    let reply = send(&fixture.app(), register(&body())).await;

    reply.assert_problem(503, "not_ready");
    assert!(!reply.text().contains("pool"));
}

#[actix_web::test]
async fn register_on_an_unexpected_failure_answers_an_opaque_500() {
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture.users.expect_create().returning(|_, _| {
        Err(InfraError::unexpected("INSERT INTO users failed: secret detail").into())
    });

    let reply = send(&fixture.app(), register(&body())).await;

    reply.assert_problem(500, "internal");
    assert!(!reply.text().contains("INSERT"));
    assert!(!reply.text().contains("secret detail"));
}
