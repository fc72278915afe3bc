//! What tests do with a running server: read its mail, call it as a
//! client, look behind it at its database.

use std::time::{Duration, Instant};

use adapters_mail::testing::ReceivedMail;
use reqwest::blocking::Response;
use serde_json::Value;

use crate::TestServer;

/// The mail the server's `file` transport wrote so far, oldest first.
pub fn mails(server: &TestServer) -> Vec<ReceivedMail> {
    let folder = server.workdir().join("data/outbox");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    // Outbox ids are UUID v7: by name is by queueing time.
    files.sort();
    files
        .iter()
        .map(|path| {
            ReceivedMail::parse(std::fs::read(path).expect("read .eml"))
                .expect("an RFC 5322 message")
        })
        .collect()
}

/// Waits until `count` messages of `kind` to `to` were written, and returns
/// them; panics after 10 s.
pub fn wait_for_mail(server: &TestServer, kind: &str, to: &str, count: usize) -> Vec<ReceivedMail> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found: Vec<ReceivedMail> = mails(server)
            .into_iter()
            .filter(|mail| mail.kind.as_deref() == Some(kind) && mail.to.as_deref() == Some(to))
            .collect();
        if found.len() >= count || Instant::now() > deadline {
            assert_eq!(
                found.len(),
                count,
                "{kind} mail to {to}; server output:\n{}",
                server.log_text()
            );
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The password hash stored for `email`, read straight from the server's
/// database (for checks no API call can make, such as the bcrypt cost).
pub fn stored_password_hash(server: &TestServer, email: &str) -> String {
    use domain::ports::UserRepository;
    let database = server
        .database
        .as_ref()
        .expect("the database's first server")
        .connect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let email = domain::Email::parse(email).expect("valid email");
    let user = runtime
        .block_on(database.find_by_email(&email))
        .expect("query")
        .expect("user exists");
    user.password_hash.expose().to_owned()
}

/// The `Authorization` header value for a token pair's access token.
pub fn bearer(pair: &Value) -> String {
    format!(
        "Bearer {}",
        pair["access_token"].as_str().expect("an access token")
    )
}

/// `GET /api/v1/users/me` with the pair's access token.
pub fn me(server: &TestServer, pair: &Value) -> Response {
    server
        .get("/api/v1/users/me")
        .header("authorization", bearer(pair))
        .send()
        .expect("request")
}

/// The status and problem `code` of a response.
pub fn problem_code(response: Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().expect("a JSON body");
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

/// The token of the link in a mail.
pub fn token_of(mail: &ReceivedMail) -> String {
    mail.token().expect("a link with a token").to_owned()
}

/// A password that meets every rule.
pub const PASSWORD: &str = "correct horse battery staple";

/// Makes an active, verified admin with `server create-admin` on this
/// server's database (password [`PASSWORD`]), logs in and returns the
/// token pair. Panics with the command's output when it fails.
pub fn create_admin(server: &TestServer, email: &str) -> Value {
    let output = std::process::Command::new(crate::server_binary())
        .args(["create-admin", "--email", email, "--name", "Admin"])
        .current_dir(server.workdir())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("APP_DATABASE__URL", server.database_url())
        .env("APP_AUTH__BCRYPT_COST", "4")
        .env("APP_ADMIN_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run server create-admin");
    assert!(
        output.status.success(),
        "create-admin failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let login = server.login(email, PASSWORD);
    assert_eq!(login.status(), 200, "admin login");
    login.json().expect("token pair")
}

/// A request to `path` carrying the pair's access token.
pub fn as_user(
    server: &TestServer,
    pair: &Value,
    method: reqwest::Method,
    path: &str,
) -> reqwest::blocking::RequestBuilder {
    server
        .request(method, path)
        .header("authorization", bearer(pair))
}

/// `POST /api/v1/users` as `admin` (password [`PASSWORD`]); asserts 201 and
/// returns the new account.
pub fn admin_creates_user(server: &TestServer, admin: &Value, email: &str, role: &str) -> Value {
    let response = as_user(server, admin, reqwest::Method::POST, "/api/v1/users")
        .json(&serde_json::json!({
            "email": email, "password": PASSWORD, "name": "Test User", "role": role
        }))
        .send()
        .expect("request");
    assert_eq!(response.status(), 201, "create {email}");
    response.json().expect("a user")
}

/// `PATCH /api/v1/users/{id}` as `admin` with `body`.
pub fn admin_patches_user(server: &TestServer, admin: &Value, id: &str, body: &Value) -> Response {
    as_user(
        server,
        admin,
        reqwest::Method::PATCH,
        &format!("/api/v1/users/{id}"),
    )
    .json(body)
    .send()
    .expect("request")
}

/// Runs `server ARGS` on this server's database and working directory,
/// with the test defaults and `env` on top, and returns its output.
pub fn server_command(
    server: &TestServer,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut command = std::process::Command::new(crate::server_binary());
    command
        .args(args)
        .current_dir(server.workdir())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("APP_DATABASE__URL", server.database_url())
        .env("APP_AUTH__BCRYPT_COST", "4")
        .env("APP_PUBLIC_URL", "http://app.test")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run the server binary")
}
