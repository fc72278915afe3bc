//! `POST /api/v1/users`, `GET` and `PATCH /api/v1/users/{id}`.

use actix_web::test::TestRequest;
use application::MockAdministrationService;
use domain::{CreateUserError, GetUserError, InfraError, Role, UpdateUserError, User, UserName};
use serde_json::json;

use crate::admin_support::{account, admin, app, get, user_path, with_json};
use crate::support::*;

fn create(body: &serde_json::Value) -> TestRequest {
    with_json(TestRequest::post(), "/api/v1/users", body)
}

fn patch(path: &str, body: &serde_json::Value) -> TestRequest {
    with_json(TestRequest::patch(), path, body)
}

fn untouched() -> MockAdministrationService {
    MockAdministrationService::new()
}

#[actix_web::test]
async fn create_makes_an_unverified_account_of_the_role_given_and_answers_201() {
    let made = account(Role::Admin);
    let id = made.id;
    let mut administration = MockAdministrationService::new();
    administration
        .expect_create_user()
        .times(1)
        .returning(move |command, _| {
            assert_eq!(command.email.as_str(), "grace@example.com");
            assert_eq!(command.name.as_str(), "Grace Hopper");
            assert_eq!(command.role, Role::Admin);
            assert!(!command.email_verified);
            Ok(made.clone())
        });
    let body = json!({"email": " Grace@Example.com", "password": PASSWORD,
        "name": "Grace Hopper", "role": "admin"});

    let reply = send(&app(administration), create(&body)).await;

    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/users/{id}").as_str())
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.json()["id"], id.to_string());
}

#[actix_web::test]
async fn create_without_a_role_makes_a_user() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_create_user()
        .times(1)
        .withf(|command, _| command.role == Role::User && !command.email_verified)
        .returning(|_, _| Ok(user()));
    let body = json!({"email": "grace@example.com", "password": PASSWORD, "name": "Grace"});

    let reply = send(&app(administration), create(&body)).await;

    assert_eq!(reply.status, 201, "{}", reply.text());
}

#[actix_web::test]
async fn create_applies_the_field_rules_and_refuses_unknown_fields() {
    let body = json!({"email": "grace", "password": "short", "role": "root",
        "email_verified": true});

    let reply = send(&app(untouched()), create(&body)).await;

    let fields: Vec<(String, String)> = reply.field_errors();
    let named: Vec<&str> = fields.iter().map(|(field, _)| field.as_str()).collect();
    assert_eq!(
        named,
        ["email", "password", "name", "role", "email_verified"]
    );
    assert_eq!(fields[1].1, "password_too_short");
    assert_eq!(fields[2].1, "required");
    assert_eq!(fields[3].1, "role");
    assert_eq!(fields[4].1, "unknown_field");
}

#[actix_web::test]
async fn create_refuses_a_guessable_password() {
    let body = json!({"email": "grace@example.com", "password": "grace@example.com1",
        "name": "Grace"});

    let reply = send(&app(untouched()), create(&body)).await;

    let fields = reply.field_errors();
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].0, "password");
}

#[actix_web::test]
async fn create_with_a_taken_email_answers_409() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_create_user()
        .returning(|_, _| Err(CreateUserError::EmailTaken));
    let body = json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada"});

    send(&app(administration), create(&body))
        .await
        .assert_problem(409, "email_taken");
}

#[actix_web::test]
async fn get_answers_the_account() {
    let target = user();
    let id = target.id;
    let mut administration = MockAdministrationService::new();
    let found = target.clone();
    administration
        .expect_get_user()
        .times(1)
        .withf(move |query| query.user_id == id)
        .returning(move |_| Ok(found.clone()));

    let reply = send(&app(administration), get(&user_path(&target))).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert_eq!(body["id"], id.to_string());
    assert_eq!(body["email"], "ada@example.com");
}

#[actix_web::test]
async fn get_an_unknown_or_malformed_id_answers_404() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_get_user()
        .times(1)
        .returning(|_| Err(GetUserError::NotFound));
    let app = app(administration);

    send(&app, get(&user_path(&user())))
        .await
        .assert_problem(404, "not_found");
    send(&app, get("/api/v1/users/not-a-uuid"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn get_when_the_store_is_down_answers_503() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_get_user()
        .returning(|_| Err(GetUserError::Infra(InfraError::Unavailable("down".into()))));

    send(&app(administration), get(&user_path(&user())))
        .await
        .assert_problem(503, "not_ready");
}

#[actix_web::test]
async fn patch_passes_every_change_on_and_answers_the_account() {
    let target = user();
    let id = target.id;
    let caller = admin();
    let caller_id = caller.id;
    let mut administration = MockAdministrationService::new();
    let changed = User {
        name: UserName::parse("Ada King").unwrap(),
        ..target.clone()
    };
    administration
        .expect_update_user()
        .times(1)
        .returning(move |admin, command, _| {
            assert_eq!(admin.user.id, caller_id);
            assert_eq!(command.user_id, id);
            assert_eq!(
                command.name.as_ref().map(UserName::as_str),
                Some("Ada King")
            );
            assert_eq!(command.role, Some(Role::Admin));
            assert_eq!(command.is_active, Some(false));
            assert_eq!(command.email_verified, Some(true));
            Ok(changed.clone())
        });
    let body = json!({"name": " Ada King ", "role": "admin", "is_active": false,
        "email_verified": true});

    let reply = send(
        &crate::admin_support::app_as(caller, administration),
        patch(&user_path(&target), &body),
    )
    .await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["name"], "Ada King");
}

#[actix_web::test]
async fn patch_with_nothing_leaves_every_field_unset() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_update_user()
        .times(1)
        .withf(|_, command, _| {
            command.name.is_none()
                && command.role.is_none()
                && command.is_active.is_none()
                && command.email_verified.is_none()
        })
        .returning(|_, _, _| Ok(user()));

    let reply = send(&app(administration), patch(&user_path(&user()), &json!({}))).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[actix_web::test]
async fn patch_refuses_email_password_and_other_unknown_fields() {
    let body = json!({"email": "x@example.com", "password": PASSWORD, "role": "root",
        "name": ""});

    let reply = send(&app(untouched()), patch(&user_path(&user()), &body)).await;

    let fields = reply.field_errors();
    let named: Vec<&str> = fields.iter().map(|(field, _)| field.as_str()).collect();
    assert_eq!(named, ["name", "role", "email", "password"], "{fields:?}");
    assert_eq!(fields[2].1, "unknown_field");
    assert_eq!(fields[3].1, "unknown_field");
}

#[actix_web::test]
async fn patch_with_a_null_or_wrongly_typed_field_answers_400() {
    for body in [json!({"is_active": null}), json!({"is_active": "false"})] {
        send(&app(untouched()), patch(&user_path(&user()), &body))
            .await
            .assert_problem(400, "malformed_request");
    }
}

#[actix_web::test]
async fn patch_that_would_leave_no_active_admin_answers_409_last_admin() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_update_user()
        .returning(|_, _, _| Err(UpdateUserError::LastAdmin));

    let reply = send(
        &app(administration),
        patch(&user_path(&admin()), &json!({"role": "user"})),
    )
    .await;

    reply.assert_problem(409, "last_admin");
}

#[actix_web::test]
async fn patch_an_unknown_or_malformed_id_answers_404() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_update_user()
        .times(1)
        .returning(|_, _, _| Err(UpdateUserError::NotFound));
    let app = app(administration);
    let body = json!({"is_active": true});

    send(&app, patch(&user_path(&user()), &body))
        .await
        .assert_problem(404, "not_found");
    send(&app, patch("/api/v1/users/12345", &body))
        .await
        .assert_problem(404, "not_found");
}
