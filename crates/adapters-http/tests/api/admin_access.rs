//! Who may use the admin routes: admins only, by the role of the account
//! loaded for the request; and `/api/v1/users/me...` still means the caller.

use actix_web::test::TestRequest;
use application::MockAdministrationService;
use domain::{Role, User};
use serde_json::json;

use crate::admin_support::{self, account, admin, app_as};
use crate::support::*;

/// Every admin route: a request for it without credentials. The bodies and
/// parameters are valid, so only the caller can be what fails.
fn routes(target: &User) -> Vec<(&'static str, TestRequest)> {
    let one = admin_support::user_path(target);
    vec![
        (
            "GET /users",
            TestRequest::get().uri("/api/v1/users?role=admin"),
        ),
        (
            "POST /users",
            json_request(
                TestRequest::post(),
                "/api/v1/users",
                &json!({"email": "grace@example.com", "password": PASSWORD, "name": "Grace"}),
            ),
        ),
        ("GET /users/{id}", TestRequest::get().uri(&one)),
        (
            "PATCH /users/{id}",
            json_request(TestRequest::patch(), &one, &json!({"role": "admin"})),
        ),
        ("DELETE /users/{id}", TestRequest::delete().uri(&one)),
        (
            "POST /users/{id}/password-reset",
            TestRequest::post().uri(&format!("{one}/password-reset")),
        ),
        (
            "DELETE /users/{id}/sessions",
            TestRequest::delete().uri(&format!("{one}/sessions")),
        ),
        (
            "GET /users/{id}/events",
            TestRequest::get().uri(&format!("{one}/events?limit=5")),
        ),
    ]
}

/// No expectation on the administration service: reaching it would fail.
fn untouched() -> MockAdministrationService {
    MockAdministrationService::new()
}

#[actix_web::test]
async fn every_admin_route_without_a_token_answers_401_unauthenticated() {
    let app = app_as(admin(), untouched());
    for (route, request) in routes(&user()) {
        let reply = send(&app, request).await;

        reply.assert_problem(401, "unauthenticated");
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{route}");
    }
}

#[actix_web::test]
async fn every_admin_route_with_a_bad_token_answers_401_invalid_token() {
    let app = app_as(admin(), untouched());
    for (route, request) in routes(&user()) {
        let request = request.insert_header(("authorization", "Bearer not.the.token"));

        let reply = send(&app, request).await;

        reply.assert_problem(401, "invalid_token");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer error=\"invalid_token\""),
            "{route}"
        );
    }
}

#[actix_web::test]
async fn every_admin_route_with_a_users_token_answers_403_forbidden() {
    let app = app_as(account(Role::User), untouched());
    for (route, request) in routes(&user()) {
        let reply = send(&app, bearer(request)).await;

        let body = reply.assert_problem(403, "forbidden");
        assert!(body.get("errors").is_none(), "{route}: {body}");
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{route}");
    }
}

#[actix_web::test]
async fn a_non_admin_is_refused_before_its_request_is_looked_at() {
    let app = app_as(account(Role::User), untouched());
    let requests = [
        TestRequest::get().uri("/api/v1/users?limit=0&role=root"),
        TestRequest::get().uri("/api/v1/users/not-a-uuid"),
        json_request(TestRequest::post(), "/api/v1/users", &json!({"role": "x"})),
    ];
    for request in requests {
        send(&app, bearer(request))
            .await
            .assert_problem(403, "forbidden");
    }
}

/// Through the real sign-in service: the token names the account, and the
/// role is the one the account has now, not when the token was issued.
#[actix_web::test]
async fn a_demoted_admins_live_token_answers_403_at_once() {
    let demoted = account(Role::User);
    let mut fixture = Fixture::new();
    fixture.authenticates(&demoted);

    let reply = send(
        &fixture.app(),
        bearer(TestRequest::get().uri(&admin_support::user_path(&demoted))),
    )
    .await;

    reply.assert_problem(403, "forbidden");
}

/// Through the real services: an admin's token reads an account.
#[actix_web::test]
async fn an_admins_token_reads_an_account_through_the_real_services() {
    let caller = admin();
    let mut fixture = Fixture::new();
    fixture.authenticates(&caller);

    let reply = send(
        &fixture.app(),
        bearer(TestRequest::get().uri(&admin_support::user_path(&caller))),
    )
    .await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["role"], "admin");
}

#[actix_web::test]
async fn users_me_is_still_the_caller_and_never_an_id() {
    let caller = admin();
    let app = app_as(caller.clone(), untouched());

    let me = send(&app, bearer(TestRequest::get().uri("/api/v1/users/me"))).await;
    assert_eq!(me.status, 200, "{}", me.text());
    assert_eq!(me.json()["id"], caller.id.to_string());

    let sessions = send(
        &app,
        bearer(TestRequest::delete().uri("/api/v1/users/me/sessions")),
    )
    .await;
    sessions.assert_problem(405, "method_not_allowed");
    assert_eq!(sessions.header("allow"), Some("GET"));

    let reset = send(
        &app,
        bearer(TestRequest::post().uri("/api/v1/users/me/password-reset")),
    )
    .await;
    reset.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn other_methods_answer_405_with_allow() {
    let app = app_as(admin(), untouched());
    let one = admin_support::user_path(&user());
    for (request, allow) in [
        (TestRequest::put().uri("/api/v1/users"), "GET, POST"),
        (TestRequest::put().uri(&one), "GET, PATCH, DELETE"),
        (TestRequest::get().uri(&format!("{one}/sessions")), "DELETE"),
        (
            TestRequest::get().uri(&format!("{one}/password-reset")),
            "POST",
        ),
        (TestRequest::post().uri(&format!("{one}/events")), "GET"),
    ] {
        let reply = send(&app, bearer(request)).await;

        reply.assert_problem(405, "method_not_allowed");
        assert_eq!(reply.header("allow"), Some(allow));
    }
}
