//! Settings to adapter configurations, adapters to the application's ports.
//! Thin on purpose: every decision lives in a crate with tests of its own.
//! The storage adapters are chosen in [`storage`], the storage seam.

mod storage;

pub use storage::{Storage, StorageUrl};

use std::sync::Arc;

use adapters_crypto::{
    AeadSealer, BcryptHasher, HasherConfig, JwtCodec, KeyGenerator, RandomTokens, TokenProfile,
    TotpFactor, default_workers,
};
use adapters_http::{AppState, HttpConfig, ServerMetadata};
use adapters_mail::{MailConfig, SmtpConfig, TlsMode, Transport, build_mailer};
use anyhow::Context;
use application::{
    Account, Administration, AuthConfig, Credentials, DeliveryConfig, MailDelivery, Ports, SignIn,
    SigningKeys,
};
use domain::ports::{LockoutPolicy, SystemClock};

use crate::metrics;
use crate::settings::{MailTransport, RateLimitStore, Settings, SmtpTls};

/// The policy knobs of the use cases.
#[must_use]
pub fn auth_config(settings: &Settings) -> AuthConfig {
    let auth = &settings.auth;
    AuthConfig {
        access_ttl_secs: auth.access_ttl_secs,
        refresh_ttl_secs: auth.refresh_ttl_secs,
        session_max_secs: auth.session_max_secs,
        refresh_reuse_grace_secs: auth.refresh_reuse_grace_secs,
        require_verified_email: auth.require_verified_email,
        lockout: LockoutPolicy {
            max_failures: auth.max_failed_logins,
            lockout_secs: auth.lockout_secs,
        },
        reset_ttl_secs: auth.reset_ttl_secs,
        verify_ttl_secs: auth.verify_ttl_secs,
        public_url: settings.public_url.as_str().to_owned(),
        signing_algorithm: auth.signing_alg.asymmetric(),
        key_rotation_days: auth.key_rotation_days,
    }
}

/// The claims that say who issues access tokens and for whom.
#[must_use]
pub fn token_profile(settings: &Settings) -> TokenProfile {
    TokenProfile {
        issuer: settings.issuer().to_owned(),
        audience: settings.auth.audience.clone(),
        client_id: settings.auth.client_id.clone(),
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
        DeliveryConfig {
            retention_days: settings.mail.retention_days,
            ..DeliveryConfig::default()
        },
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

/// The password hasher, reporting each hash's running time to the
/// `password_hash_duration_seconds` histogram (a no-op without a metrics
/// recorder, as in the commands that do not serve).
///
/// # Errors
/// When it refuses its configuration (which validated settings should never
/// cause) or the start-up dummy hash fails.
pub fn hasher(settings: &Settings) -> anyhow::Result<Arc<BcryptHasher>> {
    BcryptHasher::with_observer(hasher_config(settings), metrics::hash_duration_observer())
        .map(Arc::new)
        .context("setting up password hashing")
}

/// The adapters behind the application's ports: `storage` for storage,
/// `hasher`, JWT and random tokens for crypto, the system clock.
///
/// # Errors
/// When an adapter refuses its configuration (which validated settings
/// should never cause).
pub fn ports(
    settings: &Settings,
    storage: &Storage,
    hasher: Arc<BcryptHasher>,
) -> anyhow::Result<Ports> {
    let profile = token_profile(settings);
    let tokens = match settings.auth.signing_alg.asymmetric() {
        None => JwtCodec::hs256(settings.auth.token_secret.expose(), profile)
            .context("setting up access token signing")?,
        Some(algorithm) => JwtCodec::asymmetric(algorithm, profile),
    };
    Ok(Ports {
        users: storage.users.clone(),
        sessions: storage.sessions.clone(),
        throttle: storage.throttle.clone(),
        one_time_tokens: storage.one_time_tokens.clone(),
        events: storage.events.clone(),
        hasher,
        tokens: Arc::new(tokens),
        secrets: Arc::new(RandomTokens::new()),
        mfa: storage.mfa.clone(),
        sealer: Arc::new(
            AeadSealer::from_base64(&settings.auth.encryption_key)
                .context("setting up the encryption key (APP_AUTH__ENCRYPTION_KEY)")?,
        ),
        second_factor: Arc::new(
            TotpFactor::from_encryption_key(&settings.auth.encryption_key)
                .context("setting up the encryption key (APP_AUTH__ENCRYPTION_KEY)")?,
        ),
        clock: Arc::new(SystemClock),
        signing_keys: storage.signing_keys.clone(),
        key_generator: Arc::new(KeyGenerator::new()),
    })
}

/// The signing keys on their own, for `server keys rotate`.
///
/// # Errors
/// As for [`ports`].
pub fn signing_keys(settings: &Settings, storage: &Storage) -> anyhow::Result<SigningKeys> {
    let ports = ports(settings, storage, hasher(settings)?)?;
    Ok(SigningKeys::new(&ports, &auth_config(settings)))
}

/// The administration service, for the command line.
///
/// # Errors
/// As for [`hasher`] and [`ports`].
pub fn administration(settings: &Settings, storage: &Storage) -> anyhow::Result<Administration> {
    Ok(Administration::new(
        &ports(settings, storage, hasher(settings)?)?,
        auth_config(settings),
    ))
}

/// What the HTTP handlers use: the services on `hasher`, and the storage
/// as the readiness probe; and the signing keys those services use, for the
/// server to load and keep fresh.
///
/// # Errors
/// As for [`ports`].
pub fn app_state(
    settings: &Settings,
    storage: &Storage,
    hasher: Arc<BcryptHasher>,
) -> anyhow::Result<(AppState, Arc<SigningKeys>)> {
    let ports = ports(settings, storage, hasher)?;
    let config = auth_config(settings);
    let sign_in = SignIn::new(&ports, config.clone());
    let keys = sign_in.signing_keys();
    let state = AppState {
        sign_in: Arc::new(sign_in),
        credentials: Arc::new(Credentials::new(&ports, config.clone())),
        administration: Arc::new(Administration::new(&ports, config.clone())),
        account: Arc::new(Account::new(&ports, config)),
        health: storage.health.clone(),
        rate_limits: match settings.rate_limit.store {
            RateLimitStore::Memory => None,
            RateLimitStore::Database => Some(storage.rate_limits.clone()),
        },
        keys: keys.clone(),
        metadata: ServerMetadata {
            issuer: settings.issuer().to_owned(),
            public_url: settings.public_url.as_str().to_owned(),
        },
    };
    Ok((state, keys))
}

/// The HTTP layer's knobs; actix picks the worker count (one per core).
#[must_use]
pub fn http_config(settings: &Settings) -> HttpConfig {
    HttpConfig {
        rate_limit_per_minute: settings.rate_limit.auth_per_minute,
        trusted_proxies: settings.server.trusted_proxies.0.clone(),
        workers: None,
        pages: settings.pages.enabled,
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
        settings.auth.refresh_reuse_grace_secs = 5;
        settings.auth.require_verified_email = true;
        settings.auth.max_failed_logins = 3;
        settings.auth.lockout_secs = 30;
        assert_eq!(
            auth_config(&settings),
            AuthConfig {
                access_ttl_secs: 60,
                refresh_ttl_secs: 600,
                session_max_secs: 6000,
                refresh_reuse_grace_secs: 5,
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
