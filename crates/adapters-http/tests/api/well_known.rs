//! `/.well-known/jwks.json` and `/.well-known/oauth-authorization-server`.

use actix_web::test::TestRequest;
use domain::{KeyId, PublicKey, PublishedKey, SigningAlgorithm};
use serde_json::json;

use crate::support::*;

fn publishing(keys: Vec<PublishedKey>) -> Fixture {
    let mut fixture = Fixture::new();
    fixture
        .published_keys
        .expect_published_keys()
        .returning(move || Some(keys.clone()));
    fixture
}

#[actix_web::test]
async fn the_key_set_lists_each_published_key_as_an_rfc_7517_jwk() {
    let (ed, es) = (KeyId::generate(), KeyId::generate());
    let fixture = publishing(vec![
        PublishedKey {
            id: ed,
            algorithm: SigningAlgorithm::EdDsa,
            public: PublicKey {
                x: "ed-x".to_owned(),
                y: None,
            },
        },
        PublishedKey {
            id: es,
            algorithm: SigningAlgorithm::Es256,
            public: PublicKey {
                x: "es-x".to_owned(),
                y: Some("es-y".to_owned()),
            },
        },
    ]);

    let reply = send(
        &fixture.app(),
        TestRequest::get().uri("/.well-known/jwks.json"),
    )
    .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(
        reply.json(),
        json!({"keys": [
            {"kid": ed.to_string(), "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
             "use": "sig", "x": "ed-x"},
            {"kid": es.to_string(), "kty": "EC", "crv": "P-256", "alg": "ES256",
             "use": "sig", "x": "es-x", "y": "es-y"},
        ]})
    );
}

#[actix_web::test]
async fn with_nothing_published_the_key_set_is_empty() {
    let reply = send(
        &publishing(Vec::new()).app(),
        TestRequest::get().uri("/.well-known/jwks.json"),
    )
    .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"keys": []}));
}

#[actix_web::test]
async fn the_metadata_names_the_issuer_the_endpoints_and_what_the_token_endpoint_supports() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri("/.well-known/oauth-authorization-server"),
    )
    .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(
        reply.json(),
        json!({
            "issuer": "https://accounts.example",
            "token_endpoint": "https://app.example/api/v1/auth/token",
            "jwks_uri": "https://app.example/.well-known/jwks.json",
            "grant_types_supported": ["password", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["none"],
            "response_types_supported": [],
        })
    );
}

#[actix_web::test]
async fn the_well_known_documents_refuse_a_query_and_other_methods() {
    for path in [
        "/.well-known/jwks.json",
        "/.well-known/oauth-authorization-server",
    ] {
        let app = publishing(Vec::new()).app();
        let with_query = send(&app, TestRequest::get().uri(&format!("{path}?x=1"))).await;
        assert_eq!(with_query.status, 422, "{path}");
        let posted = send(&app, TestRequest::post().uri(path)).await;
        assert_eq!(posted.status, 405, "{path}");
        assert_eq!(posted.header("allow"), Some("GET"));
    }
}

#[actix_web::test]
async fn before_the_key_set_was_first_read_it_answers_503_not_ready_and_is_not_cached() {
    let mut fixture = Fixture::new();
    fixture
        .published_keys
        .expect_published_keys()
        .returning(|| None);

    let reply = send(
        &fixture.app(),
        TestRequest::get().uri("/.well-known/jwks.json"),
    )
    .await;

    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["code"], "not_ready");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}
