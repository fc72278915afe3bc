//! Connections: the one connection type for both backends, the database
//! URL (which selects a backend), and how the pool opens connections.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::{StoreError, UrlError};

/// How long a SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Every pooled connection. Queries written against it run on either backend;
/// the few backend-specific statements (`ON CONFLICT`, advisory locks,
/// migrations) match on the variant.
#[derive(diesel::MultiConnection)]
pub(crate) enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// A connection of the pool, with what the pool must know about it: when
/// it last answered, and whether it was seen lost.
///
/// The pool does not ping a connection on every checkout (r2d2's default:
/// one more round trip per query, a third of a `/users/me` on PostgreSQL).
/// [`Database::run`](crate::Database) pings only one that has been idle
/// for longer than [`CHECK_AFTER_IDLE`], and a statement that finds its
/// connection closed marks it lost, so the pool drops it when it comes back.
pub(crate) struct Pooled {
    pub(crate) conn: DbConnection,
    last_answered: Instant,
    lost: bool,
}

/// How long a connection may sit idle and still be lent without a ping:
/// one in steady use is never pinged; one that sat through a database
/// restart is pinged, found dead and replaced before a query meets it.
pub(crate) const CHECK_AFTER_IDLE: Duration = Duration::from_secs(1);

impl Pooled {
    fn new(conn: DbConnection) -> Self {
        Self {
            conn,
            last_answered: Instant::now(),
            lost: false,
        }
    }

    /// Whether the connection can be lent as it is, pinging it first when it
    /// has been idle for a while; a failed ping marks it lost.
    pub(crate) fn answers(&mut self) -> bool {
        if self.last_answered.elapsed() <= CHECK_AFTER_IDLE {
            return true;
        }
        match self.conn.ping() {
            Ok(_) => {
                self.last_answered = Instant::now();
                true
            }
            Err(_) => {
                self.lost = true;
                false
            }
        }
    }

    /// Records how the work on the connection ended, and says when a failed
    /// statement failed because the connection is gone: success proves it
    /// answers; a closed connection is lost; after any other failed
    /// statement a ping tells (libpq reports a connection the server closed
    /// under a query as an error of no particular kind).
    pub(crate) fn finished<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match result {
            Ok(value) => {
                self.last_answered = Instant::now();
                Ok(value)
            }
            Err(error) if error.is_closed_connection() => {
                self.lost = true;
                Err(error)
            }
            Err(StoreError::Query(error)) if self.conn.ping().is_err() => {
                self.lost = true;
                Err(StoreError::ConnectionLost(error))
            }
            Err(error) => Err(error),
        }
    }
}

/// Which database engine a [`Database`](crate::Database) talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A database URL, parsed: which backend, and where. The one parse of
/// `APP_DATABASE__URL`: the server validates its settings with it and opens
/// the pool from the result. `Debug` and [`DatabaseUrl::redacted`] never
/// show a password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    target: Target,
}

impl DatabaseUrl {
    /// `sqlite://relative/path.db`, `sqlite:///absolute/path.db`,
    /// `postgres://...` or `postgresql://...` (with a host), surrounding
    /// whitespace ignored.
    ///
    /// # Errors
    /// `UnsupportedScheme` for any other scheme, `Malformed` (saying what
    /// is wrong, never showing the URL) for a bad URL of these schemes.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let raw = url.trim();
        Ok(Self {
            target: Target::parse(raw)?,
            raw: raw.to_owned(),
        })
    }

    /// The SQLite file at `path` (relative to the working directory, or
    /// absolute).
    #[must_use]
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        Self {
            raw: format!("sqlite://{}", path.display()),
            target: Target::Sqlite(path),
        }
    }

    #[must_use]
    pub const fn backend(&self) -> Backend {
        self.target.backend()
    }

    /// The full URL, password included, for opening connections only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// The URL with any password (in the user info or a `password` query
    /// parameter) replaced, fit for logs and `check-config`.
    #[must_use]
    pub fn redacted(&self) -> String {
        const REDACTED: &str = "[redacted]";
        let Target::Postgres(_) = self.target else {
            return self.raw.clone();
        };
        let Ok(mut url) = url::Url::parse(&self.raw) else {
            return REDACTED.to_owned();
        };
        if url.password().is_some() && url.set_password(Some("redacted")).is_err() {
            return REDACTED.to_owned();
        }
        if url
            .query_pairs()
            .any(|(k, _)| k.eq_ignore_ascii_case("password"))
        {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if k.eq_ignore_ascii_case("password") {
                        "redacted".to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url.into()
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Where connections go, parsed from the database URL.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A libpq URL, passed on as is.
    Postgres(String),
    /// A file path, relative to the working directory or absolute.
    Sqlite(PathBuf),
}

impl Target {
    /// See [`DatabaseUrl::parse`].
    pub(crate) fn parse(url: &str) -> Result<Self, UrlError> {
        let malformed = |message: &str| UrlError::Malformed(message.to_owned());
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(malformed(
                "must look like sqlite://PATH or postgres://HOST/DB",
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => {
                let parsed = url::Url::parse(url)
                    .map_err(|e| UrlError::Malformed(format!("not a valid URL: {e}")))?;
                if parsed.host_str().is_none_or(str::is_empty) {
                    return Err(malformed(
                        "postgres:// needs a host, e.g. postgres://user@localhost/app",
                    ));
                }
                Ok(Self::Postgres(url.to_owned()))
            }
            "sqlite" => {
                let Some(path) = rest.strip_prefix("//") else {
                    return Err(malformed(
                        "a SQLite URL is sqlite://relative/path or sqlite:///absolute/path",
                    ));
                };
                if path.trim_start_matches('/').is_empty() {
                    return Err(malformed(
                        "sqlite:// needs a file path, e.g. sqlite://data/app.db",
                    ));
                }
                if path.contains('?') {
                    return Err(malformed("a SQLite URL takes no query parameters"));
                }
                Ok(Self::Sqlite(PathBuf::from(path)))
            }
            other => Err(UrlError::UnsupportedScheme(other.to_owned())),
        }
    }

    /// libpq waits as long as the operating system does for a host that
    /// does not answer. Bound each connection attempt by the acquire timeout
    /// (libpq's minimum is 2 s), unless the URL sets its own.
    pub(crate) fn with_connect_timeout(self, timeout: Duration) -> Self {
        match self {
            Self::Postgres(url) if !url.contains("connect_timeout=") => {
                let secs = timeout
                    .as_secs()
                    .saturating_add(u64::from(timeout.subsec_nanos() > 0))
                    .max(2);
                let separator = if url.contains('?') { '&' } else { '?' };
                Self::Postgres(format!("{url}{separator}connect_timeout={secs}"))
            }
            other => other,
        }
    }

    pub(crate) const fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Never shows the PostgreSQL URL: it may hold a password.
impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postgres(_) => f.write_str("Postgres(..)"),
            Self::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
        }
    }
}

/// Opens connections for the r2d2 pool.
///
/// Not diesel's `ConnectionManager`: a `MultiConnection` establishes by trying
/// each backend in turn, so a PostgreSQL URL could end up opened as a SQLite
/// file while the server is down. Here the URL's scheme decides, once.
#[derive(Debug)]
pub(crate) struct Manager {
    target: Target,
}

impl Manager {
    pub(crate) const fn new(target: Target) -> Self {
        Self { target }
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        self.open().map(Pooled::new)
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        pooled.conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        pooled.lost || std::thread::panicking() || pooled.conn.is_broken()
    }
}

impl Manager {
    fn open(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.target {
            Target::Postgres(url) => Ok(DbConnection::Pg(PgConnection::establish(url)?)),
            Target::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path)?;
                // Per connection, before anything else: writers wait for each
                // other instead of failing, readers never block the writer,
                // and foreign keys (off by default in SQLite) are enforced.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;"
                ))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Runs `f` in a transaction meant to write.
///
/// On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock up
/// front: a deferred transaction that reads first and writes later fails at
/// once with `SQLITE_BUSY` when another writer got in between, instead of
/// waiting out the busy timeout. PostgreSQL uses a plain `BEGIN` (read
/// committed); its statements are written as compare-and-swaps.
pub(crate) fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Manager = <DbConnection as Connection>::TransactionManager;
    match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
        }
        DbConnection::Pg(_) => Manager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            // A broken transaction manager is reported by the pool (the
            // connection is discarded); the caller wants the first error.
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback_error) => Err(rollback_error.into()),
        },
    }
}

/// Runs `$body` with `$inner` bound to the backend's own connection, for the
/// statements `MultiConnection` cannot express (diesel's `ON CONFLICT` needs
/// a concrete backend). The body is compiled once per backend.
macro_rules! on_backend {
    ($conn:expr, |$inner:ident| $body:expr) => {
        match $conn {
            $crate::connection::DbConnection::Pg($inner) => $body,
            $crate::connection::DbConnection::Sqlite($inner) => $body,
        }
    };
}
pub(crate) use on_backend;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_with_two_slashes_is_a_relative_path() {
        let Ok(Target::Sqlite(path)) = Target::parse("sqlite://data/app.db") else {
            panic!("not a SQLite target");
        };
        assert_eq!(path, PathBuf::from("data/app.db"));
    }

    #[test]
    fn a_sqlite_url_with_three_slashes_is_an_absolute_path() {
        let Ok(Target::Sqlite(path)) = Target::parse("sqlite:///var/lib/app/app.db") else {
            panic!("not a SQLite target");
        };
        assert_eq!(path, PathBuf::from("/var/lib/app/app.db"));
    }

    #[test]
    fn postgres_and_postgresql_urls_select_postgres() {
        for url in [
            "postgres://u:p@db:5432/app",
            "postgresql://db/app?sslmode=require",
        ] {
            let target = Target::parse(url).unwrap();
            assert_eq!(target.backend(), Backend::Postgres, "{url}");
        }
    }

    #[test]
    fn any_other_scheme_is_an_error_naming_the_scheme() {
        let error = Target::parse("mysql://root@localhost/app").unwrap_err();
        assert!(matches!(&error, UrlError::UnsupportedScheme(s) if s == "mysql"));
        assert!(error.to_string().contains("`mysql`"), "{error}");
    }

    #[test]
    fn malformed_sqlite_urls_are_errors() {
        for url in [
            "sqlite:app.db",
            "sqlite://",
            "sqlite://app.db?mode=ro",
            "app.db",
        ] {
            assert!(
                matches!(Target::parse(url), Err(UrlError::Malformed(_))),
                "{url}"
            );
        }
    }

    #[test]
    fn postgres_connection_attempts_are_bounded_by_the_acquire_timeout() {
        let bounded = |url: &str, millis: u64| match Target::parse(url)
            .unwrap()
            .with_connect_timeout(Duration::from_millis(millis))
        {
            Target::Postgres(url) => url,
            Target::Sqlite(_) => panic!("not a PostgreSQL target"),
        };
        assert_eq!(
            bounded("postgres://h/db", 300),
            "postgres://h/db?connect_timeout=2"
        );
        assert_eq!(
            bounded("postgres://h/db?sslmode=require", 5_500),
            "postgres://h/db?sslmode=require&connect_timeout=6"
        );
        assert_eq!(
            bounded("postgres://h/db?connect_timeout=30", 300),
            "postgres://h/db?connect_timeout=30"
        );
    }

    #[test]
    fn a_postgres_url_needs_a_host_and_valid_syntax() {
        for url in ["postgres://app:secret@/app", "postgres://[::1/app"] {
            let error = DatabaseUrl::parse(url).unwrap_err();
            assert!(matches!(error, UrlError::Malformed(_)), "{url}");
            assert!(!error.to_string().contains("secret"), "{error}");
        }
    }

    #[test]
    fn database_urls_keep_the_url_and_redact_its_passwords() {
        let url =
            DatabaseUrl::parse(" postgres://app:pw@db/app?sslmode=require&password=qp ").unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        assert_eq!(
            url.expose(),
            "postgres://app:pw@db/app?sslmode=require&password=qp"
        );
        assert_eq!(
            url.redacted(),
            "postgres://app:redacted@db/app?sslmode=require&password=redacted"
        );
        assert!(!format!("{url:?}").contains("pw@"));
        let sqlite = DatabaseUrl::sqlite("data/app.db");
        assert_eq!(sqlite, DatabaseUrl::parse("sqlite://data/app.db").unwrap());
        assert_eq!(sqlite.redacted(), "sqlite://data/app.db");
    }

    #[test]
    fn debug_output_hides_the_postgres_url() {
        let target = Target::parse("postgres://u:secret@db/app").unwrap();
        assert!(!format!("{target:?}").contains("secret"));
    }
}
