//! The server's log, against the real binary: one line per request with
//! what an operator needs, in both formats, and never a secret, even at
//! `debug`.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{
    Backend, PASSWORD, TestServer, admin_creates_user, as_user, bearer, create_admin, e2e_tests,
    token_of, wait_for_mail,
};

e2e_tests!(
    no_log_line_of_any_flow_holds_a_password_token_or_hash,
    each_request_logs_one_json_line_with_its_id_method_route_status_and_duration,
    the_pretty_format_logs_each_request_on_one_readable_line,
);

const GUESS: &str = "my-secret-guess-123";
const CHANGED: &str = "a changed passphrase for ada";
const RESET: &str = "a passphrase after the reset";
const MADE_BY_ADMIN: &str = "a passphrase the admin typed";

/// Runs every flow that handles a secret and returns the secrets it used.
fn every_flow(server: &TestServer) -> Vec<String> {
    let mut secrets: Vec<String> = [PASSWORD, GUESS, CHANGED, RESET, MADE_BY_ADMIN, "$2b$"]
        .map(str::to_owned)
        .to_vec();
    let mut keep = |value: &Value| secrets.push(value.as_str().unwrap().to_owned());

    // Register, verify, log in (also wrongly, and with the token endpoint).
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );
    let welcome = wait_for_mail(server, "welcome", "ada@example.com", 1).remove(0);
    let verify = token_of(&welcome);
    assert_eq!(
        server
            .post_json("/api/v1/auth/verify-email", &json!({"token": verify}))
            .status(),
        204
    );
    keep(&json!(verify));
    assert_eq!(server.login("ada@example.com", GUESS).status(), 401);
    let pair: Value = server.login("ada@example.com", PASSWORD).json().unwrap();
    keep(&pair["access_token"]);
    keep(&pair["refresh_token"]);
    let granted: Value = server
        .post("/api/v1/auth/token")
        .form(&[
            ("grant_type", "password"),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    keep(&granted["access_token"]);
    keep(&granted["refresh_token"]);

    // Refresh, then the rotated token again (reuse detection).
    let refreshed: Value = server
        .post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": granted["refresh_token"]}),
        )
        .json()
        .unwrap();
    keep(&refreshed["access_token"]);
    keep(&refreshed["refresh_token"]);
    let reuse = server.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": granted["refresh_token"]}),
    );
    assert_eq!(reuse.status(), 401);

    // Change the password, then an email change with its confirmation.
    let changed = as_user(
        server,
        &pair,
        reqwest::Method::PUT,
        "/api/v1/users/me/password",
    )
    .json(&json!({"current_password": PASSWORD, "new_password": CHANGED}))
    .send()
    .unwrap();
    assert_eq!(changed.status(), 204);
    let requested = as_user(
        server,
        &pair,
        reqwest::Method::POST,
        "/api/v1/users/me/email",
    )
    .json(&json!({"new_email": "ada.new@example.com", "current_password": CHANGED}))
    .send()
    .unwrap();
    assert_eq!(requested.status(), 202);
    let confirm =
        token_of(&wait_for_mail(server, "email-change-confirm", "ada.new@example.com", 1)[0]);
    assert_eq!(
        server
            .post_json("/api/v1/auth/confirm-email", &json!({"token": confirm}))
            .status(),
        204
    );
    keep(&json!(confirm));

    // Forgot and reset the password.
    server.post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "ada.new@example.com"}),
    );
    let reset = token_of(&wait_for_mail(server, "reset-password", "ada.new@example.com", 1)[0]);
    assert_eq!(
        server
            .post_json(
                "/api/v1/auth/reset-password",
                &json!({"token": reset, "new_password": RESET}),
            )
            .status(),
        204
    );
    keep(&json!(reset));

    // An admin creates a user and sends it a reset link; logout.
    let admin = create_admin(server, "root@example.com");
    keep(&admin["access_token"]);
    keep(&admin["refresh_token"]);
    let created = as_user(server, &admin, reqwest::Method::POST, "/api/v1/users")
        .json(&json!({"email": "bob@example.com", "password": MADE_BY_ADMIN, "name": "Bob"}))
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    let bob = admin_creates_user(server, &admin, "carol@example.com", "user");
    let sent = as_user(
        server,
        &admin,
        reqwest::Method::POST,
        &format!(
            "/api/v1/users/{}/password-reset",
            bob["id"].as_str().unwrap()
        ),
    )
    .send()
    .unwrap();
    assert_eq!(sent.status(), 202);
    keep(&json!(token_of(
        &wait_for_mail(server, "reset-password", "carol@example.com", 1)[0]
    )));
    let ada: Value = server.login("ada.new@example.com", RESET).json().unwrap();
    keep(&ada["access_token"]);
    keep(&ada["refresh_token"]);
    let logout = server
        .post("/api/v1/auth/logout")
        .header("authorization", bearer(&ada))
        .send()
        .unwrap();
    assert_eq!(logout.status(), 204);
    secrets
}

fn no_log_line_of_any_flow_holds_a_password_token_or_hash(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[("RUST_LOG", "debug")]) else {
        return;
    };

    let secrets = every_flow(&server);
    // The last lines (the logout's) are written after its answer.
    std::thread::sleep(std::time::Duration::from_millis(200));

    let log = server.log_text();
    assert!(
        log.matches("request completed").count() >= 15,
        "the flows were logged:\n{log}"
    );
    for secret in &secrets {
        let leaked: Vec<&str> = log
            .lines()
            .filter(|line| line.contains(secret.as_str()))
            .collect();
        assert!(leaked.is_empty(), "a log line holds a secret: {leaked:?}");
    }
}

/// The `request completed` lines of a JSON log.
fn request_lines(server: &TestServer) -> Vec<Value> {
    server
        .log_text()
        .lines()
        .filter_map(|line| e2e::serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["message"] == "request completed")
        .collect()
}

fn each_request_logs_one_json_line_with_its_id_method_route_status_and_duration(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let send = |method: reqwest::Method, path: &str, id: &str| {
        server
            .request(method, path)
            .header("x-request-id", id)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };

    let statuses = [
        send(reqwest::Method::GET, "/api/v1/users/me", "req-401"),
        send(reqwest::Method::GET, "/no/such/path", "req-404"),
        send(reqwest::Method::DELETE, "/health/live", "req-405"),
    ];
    std::thread::sleep(std::time::Duration::from_millis(200));

    assert_eq!(statuses, [401, 404, 405]);
    let lines = request_lines(&server);
    for (id, method, route, status) in [
        ("req-401", "GET", "/api/v1/users/me", 401),
        ("req-404", "GET", "<unmatched>", 404),
        ("req-405", "DELETE", "/health/live", 405),
    ] {
        let mine: Vec<&Value> = lines
            .iter()
            .filter(|line| line["spans"][0]["request_id"] == id)
            .collect();
        assert_eq!(mine.len(), 1, "{id}: {lines:?}");
        let line = mine[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["method"], method);
        assert_eq!(line["route"], route);
        assert_eq!(line["status"], status);
        assert!(line["duration_ms"].as_f64().unwrap() >= 0.0, "{line}");
    }
}

fn the_pretty_format_logs_each_request_on_one_readable_line(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[("APP_LOG__FORMAT", "pretty")]) else {
        return;
    };

    let status = server
        .get("/health/live")
        .header("x-request-id", "pretty-9")
        .send()
        .unwrap()
        .status();
    std::thread::sleep(std::time::Duration::from_millis(200));

    assert_eq!(status, 200);
    let log = server.log_text();
    let lines: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("pretty-9"))
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    let line = lines[0];
    for part in [
        "INFO",
        "request completed",
        "GET",
        "/health/live",
        "200",
        "duration_ms",
    ] {
        assert!(line.contains(part), "{part} missing: {line}");
    }
    assert!(e2e::serde_json::from_str::<Value>(line).is_err(), "{line}");
}
