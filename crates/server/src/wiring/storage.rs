//! The storage seam: [`StorageUrl`] is the one place that knows which
//! storage adapter each `APP_DATABASE__URL` scheme selects. The settings
//! validate the URL through [`StorageUrl::parse`] (which hands it to that
//! adapter's own parse), and [`Storage::open`] opens what it names as one
//! [`Storage`], which is all the rest of the server sees. So adding a
//! storage adapter touches this file (and the server's manifest) alone.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use adapters_db::{Backend, Database, DatabaseUrl, PoolState, UrlError};
use adapters_memory::MemoryStore;
use anyhow::Context;
use domain::ports::{
    HealthProbe, LoginThrottle, MfaRepository, OneTimeTokenRepository, Outbox, RateLimitCounter,
    SecurityEventRepository, SessionRepository, SigningKeyStore, UserRepository,
};

use crate::settings::{AppEnv, Settings, default_max_connections};

/// `APP_DATABASE__URL`, parsed by the storage adapter its scheme selects.
/// `Debug`, `Serialize` (`check-config`) and [`redacted`](Self::redacted)
/// never show a password.
#[derive(Clone, PartialEq, Eq)]
pub enum StorageUrl {
    /// `sqlite://...`, `postgres://...` or `postgresql://...`: `adapters-db`.
    Database(DatabaseUrl),
    /// `memory:`: `adapters-memory`, for demos and experiments; nothing
    /// survives a restart.
    Memory,
}

/// The URL that selects `adapters-memory`.
const MEMORY_URL: &str = "memory:";

impl StorageUrl {
    /// The URL, checked by the adapter whose scheme it has.
    ///
    /// # Errors
    /// What is wrong with it, in one line without the URL's password.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.eq_ignore_ascii_case(MEMORY_URL) {
            return Ok(Self::Memory);
        }
        if trimmed
            .get(..MEMORY_URL.len())
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case(MEMORY_URL))
        {
            return Err(format!("`{MEMORY_URL}` takes nothing after the colon"));
        }
        match DatabaseUrl::parse(raw) {
            Ok(url) => Ok(Self::Database(url)),
            Err(UrlError::UnsupportedScheme(scheme)) => Err(format!(
                "unsupported database scheme `{scheme}`: use sqlite:// or postgres://"
            )),
            Err(UrlError::Malformed(message)) => Err(message),
        }
    }

    /// The database backend, for the storage adapters that have one.
    #[must_use]
    pub fn backend(&self) -> Option<Backend> {
        match self {
            Self::Database(url) => Some(url.backend()),
            Self::Memory => None,
        }
    }

    /// The full URL, password included, for the storage adapter only.
    #[must_use]
    pub fn expose(&self) -> &str {
        match self {
            Self::Database(url) => url.expose(),
            Self::Memory => MEMORY_URL,
        }
    }

    /// The URL without its passwords, for logs and `check-config`.
    #[must_use]
    pub fn redacted(&self) -> String {
        match self {
            Self::Database(url) => url.redacted(),
            Self::Memory => MEMORY_URL.to_owned(),
        }
    }

    /// The pool size when `APP_DATABASE__MAX_CONNECTIONS` is not set.
    #[must_use]
    pub fn default_max_connections(&self, cores: usize) -> u32 {
        match self {
            Self::Database(url) => default_max_connections(url.backend(), cores),
            // No pool: the store is one value in this process.
            Self::Memory => 1,
        }
    }
}

impl Default for StorageUrl {
    /// `sqlite://data/app.db`, relative to the working directory.
    fn default() -> Self {
        Self::Database(DatabaseUrl::sqlite("data/app.db"))
    }
}

impl fmt::Debug for StorageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StorageUrl({})", self.redacted())
    }
}

impl serde::Serialize for StorageUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

impl<'de> serde::Deserialize<'de> for StorageUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <String as serde::Deserialize>::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Every storage port, from the adapter that `APP_DATABASE__URL` picks.
/// The rest of the server sees only this.
#[derive(Clone)]
pub struct Storage {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub events: Arc<dyn SecurityEventRepository>,
    pub throttle: Arc<dyn LoginThrottle>,
    pub mfa: Arc<dyn MfaRepository>,
    pub outbox: Arc<dyn Outbox>,
    pub rate_limits: Arc<dyn RateLimitCounter>,
    pub health: Arc<dyn HealthProbe>,
    pub signing_keys: Arc<dyn SigningKeyStore>,
    /// The database, when the adapter has one (and so migrations).
    database: Option<Database>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").finish_non_exhaustive()
    }
}

impl Storage {
    /// Every storage port on one value that implements them all.
    fn on<S>(store: S, database: Option<Database>) -> Self
    where
        S: UserRepository
            + SessionRepository
            + OneTimeTokenRepository
            + SecurityEventRepository
            + LoginThrottle
            + MfaRepository
            + Outbox
            + RateLimitCounter
            + SigningKeyStore
            + HealthProbe
            + 'static,
    {
        let store = Arc::new(store);
        Self {
            users: store.clone(),
            sessions: store.clone(),
            one_time_tokens: store.clone(),
            events: store.clone(),
            throttle: store.clone(),
            mfa: store.clone(),
            outbox: store.clone(),
            rate_limits: store.clone(),
            signing_keys: store.clone(),
            health: store,
            database,
        }
    }

    /// Opens the storage `APP_DATABASE__URL` names (a SQLite file and its
    /// folder are created here).
    ///
    /// # Errors
    /// When the database cannot be opened; the message never shows a
    /// password.
    pub fn open(settings: &Settings) -> anyhow::Result<Self> {
        let db = &settings.database;
        match &db.url {
            StorageUrl::Database(url) => {
                let database = Database::open(
                    url,
                    db.max_connections,
                    Duration::from_millis(db.acquire_timeout_ms),
                )
                .with_context(|| format!("opening the database {}", db.url.redacted()))?;
                Ok(Self::on(database.clone(), Some(database)))
            }
            StorageUrl::Memory => {
                if settings.env == AppEnv::Production {
                    anyhow::bail!(
                        "APP_DATABASE__URL={MEMORY_URL} is for demos and experiments, not for \
                         APP_ENV=production: nothing would survive a restart"
                    );
                }
                tracing::warn!(
                    "storage is in memory (APP_DATABASE__URL={MEMORY_URL}): accounts, sessions \
                     and queued mail live in this process only, and nothing survives a restart"
                );
                Ok(Self::on(MemoryStore::new(), None))
            }
        }
    }

    /// Whether what is written outlives this process (a database does; the
    /// in-memory store does not).
    #[must_use]
    pub fn persists(&self) -> bool {
        self.database.is_some()
    }

    /// The database pool's connections now; the in-memory store has none.
    #[must_use]
    pub fn pool_state(&self) -> PoolState {
        self.database
            .as_ref()
            .map_or_else(PoolState::default, Database::pool_state)
    }

    /// Whether the database has migrations not applied yet; `false` for
    /// storage without a schema, and when the database cannot say (it
    /// cannot be reached: readiness reports that).
    pub async fn migrations_pending(&self) -> bool {
        match &self.database {
            Some(database) => database.pending_migrations().await.unwrap_or(false),
            None => false,
        }
    }

    /// Applies pending migrations and logs what was applied; storage
    /// without a schema has none.
    ///
    /// # Errors
    /// When the database cannot be reached or a migration fails.
    pub async fn migrate(&self) -> anyhow::Result<Vec<String>> {
        let Some(database) = &self.database else {
            tracing::info!("no migrations: the storage has no schema");
            return Ok(Vec::new());
        };
        let applied = database
            .run_migrations()
            .await
            .context("applying database migrations")?;
        if applied.is_empty() {
            tracing::info!("database schema is up to date");
        } else {
            tracing::info!(applied = ?applied, "applied {} migration(s)", applied.len());
        }
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storage_url_is_parsed_by_the_adapter_its_scheme_selects() {
        let url = StorageUrl::parse("postgresql://app:pw@db/app").unwrap();
        assert_eq!(url.backend(), Some(Backend::Postgres));
        assert_eq!(url.redacted(), "postgresql://app:redacted@db/app");
        assert_eq!(
            StorageUrl::default(),
            StorageUrl::parse("sqlite://data/app.db").unwrap()
        );
        assert_eq!(
            StorageUrl::parse("mysql://db/app").unwrap_err(),
            "unsupported database scheme `mysql`: use sqlite:// or postgres://"
        );
    }

    #[test]
    fn memory_selects_the_in_memory_store_and_takes_nothing_after_the_colon() {
        assert_eq!(StorageUrl::parse("memory:").unwrap(), StorageUrl::Memory);
        assert_eq!(StorageUrl::parse(" MEMORY: ").unwrap(), StorageUrl::Memory);
        assert_eq!(StorageUrl::Memory.backend(), None);
        assert_eq!(StorageUrl::Memory.redacted(), "memory:");
        assert_eq!(
            StorageUrl::parse("memory://x").unwrap_err(),
            "`memory:` takes nothing after the colon"
        );
    }

    #[test]
    fn memory_storage_is_refused_in_production() {
        let mut settings = Settings {
            env: AppEnv::Production,
            ..Settings::default()
        };
        settings.database.url = StorageUrl::Memory;
        let error = Storage::open(&settings).unwrap_err().to_string();
        assert!(error.contains("not for APP_ENV=production"), "{error}");
    }

    #[tokio::test]
    async fn memory_storage_opens_ready_and_has_no_migrations() {
        let mut settings = Settings::default();
        settings.database.url = StorageUrl::Memory;
        let storage = Storage::open(&settings).unwrap();
        assert!(!storage.persists());
        assert!(storage.migrate().await.unwrap().is_empty());
        assert!(storage.health.readiness().await.is_ready());
    }
}
