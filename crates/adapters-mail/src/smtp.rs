//! The `smtp` transport: lettre's async client, one connection per message.

use std::time::Duration;

use domain::BoxError;
use domain::ports::MailError;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::{self, AsyncSmtpTransport};
use lettre::{AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpConfig, TlsMode};

#[derive(Clone, Debug)]
pub(crate) struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
    timeout: Duration,
}

impl SmtpTransport {
    /// Prepares the client; nothing connects until the first message.
    pub(crate) fn new(config: &SmtpConfig) -> Result<Self, smtp::Error> {
        type Client = AsyncSmtpTransport<Tokio1Executor>;
        let builder = match config.tls {
            TlsMode::None => Client::builder_dangerous(config.host.as_str()),
            TlsMode::StartTls => Client::starttls_relay(&config.host)?,
            TlsMode::Tls => Client::relay(&config.host)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let (Some(username), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose().to_owned(),
            ));
        }
        Ok(Self {
            inner: builder.build(),
            timeout: config.timeout,
        })
    }

    pub(crate) async fn send(&self, message: Message) -> Result<(), MailError> {
        // lettre's own timeout covers connecting only: a server that accepts
        // and then stalls would hold the outbox worker forever.
        match tokio::time::timeout(self.timeout, self.inner.send(message)).await {
            Ok(result) => result.map(drop).map_err(classify),
            Err(elapsed) => Err(MailError::Transient(BoxError::from(elapsed))),
        }
    }
}

/// Only a 5xx reply about this message is permanent. Anything else (no
/// connection, a timeout, a TLS failure, a 4xx, a garbled reply) may pass on
/// a later attempt, and so may a 5xx about authentication, which is the
/// operator's to fix and must not bury every queued message meanwhile.
pub(crate) fn classify(error: smtp::Error) -> MailError {
    let auth_failure = error
        .status()
        .is_some_and(|code| matches!(code.to_string().as_str(), "530" | "534" | "535" | "538"));
    if error.is_permanent() && !auth_failure {
        MailError::Permanent(BoxError::from(error))
    } else {
        MailError::Transient(BoxError::from(error))
    }
}
