//! Readiness against a PostgreSQL that goes away and comes back: a cluster
//! of the test's own (see `readiness/cluster.rs`), stopped as in a crash
//! while the server runs, then started again. Skipped only when `initdb` is
//! not installed.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use e2e::serde_json::{Value, json};
use e2e::{PASSWORD, TestServer, me};
use reqwest::blocking::Response;

#[path = "readiness/cluster.rs"]
mod cluster;

use cluster::Cluster;

/// The acquire timeout the server runs with here, in milliseconds.
const ACQUIRE_TIMEOUT_MS: u64 = 500;
/// What an answer may take beyond the acquire timeout: the request itself,
/// on a machine busy with other tests.
const MARGIN: Duration = Duration::from_millis(1000);
/// How long the server may take to notice that PostgreSQL is back.
const RECOVERY: Duration = Duration::from_secs(30);

const EMAIL: &str = "ada@example.com";

/// A server on a cluster of its own. The server is dropped (killed) before
/// the cluster (fields drop in order).
struct Setup {
    server: TestServer,
    cluster: Cluster,
}

fn setup() -> Option<Setup> {
    let cluster = Cluster::create()?;
    let server = TestServer::start_on(
        &cluster.url(),
        &[(
            "APP_DATABASE__ACQUIRE_TIMEOUT_MS",
            &ACQUIRE_TIMEOUT_MS.to_string(),
        )],
    );
    Some(Setup { server, cluster })
}

fn get_ready(server: &TestServer) -> Response {
    server.get("/health/ready").send().expect("request")
}

/// Waits until `/health/ready` answers `status`, and returns that answer's
/// body; fails after `within`.
fn wait_for_readiness(server: &TestServer, status: u16, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let response = get_ready(server);
        if response.status() == status {
            return response.json().expect("a JSON body");
        }
        assert!(
            Instant::now() < deadline,
            "/health/ready did not answer {status} within {within:?} (last: {}); server output:\n{}",
            response.status(),
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn login(server: &TestServer) -> Response {
    server.post_json(
        "/api/v1/auth/login",
        &json!({"email": EMAIL, "password": PASSWORD}),
    )
}

#[test]
fn readiness_answers_503_not_ready_naming_the_database_while_postgresql_is_down() {
    let Some(setup) = setup() else { return };
    let (server, cluster) = (&setup.server, &setup.cluster);
    let up = wait_for_readiness(server, 200, RECOVERY);
    assert_eq!(up["checks"]["database"], "ok");

    cluster.stop();
    let response = get_ready(server);

    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().expect("a problem body");
    assert_eq!(body["code"], "not_ready");
    assert_eq!(body["checks"]["database"], "failing");
}

#[test]
fn an_api_call_answers_503_not_ready_within_the_acquire_timeout_while_postgresql_is_down() {
    let Some(setup) = setup() else { return };
    let (server, cluster) = (&setup.server, &setup.cluster);
    let pair = server.signed_up(EMAIL);

    cluster.stop();

    // Twice each: the first finds the pool's dead connections, the second
    // an empty pool that cannot connect.
    let calls: [(&str, &dyn Fn() -> Response); 4] = [
        ("GET /api/v1/users/me", &|| me(server, &pair)),
        ("GET /api/v1/users/me", &|| me(server, &pair)),
        ("POST /api/v1/auth/login", &|| login(server)),
        ("POST /api/v1/auth/login", &|| login(server)),
    ];
    let bound = Duration::from_millis(ACQUIRE_TIMEOUT_MS) + MARGIN;
    for (name, call) in calls {
        let started = Instant::now();
        let response = call();
        let took = started.elapsed();
        let status = response.status();
        let body: Value = response.json().expect("a problem body");
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (503, Some("not_ready")),
            "{name}: {body}"
        );
        assert!(took < bound, "{name} took {took:?}, more than {bound:?}");
        eprintln!("{name}: 503 not_ready in {took:?}");
    }
}

#[test]
fn liveness_answers_200_while_postgresql_is_down() {
    let Some(setup) = setup() else { return };
    let (server, cluster) = (&setup.server, &setup.cluster);

    cluster.stop();
    wait_for_readiness(server, 503, RECOVERY);
    let response = server.get("/health/live").send().expect("request");

    assert_eq!(response.status(), 200);
    let body: Value = response.json().expect("a JSON body");
    assert_eq!(body, json!({"status": "ok"}));
}

#[test]
fn readiness_and_the_api_recover_by_themselves_once_postgresql_is_back() {
    let Some(setup) = setup() else { return };
    let (server, cluster) = (&setup.server, &setup.cluster);
    let pair = server.signed_up(EMAIL);
    cluster.stop();
    wait_for_readiness(server, 503, RECOVERY);

    cluster.start();
    let started = Instant::now();
    let ready = wait_for_readiness(server, 200, RECOVERY);
    eprintln!(
        "ready again {:?} after PostgreSQL started",
        started.elapsed()
    );

    assert_eq!(
        ready,
        json!({"status": "ok", "checks": {"database": "ok", "migrations": "ok"}})
    );
    assert_eq!(me(server, &pair).status(), 200, "the session made before");
    assert_eq!(login(server).status(), 200, "a new login");
}
