//! Per-test databases and a look behind the ports (feature `testing`), for
//! the conformance suite (`tests/conformance.rs`), this crate's own tests
//! (`tests/database`) and the end-to-end tests.
//!
//! This is test support: a database that cannot be set up fails the test
//! with a panic, which is why panics are allowed here.
#![allow(clippy::panic, clippy::expect_used)]

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::PooledConnection;
use diesel::{Connection, PgConnection};
use domain::{InfraError, NewSecurityEvent, QueuedMail, Timestamp, UserId};

use crate::connection::Manager;
use crate::error::{MigrationError, StoreError};
use crate::{Backend, Database};

/// The admin URL used to create and drop per-test PostgreSQL databases.
pub const POSTGRES_URL_ENV: &str = "TEST_POSTGRES_URL";
/// `1` or `true`: an unreachable PostgreSQL fails the test instead of
/// skipping it.
pub const REQUIRE_POSTGRES_ENV: &str = "TEST_REQUIRE_POSTGRES";
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh, empty database that is deleted when dropped: a SQLite file in a
/// temporary folder, or a PostgreSQL database `t_<random>` created on the
/// server of [`POSTGRES_URL_ENV`] and dropped (connections and all) at the
/// end.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    backend: Backend,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh SQLite file, `app.db` in a new temporary folder.
    #[must_use]
    pub fn sqlite() -> Self {
        let folder = tempfile::tempdir().expect("create a temporary folder");
        let path = folder.path().join("app.db");
        let path = path.to_str().expect("temporary path is UTF-8");
        Self {
            // The path is absolute, so this is `sqlite:///...`.
            url: format!("sqlite://{path}"),
            backend: Backend::Sqlite,
            cleanup: Cleanup::Sqlite(folder),
        }
    }

    /// A fresh PostgreSQL database, or `None` (after a loud `SKIPPED` line on
    /// stderr) when the server cannot be reached.
    ///
    /// # Panics
    /// When the server cannot be reached and [`REQUIRE_POSTGRES_ENV`] is `1`
    /// or `true`, or when the database cannot be created.
    #[must_use]
    pub fn postgres() -> Option<Self> {
        let admin_url =
            std::env::var(POSTGRES_URL_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let mut admin = match PgConnection::establish(&admin_url) {
            Ok(conn) => conn,
            Err(error) => {
                let required = std::env::var(REQUIRE_POSTGRES_ENV)
                    .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                assert!(
                    !required,
                    "PostgreSQL not reachable at {} ({REQUIRE_POSTGRES_ENV} is set): {error}",
                    redact(&admin_url)
                );
                eprintln!(
                    "SKIPPED: PostgreSQL not reachable at {} ({error}); \
                     set {REQUIRE_POSTGRES_ENV}=1 to fail instead",
                    redact(&admin_url)
                );
                return None;
            }
        };
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let url = with_database(&admin_url, &name);
        Some(Self {
            url,
            backend: Backend::Postgres,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }

    /// The URL to hand to [`Database::connect`] or to the server.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    #[must_use]
    pub const fn backend(&self) -> Backend {
        self.backend
    }

    /// A pool on this database (5 connections, 10 s acquire timeout), no
    /// migrations run.
    #[must_use]
    pub fn connect(&self) -> Database {
        Database::connect(&self.url, 5, Duration::from_secs(10))
            .expect("connect to the test database")
    }

    /// A pool on this database with every migration applied.
    pub async fn migrated(&self) -> Database {
        let db = self.connect();
        db.run_migrations().await.expect("apply the migrations");
        db
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            // FORCE ends the connections a test left open (pools included).
            let dropped = PgConnection::establish(admin_url)
                .map_err(|e| e.to_string())
                .and_then(|mut admin| {
                    admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .map_err(|e| e.to_string())
                });
            if let Err(error) = dropped {
                eprintln!("WARNING: could not drop test database {name}: {error}");
            }
        }
    }
}

/// `url` with its database (path) replaced by `name`, query kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| authority + i);
    let mut out = format!("{}/{name}", &base[..path]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// `url` without a password, for messages.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some((user_info, host)) = rest[..authority_end].rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _)) => format!(
            "{}{user}:***@{host}{}",
            &url[..scheme_end],
            &rest[authority_end..]
        ),
        None => url.to_owned(),
    }
}

/// Every security event of `user_id`, oldest first.
///
/// # Errors
/// As the ports: `Unavailable` or `Unexpected`.
pub async fn security_events(
    db: &Database,
    user_id: UserId,
) -> Result<Vec<NewSecurityEvent>, InfraError> {
    db.run(move |conn| crate::events::of_user(conn, user_id))
        .await
        .map_err(InfraError::from)
}

/// An outbox row as stored: what a claim would hand a worker, and the
/// delivery state around it. `Debug` hides the link (see `OutgoingMail`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub queued: QueuedMail,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub locked_until: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
}

/// Every outbox row, delivered or not, oldest first.
///
/// # Errors
/// As the ports: `Unavailable`, or `Unexpected` (a row that does not parse
/// included).
pub async fn outbox(db: &Database) -> Result<Vec<OutboxEntry>, InfraError> {
    db.run(crate::outbox::all).await.map_err(InfraError::from)
}

/// Runs raw SQL on the database, for tests that arrange what the ports
/// cannot (a corrupt row, say).
///
/// # Errors
/// As the ports: `Unavailable` or `Unexpected`.
pub async fn execute_sql(db: &Database, sql: &str) -> Result<(), InfraError> {
    let sql = sql.to_owned();
    db.run(move |conn| conn.batch_execute(&sql).map_err(StoreError::from))
        .await
        .map_err(InfraError::from)
}

/// Reverts every applied migration, newest first; the reverted versions.
///
/// # Errors
/// As [`Database::run_migrations`].
pub async fn revert_all_migrations(db: &Database) -> Result<Vec<String>, MigrationError> {
    db.revert_all_migrations().await
}

/// A pooled connection held until dropped, to exhaust a pool on purpose.
pub struct HeldConnection(#[allow(dead_code)] PooledConnection<Manager>);

impl std::fmt::Debug for HeldConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeldConnection")
    }
}

/// Takes a connection out of `db`'s pool (blocking, up to the acquire
/// timeout) and keeps it until the result is dropped.
///
/// # Errors
/// `Unavailable` when no connection comes in time.
pub fn hold_connection(db: &Database) -> Result<HeldConnection, InfraError> {
    db.pool()
        .get()
        .map(HeldConnection)
        .map_err(|e| StoreError::Pool(e).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_replaces_the_path_and_keeps_the_query() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "t_1"),
            "postgres://postgres@127.0.0.1:5432/t_1"
        );
        assert_eq!(
            with_database("postgresql://u:p@h/db?sslmode=disable", "t_1"),
            "postgresql://u:p@h/t_1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "t_1"),
            "postgres://h:5432/t_1"
        );
    }

    #[test]
    fn redacted_urls_hide_the_password() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
