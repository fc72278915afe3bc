//! The background worker that delivers the outbox: it runs next to the HTTP
//! server and stops between messages when the server stops.

use std::time::{Duration, Instant};

use application::MailDelivery;

use crate::metrics;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long the worker sleeps when nothing is due (the delivery latency of a
/// new message is at most about this much).
pub const IDLE_POLL: Duration = Duration::from_millis(200);
/// How long it waits after the outbox itself could not be read.
pub const ERROR_PAUSE: Duration = Duration::from_secs(2);
/// How often, at most, it counts the backlog for `outbox_pending`.
pub const PENDING_EVERY: Duration = Duration::from_secs(1);
/// How often it deletes delivered mail past its retention (and once at
/// start).
pub const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

/// A running worker; [`MailWorker::stop`] ends it.
#[derive(Debug)]
pub struct MailWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl MailWorker {
    /// Starts delivering on the current tokio runtime. `delivery` must claim
    /// one message per round, so that a stop takes effect between messages.
    #[must_use]
    pub fn spawn(delivery: MailDelivery) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut counted: Option<Instant> = None;
            let mut pruned: Option<Instant> = None;
            loop {
                if *stopped.borrow() {
                    break;
                }
                if pruned.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
                    pruned = Some(Instant::now());
                    match delivery.prune_delivered().await {
                        Ok(0) => {}
                        Ok(deleted) => {
                            tracing::info!(deleted, "deleted delivered mail past its retention")
                        }
                        Err(error) => tracing::warn!(
                            error = &error as &dyn std::error::Error,
                            "cannot prune the outbox"
                        ),
                    }
                }
                if counted.is_none_or(|at| at.elapsed() >= PENDING_EVERY) {
                    counted = Some(Instant::now());
                    if let Ok(pending) = delivery.pending().await {
                        metrics::record_pending(pending);
                    }
                }
                let pause = match delivery.deliver_due().await {
                    Ok(round) => {
                        metrics::record_delivery(round.delivered, round.failed);
                        if round.claimed() > 0 {
                            continue;
                        }
                        IDLE_POLL
                    }
                    Err(error) => {
                        tracing::warn!(
                            error = &error as &dyn std::error::Error,
                            "cannot read the outbox"
                        );
                        ERROR_PAUSE
                    }
                };
                // Wake early on stop.
                let _ = tokio::time::timeout(pause, stopped.changed()).await;
            }
            tracing::info!("mail delivery stopped");
        });
        Self { stop, task }
    }

    /// Asks the worker to stop after the message it is sending, and waits.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "mail delivery worker failed");
        }
    }
}
