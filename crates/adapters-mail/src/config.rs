//! Plain configuration structs: the server maps its settings into these.

use std::path::PathBuf;
use std::time::Duration;

use domain::Secret;

/// Which transport delivers the mail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    /// One RFC 5322 `.eml` file per message in [`MailConfig::file_dir`].
    #[default]
    File,
    /// A real SMTP server, see [`SmtpConfig`].
    Smtp,
    /// Logs the kind and a masked recipient; delivers nothing.
    Log,
}

/// How the SMTP connection is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a local relay or a test sink only).
    None,
    /// Plain connection upgraded with STARTTLS, which is then required.
    #[default]
    StartTls,
    /// TLS from the first byte (implicit TLS, usually port 465).
    Tls,
}

/// Everything the mail adapter needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailConfig {
    pub transport: Transport,
    /// The `From` header: `address` or `Name <address>`. Its domain also
    /// names the `Message-ID`s.
    pub from: String,
    /// Where the `file` transport writes; created if missing.
    pub file_dir: PathBuf,
    pub smtp: SmtpConfig,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            transport: Transport::File,
            from: "no-reply@localhost".to_owned(),
            file_dir: PathBuf::from("data/outbox"),
            smtp: SmtpConfig::default(),
        }
    }
}

/// The `smtp` transport's server. Username and password go together.
/// `Debug` never shows the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tls: TlsMode,
    /// The longest one message may take, connecting included; one that
    /// takes longer is a transient failure, retried later.
    pub timeout: Duration,
}

/// The SMTP timeout when none is configured.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: "localhost".to_owned(),
            port: 587,
            username: None,
            password: None,
            tls: TlsMode::StartTls,
            timeout: DEFAULT_SMTP_TIMEOUT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_smtp_password() {
        let config = MailConfig {
            smtp: SmtpConfig {
                username: Some("mailer".to_owned()),
                password: Some("hunter2-very-secret".into()),
                ..SmtpConfig::default()
            },
            ..MailConfig::default()
        };

        let shown = format!("{config:?}");

        assert!(!shown.contains("hunter2-very-secret"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert!(shown.contains("mailer"));
    }
}
