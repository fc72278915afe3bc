//! The per-address rate limit across two server processes on one
//! PostgreSQL: with `APP_RATE_LIMIT__STORE=database` they enforce one
//! limit; with `memory` each counts its own.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::serde_json::json;
use e2e::{Backend, TestServer};

const LIMIT: usize = 6;

/// Two processes on one PostgreSQL with the limit counted in `store`, and
/// the statuses of 8 requests of one client, alternating between them.
fn statuses_across_two_processes(store: &str) -> Option<Vec<u16>> {
    let limit = LIMIT.to_string();
    let env = [
        ("APP_RATE_LIMIT__AUTH_PER_MINUTE", limit.as_str()),
        ("APP_RATE_LIMIT__STORE", store),
        ("APP_SERVER__TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let first = TestServer::start(Backend::Postgres, &env)?;
    let second = first.sibling(&env);
    // One fixed window for the whole burst: not in a minute's last seconds.
    let second_of_minute = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 60;
    if second_of_minute >= 50 {
        std::thread::sleep(Duration::from_secs(61 - second_of_minute));
    }
    let statuses = (0..8)
        .map(|n| {
            let server = if n % 2 == 0 { &first } else { &second };
            server
                .post("/api/v1/auth/forgot-password")
                .header("x-forwarded-for", "198.51.100.23")
                .json(&json!({"email": "nobody@example.com"}))
                .send()
                .unwrap()
                .status()
                .as_u16()
        })
        .collect();
    Some(statuses)
}

#[test]
fn with_the_database_store_two_processes_enforce_one_limit() {
    let Some(statuses) = statuses_across_two_processes("database") else {
        return;
    };

    let accepted = statuses.iter().filter(|s| **s == 202).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    eprintln!("database store, 2 processes, limit {LIMIT}: {accepted} × 202, {refused} × 429");
    assert_eq!((accepted, refused), (LIMIT, 8 - LIMIT), "{statuses:?}");
}

#[test]
fn with_the_memory_store_each_process_counts_its_own() {
    let Some(statuses) = statuses_across_two_processes("memory") else {
        return;
    };

    let accepted = statuses.iter().filter(|s| **s == 202).count();
    eprintln!("memory store, 2 processes, limit {LIMIT}: {accepted} × 202");
    assert_eq!(accepted, 8, "{statuses:?}");
}
