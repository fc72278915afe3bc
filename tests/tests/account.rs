//! The current user's account end to end: profile, deletion, sessions and
//! the security trail.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{Backend, PASSWORD, TestServer, bearer as auth, e2e_tests, me, problem_code};

e2e_tests!(
    the_profile_name_can_change_but_nothing_else,
    deleting_the_account_frees_the_email,
    sessions_are_listed_and_one_can_be_ended,
    the_security_trail_lists_events_newest_first_in_pages,
);

fn the_profile_name_can_change_but_nothing_else(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");
    let patch = |body: Value| {
        server
            .request(reqwest::Method::PATCH, "/api/v1/users/me")
            .header("authorization", auth(&pair))
            .json(&body)
            .send()
            .unwrap()
    };

    let renamed: Value = patch(json!({"name": "  Countess Lovelace "}))
        .json()
        .unwrap();
    assert_eq!(renamed["name"], "Countess Lovelace");

    let smuggled = patch(json!({"name": "Ada", "role": "admin"}));
    assert_eq!(smuggled.status(), 422);
    let body: Value = smuggled.json().unwrap();
    assert_eq!(body["errors"][0]["field"], "role");
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    assert_eq!(me(&server, &pair).json::<Value>().unwrap()["role"], "user");
}

fn deleting_the_account_frees_the_email(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");

    let deleted = server
        .request(reqwest::Method::DELETE, "/api/v1/users/me")
        .header("authorization", auth(&pair))
        .send()
        .unwrap();
    assert_eq!(deleted.status(), 204);

    assert_eq!(me(&server, &pair).status(), 401);
    assert_eq!(
        server
            .register("ada@example.com", PASSWORD, "Ada again")
            .status(),
        201
    );
}

fn sessions_are_listed_and_one_can_be_ended(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let this = server.signed_up("ada@example.com");
    let other: Value = server.login("ada@example.com", PASSWORD).json().unwrap();

    let listed: Value = server
        .get("/api/v1/users/me/sessions")
        .header("authorization", auth(&this))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let other_id = items.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let ended = server
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/users/me/sessions/{other_id}"),
        )
        .header("authorization", auth(&this))
        .send()
        .unwrap();
    assert_eq!(ended.status(), 204);
    assert_eq!(me(&server, &other).status(), 401);
    assert_eq!(me(&server, &this).status(), 200);

    let malformed = server
        .request(reqwest::Method::DELETE, "/api/v1/users/me/sessions/nope")
        .header("authorization", auth(&this))
        .send()
        .unwrap();
    assert_eq!(problem_code(malformed), (404, "not_found".into()));
}

fn the_security_trail_lists_events_newest_first_in_pages(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");
    assert_eq!(
        server.login("ada@example.com", "not the password").status(),
        401
    );

    let page = |query: &str| -> reqwest::blocking::Response {
        server
            .get(&format!("/api/v1/users/me/events{query}"))
            .header("authorization", auth(&pair))
            .send()
            .unwrap()
    };
    let all: Value = page("").json().unwrap();
    let kinds: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["login_failed", "login_succeeded", "registered"]);
    assert!(all["next_cursor"].is_null());
    assert_eq!(all["items"][0]["ip"], "127.0.0.1");

    let first: Value = page("?limit=2").json().unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second: Value = page(&format!("?limit=2&cursor={cursor}")).json().unwrap();
    assert_eq!(second["items"][0]["kind"], "registered");
    assert!(second["next_cursor"].is_null());

    for bad in ["?limit=0", "?limit=101", "?limit=", "?cursor=forged"] {
        assert_eq!(page(bad).status(), 422, "{bad}");
    }
}
