//! Checks that need more than a type: ranges, settings that must agree, and
//! what production refuses. The first failure wins and names its key.

use std::fmt::Display;
use std::net::IpAddr;

use super::{
    AppEnv, ConfigError, DEV_ENCRYPTION_KEY, DEV_PASSWORD_PEPPER, DEV_TOKEN_SECRET, MailTransport,
    Secret, Settings,
};

/// The longest TTL or lockout accepted: ten years, far from any overflow.
const MAX_SECS: u64 = 10 * 365 * 24 * 3600;
/// Secrets shorter than this are refused in production.
pub const MIN_PRODUCTION_SECRET_BYTES: usize = 32;
/// bcrypt costs below this are refused in production.
pub const MIN_PRODUCTION_BCRYPT_COST: u32 = 10;

/// Normalises empty optional values to `None`, then checks everything.
pub(super) fn validate(settings: &mut Settings) -> Result<(), ConfigError> {
    let smtp = &mut settings.mail.smtp;
    smtp.username = smtp.username.take().filter(|u| !u.trim().is_empty());
    smtp.password = smtp.password.take().filter(|p| !p.expose().is_empty());
    let claims = &mut settings.auth;
    claims.issuer = trimmed(claims.issuer.take());
    claims.audience = trimmed(claims.audience.take());

    listeners(settings)?;
    database(settings)?;
    auth(settings)?;
    mail(settings)?;
    if settings.env == AppEnv::Production {
        production(settings)?;
    }
    Ok(())
}

fn listeners(s: &Settings) -> Result<(), ConfigError> {
    host(key!(server.host), &s.server.host)?;
    host(key!(ops.host), &s.ops.host)?;
    if s.server.port != 0 && s.server.port == s.ops.port && s.server.host == s.ops.host {
        return Err(ConfigError::at(
            key!(ops.port),
            format!(
                "must differ from {} on the same host, both are {}",
                key!(server.port),
                s.ops.port
            ),
        ));
    }
    Ok(())
}

fn database(s: &Settings) -> Result<(), ConfigError> {
    let db = &s.database;
    within(key!(database.max_connections), db.max_connections, 1, 1000)?;
    within(
        key!(database.acquire_timeout_ms),
        db.acquire_timeout_ms,
        1,
        600_000,
    )
}

fn auth(s: &Settings) -> Result<(), ConfigError> {
    let a = &s.auth;
    not_empty(key!(auth.token_secret), &a.token_secret)?;
    not_empty(key!(auth.password_pepper), &a.password_pepper)?;
    encryption_key(key!(auth.encryption_key), &a.encryption_key)?;
    within(key!(auth.access_ttl_secs), a.access_ttl_secs, 1, MAX_SECS)?;
    within(key!(auth.refresh_ttl_secs), a.refresh_ttl_secs, 1, MAX_SECS)?;
    within(key!(auth.session_max_secs), a.session_max_secs, 1, MAX_SECS)?;
    within(
        key!(auth.refresh_reuse_grace_secs),
        a.refresh_reuse_grace_secs,
        0,
        MAX_REFRESH_REUSE_GRACE_SECS,
    )?;
    within(key!(auth.reset_ttl_secs), a.reset_ttl_secs, 1, MAX_SECS)?;
    within(key!(auth.verify_ttl_secs), a.verify_ttl_secs, 1, MAX_SECS)?;
    within(key!(auth.bcrypt_cost), a.bcrypt_cost, 4, 31)?;
    within(key!(auth.max_failed_logins), a.max_failed_logins, 1, 1000)?;
    within(key!(auth.lockout_secs), a.lockout_secs, 1, MAX_SECS)?;
    within(key!(auth.hash_queue), a.hash_queue, 0, 100_000)?;
    within(key!(auth.key_rotation_days), a.key_rotation_days, 0, 3650)?;
    claim(key!(auth.client_id), &a.client_id)?;
    if a.client_id.trim().is_empty() {
        return Err(ConfigError::at(key!(auth.client_id), "must not be empty"));
    }
    if let Some(issuer) = &a.issuer {
        claim(key!(auth.issuer), issuer)?;
    }
    if let Some(audience) = &a.audience {
        claim(key!(auth.audience), audience)?;
    }
    Ok(())
}

/// An optional text setting without surrounding spaces; empty is unset.
fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Text that goes into a token claim as it is: no control characters, and
/// short enough for a header line.
fn claim(key: &str, value: &str) -> Result<(), ConfigError> {
    if value.chars().any(char::is_control) {
        return Err(ConfigError::at(key, "must not contain control characters"));
    }
    if value.len() > 1000 {
        return Err(ConfigError::at(key, "must be at most 1000 bytes"));
    }
    Ok(())
}

fn mail(s: &Settings) -> Result<(), ConfigError> {
    let m = &s.mail;
    if m.file_dir.as_os_str().is_empty() {
        return Err(ConfigError::at(key!(mail.file_dir), "must not be empty"));
    }
    mailbox(&m.from).map_err(|message| ConfigError::at(key!(mail.from), message))?;
    within(key!(mail.retention_days), m.retention_days, 1, 3650)?;
    let smtp = &m.smtp;
    if m.transport == MailTransport::Smtp {
        host(key!(mail.smtp.host), &smtp.host)?;
    }
    if smtp.port == 0 {
        return Err(ConfigError::at(
            key!(mail.smtp.port),
            "must be between 1 and 65535, got 0",
        ));
    }
    match (&smtp.username, &smtp.password) {
        (Some(_), None) => Err(ConfigError::at(
            key!(mail.smtp.password),
            format!("is required when {} is set", key!(mail.smtp.username)),
        )),
        (None, Some(_)) => Err(ConfigError::at(
            key!(mail.smtp.username),
            format!("is required when {} is set", key!(mail.smtp.password)),
        )),
        _ => Ok(()),
    }
}

fn production(s: &Settings) -> Result<(), ConfigError> {
    production_secret(
        key!(auth.token_secret),
        &s.auth.token_secret,
        DEV_TOKEN_SECRET,
    )?;
    production_secret(
        key!(auth.password_pepper),
        &s.auth.password_pepper,
        DEV_PASSWORD_PEPPER,
    )?;
    production_secret(
        key!(auth.encryption_key),
        &s.auth.encryption_key,
        DEV_ENCRYPTION_KEY,
    )?;
    if is_placeholder(s.database.url.expose()) {
        return Err(ConfigError::at(
            key!(database.url),
            "still holds the CHANGE-ME placeholder of the example configuration",
        ));
    }
    if s.mail
        .smtp
        .password
        .as_ref()
        .is_some_and(|p| is_placeholder(p.expose()))
    {
        return Err(ConfigError::at(
            key!(mail.smtp.password),
            "still holds the CHANGE-ME placeholder of the example configuration",
        ));
    }
    if s.auth.bcrypt_cost < MIN_PRODUCTION_BCRYPT_COST {
        return Err(ConfigError::at(
            key!(auth.bcrypt_cost),
            format!(
                "must be at least {MIN_PRODUCTION_BCRYPT_COST} in production, got {}",
                s.auth.bcrypt_cost
            ),
        ));
    }
    Ok(())
}

fn production_secret(key: &str, secret: &Secret, dev_default: &str) -> Result<(), ConfigError> {
    let value = secret.expose();
    if value == dev_default || is_placeholder(value) {
        return Err(ConfigError::at(
            key,
            "is the development default or a placeholder; production needs a secret of its own",
        ));
    }
    if value.len() < MIN_PRODUCTION_SECRET_BYTES {
        return Err(ConfigError::at(
            key,
            format!(
                "must be at least {MIN_PRODUCTION_SECRET_BYTES} bytes in production, got {}",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// The longest grace window: a retry comes within seconds, and a longer
/// window would keep a recoverable successor longer than any retry needs.
pub const MAX_REFRESH_REUSE_GRACE_SECS: u64 = 60;

/// The length of `APP_AUTH__ENCRYPTION_KEY` once decoded.
pub const ENCRYPTION_KEY_BYTES: usize = 32;

/// 32 bytes in standard base64 (`openssl rand -base64 32`), or the
/// example's placeholder (which production refuses). The message never
/// shows the value.
fn encryption_key(key: &str, secret: &Secret) -> Result<(), ConfigError> {
    use base64::Engine as _;
    // The example's placeholder: production refuses it with the other
    // secrets' message.
    if is_placeholder(secret.expose()) {
        return Ok(());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(secret.expose().trim())
        .map_err(|_| ConfigError::at(key, "must be base64 (`openssl rand -base64 32`)"))?;
    if decoded.len() != ENCRYPTION_KEY_BYTES {
        return Err(ConfigError::at(
            key,
            format!(
                "must decode to {ENCRYPTION_KEY_BYTES} bytes, got {}",
                decoded.len()
            ),
        ));
    }
    Ok(())
}

/// The mark of the example configuration's placeholders.
fn is_placeholder(value: &str) -> bool {
    value.contains("CHANGE-ME")
}

fn within<T: PartialOrd + Display>(key: &str, value: T, min: T, max: T) -> Result<(), ConfigError> {
    if value < min || value > max {
        return Err(ConfigError::at(
            key,
            format!("must be between {min} and {max}, got {value}"),
        ));
    }
    Ok(())
}

fn not_empty(key: &str, secret: &Secret) -> Result<(), ConfigError> {
    if secret.expose().is_empty() {
        return Err(ConfigError::at(key, "must not be empty"));
    }
    Ok(())
}

/// An IP address or a DNS host name.
fn host(key: &str, value: &str) -> Result<(), ConfigError> {
    if value.parse::<IpAddr>().is_ok() || is_host_name(value) {
        Ok(())
    } else {
        Err(ConfigError::at(
            key,
            format!("must be an IP address or a host name, got {value:?}"),
        ))
    }
}

fn is_host_name(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// `addr@example.com` or `Display Name <addr@example.com>`; the address must
/// be one the service would accept from a user, and nothing may smuggle a
/// line break into the header.
fn mailbox(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    let address = match value.trim().strip_suffix('>') {
        Some(rest) => match rest.rsplit_once('<') {
            Some((_name, address)) => address,
            None => return Err(format!("not a valid mailbox: {value:?}")),
        },
        None => value,
    };
    domain::Email::parse(address)
        .map(|_| ())
        .map_err(|_| format!("not a valid email address: {value:?}"))
}
