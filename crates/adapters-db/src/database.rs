//! The database handle: a pool, and the one way queries are run on it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use diesel::r2d2::{ManageConnection, Pool, PooledConnection};

use crate::connection::{Backend, DatabaseUrl, DbConnection, Manager, Target};
use crate::error::{DbSetupError, StoreError};

/// A pool of connections to PostgreSQL or SQLite, and the repositories on it.
///
/// Cheap to clone (clones share the pool). It implements the domain ports
/// `UserRepository`, `SessionRepository`, `OneTimeTokenRepository`,
/// `SecurityEventRepository`, `LoginThrottle`, `RateLimitCounter`, `Outbox`,
/// `MfaRepository` and `HealthProbe`,
/// so the server wires one `Database` as each `Arc<dyn Port>`.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Manager>,
    target: Arc<Target>,
    acquire_timeout: Duration,
}

impl Database {
    /// A pool of at most `max_connections` connections to `url`.
    ///
    /// `sqlite://relative/path.db` (relative to the working directory) or
    /// `sqlite:///absolute/path.db` opens a SQLite file, creating it and its
    /// folder when missing; the file is opened now, so a bad path fails here.
    /// `postgres://...` or `postgresql://...` selects PostgreSQL, whose
    /// connections are opened in the background: connecting succeeds while
    /// the server is down, and queries report `Unavailable` until it is up.
    /// `acquire_timeout` bounds every wait for a connection.
    ///
    /// # Errors
    /// Any other URL scheme, a malformed URL, zero connections or a zero
    /// timeout, or a SQLite file that cannot be created or opened.
    pub fn connect(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, DbSetupError> {
        Self::open(&DatabaseUrl::parse(url)?, max_connections, acquire_timeout)
    }

    /// As [`connect`](Self::connect), for a URL parsed already.
    ///
    /// # Errors
    /// As for [`connect`](Self::connect), but for the URL.
    pub fn open(
        url: &DatabaseUrl,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<Self, DbSetupError> {
        if max_connections == 0 {
            return Err(DbSetupError::NoConnections);
        }
        if acquire_timeout.is_zero() {
            return Err(DbSetupError::ZeroAcquireTimeout);
        }
        let target = url.target().clone().with_connect_timeout(acquire_timeout);
        // No ping on every checkout: `run` checks only connections that sat
        // idle (see `Pooled`).
        let builder = Pool::builder()
            .max_size(max_connections)
            .connection_timeout(acquire_timeout)
            .test_on_check_out(false);
        let pool = match &target {
            Target::Sqlite(path) => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(folder).map_err(|source| {
                        DbSetupError::CreateFolder {
                            path: folder.to_owned(),
                            source,
                        }
                    })?;
                }
                let manager = Manager::new(target.clone());
                // One connection first: switching the file to WAL takes an
                // exclusive lock, and the pool opening its connections in
                // parallel would race for it ("database is locked"). Once the
                // file is in WAL mode, the others' switch is a no-op.
                drop(
                    manager
                        .connect()
                        .map_err(|e| DbSetupError::Open(e.into()))?,
                );
                builder
                    .build(manager)
                    .map_err(|e| DbSetupError::Open(e.into()))?
            }
            // No connection is opened ahead of need (r2d2 would otherwise
            // fill the pool from its own threads at once): a short command
            // (`migrate`, `create-admin`) that ends while one of those
            // threads is inside libpq's connect crashes in the TLS
            // library's exit handlers (SIGSEGV, about 1 run in 30). Idle
            // connections are still kept for reuse once opened.
            Target::Postgres(_) => builder
                .min_idle(Some(0))
                .build_unchecked(Manager::new(target.clone())),
        };
        Ok(Self {
            pool,
            target: Arc::new(target),
            acquire_timeout,
        })
    }

    /// The engine behind this handle.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.target.backend()
    }

    /// The longest wait for a pooled connection.
    #[must_use]
    pub const fn acquire_timeout(&self) -> Duration {
        self.acquire_timeout
    }

    /// The pool's connections now, for the `db_pool_connections` gauge.
    #[must_use]
    pub fn pool_state(&self) -> PoolState {
        let state = self.pool.state();
        PoolState {
            idle: state.idle_connections,
            in_use: state.connections.saturating_sub(state.idle_connections),
            max: self.pool.max_size(),
        }
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    #[cfg(feature = "testing")]
    pub(crate) fn pool(&self) -> &Pool<Manager> {
        &self.pool
    }

    /// Runs `f` with a pooled connection on the blocking thread pool: diesel
    /// blocks, and an async worker must never wait on the database.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut pooled = checked_out(&pool)?;
            let result = f(&mut pooled.conn);
            pooled.finished(result)
        })
        .await
        .map_err(StoreError::Join)?
    }
}

impl Database {
    /// Runs `f`, a short read by a unique key, as [`run`](Self::run) does;
    /// but on SQLite, when a pooled connection is idle right now, here on
    /// the async worker: such a read is microseconds against the page cache
    /// and, in WAL mode, never waits for a writer, while the hop to the
    /// blocking pool and back costs two thread wake-ups. Never on
    /// PostgreSQL (a network round trip would stall the worker), and never
    /// waiting for a connection (that is `run`'s, on the blocking pool).
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        if self.backend() == Backend::Sqlite
            && let Some(mut pooled) = self.pool.try_get()
            && pooled.answers()
        {
            let result = f(&mut pooled.conn);
            return pooled.finished(result);
        }
        self.run(f).await
    }
}

/// A connection from the pool that answers: one idle for a while is pinged
/// first, and a dead one is dropped for the next (or a new one). Bounded:
/// the pool holds at most `max_size` connections that can be dead, and
/// waiting for a new one ends at the acquire timeout.
fn checked_out(pool: &Pool<Manager>) -> Result<PooledConnection<Manager>, StoreError> {
    for _ in 0..pool.max_size() {
        let mut pooled = pool.get().map_err(StoreError::Pool)?;
        if pooled.answers() {
            return Ok(pooled);
        }
    }
    pool.get().map_err(StoreError::Pool)
}

/// How many connections a pool holds, by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolState {
    /// Open and waiting for a query.
    pub idle: u32,
    /// Lent out to a query now.
    pub in_use: u32,
    /// The most the pool opens (`APP_DATABASE__MAX_CONNECTIONS`).
    pub max: u32,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.pool.state();
        f.debug_struct("Database")
            .field("target", &self.target)
            .field("max_connections", &self.pool.max_size())
            .field("connections", &state.connections)
            .field("idle", &state.idle_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}
