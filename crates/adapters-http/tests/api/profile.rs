//! `PATCH` and `DELETE /api/v1/users/me`.

use actix_web::test::TestRequest;
use domain::{User, UserChangeError, UserDeletionError, UserName};
use serde_json::json;

use crate::support::*;

const ME: &str = "/api/v1/users/me";

fn patch(body: &serde_json::Value) -> TestRequest {
    bearer(json_request(TestRequest::patch(), ME, body))
}

fn sorted(mut errors: Vec<(String, String)>) -> Vec<(String, String)> {
    errors.sort();
    errors
}

#[actix_web::test]
async fn patch_me_renames_the_caller_and_answers_200_with_the_user() {
    let mut fixture = Fixture::new();
    let account = user();
    let user_id = account.id;
    fixture.authenticates(&account);
    fixture
        .users
        .expect_apply_change()
        .times(1)
        .returning(move |change, effects| {
            assert_eq!(change.user_id, user_id);
            assert_eq!(change.name.as_ref().map(UserName::as_str), Some("Ada King"));
            assert!(effects.events.is_empty());
            Ok(User {
                name: UserName::parse("Ada King").unwrap(),
                updated_at: now(),
                ..account.clone()
            })
        });

    let reply = send(&fixture.app(), patch(&json!({"name": "  Ada King "}))).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["id"], user_id.to_string());
    assert_eq!(body["name"], "Ada King");
    assert_eq!(body["updated_at"], "2026-11-24T12:00:00Z");
    assert_eq!(body.as_object().unwrap().len(), 9, "{body}");
    assert!(!reply.text().contains(STORED_HASH));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn patch_me_with_a_role_answers_422_unknown_field_and_changes_nothing() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());

    let reply = send(
        &fixture.app(),
        patch(&json!({"name": "Ada", "role": "admin"})),
    )
    .await;

    assert_eq!(
        reply.field_errors(),
        [("role".into(), "unknown_field".into())]
    );
}

#[actix_web::test]
async fn patch_me_lists_every_smuggled_field() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let body = json!({"is_active": true, "email": "eve@example.com", "email_verified": true});

    let reply = send(&fixture.app(), patch(&body)).await;

    assert_eq!(
        sorted(reply.field_errors()),
        [
            ("email".into(), "unknown_field".into()),
            ("email_verified".into(), "unknown_field".into()),
            ("is_active".into(), "unknown_field".into()),
            ("name".into(), "required".into()),
        ]
    );
}

#[actix_web::test]
async fn patch_me_with_a_name_breaking_the_rules_answers_422_with_its_code() {
    for (name, code) in [
        ("   ", "name_empty"),
        ("Ada\u{7}", "name_control_characters"),
        (&*"a".repeat(101), "name_too_long"),
    ] {
        let mut fixture = Fixture::new();
        fixture.authenticates(&user());

        let reply = send(&fixture.app(), patch(&json!({ "name": name }))).await;

        assert_eq!(
            reply.field_errors(),
            [("name".into(), code.into())],
            "{name:?}"
        );
    }
}

#[actix_web::test]
async fn patch_me_with_null_for_the_name_answers_400() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());

    let reply = send(&fixture.app(), patch(&json!({"name": null}))).await;

    reply.assert_problem(400, "malformed_request");
}

#[actix_web::test]
async fn patch_me_checks_credentials_before_the_body() {
    let request = TestRequest::patch()
        .uri(ME)
        .insert_header(("content-type", "text/plain"))
        .set_payload("not json");

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn patch_me_for_an_account_deleted_meanwhile_answers_401_invalid_token() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    fixture
        .users
        .expect_apply_change()
        .returning(|_, _| Err(UserChangeError::NotFound));

    let reply = send(&fixture.app(), patch(&json!({"name": "Ada"}))).await;

    reply.assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn delete_me_deletes_the_account_and_answers_204() {
    let mut fixture = Fixture::new();
    let account = user();
    let user_id = account.id;
    fixture.authenticates(&account);
    fixture
        .users
        .expect_delete()
        .times(1)
        .returning(move |id, _, _| {
            assert_eq!(id, user_id);
            Ok(())
        });

    let reply = send(&fixture.app(), bearer(TestRequest::delete().uri(ME))).await;

    reply.assert_no_content();
}

#[actix_web::test]
async fn delete_me_as_the_last_active_admin_answers_409_last_admin() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&User {
        role: domain::Role::Admin,
        ..user()
    });
    fixture
        .users
        .expect_delete()
        .returning(|_, _, _| Err(UserDeletionError::LastAdmin));

    let reply = send(&fixture.app(), bearer(TestRequest::delete().uri(ME))).await;

    reply.assert_problem(409, "last_admin");
}

#[actix_web::test]
async fn delete_me_without_a_token_answers_401() {
    let reply = send(&Fixture::new().app(), TestRequest::delete().uri(ME)).await;

    reply.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn me_with_another_method_answers_405_listing_get_patch_and_delete() {
    let reply = send(&Fixture::new().app(), TestRequest::put().uri(ME)).await;

    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET, PATCH, DELETE"));
}
