//! `server serve` as a process: it says where it listens, answers, and
//! stops gracefully with status 0 on SIGTERM and on Ctrl-C (SIGINT).

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A running `server serve` in a fresh folder, on the port it picked itself
/// (port 0) and reported.
struct Running {
    child: Child,
    address: SocketAddr,
    /// The log line that reported `address`.
    reported: String,
    /// Every stderr line, as it arrives.
    lines: mpsc::Receiver<String>,
    _dir: TempDir,
}

fn start(vars: &[(&str, &str)]) -> Running {
    start_with(&[], vars)
}

/// As [`start`], with `server serve ARGS`.
fn start_with(args: &[&str], vars: &[(&str, &str)]) -> Running {
    let dir = TempDir::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("APP_SERVER__PORT", "0")
        .env("APP_OPS__PORT", "0")
        .env("APP_AUTH__BCRYPT_COST", "4")
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let (address, reported) = loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(wait) {
            Ok(line) => {
                if let Some(address) = logged_address(&line) {
                    break (address, line);
                }
                seen.push(line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "no address logged within 30 s; stderr:\n{}",
                    seen.join("\n")
                );
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.wait().unwrap();
                panic!(
                    "the server exited ({status}) before logging its address; stderr:\n{}",
                    seen.join("\n")
                );
            }
        }
    };
    Running {
        child,
        address,
        reported,
        lines,
        _dir: dir,
    }
}

/// The address in a `listening on http://ADDRESS` line, pretty or JSON.
fn logged_address(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once("listening on http://")?;
    let address: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();
    Some(address.parse().unwrap())
}

impl Running {
    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(self.address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    fn signal(mut self, name: &str) -> (ExitStatus, Vec<String>) {
        let killed = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = self.child.wait().unwrap();
        let rest = self.lines.iter().collect();
        (status, rest)
    }
}

#[test]
fn it_serves_on_the_logged_address_and_stops_with_status_0_on_sigterm() {
    let server = start(&[]);
    assert!(server.address.ip().is_loopback());
    assert_ne!(server.address.port(), 0);
    let response = server.get("/health/live");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let (status, lines) = server.signal("TERM");
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    assert!(
        lines.iter().any(|l| l.contains("stop signal received")),
        "{lines:#?}"
    );
}

#[test]
fn ctrl_c_is_a_graceful_stop_with_status_0_too() {
    let server = start(&[]);
    let (status, lines) = server.signal("INT");
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("graceful")), "{lines:#?}");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let server = start(&[("APP_LOG__FORMAT", "json")]);
    // The fields the end-to-end harness reads the address from.
    let reported: serde_json::Value = serde_json::from_str(&server.reported).unwrap();
    assert_eq!(reported["listener"], "api", "{reported}");
    assert_eq!(
        reported["address"],
        server.address.to_string(),
        "{reported}"
    );
    let response = server.get("/health/ready");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let (status, lines) = server.signal("TERM");
    assert_eq!(status.code(), Some(0));
    assert!(!lines.is_empty());
    for line in &lines {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(object.is_object(), "{line}");
    }
}

#[test]
fn a_port_in_use_is_a_clear_start_up_failure() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("APP_SERVER__PORT", &port)
        .env("APP_OPS__PORT", "0")
        .env("APP_AUTH__BCRYPT_COST", "4")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "error: binding the API listener to 127.0.0.1:{port}: "
        )),
        "{stderr}"
    );
}

#[test]
fn an_operations_port_in_use_is_a_clear_start_up_failure() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .current_dir(dir.path())
        .env_clear()
        .env("APP_SERVER__PORT", "0")
        .env("APP_OPS__PORT", &port)
        .env("APP_AUTH__BCRYPT_COST", "4")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "error: binding the ops listener to 127.0.0.1:{port}: "
        )),
        "{stderr}"
    );
}

#[test]
fn with_no_migrate_on_a_fresh_database_under_eddsa_it_serves_and_readiness_names_the_migrations() {
    // No key table yet: the keys cannot load, which must not stop the
    // process; readiness says why, and the key set is not published empty.
    let running = start_with(&["--no-migrate"], &[("APP_AUTH__SIGNING_ALG", "EdDSA")]);

    let live = running.get("/health/live");
    let ready = running.get("/health/ready");
    let jwks = running.get("/.well-known/jwks.json");

    assert!(live.starts_with("HTTP/1.1 200"), "{live}");
    assert!(ready.starts_with("HTTP/1.1 503"), "{ready}");
    assert!(ready.contains(r#""migrations":"#), "{ready}");
    assert!(jwks.starts_with("HTTP/1.1 503"), "{jwks}");
    assert!(jwks.contains("not_ready"), "{jwks}");
    let (status, _) = running.signal("TERM");
    assert!(status.success(), "{status}");
}

#[test]
fn with_no_migrate_on_a_current_schema_keys_that_do_not_open_still_stop_the_start() {
    // Only pending migrations excuse a key set that cannot load: keys
    // sealed under another encryption key are a start-up failure.
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}/app.db", dir.path().display());
    let server = |args: &[&str], encryption_key: &str| {
        Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("APP_DATABASE__URL", &url)
            .env("APP_SERVER__PORT", "0")
            .env("APP_OPS__PORT", "0")
            .env("APP_AUTH__SIGNING_ALG", "EdDSA")
            .env("APP_AUTH__ENCRYPTION_KEY", encryption_key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Each command must exit by itself; a server that serves instead is
    // killed and fails the test.
    let exited = |mut child: Child| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("still running after 30 s");
            }
            thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    let first = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let other = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    assert!(exited(server(&["migrate"], first)).status.success());
    assert!(exited(server(&["keys", "rotate"], first)).status.success());

    let out = exited(server(&["serve", "--no-migrate"], other));

    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("loading the signing keys"), "{stderr}");
}
