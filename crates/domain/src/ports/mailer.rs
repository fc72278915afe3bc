use async_trait::async_trait;
use uuid::Uuid;

use crate::{BoxError, OutgoingMail};

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Worth retrying later (server down, timeout, 4xx SMTP reply).
    #[error("temporary delivery failure")]
    Transient(#[source] BoxError),
    /// Retrying will not help (bad address, a 5xx reply about this message,
    /// broken template). Authentication failures are `Transient`: the
    /// operator fixes them, and the queue must survive until then.
    #[error("permanent delivery failure")]
    Permanent(#[source] BoxError),
}

/// Renders and delivers one message through a transport (SMTP, `.eml`
/// files, the log).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers `mail`. `id` is the outbox id: transports derive the
    /// `Message-ID` from it, so a retried message keeps its id.
    ///
    /// # Errors
    /// MUST return `MailError::Transient` when a retry may succeed (connection
    /// refused, timeout, a 4xx reply, an authentication failure);
    /// `MailError::Permanent` when it cannot (an address or message the server
    /// rejects with a 5xx reply, a template that does not render).
    async fn send(&self, id: Uuid, mail: &OutgoingMail) -> Result<(), MailError>;
}
