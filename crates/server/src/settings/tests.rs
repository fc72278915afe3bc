//! Layering, parsing and error lines. Every test runs in a `figment::Jail`:
//! a fresh working directory and environment variables that are restored
//! afterwards, one test at a time.

use std::net::IpAddr;

use figment::Jail;

use super::*;

mod checks;
mod docs;

/// Runs `test` in a fresh jail. figment's closure returns its (large)
/// error type; these tests unwrap instead.
#[allow(clippy::result_large_err)]
pub(super) fn in_jail(test: impl FnOnce(&mut Jail)) {
    Jail::expect_with(|jail| {
        // The tests' own environment (CI sets variables too) stays out.
        jail.clear_env();
        test(jail);
        Ok(())
    });
}

/// Loads in the jail, panicking with the error line on failure.
pub(super) fn loaded() -> Settings {
    load().unwrap_or_else(|e| panic!("configuration error: {e}"))
}

/// The error line a load in the jail fails with.
pub(super) fn failure() -> String {
    match load() {
        Ok(settings) => panic!("expected a configuration error, loaded {settings:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn no_configuration_at_all_gives_the_contract_defaults() {
    in_jail(|_| {
        let s = loaded();
        assert_eq!(s.env, AppEnv::Development);
        assert_eq!((s.server.host.as_str(), s.server.port), ("127.0.0.1", 8080));
        assert_eq!((s.ops.host.as_str(), s.ops.port), ("127.0.0.1", 9090));
        assert!(s.server.trusted_proxies.0.is_empty());
        assert_eq!(s.public_url.as_str(), "http://127.0.0.1:8080");
        assert_eq!(s.database.url.expose(), "sqlite://data/app.db");
        assert_eq!(s.database.url.backend(), Some(Backend::Sqlite));
        assert_eq!(
            s.database.max_connections,
            default_max_connections(Backend::Sqlite, cores())
        );
        assert_eq!(s.database.acquire_timeout_ms, 3000);
        assert_eq!(s.auth.token_secret.expose(), DEV_TOKEN_SECRET);
        assert_eq!(s.auth.password_pepper.expose(), DEV_PASSWORD_PEPPER);
        assert_eq!(
            (
                s.auth.access_ttl_secs,
                s.auth.refresh_ttl_secs,
                s.auth.session_max_secs
            ),
            (900, 2_592_000, 7_776_000)
        );
        assert_eq!(
            (s.auth.reset_ttl_secs, s.auth.verify_ttl_secs),
            (1800, 86_400)
        );
        assert!(!s.auth.require_verified_email);
        assert_eq!(s.auth.bcrypt_cost, 12);
        assert_eq!((s.auth.max_failed_logins, s.auth.lockout_secs), (5, 900));
        assert_eq!(s.auth.hash_queue, 16);
        assert_eq!(s.rate_limit.auth_per_minute, 30);
        assert_eq!(s.mail.transport, MailTransport::File);
        assert_eq!(s.mail.file_dir, std::path::Path::new("data/outbox"));
        assert_eq!(s.mail.from, "no-reply@localhost");
        assert_eq!(s.log.format, LogFormat::Pretty);
    });
}

#[test]
fn the_env_file_overrides_default_toml_and_variables_override_both() {
    in_jail(|jail| {
        jail.create_dir("config").unwrap();
        jail.create_file(
            "config/default.toml",
            "[server]\nport = 1000\nhost = \"0.0.0.0\"\n[auth]\nbcrypt_cost = 5\nlockout_secs = 60\n",
        ).unwrap();
        jail.create_file(
            "config/test.toml",
            "[server]\nport = 2000\n[auth]\nbcrypt_cost = 6\n",
        )
        .unwrap();
        jail.set_env("APP_ENV", "test");
        jail.set_env("APP_AUTH__BCRYPT_COST", "7");
        let s = loaded();
        assert_eq!(s.env, AppEnv::Test);
        assert_eq!(s.server.host, "0.0.0.0");
        assert_eq!(s.server.port, 2000);
        assert_eq!(s.auth.bcrypt_cost, 7);
        assert_eq!(s.auth.lockout_secs, 60);
    });
}

#[test]
fn app_config_dir_names_the_folder() {
    in_jail(|jail| {
        jail.create_dir("elsewhere").unwrap();
        jail.create_file("elsewhere/default.toml", "[ops]\nport = 9999\n")
            .unwrap();
        jail.set_env("APP_CONFIG_DIR", "elsewhere");
        assert_eq!(loaded().ops.port, 9999);
    });
}

#[test]
fn an_explicit_config_dir_that_does_not_exist_is_an_error() {
    in_jail(|jail| {
        jail.set_env("APP_CONFIG_DIR", "missing");
        assert_eq!(failure(), "APP_CONFIG_DIR: `missing` is not a directory");
    });
}

#[test]
fn variables_nest_on_double_underscores_and_top_level_ones_stay_top_level() {
    in_jail(|jail| {
        jail.set_env("APP_PUBLIC_URL", "https://accounts.example.com/");
        jail.set_env("APP_MAIL__SMTP__PORT", "2525");
        jail.set_env("APP_MAIL__SMTP__TLS", "TLS");
        jail.set_env("APP_AUTH__REQUIRE_VERIFIED_EMAIL", "true");
        jail.set_env("APP_RATE_LIMIT__AUTH_PER_MINUTE", "0");
        let s = loaded();
        assert_eq!(s.public_url.as_str(), "https://accounts.example.com");
        assert_eq!(s.mail.smtp.port, 2525);
        assert_eq!(s.mail.smtp.tls, SmtpTls::Tls);
        assert!(s.auth.require_verified_email);
        assert_eq!(s.rate_limit.auth_per_minute, 0);
    });
}

#[test]
fn variables_that_are_not_settings_are_not_unknown_keys() {
    in_jail(|jail| {
        jail.create_dir("config").unwrap();
        jail.set_env("APP_CONFIG_DIR", "config");
        jail.set_env("APP_ADMIN_PASSWORD", "correct horse battery staple");
        jail.set_env("APP_ENV", "development");
        loaded();
    });
}

#[test]
fn string_settings_are_taken_verbatim_from_the_environment() {
    in_jail(|jail| {
        jail.set_env("APP_AUTH__TOKEN_SECRET", "12345678901234567890");
        jail.set_env("APP_AUTH__PASSWORD_PEPPER", "[not-a-list");
        jail.set_env("APP_MAIL__SMTP__PASSWORD", "0042");
        jail.set_env("APP_MAIL__SMTP__USERNAME", "true");
        let s = loaded();
        assert_eq!(s.auth.token_secret.expose(), "12345678901234567890");
        assert_eq!(s.auth.password_pepper.expose(), "[not-a-list");
        assert_eq!(
            s.mail.smtp.password.as_ref().map(Secret::expose),
            Some("0042")
        );
        assert_eq!(s.mail.smtp.username.as_deref(), Some("true"));
    });
}

#[test]
fn trusted_proxies_are_a_comma_separated_variable_or_a_toml_list() {
    in_jail(|jail| {
        jail.set_env("APP_SERVER__TRUSTED_PROXIES", "10.0.0.1, ::1,192.168.1.2");
        let expected: Vec<IpAddr> = ["10.0.0.1", "::1", "192.168.1.2"]
            .iter()
            .map(|ip| ip.parse().unwrap())
            .collect();
        assert_eq!(loaded().server.trusted_proxies.0, expected);

        jail.set_env("APP_SERVER__TRUSTED_PROXIES", "");
        assert!(loaded().server.trusted_proxies.0.is_empty());

        jail.set_env("APP_SERVER__TRUSTED_PROXIES", "10.0.0.1,proxy.local");
        assert_eq!(
            failure(),
            "APP_SERVER__TRUSTED_PROXIES (server.trusted_proxies): `proxy.local` is not an IP address"
        );
    });
    in_jail(|jail| {
        jail.create_dir("config").unwrap();
        jail.create_file(
            "config/default.toml",
            "[server]\ntrusted_proxies = [\"10.0.0.1\", \"10.0.0.2\"]\n",
        )
        .unwrap();
        assert_eq!(loaded().server.trusted_proxies.0.len(), 2);
    });
}

#[test]
fn empty_smtp_credentials_count_as_unset() {
    in_jail(|jail| {
        jail.set_env("APP_MAIL__SMTP__USERNAME", "");
        jail.set_env("APP_MAIL__SMTP__PASSWORD", "");
        let s = loaded();
        assert_eq!(s.mail.smtp.username, None);
        assert_eq!(s.mail.smtp.password, None);
    });
}

#[test]
fn the_pool_size_default_follows_the_backend_unless_set() {
    in_jail(|jail| {
        jail.set_env(
            "APP_DATABASE__URL",
            "postgres://app:pw@db.internal:5432/app",
        );
        let s = loaded();
        assert_eq!(s.database.url.backend(), Some(Backend::Postgres));
        assert_eq!(
            s.database.max_connections,
            default_max_connections(Backend::Postgres, cores())
        );
        jail.set_env("APP_DATABASE__MAX_CONNECTIONS", "3");
        assert_eq!(loaded().database.max_connections, 3);
    });
}

#[test]
fn pool_sizes_scale_with_cores_within_bounds() {
    assert_eq!(default_max_connections(Backend::Postgres, 1), 4);
    assert_eq!(default_max_connections(Backend::Postgres, 8), 32);
    assert_eq!(default_max_connections(Backend::Postgres, 128), 64);
    assert_eq!(default_max_connections(Backend::Sqlite, 1), 4);
    assert_eq!(default_max_connections(Backend::Sqlite, 6), 6);
    assert_eq!(default_max_connections(Backend::Sqlite, 64), 8);
}

#[test]
fn the_log_format_defaults_by_environment_and_can_be_overridden() {
    in_jail(|jail| {
        set_production_secrets(jail);
        jail.set_env("APP_ENV", "production");
        assert_eq!(loaded().log.format, LogFormat::Json);
        jail.set_env("APP_LOG__FORMAT", "pretty");
        assert_eq!(loaded().log.format, LogFormat::Pretty);
        jail.set_env("APP_ENV", "development");
        jail.set_env("APP_LOG__FORMAT", "json");
        assert_eq!(loaded().log.format, LogFormat::Json);
    });
}

/// Secrets that production accepts.
pub(super) fn set_production_secrets(jail: &mut Jail) {
    jail.set_env("APP_AUTH__TOKEN_SECRET", "k".repeat(32));
    jail.set_env("APP_AUTH__PASSWORD_PEPPER", "p".repeat(48));
    // 32 bytes of 0x6b, base64.
    jail.set_env(
        "APP_AUTH__ENCRYPTION_KEY",
        "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
    );
}

#[test]
fn debug_and_check_config_output_never_show_secrets() {
    in_jail(|jail| {
        jail.set_env("APP_AUTH__TOKEN_SECRET", "token-secret-value-1234567890");
        jail.set_env(
            "APP_AUTH__ENCRYPTION_KEY",
            "c2VjcmV0LWVuY3J5cHRpb24ta2V5LXZhbHVlLTEyMzQ=",
        );
        jail.set_env("APP_AUTH__PASSWORD_PEPPER", "pepper-value-1234567890");
        jail.set_env("APP_MAIL__SMTP__USERNAME", "mailer");
        jail.set_env("APP_MAIL__SMTP__PASSWORD", "smtp-password-value");
        jail.set_env(
            "APP_DATABASE__URL",
            "postgres://app:db-password-value@db/app?sslmode=require&password=query-password-value",
        );
        let s = loaded();
        let debug = format!("{s:?}");
        let toml = s.to_redacted_toml().unwrap();
        for shown in [&debug, &toml] {
            for secret in [
                "token-secret-value",
                "c2VjcmV0LWVuY3J5cHRpb24ta2V5",
                "pepper-value",
                "smtp-password-value",
                "db-password-value",
                "query-password-value",
            ] {
                assert!(!shown.contains(secret), "{secret} leaked into:\n{shown}");
            }
            assert!(shown.contains("mailer"));
            assert!(shown.contains("db/app"));
        }
        assert!(toml.contains("token_secret = \"[redacted]\""));
        assert!(toml.contains("env = \"development\""));
    });
}

#[test]
fn the_redacted_toml_lists_every_section() {
    in_jail(|_| {
        let toml = loaded().to_redacted_toml().unwrap();
        for section in [
            "[server]",
            "[ops]",
            "[database]",
            "[auth]",
            "[rate_limit]",
            "[mail]",
            "[mail.smtp]",
            "[log]",
        ] {
            assert!(toml.contains(section), "{section} missing from:\n{toml}");
        }
    });
}

/// The shipped `config/` folder of the repository.
pub(super) fn repo_config_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config")
}

#[test]
fn the_shipped_default_toml_says_what_the_built_in_defaults_say() {
    in_jail(|jail| {
        let builtin = loaded();
        jail.set_env("APP_CONFIG_DIR", repo_config_dir().display());
        assert_eq!(loaded(), builtin);
    });
}
