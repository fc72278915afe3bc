//! The one `Mailer`: renders and builds the message, then hands it to the
//! configured transport.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use domain::ports::{MailError, Mailer};
use domain::{BoxError, OutgoingMail};
use lettre::message::Mailbox;
use uuid::Uuid;

use crate::config::{MailConfig, Transport};
use crate::file::FileTransport;
use crate::message::Sender;
use crate::smtp::SmtpTransport;

/// Why the mailer could not be set up; each names the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("`from` is not a valid mailbox ({value:?}): {reason}")]
    InvalidFrom { value: String, reason: String },
    #[error("`file_dir` {path:?} cannot be created")]
    FileDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`smtp.host` must not be empty")]
    EmptySmtpHost,
    #[error("`smtp.username` and `smtp.password` go together: set both or neither")]
    PartialCredentials,
    #[error("the SMTP client cannot be set up")]
    Smtp(#[source] lettre::transport::smtp::Error),
}

/// Builds the mailer that `config.transport` names.
pub fn build_mailer(config: &MailConfig) -> Result<Arc<dyn Mailer>, MailSetupError> {
    Ok(Arc::new(ConfiguredMailer::new(config)?))
}

/// The [`Mailer`] for every transport.
#[derive(Clone, Debug)]
pub struct ConfiguredMailer {
    sender: Sender,
    transport: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    File(FileTransport),
    Smtp(SmtpTransport),
    Log,
}

impl ConfiguredMailer {
    /// Checks the settings the chosen transport uses: `from` always, the
    /// folder (created here) for `file`, host and credentials for `smtp`.
    pub fn new(config: &MailConfig) -> Result<Self, MailSetupError> {
        let from = parse_from(&config.from)?;
        let transport = match config.transport {
            Transport::File => Inner::File(FileTransport::new(config.file_dir.clone()).map_err(
                |source| MailSetupError::FileDir {
                    path: config.file_dir.clone(),
                    source,
                },
            )?),
            Transport::Smtp => {
                let smtp = &config.smtp;
                if smtp.host.trim().is_empty() {
                    return Err(MailSetupError::EmptySmtpHost);
                }
                if smtp.username.is_some() != smtp.password.is_some() {
                    return Err(MailSetupError::PartialCredentials);
                }
                Inner::Smtp(SmtpTransport::new(smtp).map_err(MailSetupError::Smtp)?)
            }
            Transport::Log => Inner::Log,
        };
        Ok(Self {
            sender: Sender::new(from),
            transport,
        })
    }
}

fn parse_from(value: &str) -> Result<Mailbox, MailSetupError> {
    value
        .trim()
        .parse::<Mailbox>()
        .map_err(|error| MailSetupError::InvalidFrom {
            value: value.to_owned(),
            reason: error.to_string(),
        })
}

#[async_trait]
impl Mailer for ConfiguredMailer {
    async fn send(&self, id: Uuid, mail: &OutgoingMail) -> Result<(), MailError> {
        // Built for every transport, so a broken template fails the same
        // way in development as in production.
        let message = self
            .sender
            .build(id, mail)
            .map_err(|error| MailError::Permanent(BoxError::from(error)))?;
        match &self.transport {
            Inner::File(file) => file.write(id, &message.formatted()).await,
            Inner::Smtp(smtp) => smtp.send(message).await,
            Inner::Log => {
                // Never the link: it holds a one-time token.
                tracing::info!(
                    outbox_id = %id,
                    kind = mail.kind.as_str(),
                    to = %mask(mail.to.as_str()),
                    "mail not sent: the log transport only logs"
                );
                Ok(())
            }
        }
    }
}

/// `ada@example.com` → `a***@example.com`: enough to tell messages apart in
/// a log, not enough to read the address back.
#[must_use]
pub fn mask(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use domain::Secret;

    use super::*;
    use crate::config::{SmtpConfig, TlsMode};

    #[test]
    fn mask_keeps_only_the_first_character_and_the_domain() {
        assert_eq!(mask("ada@example.com"), "a***@example.com");
        assert_eq!(mask("émile@example.com"), "é***@example.com");
        assert_eq!(mask("no-at-sign"), "***");
    }

    #[test]
    fn a_from_that_is_not_a_mailbox_is_a_clear_setup_error() {
        let config = MailConfig {
            transport: Transport::Log,
            from: "not an address".to_owned(),
            ..MailConfig::default()
        };

        let error = ConfiguredMailer::new(&config).unwrap_err();

        assert!(matches!(error, MailSetupError::InvalidFrom { .. }));
        assert!(error.to_string().contains("\"not an address\""), "{error}");
    }

    #[test]
    fn a_from_with_a_display_name_is_accepted() {
        let config = MailConfig {
            transport: Transport::Log,
            from: "Example Accounts <no-reply@accounts.example.com>".to_owned(),
            ..MailConfig::default()
        };

        assert!(ConfiguredMailer::new(&config).is_ok());
    }

    #[test]
    fn smtp_needs_a_host_and_both_credentials_or_neither() {
        let smtp = |host: &str, username: Option<&str>, password: Option<&str>| MailConfig {
            transport: Transport::Smtp,
            smtp: SmtpConfig {
                host: host.to_owned(),
                username: username.map(str::to_owned),
                password: password.map(Secret::from),
                tls: TlsMode::None,
                ..SmtpConfig::default()
            },
            ..MailConfig::default()
        };

        assert!(matches!(
            ConfiguredMailer::new(&smtp(" ", None, None)),
            Err(MailSetupError::EmptySmtpHost)
        ));
        assert!(matches!(
            ConfiguredMailer::new(&smtp("localhost", Some("u"), None)),
            Err(MailSetupError::PartialCredentials)
        ));
        assert!(ConfiguredMailer::new(&smtp("localhost", Some("u"), Some("p"))).is_ok());
    }

    #[test]
    fn debug_never_shows_the_smtp_password() {
        let config = MailConfig {
            transport: Transport::Smtp,
            smtp: SmtpConfig {
                username: Some("mailer".to_owned()),
                password: Some("hunter2-very-secret".into()),
                ..SmtpConfig::default()
            },
            ..MailConfig::default()
        };

        let shown = format!("{:?}", ConfiguredMailer::new(&config).unwrap());

        assert!(!shown.contains("hunter2-very-secret"), "{shown}");
    }

    #[test]
    fn every_tls_mode_sets_up_without_connecting() {
        for tls in [TlsMode::None, TlsMode::StartTls, TlsMode::Tls] {
            let config = MailConfig {
                transport: Transport::Smtp,
                smtp: SmtpConfig {
                    host: "smtp.example.com".to_owned(),
                    tls,
                    ..SmtpConfig::default()
                },
                ..MailConfig::default()
            };

            assert!(ConfiguredMailer::new(&config).is_ok(), "{tls:?}");
        }
    }
}
