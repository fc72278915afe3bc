//! Delivery of the transactional outbox: claim due mail, hand each message to
//! the mailer, record the outcome. The server runs it in a loop.

use std::sync::Arc;

use domain::InfraError;
use domain::ports::{Clock, MailError, Mailer, Outbox};

use crate::support::seconds;

/// How delivery retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// Messages claimed per round. One (the default) lets a stop take effect
    /// between messages, and leaves nothing leased by a process that stops.
    pub batch: u32,
    /// How long a claim protects a message from other workers; longer than
    /// any single send can take.
    pub lease_secs: u64,
    /// The first retry waits this long; each further one twice as long.
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
    /// Delivered messages are deleted this many days after delivery
    /// (`APP_MAIL__RETENTION_DAYS`).
    pub retention_days: u32,
    /// Rows deleted per statement when pruning.
    pub prune_batch: u32,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            batch: 1,
            lease_secs: 120,
            backoff_base_secs: 5,
            backoff_max_secs: 3_600,
            retention_days: 30,
            prune_batch: 500,
        }
    }
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryRound {
    pub delivered: u32,
    pub failed: u32,
}

impl DeliveryRound {
    /// Whether the round claimed anything (if so, more may be due at once).
    #[must_use]
    pub const fn claimed(&self) -> u32 {
        self.delivered + self.failed
    }
}

/// Delivers outbox mail.
#[derive(Clone)]
pub struct MailDelivery {
    outbox: Arc<dyn Outbox>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    config: DeliveryConfig,
}

impl std::fmt::Debug for MailDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailDelivery")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl MailDelivery {
    #[must_use]
    pub fn new(
        outbox: Arc<dyn Outbox>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        config: DeliveryConfig,
    ) -> Self {
        Self {
            outbox,
            mailer,
            clock,
            config,
        }
    }

    /// Claims one batch of due mail and tries each message once. A failed
    /// send is recorded with its retry time (exponential backoff; permanent
    /// failures wait the maximum) and never stops the round.
    ///
    /// # Errors
    /// `Infra` when the outbox cannot be read or updated.
    pub async fn deliver_due(&self) -> Result<DeliveryRound, InfraError> {
        let now = self.clock.now();
        let claimed = self
            .outbox
            .claim(now, self.config.batch, self.config.lease_secs)
            .await?;
        let mut round = DeliveryRound::default();
        for queued in claimed {
            match self.mailer.send(queued.id, &queued.mail).await {
                Ok(()) => {
                    self.outbox
                        .mark_delivered(queued.id, queued.leased_until, self.clock.now())
                        .await?;
                    round.delivered += 1;
                }
                Err(error) => {
                    let wait = match &error {
                        MailError::Transient(_) => self.backoff(queued.attempts),
                        MailError::Permanent(_) => self.config.backoff_max_secs,
                    };
                    let reason = error_chain(&error);
                    // The cause chain may quote the recipient (an SMTP reply
                    // usually does): it goes to the outbox row's `last_error`,
                    // which holds the address anyway, not to the log.
                    tracing::warn!(mail_id = %queued.id, kind = %queued.mail.kind, attempts = queued.attempts + 1, retry_in_secs = wait, error = %error, "mail delivery failed; the cause is in the outbox row");
                    let retry_at = self.clock.now() + seconds(wait);
                    self.outbox
                        .mark_failed(queued.id, queued.leased_until, &reason, retry_at)
                        .await?;
                    round.failed += 1;
                }
            }
        }
        Ok(round)
    }

    /// Deletes the messages delivered more than `retention_days` ago, in
    /// batches of `prune_batch` rows, and returns how many went; each batch
    /// is its own statement, so pruning never holds the table long.
    ///
    /// # Errors
    /// `Infra` when the outbox cannot be pruned (what went before stays
    /// deleted).
    pub async fn prune_delivered(&self) -> Result<u64, InfraError> {
        let before =
            self.clock.now() - chrono::TimeDelta::days(i64::from(self.config.retention_days));
        let batch = self.config.prune_batch.max(1);
        let mut total = 0;
        loop {
            let deleted = self.outbox.delete_delivered(before, batch).await?;
            total += deleted;
            if deleted < u64::from(batch) {
                return Ok(total);
            }
        }
    }

    /// How many messages wait for delivery.
    ///
    /// # Errors
    /// `Infra` when the outbox cannot be read.
    pub async fn pending(&self) -> Result<u64, InfraError> {
        self.outbox.pending().await
    }

    /// Seconds to wait after the `(attempts + 1)`-th failure.
    fn backoff(&self, attempts: u32) -> u64 {
        let factor = 1_u64.checked_shl(attempts.min(32)).unwrap_or(u64::MAX);
        self.config
            .backoff_base_secs
            .saturating_mul(factor)
            .min(self.config.backoff_max_secs)
    }
}

/// The error and its causes on one line, for the outbox's `last_error`.
fn error_chain(error: &MailError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
#[path = "delivery_tests.rs"]
mod tests;
