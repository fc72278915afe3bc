//! Bad settings: each stops loading with one line naming the variable, the
//! key and what is wrong.

use super::{failure, in_jail, loaded, repo_config_dir, set_production_secrets};
use crate::settings::*;

/// The error line for one variable set to one value.
fn failure_for(var: &str, value: &str) -> String {
    let mut line = String::new();
    in_jail(|jail| {
        jail.set_env(var, value);
        line = failure();
    });
    line
}

#[test]
fn a_bcrypt_cost_out_of_range_names_the_variable_and_the_bounds() {
    assert_eq!(
        failure_for("APP_AUTH__BCRYPT_COST", "3"),
        "APP_AUTH__BCRYPT_COST (auth.bcrypt_cost): must be between 4 and 31, got 3"
    );
    assert_eq!(
        failure_for("APP_AUTH__BCRYPT_COST", "32"),
        "APP_AUTH__BCRYPT_COST (auth.bcrypt_cost): must be between 4 and 31, got 32"
    );
}

#[test]
fn a_refresh_reuse_grace_beyond_a_minute_is_refused() {
    assert_eq!(
        failure_for("APP_AUTH__REFRESH_REUSE_GRACE_SECS", "61"),
        "APP_AUTH__REFRESH_REUSE_GRACE_SECS (auth.refresh_reuse_grace_secs): \
         must be between 0 and 60, got 61"
    );
    in_jail(|jail| {
        jail.set_env("APP_AUTH__REFRESH_REUSE_GRACE_SECS", "60");
        assert_eq!(loaded().auth.refresh_reuse_grace_secs, 60);
    });
}

#[test]
fn a_value_that_is_not_a_number_is_named() {
    assert_eq!(
        failure_for("APP_SERVER__PORT", "eighty"),
        "APP_SERVER__PORT (server.port): expected a whole number from 0 to 65535, got \"eighty\""
    );
    assert_eq!(
        failure_for("APP_SERVER__PORT", "70000"),
        "APP_SERVER__PORT (server.port): expected a whole number from 0 to 65535, got 70000"
    );
    assert_eq!(
        failure_for("APP_AUTH__LOCKOUT_SECS", "-1"),
        "APP_AUTH__LOCKOUT_SECS (auth.lockout_secs): expected a whole number, 0 or more, got -1"
    );
    assert_eq!(
        failure_for("APP_DATABASE__ACQUIRE_TIMEOUT_MS", ""),
        "APP_DATABASE__ACQUIRE_TIMEOUT_MS (database.acquire_timeout_ms): \
         expected a whole number, 0 or more, got an empty value"
    );
    assert_eq!(
        failure_for("APP_AUTH__REQUIRE_VERIFIED_EMAIL", "yes"),
        "APP_AUTH__REQUIRE_VERIFIED_EMAIL (auth.require_verified_email): \
         expected true or false, got \"yes\""
    );
}

#[test]
fn unknown_choices_list_the_accepted_ones() {
    assert_eq!(
        failure_for("APP_MAIL__TRANSPORT", "pigeon"),
        "APP_MAIL__TRANSPORT (mail.transport): must be one of file, smtp, log, got `pigeon`"
    );
    assert_eq!(
        failure_for("APP_MAIL__SMTP__TLS", "ssl"),
        "APP_MAIL__SMTP__TLS (mail.smtp.tls): must be one of none, starttls, tls, got `ssl`"
    );
    assert_eq!(
        failure_for("APP_LOG__FORMAT", "xml"),
        "APP_LOG__FORMAT (log.format): must be one of pretty, json, got `xml`"
    );
    assert_eq!(
        failure_for("APP_ENV", "staging"),
        "APP_ENV (env): must be one of development, test, production, got `staging`"
    );
}

#[test]
fn bad_urls_are_named() {
    assert_eq!(
        failure_for("APP_DATABASE__URL", "mysql://localhost/app"),
        "APP_DATABASE__URL (database.url): unsupported database scheme `mysql`: \
         use sqlite:// or postgres://"
    );
    assert_eq!(
        failure_for("APP_DATABASE__URL", "sqlite://"),
        "APP_DATABASE__URL (database.url): sqlite:// needs a file path, e.g. sqlite://data/app.db"
    );
    assert!(
        failure_for("APP_DATABASE__URL", "data/app.db")
            .starts_with("APP_DATABASE__URL (database.url): must look like")
    );
    assert!(
        failure_for("APP_PUBLIC_URL", "not a url")
            .starts_with("APP_PUBLIC_URL (public_url): not a valid URL")
    );
    assert_eq!(
        failure_for("APP_PUBLIC_URL", "ftp://example.com"),
        "APP_PUBLIC_URL (public_url): must be an http or https URL, got `ftp://example.com`"
    );
}

#[test]
fn a_bad_database_url_never_shows_its_password() {
    let line = failure_for("APP_DATABASE__URL", "postgres://app:hunter2-secret@/app");
    assert!(
        line.starts_with("APP_DATABASE__URL (database.url): "),
        "{line}"
    );
    assert!(!line.contains("hunter2"), "{line}");
}

#[test]
fn an_unknown_variable_is_named_with_the_keys_that_exist() {
    let line = failure_for("APP_AUTH__BCRYPT_COSTS", "12");
    assert!(
        line.starts_with(
            "APP_AUTH__BCRYPT_COSTS (auth.bcrypt_costs): unknown key (expected one of: "
        ),
        "{line}"
    );
    assert!(line.contains("bcrypt_cost,"), "{line}");
}

#[test]
fn an_unknown_key_in_a_file_names_the_file() {
    in_jail(|jail| {
        jail.create_dir("config").unwrap();
        jail.create_file("config/default.toml", "[server]\nprot = 80\n")
            .unwrap();
        let line = failure();
        assert!(
            line.starts_with("APP_SERVER__PROT (server.prot, in "),
            "{line}"
        );
        assert!(line.contains("default.toml): unknown key"), "{line}");
    });
}

#[test]
fn a_file_cannot_choose_the_environment() {
    in_jail(|jail| {
        jail.create_dir("config").unwrap();
        jail.create_file("config/default.toml", "env = \"production\"\n")
            .unwrap();
        assert!(failure().contains("chosen by the APP_ENV environment variable only"));
    });
}

#[test]
fn a_toml_syntax_error_names_the_file() {
    in_jail(|jail| {
        jail.create_dir("config").unwrap();
        jail.create_file("config/default.toml", "[server\nport = 1\n")
            .unwrap();
        let line = failure();
        assert!(line.contains("default.toml"), "{line}");
        assert!(!line.contains('\n') || line.lines().count() > 1, "{line}");
    });
}

#[test]
fn other_range_and_consistency_checks() {
    let cases = [
        (
            "APP_DATABASE__MAX_CONNECTIONS",
            "0",
            "database.max_connections): must be between 1 and 1000, got 0",
        ),
        (
            "APP_DATABASE__ACQUIRE_TIMEOUT_MS",
            "0",
            "must be between 1 and 600000, got 0",
        ),
        (
            "APP_AUTH__ACCESS_TTL_SECS",
            "0",
            "auth.access_ttl_secs): must be between 1",
        ),
        (
            "APP_AUTH__MAX_FAILED_LOGINS",
            "0",
            "must be between 1 and 1000, got 0",
        ),
        (
            "APP_AUTH__TOKEN_SECRET",
            "",
            "auth.token_secret): must not be empty",
        ),
        (
            "APP_SERVER__HOST",
            "not a host",
            "server.host): must be an IP address or a host name",
        ),
        (
            "APP_OPS__PORT",
            "8080",
            "ops.port): must differ from server.port on the same host, both are 8080",
        ),
        (
            "APP_MAIL__FROM",
            "nobody",
            "mail.from): not a valid email address: \"nobody\"",
        ),
        (
            "APP_MAIL__FROM",
            "Acme\r\nBcc: x@y.z <a@b.c>",
            "mail.from): must not contain control characters",
        ),
        (
            "APP_MAIL__SMTP__USERNAME",
            "mailer",
            "APP_MAIL__SMTP__PASSWORD (mail.smtp.password): is required when mail.smtp.username is set",
        ),
        (
            "APP_MAIL__SMTP__PORT",
            "0",
            "mail.smtp.port): must be between 1 and 65535, got 0",
        ),
    ];
    for (var, value, expected) in cases {
        let line = failure_for(var, value);
        assert!(line.starts_with("APP_"), "{var}={value:?}: {line}");
        assert!(line.contains(expected), "{var}={value:?}: {line}");
    }
}

#[test]
fn port_0_for_both_listeners_is_accepted_but_one_fixed_port_for_both_is_not() {
    in_jail(|jail| {
        // Two binds of port 0 never collide: each gets a free port of its
        // own (the end-to-end harness runs every server this way).
        jail.set_env("APP_SERVER__PORT", "0");
        jail.set_env("APP_OPS__PORT", "0");
        let s = loaded();
        assert_eq!((s.server.port, s.ops.port), (0, 0));

        jail.set_env("APP_SERVER__PORT", "40737");
        jail.set_env("APP_OPS__PORT", "40737");
        assert_eq!(
            failure(),
            "APP_OPS__PORT (ops.port): must differ from server.port on the same host, both are 40737"
        );

        jail.set_env("APP_OPS__HOST", "127.0.0.2");
        assert_eq!(loaded().ops.port, 40737, "another host may use the port");
    });
}

#[test]
fn a_display_name_in_mail_from_is_accepted() {
    in_jail(|jail| {
        jail.set_env("APP_MAIL__FROM", "Acme Accounts <no-reply@acme.example>");
        assert_eq!(loaded().mail.from, "Acme Accounts <no-reply@acme.example>");
    });
}

#[test]
fn production_refuses_the_development_secrets() {
    in_jail(|jail| {
        jail.set_env("APP_ENV", "production");
        assert_eq!(
            failure(),
            "APP_AUTH__TOKEN_SECRET (auth.token_secret): is the development default or a \
             placeholder; production needs a secret of its own"
        );
        jail.set_env("APP_AUTH__TOKEN_SECRET", "k".repeat(32));
        assert!(failure().starts_with(
            "APP_AUTH__PASSWORD_PEPPER (auth.password_pepper): is the development default"
        ));
        jail.set_env("APP_AUTH__PASSWORD_PEPPER", "p".repeat(32));
        assert!(failure().starts_with(
            "APP_AUTH__ENCRYPTION_KEY (auth.encryption_key): is the development default"
        ));
    });
}

#[test]
fn the_encryption_key_must_be_32_bytes_of_base64_and_the_error_never_shows_it() {
    in_jail(|jail| {
        jail.set_env("APP_AUTH__ENCRYPTION_KEY", "not base64 at all!");
        let line = failure();
        assert!(
            line.starts_with("APP_AUTH__ENCRYPTION_KEY (auth.encryption_key): must be base64"),
            "{line}"
        );
        assert!(!line.contains("not base64 at all"), "{line}");
        // 16 bytes: an AES-128 key, not the 32 the service needs.
        jail.set_env("APP_AUTH__ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZg==");
        assert_eq!(
            failure(),
            "APP_AUTH__ENCRYPTION_KEY (auth.encryption_key): must decode to 32 bytes, got 16"
        );
        jail.set_env(
            "APP_AUTH__ENCRYPTION_KEY",
            "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
        );
        loaded();
    });
}

#[test]
fn production_refuses_short_secrets() {
    in_jail(|jail| {
        set_production_secrets(jail);
        jail.set_env("APP_ENV", "production");
        jail.set_env("APP_AUTH__PASSWORD_PEPPER", "p".repeat(31));
        assert_eq!(
            failure(),
            "APP_AUTH__PASSWORD_PEPPER (auth.password_pepper): must be at least 32 bytes in \
             production, got 31"
        );
    });
}

#[test]
fn production_refuses_a_cheap_bcrypt_cost_that_development_allows() {
    in_jail(|jail| {
        jail.set_env("APP_AUTH__BCRYPT_COST", "9");
        assert_eq!(loaded().auth.bcrypt_cost, 9);
        set_production_secrets(jail);
        jail.set_env("APP_ENV", "production");
        assert_eq!(
            failure(),
            "APP_AUTH__BCRYPT_COST (auth.bcrypt_cost): must be at least 10 in production, got 9"
        );
        jail.set_env("APP_AUTH__BCRYPT_COST", "10");
        assert_eq!(loaded().env, AppEnv::Production);
    });
}

#[test]
fn the_shipped_production_example_is_refused_until_its_secrets_are_overridden() {
    in_jail(|jail| {
        jail.set_env("APP_CONFIG_DIR", repo_config_dir().display());
        jail.set_env("APP_ENV", "production");
        assert!(failure().starts_with("APP_AUTH__TOKEN_SECRET (auth.token_secret"));
        set_production_secrets(jail);
        assert!(
            failure().starts_with("APP_DATABASE__URL (database.url): still holds the CHANGE-ME")
        );
        jail.set_env(
            "APP_DATABASE__URL",
            "postgres://app:db-password@db.internal:5432/app",
        );
        assert!(
            failure().starts_with("APP_MAIL__SMTP__PASSWORD (mail.smtp.password): still holds")
        );
        jail.set_env("APP_MAIL__SMTP__PASSWORD", "smtp-password");
        let s = loaded();
        assert_eq!(s.log.format, LogFormat::Json);
        assert_eq!(s.mail.transport, MailTransport::Smtp);
        assert_eq!(s.database.url.backend(), Some(Backend::Postgres));
    });
}

#[test]
fn the_token_claims_settings_refuse_control_characters_and_an_empty_client_id() {
    assert_eq!(
        failure_for("APP_AUTH__CLIENT_ID", " "),
        "APP_AUTH__CLIENT_ID (auth.client_id): must not be empty"
    );
    assert_eq!(
        failure_for("APP_AUTH__ISSUER", "https://a.example/\u{7}"),
        "APP_AUTH__ISSUER (auth.issuer): must not contain control characters"
    );
    assert_eq!(
        failure_for("APP_AUTH__AUDIENCE", &"a".repeat(1001)),
        "APP_AUTH__AUDIENCE (auth.audience): must be at most 1000 bytes"
    );
}

#[test]
fn the_issuer_defaults_to_the_public_url_and_blank_claims_are_unset() {
    in_jail(|jail| {
        jail.set_env("APP_PUBLIC_URL", "https://accounts.example/");
        jail.set_env("APP_AUTH__AUDIENCE", "  ");
        jail.set_env("APP_AUTH__SIGNING_ALG", "es256");
        let settings = loaded();
        assert_eq!(settings.issuer(), "https://accounts.example");
        assert_eq!(settings.auth.audience, None);
        assert_eq!(settings.auth.signing_alg, SigningAlg::Es256);
        jail.set_env("APP_AUTH__ISSUER", " https://issuer.example ");
        assert_eq!(loaded().issuer(), "https://issuer.example");
    });
}
