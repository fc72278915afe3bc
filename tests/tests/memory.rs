//! The server on the in-memory store (`APP_DATABASE__URL=memory:`): it
//! starts ready, warns that nothing survives a restart, serves the account
//! lifecycle with its mail, and gets its first admin from
//! `serve --admin-email`.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{PASSWORD, TestServer, bearer, me, token_of, wait_for_mail};

#[test]
fn the_in_memory_store_starts_ready_and_warns_that_nothing_survives_a_restart() {
    let server = TestServer::start_in_memory(&[]);

    let ready = server.get("/health/ready").send().unwrap();

    assert_eq!(ready.status(), 200);
    let warned = server
        .log_text()
        .lines()
        .filter_map(|line| e2e::serde_json::from_str::<Value>(line).ok())
        .any(|line| {
            line["level"] == "WARN"
                && line["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("nothing survives a restart"))
        });
    assert!(warned, "{}", server.log_text());
}

#[test]
fn the_in_memory_store_serves_registration_verification_login_refresh_and_logout() {
    let server = TestServer::start_in_memory(&[]);
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );
    let welcome = wait_for_mail(&server, "welcome", "ada@example.com", 1);
    let verified = server.post_json(
        "/api/v1/auth/verify-email",
        &json!({"token": token_of(&welcome[0])}),
    );
    assert_eq!(verified.status(), 204);

    let pair: Value = server.login("ada@example.com", PASSWORD).json().unwrap();
    let user: Value = me(&server, &pair).json().unwrap();
    assert_eq!(user["email_verified"], true);
    let refreshed: Value = server
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": pair["refresh_token"]}),
        )
        .json()
        .unwrap();
    let logout = server
        .post("/api/v1/auth/logout")
        .header("authorization", bearer(&refreshed))
        .send()
        .unwrap();

    assert_eq!(logout.status(), 204);
    assert_eq!(me(&server, &refreshed).status(), 401);
}

#[test]
fn serve_with_a_first_admin_on_the_in_memory_store_lets_that_admin_manage_users() {
    let server = TestServer::start_in_memory_with_args(
        &[
            "serve",
            "--admin-email",
            "Root@Example.com",
            "--admin-name",
            "Root",
        ],
        &[("APP_ADMIN_PASSWORD", PASSWORD)],
    );
    server.signed_up("ada@example.com");

    let login = server.login("root@example.com", PASSWORD);
    assert_eq!(login.status(), 200);
    let pair: Value = login.json().unwrap();
    let admin: Value = me(&server, &pair).json().unwrap();
    let listed: Value = server
        .get("/api/v1/users")
        .header("authorization", bearer(&pair))
        .send()
        .unwrap()
        .json()
        .unwrap();

    assert_eq!(admin["role"], "admin");
    assert_eq!(admin["email_verified"], true);
    let emails: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ada@example.com", "root@example.com"]);
    assert!(!server.log_text().contains(PASSWORD));
}
