//! Connecting: URL schemes, SQLite files and folders, and a PostgreSQL
//! server that is down. Not per backend: each test targets one situation.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use adapters_db::{Backend, Database, DbSetupError, MigrationError, UrlError};
use domain::ports::{CheckStatus, HealthProbe, LoginThrottle, UserRepository};
use domain::{Effects, InfraError, UserId};

use crate::support::*;

/// A local port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_postgres_server_that_is_down_still_connects_and_then_answers_unavailable_quickly() {
    let url = format!("postgres://postgres@127.0.0.1:{}/app", closed_port());

    let db = Database::connect(&url, 2, Duration::from_millis(300)).unwrap();

    assert_eq!(db.backend(), Backend::Postgres);
    let started = Instant::now();
    let found = db.find_by_id(UserId::generate()).await;
    let locked = db
        .begin_attempt(
            "ada@example.com",
            t0(),
            domain::ports::LockoutPolicy {
                max_failures: 5,
                lockout_secs: 900,
            },
        )
        .await;
    let readiness = db.readiness().await;
    let elapsed = started.elapsed();
    assert!(
        matches!(found, Err(InfraError::Unavailable(_))),
        "{found:?}"
    );
    assert!(
        matches!(locked, Err(InfraError::Unavailable(_))),
        "{locked:?}"
    );
    assert_eq!(readiness.database, CheckStatus::Failing);
    assert_eq!(readiness.migrations, CheckStatus::Failing);
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    let migrated = db.run_migrations().await;
    assert!(
        matches!(migrated, Err(MigrationError::Unavailable(_))),
        "{migrated:?}"
    );
    let pending = db.pending_migrations().await;
    assert!(
        matches!(pending, Err(MigrationError::Unavailable(_))),
        "{pending:?}"
    );
}

#[tokio::test]
async fn a_sqlite_file_is_created_with_its_folders_and_runs_in_wal_mode() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("nested/deeper/app.db");
    let url = format!("sqlite://{}", path.display());

    let db = Database::connect(&url, 2, Duration::from_secs(5)).unwrap();
    db.run_migrations().await.unwrap();
    db.create(new_user("ada@example.com"), Effects::none())
        .await
        .unwrap();

    assert_eq!(db.backend(), Backend::Sqlite);
    assert!(path.is_file());
    // Written through the write-ahead log, which only WAL mode keeps.
    assert!(root.path().join("nested/deeper/app.db-wal").is_file());
}

#[test]
fn any_other_url_scheme_is_refused_naming_the_scheme() {
    let error =
        Database::connect("mysql://root@localhost/app", 2, Duration::from_secs(1)).unwrap_err();

    assert!(matches!(
        &error,
        DbSetupError::Url(UrlError::UnsupportedScheme(scheme)) if scheme == "mysql"
    ));
    assert!(error.to_string().contains("mysql"), "{error}");
}

#[test]
fn a_pool_of_zero_connections_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/app.db", root.path().display());

    let result = Database::connect(&url, 0, Duration::from_secs(1));

    assert!(
        matches!(result, Err(DbSetupError::NoConnections)),
        "{result:?}"
    );
}
