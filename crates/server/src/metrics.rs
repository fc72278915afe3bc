//! The service's metrics: one Prometheus recorder for the process, every
//! metric of the contract described and exported from start-up at zero,
//! the gauges that are read rather than counted filled in at each scrape,
//! and the text that `GET /metrics` on the operations listener answers.
//!
//! The HTTP metrics are recorded by `adapters-http`; the rest are named
//! here, and recorded by the mail worker and the hasher's observer.

use std::sync::Arc;
use std::time::Duration;

use adapters_crypto::{DurationObserver, HashPoolStats};
use adapters_db::PoolState;
use adapters_http::RenderMetrics;
use anyhow::Context;
use metrics::Unit;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const DB_POOL_CONNECTIONS: &str = "db_pool_connections";
pub const PASSWORD_HASH_IN_FLIGHT: &str = "password_hash_in_flight";
pub const PASSWORD_HASH_QUEUE_DEPTH: &str = "password_hash_queue_depth";
pub const PASSWORD_HASH_REJECTED_TOTAL: &str = "password_hash_rejected_total";
pub const PASSWORD_HASH_DURATION_SECONDS: &str = "password_hash_duration_seconds";
pub const OUTBOX_PENDING: &str = "outbox_pending";
pub const OUTBOX_DELIVERED_TOTAL: &str = "outbox_delivered_total";
pub const OUTBOX_DELIVERY_FAILURES_TOTAL: &str = "outbox_delivery_failures_total";

/// The bucket bounds of `password_hash_duration_seconds`: bcrypt at cost 10
/// to 14 takes tens of milliseconds to a second or so.
const HASH_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// How often histogram samples are folded into their buckets between
/// scrapes, so memory stays flat when nothing scrapes.
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// What the gauges are read from at each scrape.
#[derive(Clone)]
pub struct Sources {
    /// The password-hashing pool.
    pub hashing: HashPoolStats,
    /// The database pool's state now.
    pub pool: Arc<dyn Fn() -> PoolState + Send + Sync>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sources")
            .field("hashing", &self.hashing)
            .finish_non_exhaustive()
    }
}

/// The process's metrics.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// The recorder with the service's buckets, not installed.
    fn recorder() -> anyhow::Result<metrics_exporter_prometheus::PrometheusRecorder> {
        Ok(PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(adapters_http::HTTP_REQUEST_DURATION_SECONDS.to_owned()),
                adapters_http::DURATION_BUCKETS,
            )
            .context("the HTTP duration buckets")?
            .set_buckets_for_metric(
                Matcher::Full(PASSWORD_HASH_DURATION_SECONDS.to_owned()),
                HASH_BUCKETS,
            )
            .context("the hashing duration buckets")?
            .build_recorder())
    }

    /// Installs the process's recorder and registers every metric at zero.
    /// Call it once, before anything records.
    ///
    /// # Errors
    /// When a recorder is installed already.
    pub fn install() -> anyhow::Result<Self> {
        let recorder = Self::recorder()?;
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("installing the metrics recorder")?;
        register();
        Ok(Self { handle })
    }

    /// The text of one scrape: the read gauges refreshed from `sources`,
    /// then everything rendered.
    #[must_use]
    pub fn renderer(&self, sources: Sources) -> RenderMetrics {
        let handle = self.handle.clone();
        Arc::new(move || {
            refresh(&sources);
            handle.render()
        })
    }

    /// Folds histogram samples into their buckets; run every
    /// [`UPKEEP_EVERY`].
    pub fn run_upkeep(&self) {
        self.handle.run_upkeep();
    }
}

/// Describes every metric and registers each at zero (the HTTP ones for
/// every documented outcome).
fn register() {
    adapters_http::register_http_metrics();
    metrics::describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database pool connections, by state (idle, in_use, max)"
    );
    metrics::describe_gauge!(PASSWORD_HASH_IN_FLIGHT, "Password hashes running now");
    metrics::describe_gauge!(
        PASSWORD_HASH_QUEUE_DEPTH,
        "Password hashes admitted and waiting for a worker"
    );
    metrics::describe_counter!(
        PASSWORD_HASH_REJECTED_TOTAL,
        "Password hashes refused because the queue was full (503 overloaded)"
    );
    metrics::describe_histogram!(
        PASSWORD_HASH_DURATION_SECONDS,
        Unit::Seconds,
        "Time one password hash or verify ran, not counting its wait"
    );
    metrics::describe_gauge!(OUTBOX_PENDING, "Mail in the outbox not delivered yet");
    metrics::describe_counter!(OUTBOX_DELIVERED_TOTAL, "Mail delivered by this process");
    metrics::describe_counter!(
        OUTBOX_DELIVERY_FAILURES_TOTAL,
        "Failed delivery attempts by this process (each is retried later)"
    );
    for state in ["idle", "in_use", "max"] {
        metrics::gauge!(DB_POOL_CONNECTIONS, "state" => state).set(0.0);
    }
    metrics::gauge!(PASSWORD_HASH_IN_FLIGHT).set(0.0);
    metrics::gauge!(PASSWORD_HASH_QUEUE_DEPTH).set(0.0);
    metrics::counter!(PASSWORD_HASH_REJECTED_TOTAL).absolute(0);
    drop(metrics::histogram!(PASSWORD_HASH_DURATION_SECONDS));
    metrics::gauge!(OUTBOX_PENDING).set(0.0);
    metrics::counter!(OUTBOX_DELIVERED_TOTAL).absolute(0);
    metrics::counter!(OUTBOX_DELIVERY_FAILURES_TOTAL).absolute(0);
}

/// Sets the gauges that are read, not counted.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn refresh(sources: &Sources) {
    let pool = (sources.pool)();
    for (state, value) in [
        ("idle", pool.idle),
        ("in_use", pool.in_use),
        ("max", pool.max),
    ] {
        metrics::gauge!(DB_POOL_CONNECTIONS, "state" => state).set(f64::from(value));
    }
    let hashing = &sources.hashing;
    metrics::gauge!(PASSWORD_HASH_IN_FLIGHT).set(hashing.in_flight() as f64);
    metrics::gauge!(PASSWORD_HASH_QUEUE_DEPTH).set(hashing.queue_depth() as f64);
    metrics::counter!(PASSWORD_HASH_REJECTED_TOTAL).absolute(hashing.rejected_total());
}

/// What the hasher reports each hash's running time to.
#[must_use]
pub fn hash_duration_observer() -> DurationObserver {
    Arc::new(|took: Duration| {
        metrics::histogram!(PASSWORD_HASH_DURATION_SECONDS).record(took.as_secs_f64());
    })
}

/// Counts one round of the mail worker.
pub fn record_delivery(delivered: u32, failed: u32) {
    metrics::counter!(OUTBOX_DELIVERED_TOTAL).increment(u64::from(delivered));
    metrics::counter!(OUTBOX_DELIVERY_FAILURES_TOTAL).increment(u64::from(failed));
}

/// Sets the outbox backlog the mail worker last read.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
pub fn record_pending(pending: u64) {
    metrics::gauge!(OUTBOX_PENDING).set(pending as f64);
}
