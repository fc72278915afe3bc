//! The pages the emailed links open, against the real binary: the link in
//! each mail opens a page (with `APP_PAGES__ENABLED=true`; the harness's
//! public URL, `http://app.test`, is not the server's address, so they are
//! off by default here), opening it leaves the token usable, the page's
//! answer carries the headers that keep the token to itself, and no log line
//! holds the token, even at `debug`.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{
    Backend, PASSWORD, ReceivedMail, TestServer, as_user, e2e_tests, me, problem_code,
    wait_for_mail,
};

e2e_tests!(
    the_pages_are_off_when_the_public_url_is_not_the_server,
    opening_each_link_leaves_its_token_usable_and_logs_no_token,
);

const PUBLIC_URL: &str = "http://app.test";

/// The path and query of the mail's link, which was built from the public
/// URL: the same request a browser sends when the public URL's host is this
/// server.
fn path_of(mail: &ReceivedMail) -> String {
    let link = mail.link().expect("a link");
    link.strip_prefix(PUBLIC_URL)
        .unwrap_or_else(|| panic!("{link} is under {PUBLIC_URL}"))
        .to_owned()
}

/// Opens a link's page and checks what the browser is told.
fn open(server: &TestServer, path: &str) {
    let response = server.get(path).send().unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    let csp = header("content-security-policy").unwrap();
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing: {csp}");
    }
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    let html = response.text().unwrap();
    let (_, token) = path.split_once("token=").unwrap();
    assert!(!html.contains(token), "the page echoes the token");
}

fn the_pages_are_off_when_the_public_url_is_not_the_server(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    for path in [
        "/verify-email?token=abc",
        "/reset-password?token=abc",
        "/confirm-email",
        "/pages/pages.js",
        "/pages/pages.css",
    ] {
        let response = server.get(path).send().unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert_eq!(problem_code(response), (404, "not_found".into()), "{path}");
    }
}

fn opening_each_link_leaves_its_token_usable_and_logs_no_token(backend: Backend) {
    let Some(server) = TestServer::start(
        backend,
        &[("APP_PAGES__ENABLED", "true"), ("RUST_LOG", "debug")],
    ) else {
        return;
    };
    let mut tokens = Vec::new();

    // Verification: the page opens twice (a mail scanner, then the person),
    // and the token still verifies.
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );
    let welcome = wait_for_mail(&server, "welcome", "ada@example.com", 1).remove(0);
    let path = path_of(&welcome);
    assert!(path.starts_with("/verify-email?token="), "{path}");
    open(&server, &path);
    open(&server, &path);
    let token = welcome.token().unwrap().to_owned();
    let verified = server.post_json("/api/v1/auth/verify-email", &json!({"token": token}));
    assert_eq!(verified.status(), 204);
    tokens.push(token);

    // An email change: the confirmation link.
    let pair: Value = server.login("ada@example.com", PASSWORD).json().unwrap();
    let requested = as_user(
        &server,
        &pair,
        reqwest::Method::POST,
        "/api/v1/users/me/email",
    )
    .json(&json!({"new_email": "ada.new@example.com", "current_password": PASSWORD}))
    .send()
    .unwrap();
    assert_eq!(requested.status(), 202);
    let confirm =
        wait_for_mail(&server, "email-change-confirm", "ada.new@example.com", 1).remove(0);
    let path = path_of(&confirm);
    assert!(path.starts_with("/confirm-email?token="), "{path}");
    open(&server, &path);
    let token = confirm.token().unwrap().to_owned();
    let confirmed = server.post_json("/api/v1/auth/confirm-email", &json!({"token": token}));
    assert_eq!(confirmed.status(), 204);
    let user: Value = me(&server, &pair).json().unwrap();
    assert_eq!(user["email"], "ada.new@example.com");
    tokens.push(token);

    // A reset.
    let asked = server.post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "ada.new@example.com"}),
    );
    assert_eq!(asked.status(), 202);
    let reset = wait_for_mail(&server, "reset-password", "ada.new@example.com", 1).remove(0);
    let path = path_of(&reset);
    assert!(path.starts_with("/reset-password?token="), "{path}");
    open(&server, &path);
    let token = reset.token().unwrap().to_owned();
    let new_password = "a brand new passphrase for ada";
    let done = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": token, "new_password": new_password}),
    );
    assert_eq!(done.status(), 204);
    assert_eq!(
        server.login("ada.new@example.com", new_password).status(),
        200
    );
    tokens.push(token);

    // The last lines are written after the answers.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let log = server.log_text();
    for page in ["/verify-email", "/confirm-email", "/reset-password"] {
        assert!(
            log.lines().any(|line| line.contains("request completed")
                && line.contains(&format!("\"route\":\"{page}\""))),
            "{page} was not logged:\n{log}"
        );
    }
    for token in &tokens {
        let leaked: Vec<&str> = log.lines().filter(|line| line.contains(token)).collect();
        assert!(leaked.is_empty(), "a log line holds a token: {leaked:?}");
    }
}
