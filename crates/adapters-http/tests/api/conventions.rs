//! Media types, sizes, malformed bodies, 404/405 and the common headers.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::*;

const REGISTER: &str = "/api/v1/auth/register";

fn raw(content_type: Option<&str>, body: impl Into<actix_web::web::Bytes>) -> TestRequest {
    let request = TestRequest::post().uri(REGISTER).set_payload(body);
    match content_type {
        Some(value) => request.insert_header(("content-type", value)),
        None => request,
    }
}

#[actix_web::test]
async fn a_json_endpoint_without_content_type_answers_415() {
    let reply = send(&Fixture::new().app(), raw(None, "{}")).await;

    reply.assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn a_json_endpoint_given_another_media_type_answers_415() {
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin1",
    ] {
        let reply = send(&Fixture::new().app(), raw(Some(content_type), "{}")).await;

        reply.assert_problem(415, "unsupported_media_type");
    }
}

#[actix_web::test]
async fn a_compressed_body_answers_415() {
    let request = raw(Some("application/json"), "{}").insert_header(("content-encoding", "gzip"));

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn json_with_a_utf8_charset_is_accepted() {
    let mut fixture = Fixture::new();
    fixture.hashing_works();
    fixture
        .users
        .expect_create()
        .returning(|user, _| Ok(user.into_user()));
    let body = json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada"});

    let reply = send(
        &fixture.app(),
        raw(Some("application/json; charset=UTF-8"), body.to_string()),
    )
    .await;

    assert_eq!(reply.status, 201, "{}", reply.text());
}

#[actix_web::test]
async fn a_body_over_64_kib_answers_413() {
    let body = format!(r#"{{"name": "{}"}}"#, "a".repeat(70 * 1024));

    let reply = send(&Fixture::new().app(), raw(Some("application/json"), body)).await;

    reply.assert_problem(413, "payload_too_large");
}

#[actix_web::test]
async fn a_body_of_exactly_64_kib_is_read() {
    let padding = 65_536 - r#"{"name": ""}"#.len();
    let body = format!(r#"{{"name": "{}"}}"#, "a".repeat(padding));
    assert_eq!(body.len(), 65_536);

    let reply = send(&Fixture::new().app(), raw(Some("application/json"), body)).await;

    reply.assert_problem(422, "validation_failed");
}

#[actix_web::test]
async fn a_body_that_is_not_json_answers_400() {
    let reply = send(
        &Fixture::new().app(),
        raw(Some("application/json"), "email=ada"),
    )
    .await;

    let problem = reply.assert_problem(400, "malformed_request");
    assert_eq!(problem["detail"], "the body is not valid JSON");
}

#[actix_web::test]
async fn a_json_array_answers_400() {
    let reply = send(
        &Fixture::new().app(),
        raw(Some("application/json"), r#"[{"email": "a"}]"#),
    )
    .await;

    let problem = reply.assert_problem(400, "malformed_request");
    assert_eq!(problem["detail"], "the body must be a JSON object");
}

#[actix_web::test]
async fn a_field_of_the_wrong_type_answers_400_naming_the_field() {
    let body = json!({"email": ["ada@example.com"], "password": PASSWORD, "name": "Ada"});

    let reply = send(&Fixture::new().app(), post_json(REGISTER, &body)).await;

    let problem = reply.assert_problem(400, "malformed_request");
    assert_eq!(problem["detail"], "`email` has the wrong JSON type");
}

#[actix_web::test]
async fn null_for_a_required_field_answers_400() {
    let body = json!({"email": "ada@example.com", "password": PASSWORD, "name": null});

    let reply = send(&Fixture::new().app(), post_json(REGISTER, &body)).await;

    reply.assert_problem(400, "malformed_request");
}

#[actix_web::test]
async fn a_member_given_twice_answers_400() {
    let body = r#"{"email": "a@example.com", "email": "b@example.com"}"#;

    let reply = send(&Fixture::new().app(), raw(Some("application/json"), body)).await;

    reply.assert_problem(400, "malformed_request");
}

#[actix_web::test]
async fn an_unknown_path_answers_404_as_a_problem() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri("/api/v1/nope"),
    )
    .await;

    reply.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_known_path_with_the_wrong_method_answers_405_with_allow() {
    let reply = send(&Fixture::new().app(), TestRequest::get().uri(REGISTER)).await;

    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("POST"));
}

#[actix_web::test]
async fn a_get_only_path_lists_get_in_allow() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::delete().uri("/health/live"),
    )
    .await;

    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
}

#[actix_web::test]
async fn a_sane_client_request_id_is_echoed() {
    let request = TestRequest::get()
        .uri("/health/live")
        .insert_header(("x-request-id", "client-id-42"));

    let reply = send(&Fixture::new().app(), request).await;

    assert_eq!(reply.header("x-request-id"), Some("client-id-42"));
}

#[actix_web::test]
async fn a_request_id_is_generated_when_the_client_sends_none() {
    let reply = send(&Fixture::new().app(), TestRequest::get().uri("/nope")).await;

    let id = reply.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[actix_web::test]
async fn an_overlong_client_request_id_is_replaced() {
    let request = TestRequest::get()
        .uri("/health/live")
        .insert_header(("x-request-id", "x".repeat(129)));

    let reply = send(&Fixture::new().app(), request).await;

    assert!(uuid::Uuid::parse_str(reply.header("x-request-id").unwrap()).is_ok());
}

#[actix_web::test]
async fn every_kind_of_response_carries_nosniff_and_no_server_banner() {
    let requests = [
        TestRequest::get().uri("/health/live"),
        TestRequest::get().uri("/nope"),
        TestRequest::put().uri(REGISTER),
        raw(None, "{}"),
        TestRequest::get().uri("/openapi.json"),
        TestRequest::get().uri("/docs/"),
    ];
    for request in requests {
        let reply = send(&Fixture::new().app(), request).await;

        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(reply.header("x-request-id").is_some());
        assert_eq!(reply.header("server"), None);
    }
}

#[actix_web::test]
async fn api_and_health_responses_are_never_stored() {
    for request in [
        raw(None, "{}"),
        TestRequest::get().uri("/api/v1/x"),
        TestRequest::get().uri("/health/live"),
    ] {
        let reply = send(&Fixture::new().app(), request).await;

        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
}

/// The router decodes percent escapes of unreserved characters before
/// matching, so these are the API's own paths and answer as such.
#[actix_web::test]
async fn percent_encoded_api_paths_are_never_stored_either() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let app = fixture.app();

    for (uri, request, status) in [
        ("/%61pi/v1/users/me", bearer(TestRequest::get()), 200),
        ("/%61pi/v1/users/me", TestRequest::get(), 401),
        ("/api/v1/users/%6De", bearer(TestRequest::get()), 200),
        ("/%61pi/v1/auth/login", TestRequest::post(), 415),
        ("/api/v1/%61uth/login", TestRequest::post(), 415),
        ("/%68ealth/live", TestRequest::get(), 200),
        ("/%61pi/v1/nope", TestRequest::get(), 404),
    ] {
        let reply = send(&app, request.uri(uri)).await;

        assert_eq!(reply.status, status, "{uri}: {}", reply.text());
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{uri}");
    }
}

#[actix_web::test]
async fn only_the_docs_may_be_stored() {
    let app = Fixture::new().app();

    for uri in [
        "/openapi.json",
        "/docs",
        "/docs/",
        "/%64ocs/",
        "/docs/index.css",
    ] {
        let reply = send(&app, TestRequest::get().uri(uri)).await;

        assert!(reply.status.as_u16() < 400, "{uri}: {}", reply.status);
        assert_eq!(reply.header("cache-control"), None, "{uri}");
    }
    for uri in ["/", "/nope", "/docsx", "/openapi.json/x"] {
        let reply = send(&app, TestRequest::get().uri(uri)).await;

        reply.assert_problem(404, "not_found");
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{uri}");
    }
}

/// Every operation but the events listing (its own tests cover its
/// parameters) and the token endpoint (RFC 6749 §3.2: unrecognised request
/// parameters are ignored) takes no query parameter; (method, path, whether
/// it needs a bearer token).
const WITHOUT_QUERY_PARAMETERS: [(&str, &str, bool); 18] = [
    ("POST", "/api/v1/auth/register", false),
    ("POST", "/api/v1/auth/login", false),
    ("POST", "/api/v1/auth/refresh", false),
    ("POST", "/api/v1/auth/logout", true),
    ("POST", "/api/v1/auth/verify-email", false),
    ("POST", "/api/v1/auth/verify-email/resend", true),
    ("POST", "/api/v1/auth/forgot-password", false),
    ("POST", "/api/v1/auth/reset-password", false),
    ("POST", "/api/v1/auth/confirm-email", false),
    ("GET", "/api/v1/users/me", true),
    ("PATCH", "/api/v1/users/me", true),
    ("DELETE", "/api/v1/users/me", true),
    ("PUT", "/api/v1/users/me/password", true),
    ("POST", "/api/v1/users/me/email", true),
    ("GET", "/api/v1/users/me/sessions", true),
    (
        "DELETE",
        "/api/v1/users/me/sessions/0190d5a0-0000-7000-8000-000000000000",
        true,
    ),
    ("GET", "/health/live", false),
    ("GET", "/health/ready", false),
];

fn with_query(method: &str, path: &str, query: &str) -> TestRequest {
    let request = TestRequest::default().method(method.parse().unwrap());
    json_request(request, &format!("{path}?{query}"), &json!({}))
}

#[actix_web::test]
async fn an_operation_without_query_parameters_answers_422_for_any_naming_each() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let app = fixture.app();

    for (method, path, _) in WITHOUT_QUERY_PARAMETERS {
        let request = bearer(with_query(method, path, "role=admin&dry_run=true&role=x"));

        let reply = send(&app, request).await;

        assert_eq!(
            reply.field_errors(),
            [
                ("role".into(), "unknown_parameter".into()),
                ("dry_run".into(), "unknown_parameter".into()),
            ],
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn an_operation_without_query_parameters_checks_credentials_first() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let app = fixture.app();

    for (method, path, _) in WITHOUT_QUERY_PARAMETERS
        .iter()
        .filter(|(.., bearer)| *bearer)
    {
        let missing = send(&app, with_query(method, path, "role=admin")).await;
        let bad = send(
            &app,
            with_query(method, path, "role=admin")
                .insert_header(("authorization", "Bearer forged.token.value")),
        )
        .await;

        assert_eq!(missing.json()["code"], "unauthenticated", "{method} {path}");
        assert_eq!(bad.json()["code"], "invalid_token", "{method} {path}");
    }
}
