//! The HTTP metrics, recorded through the `metrics` facade (a no-op until
//! the server installs a recorder): `http_requests_total{method,route,status}`
//! and `http_request_duration_seconds{method,route}`.
//!
//! Every label stays bounded whatever a client sends: `route` is the route
//! template the router matched, or [`UNMATCHED_ROUTE`] for every unknown
//! path; `method` is a standard method's name, or `OTHER`.

use std::time::Duration;

use actix_web::http::Method;

pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";

/// The `route` of a request that no route matched, in metrics and in the
/// request log line alike.
pub const UNMATCHED_ROUTE: &str = "<unmatched>";

/// The bucket bounds of `http_request_duration_seconds`, in seconds.
pub const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The `method` label: the standard methods by name, anything else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "OTHER",
    }
}

/// Counts one answered request and its duration. `route` is the matched
/// template or [`UNMATCHED_ROUTE`].
pub(crate) fn record(method: &Method, route: &str, status: u16, elapsed: Duration) {
    let method = method_label(method);
    metrics::counter!(
        HTTP_REQUESTS_TOTAL,
        "method" => method,
        "route" => route.to_owned(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        HTTP_REQUEST_DURATION_SECONDS,
        "method" => method,
        "route" => route.to_owned()
    )
    .record(elapsed.as_secs_f64());
}

/// The keys of an OpenAPI path item that hold an operation.
const OPERATION_KEYS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every documented operation as `(METHOD, route template, statuses)`, read
/// from the OpenAPI document, so the series that start at zero are exactly
/// the outcomes the document promises.
fn documented_outcomes() -> Vec<(String, String, Vec<String>)> {
    let document = serde_json::to_value(crate::openapi::openapi()).unwrap_or_default();
    let Some(paths) = document["paths"].as_object() else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(key, _)| OPERATION_KEYS.contains(&key.as_str()))
                .map(move |(method, operation)| {
                    let statuses = operation["responses"]
                        .as_object()
                        .map(|responses| {
                            responses
                                .keys()
                                .filter(|status| status.parse::<u16>().is_ok())
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default();
                    (method.to_ascii_uppercase(), path.clone(), statuses)
                })
        })
        .collect()
}

/// Describes both metrics and registers, at zero, a counter for every
/// documented outcome of every documented operation and a histogram for
/// every documented operation, so they are exported from start-up and a
/// `rate()` over them starts at the first scrape. Call it once, after the
/// recorder is installed.
pub fn register_http_metrics() {
    metrics::describe_counter!(
        HTTP_REQUESTS_TOTAL,
        "HTTP requests answered, by method, route template and status"
    );
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION_SECONDS,
        metrics::Unit::Seconds,
        "Time from receiving a request to its answer, by method and route template"
    );
    for (method, route, statuses) in documented_outcomes() {
        for status in statuses {
            metrics::counter!(
                HTTP_REQUESTS_TOTAL,
                "method" => method.clone(),
                "route" => route.clone(),
                "status" => status
            )
            .absolute(0);
        }
        // Registering the handle is enough: it renders with empty buckets.
        drop(metrics::histogram!(
            HTTP_REQUEST_DURATION_SECONDS,
            "method" => method,
            "route" => route
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_keep_their_name_and_others_share_one_label() {
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::CONNECT), "CONNECT");
        let custom = Method::from_bytes(b"FROBNICATE").unwrap();
        assert_eq!(method_label(&custom), "OTHER");
    }

    #[test]
    fn every_documented_operation_has_its_outcomes() {
        let outcomes = documented_outcomes();
        let me = outcomes
            .iter()
            .find(|(method, route, _)| method == "GET" && route == "/api/v1/users/me")
            .expect("GET /api/v1/users/me is documented");
        assert!(me.2.contains(&"200".to_owned()), "{me:?}");
        assert!(me.2.contains(&"401".to_owned()), "{me:?}");
        assert!(
            outcomes.iter().all(|(_, _, statuses)| !statuses.is_empty()),
            "an operation without responses"
        );
    }
}
