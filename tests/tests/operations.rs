//! The operations listener and its metrics, against the real binary: what
//! is exported from start-up, what moves, and that labels stay bounded.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::{Backend, PASSWORD, TestServer, e2e_tests, wait_for_mail};

e2e_tests!(
    every_metric_of_the_contract_is_exported_from_start_up,
    metrics_are_served_on_the_operations_listener_and_never_on_the_public_port,
    requests_are_counted_by_route_template_and_unknown_paths_share_one_label,
    hashing_and_mail_delivery_move_their_metrics,
);

/// The metric names of the contract (api.md, "Operations").
const CONTRACT_METRICS: [&str; 10] = [
    "http_requests_total",
    "http_request_duration_seconds",
    "db_pool_connections",
    "password_hash_in_flight",
    "password_hash_queue_depth",
    "password_hash_rejected_total",
    "password_hash_duration_seconds",
    "outbox_pending",
    "outbox_delivered_total",
    "outbox_delivery_failures_total",
];

/// The value of the sample line `name{labels} value` (labels exactly as
/// rendered, in any order), or `None` when there is no such line.
fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (series_name, rest) = series.split_once('{').unwrap_or((series, "}"));
        if series_name != name {
            return None;
        }
        let rendered: Vec<&str> = rest.trim_end_matches('}').split(',').collect();
        let wanted: Vec<String> = labels
            .iter()
            .map(|(key, value)| format!("{key}=\"{value}\""))
            .collect();
        let same = rendered.len() == wanted.len() || (labels.is_empty() && rendered == [""]);
        (same && wanted.iter().all(|w| rendered.contains(&w.as_str())))
            .then(|| value.parse().ok())
            .flatten()
    })
}

fn every_metric_of_the_contract_is_exported_from_start_up(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };

    let metrics = server.metrics();

    for name in CONTRACT_METRICS {
        assert!(
            metrics.contains(&format!("# TYPE {name} ")),
            "{name} is not exported:\n{metrics}"
        );
    }
    assert_eq!(
        sample(&metrics, "password_hash_rejected_total", &[]),
        Some(0.0)
    );
    assert_eq!(
        sample(&metrics, "outbox_delivery_failures_total", &[]),
        Some(0.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "http_requests_total",
            &[
                ("method", "POST"),
                ("route", "/api/v1/auth/login"),
                ("status", "401")
            ]
        ),
        Some(0.0),
        "every documented outcome starts at zero"
    );
    assert!(
        sample(&metrics, "db_pool_connections", &[("state", "max")]).unwrap() >= 1.0,
        "{metrics}"
    );
}

fn metrics_are_served_on_the_operations_listener_and_never_on_the_public_port(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let client = reqwest::blocking::Client::new();

    let scrape = client
        .get(server.ops_url("/metrics"))
        .header("x-request-id", "scrape-7")
        .send()
        .unwrap();
    let on_api = server.get("/metrics").send().unwrap();
    let wrong_method = client.post(server.ops_url("/metrics")).send().unwrap();
    let unknown = client.get(server.ops_url("/health/live")).send().unwrap();

    assert_eq!(scrape.status(), 200);
    let headers = scrape.headers();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{headers:?}"
    );
    assert_eq!(headers["x-request-id"], "scrape-7");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(on_api.status(), 404);
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(wrong_method.headers()["allow"], "GET");
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.headers()["content-type"],
        "application/problem+json"
    );
}

fn requests_are_counted_by_route_template_and_unknown_paths_share_one_label(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let user = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    for _ in 0..3 {
        server.get(&format!("/api/v1/users/{user}")).send().unwrap();
    }
    for n in 0..5 {
        server
            .get(&format!("/scan/{n}/wp-admin.php"))
            .send()
            .unwrap();
    }
    server
        .request(
            reqwest::Method::from_bytes(b"FROBNICATE").unwrap(),
            "/api/v1/users/me",
        )
        .send()
        .unwrap();

    let metrics = server.metrics();

    let by_template = [
        ("method", "GET"),
        ("route", "/api/v1/users/{id}"),
        ("status", "401"),
    ];
    assert_eq!(
        sample(&metrics, "http_requests_total", &by_template),
        Some(3.0)
    );
    let unmatched = [
        ("method", "GET"),
        ("route", "<unmatched>"),
        ("status", "404"),
    ];
    assert_eq!(
        sample(&metrics, "http_requests_total", &unmatched),
        Some(5.0)
    );
    let other = [
        ("method", "OTHER"),
        ("route", "/api/v1/users/me"),
        ("status", "405"),
    ];
    assert_eq!(sample(&metrics, "http_requests_total", &other), Some(1.0));
    assert!(!metrics.contains(user), "a raw path is a label");
    assert!(!metrics.contains("wp-admin"), "a raw path is a label");
    assert!(!metrics.contains("FROBNICATE"), "a raw method is a label");
    let duration = [("method", "GET"), ("route", "/api/v1/users/{id}")];
    assert_eq!(
        sample(&metrics, "http_request_duration_seconds_count", &duration),
        Some(3.0)
    );
}

fn hashing_and_mail_delivery_move_their_metrics(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );
    wait_for_mail(&server, "welcome", "ada@example.com", 1);

    // The worker counts a delivery right after writing the file.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let metrics = loop {
        let metrics = server.metrics();
        if sample(&metrics, "outbox_delivered_total", &[]) == Some(1.0)
            || std::time::Instant::now() > deadline
        {
            break metrics;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };

    assert_eq!(
        sample(&metrics, "outbox_delivered_total", &[]),
        Some(1.0),
        "{metrics}"
    );
    assert!(
        sample(&metrics, "password_hash_duration_seconds_count", &[]).unwrap() >= 1.0,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "http_requests_total",
            &[
                ("method", "POST"),
                ("route", "/api/v1/auth/register"),
                ("status", "201")
            ]
        ),
        Some(1.0)
    );
}
