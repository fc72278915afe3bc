//! The harness of the end-to-end suite: starts the real `server` binary
//! against a fresh SQLite file, a fresh PostgreSQL database or the
//! in-memory store, and talks to it over real HTTP.
//!
//! The server binds port 0 itself (any free port, for its API and its
//! operations listener alike) and logs the address it got; the harness waits
//! for that line. Nothing picks a port for it in advance, so no two servers,
//! and no other process, can race for one.

// Test support: failing loudly on a broken setup is the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use adapters_db::testing::TestDatabase;
pub use adapters_mail::testing::ReceivedMail;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

pub use serde_json;

mod helpers;
pub use helpers::*;

/// Which database a test runs against: the storage adapter's own enum.
pub use adapters_db::Backend;

/// A running server, killed (and its database dropped) on drop.
pub struct TestServer {
    child: Child,
    base_url: String,
    /// The operations listener (`/metrics`).
    ops_url: String,
    client: Client,
    log: Arc<Mutex<Vec<String>>>,
    database_url: String,
    /// The database, owned by the first server on it (a sibling only
    /// borrows the URL), kept across restarts and dropped after the process
    /// is killed.
    database: Option<TestDatabase>,
    workdir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// The `server` binary that cargo built next to this test executable.
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let binary = dir.join(format!("server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: build it with `cargo build -p server`",
        binary.display()
    );
    binary
}

/// How long a server may take to report the address it listens on.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The address in the line where the server reports its bound `listener`
/// (`"listener":"api"` or `"ops"`, `"address":"127.0.0.1:PORT"` in the
/// JSON log, `listener="api" address=127.0.0.1:PORT` in the pretty one).
fn reported_address(line: &str, listener: &str) -> Option<SocketAddr> {
    let Ok(event) = serde_json::from_str::<Value>(line) else {
        // The `pretty` format: `... listener="api" address=127.0.0.1:PORT`.
        let (_, rest) = line.split_once(&format!("listener=\"{listener}\" address="))?;
        return rest.split_whitespace().next()?.parse().ok();
    };
    if event["listener"] != listener {
        return None;
    }
    event["address"].as_str()?.parse().ok()
}

/// Waits until the server reports the address its API listener got, and
/// returns it. Panics with everything the server printed when the process
/// exits first or [`START_TIMEOUT`] passes (killing it then).
fn wait_for_address(
    child: &mut Child,
    log: &Mutex<Vec<String>>,
    readers: Vec<JoinHandle<()>>,
) -> SocketAddr {
    let deadline = Instant::now() + START_TIMEOUT;
    let output = || log.lock().expect("log lock").join("\n");
    let mut scanned = 0;
    loop {
        {
            let lines = log.lock().expect("log lock");
            if let Some(address) = lines[scanned..]
                .iter()
                .find_map(|l| reported_address(l, "api"))
            {
                return address;
            }
            scanned = lines.len();
        }
        if let Some(status) = child.try_wait().expect("wait for the server") {
            // Its output is complete once both pipes reached their end.
            for reader in readers {
                let _ = reader.join();
            }
            panic!(
                "server exited ({status}) before reporting the address it listens on; \
                 its output:\n{}",
                output()
            );
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "server did not report the address it listens on within {START_TIMEOUT:?}; \
                 its output:\n{}",
                output()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl TestServer {
    /// Starts a server on `backend` with test-friendly settings (bcrypt cost
    /// 4, no rate limit) overridden by `env`. `None` when the backend is
    /// PostgreSQL and it is not reachable (the skip is printed by the
    /// database helper, or it panics when PostgreSQL is required).
    pub fn start(backend: Backend, env: &[(&str, &str)]) -> Option<Self> {
        let database = match backend {
            Backend::Sqlite => TestDatabase::sqlite(),
            Backend::Postgres => TestDatabase::postgres()?,
        };
        let workdir = tempfile::tempdir().expect("temp dir");
        Some(Self::spawn(
            database.url().to_owned(),
            Some(database),
            workdir,
            &[],
            env,
        ))
    }

    /// Starts a server on the in-memory store (`APP_DATABASE__URL=memory:`),
    /// with the settings of [`start`](Self::start).
    pub fn start_in_memory(env: &[(&str, &str)]) -> Self {
        Self::start_in_memory_with_args(&[], env)
    }

    /// [`start_in_memory`](Self::start_in_memory) as `server serve ARGS`.
    pub fn start_in_memory_with_args(args: &[&str], env: &[(&str, &str)]) -> Self {
        let workdir = tempfile::tempdir().expect("temp dir");
        Self::spawn("memory:".to_owned(), None, workdir, args, env)
    }

    /// Starts a server on a database that the test itself runs (and drops),
    /// at `database_url`, with the settings of [`start`](Self::start).
    pub fn start_on(database_url: &str, env: &[(&str, &str)]) -> Self {
        let workdir = tempfile::tempdir().expect("temp dir");
        Self::spawn(database_url.to_owned(), None, workdir, &[], env)
    }

    /// Another server process on the same database, with its own port and
    /// working directory.
    pub fn sibling(&self, env: &[(&str, &str)]) -> Self {
        let workdir = tempfile::tempdir().expect("temp dir");
        Self::spawn(self.database_url.clone(), None, workdir, &[], env)
    }

    /// Kills this server with SIGKILL (no graceful stop: a crash) and starts
    /// another on the same database and working directory, with `env` on top
    /// of the test defaults.
    pub fn restart(mut self, env: &[(&str, &str)]) -> Self {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let workdir = self.workdir.take().expect("workdir present until drop");
        Self::spawn(
            self.database_url.clone(),
            self.database.take(),
            workdir,
            &[],
            env,
        )
    }

    /// The database URL this server uses.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    fn spawn(
        database_url: String,
        database: Option<TestDatabase>,
        workdir: tempfile::TempDir,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Self {
        let mut command = Command::new(server_binary());
        command
            .args(args)
            .current_dir(workdir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            // Any free port, bound by the server itself: see the module doc.
            .env("APP_SERVER__PORT", "0")
            .env("APP_OPS__PORT", "0")
            .env("APP_DATABASE__URL", &database_url)
            .env("APP_AUTH__BCRYPT_COST", "4")
            .env("APP_RATE_LIMIT__AUTH_PER_MINUTE", "0")
            .env("APP_LOG__FORMAT", "json")
            .env("APP_PUBLIC_URL", "http://app.test")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn server");
        let log = Arc::new(Mutex::new(Vec::new()));
        let streams: [Option<Box<dyn std::io::Read + Send>>; 2] = [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ];
        let readers = streams
            .into_iter()
            .flatten()
            .map(|stream| {
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    for line in BufReader::new(stream).lines().map_while(Result::ok) {
                        log.lock().expect("log lock").push(line);
                    }
                })
            })
            .collect();
        let address = wait_for_address(&mut child, &log, readers);
        // Reported before the API's line.
        let ops_address = log
            .lock()
            .expect("log lock")
            .iter()
            .find_map(|line| reported_address(line, "ops"))
            .expect("the server reports its operations listener before the API's");
        let server = Self {
            child,
            base_url: format!("http://{address}"),
            ops_url: format!("http://{ops_address}"),
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            log,
            database_url,
            database,
            workdir: Some(workdir),
        };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(response) = self.client.get(self.url("/health/ready")).send()
                && response.status() == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "server did not become ready; its output:\n{}",
            self.log_text()
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Everything the server printed so far.
    /// The URL of `path` on the operations listener.
    pub fn ops_url(&self, path: &str) -> String {
        format!("{}{path}", self.ops_url)
    }

    /// `GET /metrics` on the operations listener, as text.
    pub fn metrics(&self) -> String {
        let response = self
            .client
            .get(self.ops_url("/metrics"))
            .send()
            .expect("scrape /metrics");
        assert_eq!(response.status(), 200, "GET /metrics");
        response.text().expect("metrics text")
    }

    pub fn log_text(&self) -> String {
        self.log.lock().expect("log lock").join("\n")
    }

    pub fn workdir(&self) -> &std::path::Path {
        self.workdir
            .as_ref()
            .expect("workdir present until drop")
            .path()
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// `POST path` with a JSON body.
    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        self.post(path).json(body).send().expect("request")
    }

    /// Registers an account and returns the response.
    pub fn register(&self, email: &str, password: &str, name: &str) -> Response {
        self.post_json(
            "/api/v1/auth/register",
            &json!({"email": email, "password": password, "name": name}),
        )
    }

    pub fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
    }

    /// Registers and logs in; returns the token pair.
    pub fn signed_up(&self, email: &str) -> Value {
        assert_eq!(self.register(email, PASSWORD, "Test User").status(), 201);
        let response = self.login(email, PASSWORD);
        assert_eq!(response.status(), 200);
        response.json().expect("token pair")
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Only now may the database be dropped: the process held connections.
        self.database.take();
    }
}

/// Defines one test per backend: `mod sqlite { fn name() }` and
/// `mod postgres { fn name() }`, each calling `name(Backend::...)` from the
/// enclosing module, which starts its own server with the settings it needs.
#[macro_export]
macro_rules! e2e_tests {
    ($($name:ident),* $(,)?) => {
        $crate::e2e_tests!(@backend sqlite, Sqlite, $($name),*);
        $crate::e2e_tests!(@backend postgres, Postgres, $($name),*);
    };
    (@backend $module:ident, $backend:ident, $($name:ident),*) => {
        mod $module {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::Backend::$backend);
                }
            )*
        }
    };
}
