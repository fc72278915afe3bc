//! A throwaway PostgreSQL cluster that a test can stop and start again: made
//! with `initdb` in a temporary folder, serving on a Unix socket in that
//! folder only (`listen_addresses = ''`), so it needs no TCP port and can
//! collide with nothing. Stopped and deleted on drop, whatever happened.
//!
//! PostgreSQL refuses to run as root: when the tests do, every PostgreSQL
//! command runs as the `postgres` user (`runuser`), in a folder it owns.

use std::path::PathBuf;
use std::process::{Command, Output};

use adapters_db::testing::REQUIRE_POSTGRES_ENV;

/// The socket's port number: only a part of its file name
/// (`.s.PGSQL.5432`), in a folder of this cluster's own.
const PORT: u16 = 5432;

/// A PostgreSQL cluster of this test's own.
pub struct Cluster {
    folder: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("folder", &self.folder.path())
            .finish_non_exhaustive()
    }
}

/// The folder holding `initdb` and `pg_ctl`: the first on `PATH`, else the
/// newest `/usr/lib/postgresql/*/bin` (where Debian puts them).
fn binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    on_path
        .into_iter()
        .chain(versions.into_iter().rev().map(|(_, bin)| bin))
        .find(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// `text` with every byte but ASCII letters, digits, `-`, `_` and `.`
/// percent-encoded, for a URL's host.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

impl Cluster {
    /// A new cluster, started. `None`, after a `SKIPPED` line, when
    /// `initdb` is not installed (a failure instead when
    /// `TEST_REQUIRE_POSTGRES` is set); any other problem fails the test.
    pub fn create() -> Option<Self> {
        let Some(bin) = binaries() else {
            let required = std::env::var(REQUIRE_POSTGRES_ENV)
                .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
            assert!(
                !required,
                "initdb is not installed (neither on PATH nor under /usr/lib/postgresql), \
                 and {REQUIRE_POSTGRES_ENV} is set"
            );
            eprintln!(
                "SKIPPED: initdb is not installed (neither on PATH nor under \
                 /usr/lib/postgresql); set {REQUIRE_POSTGRES_ENV}=1 to fail instead"
            );
            return None;
        };
        let folder = tempfile::Builder::new()
            .prefix("pg-cluster-")
            .tempdir()
            .expect("temp dir");
        let cluster = Self {
            folder,
            bin,
            as_postgres: is_root(),
        };
        if cluster.as_postgres {
            let chown = Command::new("chown")
                .arg("postgres:postgres")
                .arg(cluster.folder.path())
                .output()
                .expect("run chown");
            assert!(chown.status.success(), "chown: {chown:?}");
        }
        cluster.run(
            "initdb",
            &[
                "--pgdata=data",
                "--username=postgres",
                "--auth=trust",
                "--no-locale",
                "--encoding=UTF8",
                "--no-sync",
            ],
        );
        let settings = format!(
            "\nlisten_addresses = ''\nunix_socket_directories = '{}'\nport = {PORT}\n\
             fsync = off\nshared_buffers = '16MB'\n",
            cluster.folder.path().display()
        );
        let conf = cluster.data().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("read postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("write postgresql.conf");
        cluster.start();
        Some(cluster)
    }

    /// The URL of its `postgres` database: the socket folder as the
    /// (percent-encoded) host, as libpq reads it.
    pub fn url(&self) -> String {
        let folder = self.folder.path().to_str().expect("a UTF-8 temp path");
        format!("postgres://postgres@{}/postgres", percent_encoded(folder))
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start(&self) {
        let log = self.folder.path().join("postgres.log");
        self.run(
            "pg_ctl",
            &[
                "--pgdata=data",
                &format!("--log={}", log.display()),
                "--wait",
                "--timeout=60",
                "start",
            ],
        );
    }

    /// Stops the server the hard way: every process of it exits at once,
    /// as in a crash, and nothing answers on its socket any more.
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &[
                "--pgdata=data",
                "--mode=immediate",
                "--wait",
                "--timeout=60",
                "stop",
            ],
        );
    }

    fn data(&self) -> PathBuf {
        self.folder.path().join("data")
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        command.args(args).current_dir(self.folder.path());
        command
    }

    fn output(&self, program: &str, args: &[&str]) -> Output {
        self.command(program, args)
            .output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"))
    }

    /// Runs `program` of the PostgreSQL binaries and fails the test, with
    /// its output and the server log, when it fails.
    fn run(&self, program: &str, args: &[&str]) {
        let out = self.output(program, args);
        assert!(
            out.status.success(),
            "{program} {args:?} failed ({}):\n{}{}\nserver log:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.folder.path().join("postgres.log")).unwrap_or_default()
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Stopped already, or never started, is fine: the folder goes
        // either way (TempDir), and no postmaster outlives the test.
        if self.data().join("postmaster.pid").exists() {
            let _ = self.output(
                "pg_ctl",
                &["--pgdata=data", "--mode=immediate", "--wait", "stop"],
            );
        }
    }
}
