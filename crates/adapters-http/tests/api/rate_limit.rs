use actix_web::test::TestRequest;
use adapters_http::HttpConfig;

use crate::support::*;

const PROXY: &str = "10.0.0.1";

fn limited_to(per_minute: u32, trusted: &[&str]) -> Fixture {
    let mut fixture = Fixture::new();
    fixture.http = HttpConfig {
        rate_limit_per_minute: per_minute,
        trusted_proxies: trusted.iter().map(|ip| ip.parse().unwrap()).collect(),
        workers: None,
        pages: false,
    };
    fixture
}

/// A request to an auth path that answers without touching a port.
fn auth_request(peer: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/login")
        .peer_addr(format!("{peer}:40000").parse().unwrap())
}

#[actix_web::test]
async fn the_request_over_the_limit_answers_429_with_retry_after() {
    let app = limited_to(2, &[]).app();

    for _ in 0..2 {
        assert_eq!(send(&app, auth_request("192.0.2.1")).await.status, 415);
    }
    let reply = send(&app, auth_request("192.0.2.1")).await;

    reply.assert_problem(429, "too_many_requests");
    let retry_after: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(reply.header("x-request-id").is_some());
}

#[actix_web::test]
async fn percent_encoded_auth_paths_share_the_count_of_the_plain_one() {
    let app = limited_to(3, &[]).app();
    let to = |uri: &str| auth_request("192.0.2.1").uri(uri);

    for uri in [
        "/api/v1/%61uth/login",
        "/%61pi/v1/auth/login",
        "/api/v1/auth/%6Cogin",
    ] {
        assert_eq!(send(&app, to(uri)).await.status, 415, "{uri}");
    }

    for uri in [
        "/api/v1/auth/login",
        "/api/v1/%61uth/login",
        "/%61pi/%761/%61uth/login",
    ] {
        send(&app, to(uri))
            .await
            .assert_problem(429, "too_many_requests");
    }
}

#[actix_web::test]
async fn every_request_into_the_auth_scope_counts() {
    let app = limited_to(2, &[]).app();
    let get = |uri: &str| {
        TestRequest::get()
            .uri(uri)
            .peer_addr("192.0.2.1:40000".parse().unwrap())
    };

    assert_eq!(send(&app, get("/api/v1/auth/nope")).await.status, 404);
    assert_eq!(send(&app, get("/api/v1/auth/login")).await.status, 405);
    send(&app, auth_request("192.0.2.1"))
        .await
        .assert_problem(429, "too_many_requests");
    assert_eq!(send(&app, get("/api/v1/authx")).await.status, 404);
}

#[actix_web::test]
async fn other_addresses_keep_their_own_allowance() {
    let app = limited_to(1, &[]).app();

    send(&app, auth_request("192.0.2.1")).await;
    let reply = send(&app, auth_request("192.0.2.2")).await;

    assert_eq!(reply.status, 415);
}

#[actix_web::test]
async fn paths_outside_auth_are_not_limited() {
    let app = limited_to(1, &[]).app();
    let live = || {
        TestRequest::get()
            .uri("/health/live")
            .peer_addr("192.0.2.1:1".parse().unwrap())
    };

    for _ in 0..3 {
        assert_eq!(send(&app, live()).await.status, 200);
    }
}

#[actix_web::test]
async fn zero_turns_the_limit_off() {
    let app = limited_to(0, &[]).app();

    for _ in 0..40 {
        assert_eq!(send(&app, auth_request("192.0.2.1")).await.status, 415);
    }
}

#[actix_web::test]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = limited_to(1, &[PROXY]).app();
    let spoofing = |client: &str| {
        auth_request("192.0.2.1").insert_header(("x-forwarded-for", client.to_owned()))
    };

    send(&app, spoofing("198.51.100.1")).await;
    let reply = send(&app, spoofing("198.51.100.2")).await;

    reply.assert_problem(429, "too_many_requests");
}

#[actix_web::test]
async fn forwarded_for_from_a_trusted_proxy_names_the_client() {
    let app = limited_to(1, &[PROXY]).app();
    let via_proxy =
        |client: &str| auth_request(PROXY).insert_header(("x-forwarded-for", client.to_owned()));

    send(&app, via_proxy("198.51.100.1")).await;
    let other = send(&app, via_proxy("198.51.100.2")).await;
    let same = send(&app, via_proxy("198.51.100.1")).await;

    assert_eq!(other.status, 415);
    same.assert_problem(429, "too_many_requests");
}

#[actix_web::test]
async fn the_forwarded_client_address_reaches_the_use_case() {
    let mut fixture = limited_to(30, &[PROXY]);
    fixture
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    fixture
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(user())));
    fixture.hasher.expect_verify().returning(|_, _| Ok(false));
    fixture
        .throttle
        .expect_record_failure()
        .returning(|_, _, _, effects, _| {
            assert_eq!(effects.events[0].ip.as_deref(), Some("198.51.100.7"));
            Ok(None)
        });
    let request = post_json(
        "/api/v1/auth/login",
        &serde_json::json!({"email": "ada@example.com", "password": "wrong password"}),
    )
    .peer_addr(format!("{PROXY}:1").parse().unwrap())
    .insert_header(("forwarded", "for=198.51.100.7"));

    let reply = send(&fixture.app(), request).await;

    reply.assert_problem(401, "invalid_credentials");
}

/// An app whose limit of `per_minute` is counted by `counter`.
fn counted_by(
    counter: domain::ports::MockRateLimitCounter,
    per_minute: u32,
) -> adapters_http::HttpApp {
    let (mut state, http) = limited_to(per_minute, &[]).into_parts();
    state.rate_limits = Some(std::sync::Arc::new(counter));
    adapters_http::HttpApp::new(state, &http)
}

#[actix_web::test]
async fn with_the_database_store_a_count_over_the_limit_answers_429_with_retry_after() {
    let mut counter = domain::ports::MockRateLimitCounter::new();
    counter.expect_forget_before().returning(|_| Ok(0));
    counter
        .expect_hit()
        .withf(|key, start| key == "192.0.2.1" && start.timestamp() % 60 == 0)
        .returning(|_, _| Ok(3));
    let app = counted_by(counter, 2);

    let reply = send(&app, auth_request("192.0.2.1")).await;

    reply.assert_problem(429, "too_many_requests");
    let retry_after: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[actix_web::test]
async fn with_the_database_store_down_auth_requests_answer_503_not_ready() {
    let mut counter = domain::ports::MockRateLimitCounter::new();
    counter.expect_forget_before().returning(|_| Ok(0));
    counter
        .expect_hit()
        .returning(|_, _| Err(domain::InfraError::Unavailable("pool timed out".into())));
    let app = counted_by(counter, 2);

    let reply = send(&app, auth_request("192.0.2.1")).await;

    reply.assert_problem(503, "not_ready");
}
