use std::path::PathBuf;

use actix_web::test::TestRequest;
use adapters_http::{openapi, openapi_json};
use serde_json::Value;

use crate::support::*;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

/// `UPDATE_OPENAPI=1 cargo test -p adapters-http --test api openapi`
/// rewrites the committed copy.
#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = openapi_json();
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "docs/openapi.json differs from the code from line {}; run \
             `UPDATE_OPENAPI=1 cargo test -p adapters-http --test api openapi` and commit it",
            line + 1
        );
    }
}

#[test]
fn the_document_is_openapi_3_1_with_a_bearer_scheme_and_a_password_flow() {
    let document: Value = serde_json::to_value(openapi()).unwrap();

    assert_eq!(document["openapi"], "3.1.0");
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(
        schemes["oauth2"]["flows"]["password"]["tokenUrl"],
        "/api/v1/auth/token"
    );
}

#[test]
fn every_api_operation_documents_its_internal_error_and_every_operation_its_request_id() {
    let document: Value = serde_json::to_value(openapi()).unwrap();

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            if path.starts_with("/api/") {
                assert!(responses.contains_key("500"), "{method} {path}");
            }
            let parameters = operation["parameters"].as_array().unwrap();
            let request_id = parameters
                .iter()
                .find(|p| p["name"] == "x-request-id")
                .unwrap_or_else(|| panic!("{method} {path}"));
            // Any value is taken (an unusable one is replaced, not refused),
            // so the schema asks nothing a request could fail.
            assert_eq!(
                request_id["schema"],
                serde_json::json!({"type": "string"}),
                "{method} {path}"
            );
            for (status, response) in responses {
                if let Some(header) = response["headers"].get("x-request-id") {
                    assert_eq!(header["schema"]["pattern"], "^[!-~]+$", "{status}");
                    assert_eq!(header["schema"]["maxLength"], 128, "{status}");
                }
            }
        }
    }
}

#[test]
fn every_route_of_this_slice_is_documented() {
    let document: Value = serde_json::to_value(openapi()).unwrap();
    let paths = document["paths"].as_object().unwrap();

    for (path, method) in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/verify-email", "post"),
        ("/api/v1/auth/verify-email/resend", "post"),
        ("/api/v1/auth/forgot-password", "post"),
        ("/api/v1/auth/reset-password", "post"),
        ("/api/v1/auth/confirm-email", "post"),
        ("/api/v1/users/me", "get"),
        ("/api/v1/users/me", "patch"),
        ("/api/v1/users/me", "delete"),
        ("/api/v1/users/me/password", "put"),
        ("/api/v1/users/me/email", "post"),
        ("/api/v1/users/me/sessions", "get"),
        ("/api/v1/users/me/sessions/{id}", "delete"),
        ("/api/v1/users/me/events", "get"),
        ("/health/live", "get"),
        ("/health/ready", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
}

#[test]
fn every_json_request_body_is_closed_and_every_users_operation_needs_a_bearer() {
    let document: Value = serde_json::to_value(openapi()).unwrap();
    let schemas = &document["components"]["schemas"];

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let body = &operation["requestBody"]["content"]["application/json"]["schema"];
            if let Some(reference) = body["$ref"].as_str() {
                let name = reference.trim_start_matches("#/components/schemas/");
                let schema = &schemas[name];
                // A closed object, or a `oneOf` of closed objects.
                let objects = match schema["oneOf"].as_array() {
                    Some(branches) => branches.iter().collect(),
                    None => vec![schema],
                };
                for object in objects {
                    assert_eq!(object["additionalProperties"], false, "{method} {path}");
                }
            }
            if path.starts_with("/api/v1/users/") {
                assert_eq!(
                    operation["security"][0]["bearer"],
                    serde_json::json!([]),
                    "{method} {path}"
                );
                assert!(operation["responses"]["401"].is_object(), "{method} {path}");
            }
        }
    }
}

/// Every operation but the token endpoint (RFC 6749 §3.2: it ignores
/// parameters it does not recognise) refuses an unknown query parameter
/// with 422, so each documents a 422.
#[test]
fn every_operation_that_refuses_query_parameters_documents_its_422() {
    let document: Value = serde_json::to_value(openapi()).unwrap();

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            if path != "/api/v1/auth/token" {
                assert!(responses.contains_key("422"), "{method} {path}");
            }
        }
    }
}

#[test]
fn the_token_form_is_one_of_the_two_grants_with_their_required_fields() {
    let document: Value = serde_json::to_value(openapi()).unwrap();
    let schemas = &document["components"]["schemas"];
    let body = &document["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
        ["schema"];
    assert_eq!(body["$ref"], "#/components/schemas/TokenRequest");

    let grants: Vec<(String, Value)> = schemas["TokenRequest"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|grant| {
            let name = grant["$ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("#/components/schemas/");
            let grant_type = schemas[name]["properties"]["grant_type"]["$ref"]
                .as_str()
                .unwrap()
                .trim_start_matches("#/components/schemas/");
            (
                schemas[grant_type]["enum"][0].as_str().unwrap().to_owned(),
                schemas[name]["required"].clone(),
            )
        })
        .collect();
    assert_eq!(
        grants,
        [
            (
                "password".to_owned(),
                serde_json::json!(["grant_type", "username", "password"])
            ),
            (
                "refresh_token".to_owned(),
                serde_json::json!(["grant_type", "refresh_token"])
            ),
        ]
    );
}

#[test]
fn accepted_answers_are_documented_without_a_body() {
    let document: Value = serde_json::to_value(openapi()).unwrap();

    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(accepted) = operation["responses"].get("202") {
                assert!(accepted.get("content").is_none(), "{method} {path}");
            }
        }
    }
}

#[actix_web::test]
async fn openapi_json_is_served_as_generated() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri("/openapi.json"),
    )
    .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.text(), openapi_json());
}

#[actix_web::test]
async fn docs_redirects_to_the_ui() {
    let reply = send(&Fixture::new().app(), TestRequest::get().uri("/docs")).await;

    assert_eq!(reply.status, 308);
    assert_eq!(reply.header("location"), Some("/docs/"));
}

#[actix_web::test]
async fn the_docs_page_loads_every_asset_from_this_server() {
    let app = Fixture::new().app();
    let index = send(&app, TestRequest::get().uri("/docs/")).await;
    assert_eq!(index.status, 200);
    assert!(
        index
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = index.text();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("./"))
        .collect();
    assert!(assets.len() >= 3, "{assets:?}");
    for asset in assets {
        let uri = format!("/docs/{}", asset.trim_start_matches("./"));
        let reply = send(&app, TestRequest::get().uri(&uri)).await;
        assert_eq!(reply.status, 200, "{uri}");
    }
}

#[actix_web::test]
async fn the_docs_page_reads_our_document_and_calls_no_validator() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri("/docs/swagger-initializer.js"),
    )
    .await;

    let script = reply.text();
    assert!(script.contains("\"/openapi.json\""), "{script}");
    assert!(!script.contains("https://"), "{script}");
}

#[actix_web::test]
async fn an_unknown_docs_asset_answers_404_as_a_problem() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri("/docs/nope.js"),
    )
    .await;

    reply.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_docs_path_that_does_not_decode_answers_404_as_a_problem() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri("/docs/%FF%FE"),
    )
    .await;

    reply.assert_problem(404, "not_found");
}
