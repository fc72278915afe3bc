//! `APP_AUTH__REFRESH_REUSE_GRACE_SECS`: a client retrying a refresh whose
//! answer it lost gets the same successor within the window, while the
//! successor is unused; any other second use still revokes the session. On
//! SQLite, PostgreSQL and the in-memory store.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use e2e::serde_json::{Value, json};
use e2e::{Backend, TestServer, e2e_tests, me};

e2e_tests!(
    a_retried_refresh_within_the_window_gets_the_same_successor,
    a_retry_after_the_successor_was_used_revokes_the_session,
    a_retry_after_the_window_revokes_the_session,
    the_successor_is_not_stored_in_plain_text,
);

const WINDOW: &[(&str, &str)] = &[("APP_AUTH__REFRESH_REUSE_GRACE_SECS", "30")];
const SHORT_WINDOW: &[(&str, &str)] = &[("APP_AUTH__REFRESH_REUSE_GRACE_SECS", "1")];

mod memory {
    use super::*;

    #[test]
    fn a_retried_refresh_within_the_window_gets_the_same_successor() {
        super::retried_within_the_window(&TestServer::start_in_memory(WINDOW));
    }

    #[test]
    fn a_retry_after_the_successor_was_used_revokes_the_session() {
        super::retried_after_the_successor_was_used(&TestServer::start_in_memory(WINDOW));
    }

    #[test]
    fn a_retry_after_the_window_revokes_the_session() {
        super::retried_after_the_window(&TestServer::start_in_memory(SHORT_WINDOW));
    }
}

fn refresh(server: &TestServer, token: &Value) -> reqwest::blocking::Response {
    server.post_json("/api/v1/auth/refresh", &json!({ "refresh_token": token }))
}

fn refreshed(server: &TestServer, token: &Value) -> Value {
    let response = refresh(server, token);
    assert_eq!(response.status(), 200);
    response.json().unwrap()
}

fn a_retried_refresh_within_the_window_gets_the_same_successor(backend: Backend) {
    let Some(server) = TestServer::start(backend, WINDOW) else {
        return;
    };
    retried_within_the_window(&server);
}

fn retried_within_the_window(server: &TestServer) {
    let first = server.signed_up("ada@example.com");
    let second = refreshed(server, &first["refresh_token"]);

    let retried = refreshed(server, &first["refresh_token"]);
    let retried_by_oauth: Value = server
        .post("/api/v1/auth/token")
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();

    assert_eq!(retried["refresh_token"], second["refresh_token"]);
    assert_eq!(retried_by_oauth["refresh_token"], second["refresh_token"]);
    assert_eq!(me(server, &retried).status(), 200);
    // The session lives on: the successor still rotates.
    let third = refreshed(server, &second["refresh_token"]);
    assert_eq!(me(server, &third).status(), 200);
}

fn a_retry_after_the_successor_was_used_revokes_the_session(backend: Backend) {
    let Some(server) = TestServer::start(backend, WINDOW) else {
        return;
    };
    retried_after_the_successor_was_used(&server);
}

fn retried_after_the_successor_was_used(server: &TestServer) {
    let first = server.signed_up("ada@example.com");
    let second = refreshed(server, &first["refresh_token"]);
    let third = refreshed(server, &second["refresh_token"]);

    let reuse = refresh(server, &first["refresh_token"]);

    assert_eq!(reuse.status(), 401);
    assert_eq!(refresh(server, &third["refresh_token"]).status(), 401);
    assert_eq!(me(server, &third).status(), 401);
}

fn a_retry_after_the_window_revokes_the_session(backend: Backend) {
    let Some(server) = TestServer::start(backend, SHORT_WINDOW) else {
        return;
    };
    retried_after_the_window(&server);
}

fn retried_after_the_window(server: &TestServer) {
    let first = server.signed_up("ada@example.com");
    let second = refreshed(server, &first["refresh_token"]);
    std::thread::sleep(Duration::from_millis(1_100));

    let reuse = refresh(server, &first["refresh_token"]);

    assert_eq!(reuse.status(), 401);
    assert_eq!(refresh(server, &second["refresh_token"]).status(), 401);
    assert_eq!(me(server, &second).status(), 401);
}

/// The database files hold the successor only sealed: its text appears in
/// none of them (SQLite: the database and its write-ahead log).
fn the_successor_is_not_stored_in_plain_text(backend: Backend) {
    if backend != Backend::Sqlite {
        return;
    }
    let Some(server) = TestServer::start(backend, WINDOW) else {
        return;
    };
    let first = server.signed_up("ada@example.com");
    let second = refreshed(&server, &first["refresh_token"]);
    let successor = second["refresh_token"].as_str().unwrap().as_bytes();

    let path = server.database_url().trim_start_matches("sqlite://");
    let folder = std::path::Path::new(path).parent().unwrap();
    let mut read = 0;
    for entry in std::fs::read_dir(folder).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        read += bytes.len();
        assert!(
            !bytes.windows(successor.len()).any(|w| w == successor),
            "the successor is stored in plain text"
        );
    }
    assert!(read > 0);
    // And it is still recoverable, sealed: a retry gets it.
    assert_eq!(
        refreshed(&server, &first["refresh_token"])["refresh_token"],
        second["refresh_token"]
    );
}
