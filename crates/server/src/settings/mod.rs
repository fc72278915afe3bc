//! Settings: built-in defaults, then `config/default.toml`, then
//! `config/{APP_ENV}.toml`, then `APP_...` environment variables, read once
//! into one typed [`Settings`] and passed down as plain structs.
//!
//! `Serialize` exists for `check-config` only, and renders every secret (a
//! [`Secret`], `domain`'s one redacting wrapper for secret text) as
//! `[redacted]`; `Debug` never shows one either.

/// The dotted key of a setting, from its field path in [`Settings`]:
/// `key!(auth.bcrypt_cost)` is `"auth.bcrypt_cost"`, and does not compile
/// when `Settings` has no such field. No field is renamed for serde, so a
/// field path is the key that files, figment and the environment use (for
/// the string keys a test checks it against the serialised settings).
macro_rules! key {
    ($first:ident $(. $rest:ident)*) => {{
        #[allow(dead_code, reason = "compiled only to check the path")]
        fn exists(settings: &$crate::settings::Settings) {
            let _ = &settings.$first $(.$rest)*;
        }
        concat!(stringify!($first) $(, ".", stringify!($rest))*)
    }};
}

mod error;
mod load;
mod pages;
mod signing;
mod types;
mod validate;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use adapters_db::Backend;
pub use domain::Secret;
pub use error::ConfigError;
pub use load::{Sources, load};
pub use pages::{PagesSettings, serves_public_url};
pub use signing::SigningAlg;
use types::secret;
pub use types::{
    AppEnv, LogFormat, MailTransport, PublicUrl, REDACTED, RateLimitStore, SmtpTls, TrustedProxies,
};

pub use crate::wiring::StorageUrl;

/// The token secret used when none is configured. Production refuses it.
pub const DEV_TOKEN_SECRET: &str = "development-only-token-secret-never-use-in-production";
/// The password pepper used when none is configured. Production refuses it.
pub const DEV_PASSWORD_PEPPER: &str = "development-only-password-pepper-never-use-in-production";
/// The development-only encryption key (`dev-only-encryption-key-32-bytes`,
/// base64); refused in production.
pub const DEV_ENCRYPTION_KEY: &str = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=";

/// The tokens' `client_id` when none is configured.
pub const DEFAULT_CLIENT_ID: &str = "user-accounts";

impl Settings {
    /// The tokens' `iss`: `auth.issuer`, else `public_url`.
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.auth
            .issuer
            .as_deref()
            .unwrap_or_else(|| self.public_url.as_str())
    }
}

/// Everything the binary is configured with.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `APP_ENV`; read from the environment only, never from a file.
    #[serde(skip_deserializing)]
    pub env: AppEnv,
    /// `APP_PUBLIC_URL`: the base of links in emails.
    pub public_url: PublicUrl,
    pub server: ServerSettings,
    pub ops: OpsSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub mail: MailSettings,
    pub pages: PagesSettings,
    pub log: LogSettings,
}

/// The public HTTP listener.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    /// 0 picks a free port (the bound address is logged).
    pub port: u16,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed.
    pub trusted_proxies: TrustedProxies,
}

/// The operations listener (`/metrics`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpsSettings {
    pub host: String,
    pub port: u16,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Validated, when read, by the storage adapter its scheme selects.
    pub url: StorageUrl,
    /// Pool size. Its default depends on the backend and the machine; see
    /// [`default_max_connections`].
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before the database
    /// counts as unavailable.
    pub acquire_timeout_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Signs access tokens.
    #[serde(with = "secret")]
    pub token_secret: Secret,
    /// Keys the HMAC pre-hash of passwords; lives outside the database.
    #[serde(with = "secret")]
    pub password_pepper: Secret,
    /// 32 random bytes, base64: the AEAD key for secrets kept at rest.
    #[serde(with = "secret")]
    pub encryption_key: Secret,
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
    pub session_max_secs: u64,
    /// How long a just-rotated refresh token may be presented again and get
    /// the same successor; 0 (the default) is no grace.
    pub refresh_reuse_grace_secs: u64,
    pub reset_ttl_secs: u64,
    pub verify_ttl_secs: u64,
    pub require_verified_email: bool,
    pub bcrypt_cost: u32,
    pub max_failed_logins: u32,
    pub lockout_secs: u64,
    /// Hashes that may wait beyond the ones running before `overloaded`.
    pub hash_queue: usize,
    /// How access tokens are signed: HS256 with `token_secret`, or EdDSA /
    /// ES256 with keys in the database, published for other services.
    pub signing_alg: SigningAlg,
    /// Days between automatic rotations of the signing keys; 0 is off.
    pub key_rotation_days: u32,
    /// The tokens' `iss`; unset: `public_url`.
    pub issuer: Option<String>,
    /// The tokens' `aud`; unset: no `aud` claim.
    pub audience: Option<String>,
    /// The tokens' `client_id`.
    pub client_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Requests per client address per minute on `/api/v1/auth/*`; 0 is off.
    pub auth_per_minute: u32,
    /// Where those requests are counted.
    pub store: RateLimitStore,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransport,
    /// Where the `file` transport writes `.eml` files (created if missing).
    pub file_dir: PathBuf,
    /// The From header: `addr@example.com` or `Name <addr@example.com>`.
    pub from: String,
    /// Delivered messages are deleted from the outbox this many days after
    /// delivery (1 to 3650).
    pub retention_days: u32,
    pub smtp: SmtpSettings,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    #[serde(with = "secret::optional")]
    pub password: Option<Secret>,
    pub tls: SmtpTls,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// Defaults to `pretty` in development and `json` in production.
    pub format: LogFormat,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            env: AppEnv::Development,
            public_url: PublicUrl::default(),
            server: ServerSettings::default(),
            ops: OpsSettings::default(),
            database: DatabaseSettings::default(),
            auth: AuthSettings::default(),
            rate_limit: RateLimitSettings::default(),
            mail: MailSettings::default(),
            pages: PagesSettings::default(),
            log: LogSettings::default(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

impl Default for OpsSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 9090,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        let url = StorageUrl::default();
        Self {
            max_connections: url.default_max_connections(cores()),
            url,
            acquire_timeout_ms: 3000,
        }
    }
}

/// The pool size for a backend on a machine with `cores` cores. PostgreSQL
/// serves many connections at once, so four per core (at least 4, at most
/// 64). SQLite has one writer at a time however many connections wait, and
/// readers gain little past the core count: one per core, from 4 to 8.
#[must_use]
pub fn default_max_connections(backend: Backend, cores: usize) -> u32 {
    let size = match backend {
        Backend::Postgres => cores.saturating_mul(4).clamp(4, 64),
        Backend::Sqlite => cores.clamp(4, 8),
    };
    u32::try_from(size).unwrap_or(4)
}

/// The number of cores, 1 when unknown.
#[must_use]
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            token_secret: Secret::from(DEV_TOKEN_SECRET),
            password_pepper: Secret::from(DEV_PASSWORD_PEPPER),
            encryption_key: Secret::from(DEV_ENCRYPTION_KEY),
            access_ttl_secs: 900,
            refresh_ttl_secs: 2_592_000,
            session_max_secs: 7_776_000,
            refresh_reuse_grace_secs: 0,
            reset_ttl_secs: 1800,
            verify_ttl_secs: 86_400,
            require_verified_email: false,
            bcrypt_cost: 12,
            max_failed_logins: 5,
            lockout_secs: 900,
            hash_queue: 16,
            signing_alg: SigningAlg::Hs256,
            key_rotation_days: 30,
            issuer: None,
            audience: None,
            client_id: DEFAULT_CLIENT_ID.to_owned(),
        }
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            auth_per_minute: 30,
            store: RateLimitStore::Memory,
        }
    }
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: MailTransport::File,
            file_dir: PathBuf::from("data/outbox"),
            from: "no-reply@localhost".into(),
            retention_days: 30,
            smtp: SmtpSettings::default(),
        }
    }
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: "localhost".into(),
            port: 587,
            username: None,
            password: None,
            tls: SmtpTls::StartTls,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
        }
    }
}

impl Settings {
    /// The configuration as TOML, secrets redacted: what `check-config`
    /// prints.
    ///
    /// # Errors
    /// Only if TOML cannot represent a value, which no setting here causes.
    pub fn to_redacted_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }
}
