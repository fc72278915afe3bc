//! Smoke tests of the built binary: configuration checks, the OpenAPI
//! document, migrations and `create-admin`, each in a fresh working
//! directory with nothing but the variables a test sets.

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// `server ARGS` in `dir` with only `vars` in its environment.
fn server(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    server_with_stdin(dir, args, vars, "")
}

fn server_with_stdin(dir: &Path, args: &[&str], vars: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(vars.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A fast bcrypt and a database in the temporary folder.
fn db_vars(dir: &TempDir) -> Vec<(&'static str, String)> {
    vec![
        (
            "APP_DATABASE__URL",
            format!("sqlite://{}/db/app.db", dir.path().display()),
        ),
        ("APP_AUTH__BCRYPT_COST", "4".into()),
        ("RUST_LOG", "warn".into()),
    ]
}

fn borrowed<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn check_config_without_any_configuration_prints_the_defaults_redacted() {
    let dir = TempDir::new().unwrap();
    let out = server(dir.path(), &["check-config"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("port = 8080"), "{text}");
    assert!(text.contains("url = \"sqlite://data/app.db\""), "{text}");
    assert!(text.contains("token_secret = \"[redacted]\""), "{text}");
    assert!(!text.contains("development-only"), "{text}");
    assert!(
        !dir.path().join("data").exists(),
        "check-config must not touch the database"
    );
}

#[test]
fn check_config_reads_the_config_folder_and_the_environment() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/default.toml"),
        "[server]\nport = 1234\n[ops]\nport = 4321\n",
    )
    .unwrap();
    let out = server(dir.path(), &["check-config"], &[("APP_OPS__PORT", "5555")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("port = 1234"), "{text}");
    assert!(text.contains("port = 5555"), "{text}");
}

#[test]
fn a_bad_setting_is_one_line_naming_the_key_and_a_failure() {
    let dir = TempDir::new().unwrap();
    let out = server(
        dir.path(),
        &["check-config"],
        &[("APP_AUTH__BCRYPT_COST", "3")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "configuration error: APP_AUTH__BCRYPT_COST (auth.bcrypt_cost): must be between 4 and 31, got 3\n"
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn production_refuses_the_development_secrets_at_start_up() {
    let dir = TempDir::new().unwrap();
    for args in [&["check-config"][..], &["migrate"], &["serve"]] {
        let out = server(dir.path(), args, &[("APP_ENV", "production")]);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("configuration error: APP_AUTH__TOKEN_SECRET (auth.token_secret): "),
            "{err}"
        );
    }
    assert!(!dir.path().join("data").exists());
}

#[test]
fn openapi_prints_an_openapi_3_1_document() {
    let dir = TempDir::new().unwrap();
    // It needs no configuration, not even a valid one.
    let out = server(
        dir.path(),
        &["openapi"],
        &[("APP_SERVER__PORT", "not-a-port")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let document: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let version = document["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1"), "{version}");
    assert!(document["paths"].is_object());
    // Byte for byte the committed copy: `server openapi > docs/openapi.json`
    // regenerates it (no blank line at the end).
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .unwrap();
    assert!(stdout(&out) == committed, "differs from docs/openapi.json");
}

#[test]
fn migrate_creates_the_sqlite_file_and_is_idempotent() {
    let dir = TempDir::new().unwrap();
    let vars = db_vars(&dir);
    let out = server(dir.path(), &["migrate"], &borrowed(&vars));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("db/app.db").is_file());
    let again = server(dir.path(), &["migrate"], &borrowed(&vars));
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn migrate_uses_the_relative_default_database() {
    let dir = TempDir::new().unwrap();
    let out = server(dir.path(), &["migrate"], &[("RUST_LOG", "warn")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("data/app.db").is_file());
}

#[test]
fn create_admin_creates_once_and_refuses_a_taken_email() {
    let dir = TempDir::new().unwrap();
    let mut vars = db_vars(&dir);
    vars.push(("APP_ADMIN_PASSWORD", "correct horse battery staple".into()));
    let args = [
        "create-admin",
        "--email",
        "Root@Example.com",
        "--name",
        "Root",
    ];

    let out = server(dir.path(), &args, &borrowed(&vars));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("created admin root@example.com ("),
        "{}",
        stdout(&out)
    );

    let again = server(dir.path(), &args, &borrowed(&vars));
    assert_eq!(again.status.code(), Some(1));
    let err = stderr(&again);
    assert!(err.contains("already exists"), "{err}");
    assert!(!err.contains("correct horse"), "{err}");
}

#[test]
fn create_admin_reads_the_password_from_stdin_and_applies_the_rules() {
    let dir = TempDir::new().unwrap();
    let vars = db_vars(&dir);
    let args = [
        "create-admin",
        "--email",
        "ops@example.com",
        "--name",
        "Ops",
    ];

    let weak = server_with_stdin(dir.path(), &args, &borrowed(&vars), "password1234\n");
    assert_eq!(weak.status.code(), Some(1));
    assert!(
        stderr(&weak).contains("password: too easy to guess"),
        "{}",
        stderr(&weak)
    );

    let none = server_with_stdin(dir.path(), &args, &borrowed(&vars), "");
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("APP_ADMIN_PASSWORD"),
        "{}",
        stderr(&none)
    );

    let out = server_with_stdin(
        dir.path(),
        &args,
        &borrowed(&vars),
        "  tr0ub4dor & three more words\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn create_admin_rejects_a_bad_email_before_touching_the_database() {
    let dir = TempDir::new().unwrap();
    let out = server(
        dir.path(),
        &["create-admin", "--email", "not-an-email", "--name", "X"],
        &[("APP_ADMIN_PASSWORD", "correct horse battery staple")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--email: not a valid email address"));
    assert!(!dir.path().join("data").exists());
}

#[test]
fn serve_with_a_first_admin_refuses_a_database_and_points_to_create_admin() {
    let dir = TempDir::new().unwrap();
    let mut vars = db_vars(&dir);
    vars.push(("APP_ADMIN_PASSWORD", "correct horse battery staple".into()));
    vars.push(("APP_SERVER__PORT", "0".into()));
    vars.push(("APP_OPS__PORT", "0".into()));

    let out = server(
        dir.path(),
        &[
            "serve",
            "--admin-email",
            "root@example.com",
            "--admin-name",
            "Root",
        ],
        &borrowed(&vars),
    );

    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("memory: only"), "{err}");
    assert!(err.contains("server create-admin"), "{err}");
    assert!(!err.contains("correct horse"), "{err}");
}

#[test]
fn create_admin_refuses_the_in_memory_store_and_points_to_serve() {
    let dir = TempDir::new().unwrap();
    let out = server(
        dir.path(),
        &[
            "create-admin",
            "--email",
            "root@example.com",
            "--name",
            "Root",
        ],
        &[
            ("APP_DATABASE__URL", "memory:"),
            ("APP_ADMIN_PASSWORD", "correct horse battery staple"),
            ("RUST_LOG", "warn"),
        ],
    );

    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("serve --admin-email"),
        "{}",
        stderr(&out)
    );
}
