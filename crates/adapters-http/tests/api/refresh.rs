use serde_json::json;

use crate::support::*;

fn refresh(token: &str) -> actix_web::test::TestRequest {
    post_json("/api/v1/auth/refresh", &json!({"refresh_token": token}))
}

#[actix_web::test]
async fn refresh_answers_200_with_a_new_pair() {
    let mut fixture = Fixture::new();
    fixture.refresh_succeeds(&user());

    let reply = send(&fixture.app(), refresh(REFRESH_TOKEN)).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["refresh_token"], NEW_REFRESH_TOKEN);
    assert_eq!(reply.json()["token_type"], "Bearer");
    assert!(!reply.text().contains(REFRESH_TOKEN));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn refresh_with_an_unknown_token_answers_401_invalid_token_with_its_challenge() {
    let mut fixture = Fixture::new();
    fixture.refresh_succeeds(&user());

    let reply = send(&fixture.app(), refresh("not-a-token-we-issued")).await;

    reply.assert_problem(401, "invalid_token");
    assert_eq!(
        reply.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
    assert!(!reply.text().contains("not-a-token-we-issued"));
}

#[actix_web::test]
async fn refresh_without_a_token_answers_422_required() {
    let reply = send(
        &Fixture::new().app(),
        post_json("/api/v1/auth/refresh", &json!({})),
    )
    .await;

    assert_eq!(
        reply.field_errors(),
        [("refresh_token".into(), "required".into())]
    );
}
