//! Settings to adapter configurations, adapters to the application's ports.
//! Thin on purpose: every decision lives in a crate with tests of its own.
//!
//! The storage seam: [`StorageUrl`] is the one place that knows which
//! storage adapter each `APP_DATABASE__URL` scheme selects. The settings
//! validate the URL through [`StorageUrl::parse`] (which hands it to that
//! adapter's own parse), and [`Storage::open`] opens what it names, so adding a
//! storage adapter touches this file alone.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use adapters_crypto::{BcryptHasher, HasherConfig, JwtCodec, RandomTokens, default_workers};
use adapters_db::{Backend, Database, DatabaseUrl, UrlError};
use adapters_http::{AppState, HttpConfig};
use adapters_mail::{MailConfig, SmtpConfig, TlsMode, Transport, build_mailer};
use adapters_memory::MemoryStore;
use anyhow::Context;
use application::{
    Account, Administration, AuthConfig, Credentials, DeliveryConfig, MailDelivery, Ports, SignIn,
};
use domain::ports::{
    HealthProbe, LockoutPolicy, LoginThrottle, OneTimeTokenRepository, Outbox,
    SecurityEventRepository, SessionRepository, SystemClock, UserRepository,
};

use crate::settings::{AppEnv, MailTransport, Settings, SmtpTls, default_max_connections};

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

/// The policy knobs of the use cases.
#[must_use]
pub fn auth_config(settings: &Settings) -> AuthConfig {
    let auth = &settings.auth;
    AuthConfig {
        access_ttl_secs: auth.access_ttl_secs,
        refresh_ttl_secs: auth.refresh_ttl_secs,
        session_max_secs: auth.session_max_secs,
        require_verified_email: auth.require_verified_email,
        lockout: LockoutPolicy {
            max_failures: auth.max_failed_logins,
            lockout_secs: auth.lockout_secs,
        },
        reset_ttl_secs: auth.reset_ttl_secs,
        verify_ttl_secs: auth.verify_ttl_secs,
        public_url: settings.public_url.as_str().to_owned(),
    }
}

/// The mail adapter's configuration.
#[must_use]
pub fn mail_config(settings: &Settings) -> MailConfig {
    let mail = &settings.mail;
    MailConfig {
        transport: match mail.transport {
            MailTransport::File => Transport::File,
            MailTransport::Smtp => Transport::Smtp,
            MailTransport::Log => Transport::Log,
        },
        from: mail.from.clone(),
        file_dir: mail.file_dir.clone(),
        smtp: SmtpConfig {
            host: mail.smtp.host.clone(),
            port: mail.smtp.port,
            username: mail.smtp.username.clone(),
            password: mail.smtp.password.clone(),
            tls: match mail.smtp.tls {
                SmtpTls::None => TlsMode::None,
                SmtpTls::StartTls => TlsMode::StartTls,
                SmtpTls::Tls => TlsMode::Tls,
            },
            ..SmtpConfig::default()
        },
    }
}

/// Outbox delivery with the default policy: one message per round, so a stop
/// takes effect between messages; the lease comfortably outlasts the SMTP
/// timeout.
///
/// # Errors
/// When the mail transport refuses its configuration.
pub fn mail_delivery(settings: &Settings, storage: &Storage) -> anyhow::Result<MailDelivery> {
    let mailer = build_mailer(&mail_config(settings)).context("setting up the mail transport")?;
    Ok(MailDelivery::new(
        storage.outbox.clone(),
        mailer,
        Arc::new(SystemClock),
        DeliveryConfig::default(),
    ))
}

/// bcrypt at the configured cost, one worker per core, the configured queue.
#[must_use]
pub fn hasher_config(settings: &Settings) -> HasherConfig {
    HasherConfig {
        cost: settings.auth.bcrypt_cost,
        pepper: settings.auth.password_pepper.clone(),
        workers: default_workers(),
        queue: settings.auth.hash_queue,
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
    pub outbox: Arc<dyn Outbox>,
    pub health: Arc<dyn HealthProbe>,
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
            + Outbox
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
            outbox: store.clone(),
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

/// The adapters behind the application's ports: `storage` for storage,
/// bcrypt, JWT and random tokens for crypto, the system clock.
///
/// # Errors
/// When an adapter refuses its configuration (which validated settings
/// should never cause) or the start-up dummy hash fails.
pub fn ports(settings: &Settings, storage: &Storage) -> anyhow::Result<Ports> {
    let hasher =
        BcryptHasher::new(hasher_config(settings)).context("setting up password hashing")?;
    let tokens = JwtCodec::new(settings.auth.token_secret.expose())
        .context("setting up access token signing")?;
    Ok(Ports {
        users: storage.users.clone(),
        sessions: storage.sessions.clone(),
        throttle: storage.throttle.clone(),
        one_time_tokens: storage.one_time_tokens.clone(),
        events: storage.events.clone(),
        hasher: Arc::new(hasher),
        tokens: Arc::new(tokens),
        secrets: Arc::new(RandomTokens::new()),
        clock: Arc::new(SystemClock),
    })
}

/// The administration service, for the command line.
///
/// # Errors
/// As for [`ports`].
pub fn administration(settings: &Settings, storage: &Storage) -> anyhow::Result<Administration> {
    Ok(Administration::new(
        &ports(settings, storage)?,
        auth_config(settings),
    ))
}

/// What the HTTP handlers use: the services, and the storage as the
/// readiness probe.
///
/// # Errors
/// As for [`ports`].
pub fn app_state(settings: &Settings, storage: &Storage) -> anyhow::Result<AppState> {
    let ports = ports(settings, storage)?;
    let config = auth_config(settings);
    Ok(AppState {
        sign_in: Arc::new(SignIn::new(&ports, config.clone())),
        credentials: Arc::new(Credentials::new(&ports, config.clone())),
        account: Arc::new(Account::new(&ports, config)),
        health: storage.health.clone(),
    })
}

/// The HTTP layer's knobs; actix picks the worker count (one per core).
#[must_use]
pub fn http_config(settings: &Settings) -> HttpConfig {
    HttpConfig {
        rate_limit_per_minute: settings.rate_limit.auth_per_minute,
        trusted_proxies: settings.server.trusted_proxies.0.clone(),
        workers: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_config_carries_every_policy_setting() {
        let mut settings = Settings::default();
        settings.auth.access_ttl_secs = 60;
        settings.auth.refresh_ttl_secs = 600;
        settings.auth.session_max_secs = 6000;
        settings.auth.require_verified_email = true;
        settings.auth.max_failed_logins = 3;
        settings.auth.lockout_secs = 30;
        assert_eq!(
            auth_config(&settings),
            AuthConfig {
                access_ttl_secs: 60,
                refresh_ttl_secs: 600,
                session_max_secs: 6000,
                require_verified_email: true,
                lockout: LockoutPolicy {
                    max_failures: 3,
                    lockout_secs: 30,
                },
                ..AuthConfig::default()
            }
        );
    }

    #[test]
    fn the_built_in_defaults_match_the_application_defaults() {
        assert_eq!(auth_config(&Settings::default()), AuthConfig::default());
    }

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

    #[test]
    fn the_http_config_carries_the_rate_limit_and_the_proxies() {
        let mut settings = Settings::default();
        settings.rate_limit.auth_per_minute = 0;
        settings.server.trusted_proxies.0 = vec!["10.0.0.1".parse().unwrap()];
        let config = http_config(&settings);
        assert_eq!(config.rate_limit_per_minute, 0);
        assert_eq!(config.trusted_proxies, settings.server.trusted_proxies.0);
    }

    #[test]
    fn the_hasher_gets_the_cost_pepper_and_queue() {
        let mut settings = Settings::default();
        settings.auth.bcrypt_cost = 4;
        settings.auth.hash_queue = 3;
        let config = hasher_config(&settings);
        assert_eq!(config.cost, 4);
        assert_eq!(config.queue, 3);
        assert_eq!(config.pepper, settings.auth.password_pepper);
        assert!(config.workers >= 1);
    }
}
