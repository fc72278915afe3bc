//! The embedded migrations of both backends, and running them.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use domain::BoxError;

use crate::connection::{DbConnection, Target};
use crate::database::Database;
use crate::error::{MigrationError, StoreError};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// The PostgreSQL advisory lock under which migrations run, so that several
/// instances starting at once apply each migration once. Any constant works
/// as long as nothing else in the database uses it ("migrate" in ASCII).
const MIGRATION_LOCK: i64 = 0x006d_6967_7261_7465;

impl Database {
    /// Applies every pending migration and returns the versions it applied,
    /// oldest first (none when the schema is up to date). Safe to run from
    /// several processes at once: PostgreSQL serialises them with an advisory
    /// lock, SQLite with its write lock.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached, `Failed` when a
    /// migration fails (that migration is rolled back).
    pub async fn run_migrations(&self) -> Result<Vec<String>, MigrationError> {
        match self.target().clone() {
            Target::Postgres(url) => {
                blocking(move || {
                    with_migration_lock(&url, |conn| {
                        versions(conn.run_pending_migrations(POSTGRES))
                            .map_err(MigrationError::Failed)
                    })
                })
                .await
            }
            Target::Sqlite(_) => {
                self.run(|conn| match conn {
                    DbConnection::Sqlite(conn) => Ok(run_sqlite(conn)),
                    DbConnection::Pg(_) => Ok(Err(wrong_backend())),
                })
                .await?
            }
        }
    }

    /// Whether any embedded migration has not been applied yet.
    ///
    /// # Errors
    /// As for [`run_migrations`](Self::run_migrations).
    pub async fn pending_migrations(&self) -> Result<bool, MigrationError> {
        self.run(|conn| Ok(has_pending(conn))).await?
    }

    /// Reverts every applied migration, newest first, and returns the
    /// reverted versions. Only for tests: it drops every table.
    #[cfg(feature = "testing")]
    pub(crate) async fn revert_all_migrations(&self) -> Result<Vec<String>, MigrationError> {
        match self.target().clone() {
            Target::Postgres(url) => {
                blocking(move || {
                    with_migration_lock(&url, |conn| {
                        versions(conn.revert_all_migrations(POSTGRES))
                            .map_err(MigrationError::Failed)
                    })
                })
                .await
            }
            Target::Sqlite(_) => {
                self.run(|conn| match conn {
                    DbConnection::Sqlite(conn) => Ok(conn
                        .immediate_transaction(|conn| versions(conn.revert_all_migrations(SQLITE)))
                        .map_err(MigrationError::Failed)),
                    DbConnection::Pg(_) => Ok(Err(wrong_backend())),
                })
                .await?
            }
        }
    }
}

/// Whether a migration is pending, on a connection the caller holds.
pub(crate) fn has_pending(conn: &mut DbConnection) -> Result<bool, MigrationError> {
    match conn {
        DbConnection::Pg(conn) => conn.has_pending_migration(POSTGRES),
        DbConnection::Sqlite(conn) => conn.has_pending_migration(SQLITE),
    }
    .map_err(MigrationError::Failed)
}

/// SQLite: the whole run in one `BEGIN IMMEDIATE` transaction (each migration
/// a savepoint inside it), so a second process waits, then finds nothing
/// pending.
fn run_sqlite(conn: &mut SqliteConnection) -> Result<Vec<String>, MigrationError> {
    conn.immediate_transaction(|conn| versions(conn.run_pending_migrations(SQLITE)))
        .map_err(MigrationError::Failed)
}

/// PostgreSQL: on a connection of its own, not a pooled one, so that the
/// session-level advisory lock ends with the connection whatever happens.
fn with_migration_lock<F>(url: &str, f: F) -> Result<Vec<String>, MigrationError>
where
    F: FnOnce(&mut PgConnection) -> Result<Vec<String>, MigrationError>,
{
    let mut conn =
        PgConnection::establish(url).map_err(|e| MigrationError::Unavailable(Box::new(e)))?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(&mut conn)
        .map_err(|e| MigrationError::Failed(Box::new(e)))?;
    let result = f(&mut conn);
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(&mut conn);
    match (result, unlocked) {
        (Ok(_), Err(e)) => Err(MigrationError::Failed(Box::new(e))),
        (result, _) => result,
    }
}

fn versions<V: ToString>(
    result: diesel::migration::Result<Vec<V>>,
) -> Result<Vec<String>, BoxError> {
    result.map(|applied| applied.iter().map(ToString::to_string).collect())
}

fn wrong_backend() -> MigrationError {
    MigrationError::Failed("connection does not match the database URL".into())
}

async fn blocking<T, F>(f: F) -> Result<T, MigrationError>
where
    F: FnOnce() -> Result<T, MigrationError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| MigrationError::from(StoreError::Join(e)))?
}
