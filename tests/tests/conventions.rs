//! The conventions of the REST contract, checked against the real binary:
//! status codes for bad input, headers, and what never leaks.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{Backend, PASSWORD, TestServer, e2e_tests};

e2e_tests!(
    bad_inputs_get_the_documented_problem_codes,
    every_response_carries_a_request_id_and_nosniff,
    unknown_paths_and_wrong_methods_are_problems,
    readiness_and_liveness_answer_ok,
    the_openapi_document_and_docs_page_are_served,
    no_log_line_or_error_body_holds_a_password_or_token,
    sigterm_stops_the_server_with_exit_status_zero,
);

fn code(response: reqwest::blocking::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_owned(),
        body,
    )
}

fn bad_inputs_get_the_documented_problem_codes(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let register = "/api/v1/auth/register";

    let no_type = server
        .post(register)
        .body(r#"{"email":"a@example.com"}"#)
        .send()
        .unwrap();
    assert_eq!(code(no_type).0, 415);

    let not_json = server
        .post(register)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .unwrap();
    let (status, c, _) = code(not_json);
    assert_eq!((status, c.as_str()), (400, "malformed_request"));

    let (status, c, _) = code(server.post_json(register, &json!(["an", "array"])));
    assert_eq!((status, c.as_str()), (400, "malformed_request"));

    let (status, c, _) = code(server.post_json(
        register,
        &json!({"email": 42, "password": PASSWORD, "name": "A"}),
    ));
    assert_eq!((status, c.as_str()), (400, "malformed_request"));

    let (status, c, body) =
        code(server.post_json(register, &json!({"email": "not-an-email", "role": "admin"})));
    assert_eq!((status, c.as_str()), (422, "validation_failed"));
    let mut fields: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            ("email".into(), "email".into()),
            ("name".into(), "required".into()),
            ("password".into(), "required".into()),
            ("role".into(), "unknown_field".into())
        ]
    );

    let weak = server.register("ada@example.com", "password1234", "Ada");
    let (status, _, body) = code(weak);
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "password_too_weak");

    let huge = format!(
        r#"{{"email":"a@example.com","password":"{}","name":"A"}}"#,
        "x".repeat(70_000)
    );
    let too_large = server
        .post(register)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .unwrap();
    assert_eq!(code(too_large).1, "payload_too_large");

    let unauthenticated = server.get("/api/v1/users/me").send().unwrap();
    assert_eq!(unauthenticated.headers()["www-authenticate"], "Bearer");
    assert_eq!(code(unauthenticated).1, "unauthenticated");

    let garbage = server
        .get("/api/v1/users/me")
        .header("authorization", "Bearer garbage")
        .send()
        .unwrap();
    assert_eq!(code(garbage).1, "invalid_token");
}

fn every_response_carries_a_request_id_and_nosniff(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };

    let echoed = server
        .get("/health/live")
        .header("x-request-id", "trace-me-42")
        .send()
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
    assert_eq!(echoed.headers()["x-content-type-options"], "nosniff");
    assert!(echoed.headers().get("server").is_none());

    let generated = server.get("/nope").send().unwrap();
    assert!(!generated.headers()["x-request-id"].is_empty());
    assert_eq!(generated.headers()["x-content-type-options"], "nosniff");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        server.log_text().contains("trace-me-42"),
        "the request id is on the request's log line"
    );
}

fn unknown_paths_and_wrong_methods_are_problems(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };

    let missing = server.get("/api/v1/nothing-here").send().unwrap();
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(code(missing).1, "not_found");

    let wrong_method = server.get("/api/v1/auth/login").send().unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert!(
        wrong_method.headers()["allow"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert_eq!(code(wrong_method).1, "method_not_allowed");
}

fn readiness_and_liveness_answer_ok(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };

    let live: Value = server.get("/health/live").send().unwrap().json().unwrap();
    let ready: Value = server.get("/health/ready").send().unwrap().json().unwrap();

    assert_eq!(live, json!({"status": "ok"}));
    assert_eq!(
        ready,
        json!({"status": "ok", "checks": {"database": "ok", "migrations": "ok"}})
    );
}

fn the_openapi_document_and_docs_page_are_served(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };

    let document: Value = server.get("/openapi.json").send().unwrap().json().unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(document["paths"]["/api/v1/auth/register"].is_object());

    let docs = server.get("/docs/").send().unwrap();
    assert_eq!(docs.status(), 200);
    let page = docs.text().unwrap();
    assert!(
        !page.contains("https://"),
        "the docs page loads nothing from a CDN"
    );
}

fn no_log_line_or_error_body_holds_a_password_or_token(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");
    let refresh = pair["refresh_token"].as_str().unwrap();
    let access = pair["access_token"].as_str().unwrap();
    let wrong = server.login("ada@example.com", "my-secret-guess-123");
    let wrong_body = wrong.text().unwrap();
    let refreshed = server.post_json("/api/v1/auth/refresh", &json!({"refresh_token": refresh}));
    assert_eq!(refreshed.status(), 200);
    let reuse = server
        .post_json("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .text()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));

    let log = server.log_text();
    for secret in [PASSWORD, "my-secret-guess-123", refresh, access, "$2b$"] {
        assert!(!log.contains(secret), "log holds a secret");
        assert!(
            !wrong_body.contains(secret) && !reuse.contains(secret),
            "a body holds a secret"
        );
    }
}

fn sigterm_stops_the_server_with_exit_status_zero(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };

    let status = server.terminate();

    assert_eq!(status.code(), Some(0));
}
