//! A bounded pool for slow, CPU-bound work (password hashing).
//!
//! At most `workers` jobs run at once, on tokio's blocking threads, and at
//! most `queue` more wait for a turn. A job offered when `workers + queue`
//! are already admitted is refused at once with `InfraError::Overloaded`, so
//! a login flood is answered 503 instead of piling up behind bcrypt and
//! starving everything else.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use domain::InfraError;
use tokio::sync::Semaphore;

/// Called with how long each job ran (not how long it waited), for a
/// `password_hash_duration_seconds` histogram.
pub type DurationObserver = Arc<dyn Fn(Duration) + Send + Sync>;

/// A bounded pool; cheap to clone (clones share the bound).
#[derive(Clone)]
pub(crate) struct HashPool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    /// One permit per worker: holding one means running.
    workers: Arc<Semaphore>,
    /// `workers + queue`: the most jobs admitted at once.
    capacity: usize,
    /// Jobs admitted and not yet finished (waiting or running). The one
    /// counter the bound is checked against, so admission is a single atomic
    /// step.
    admitted: AtomicUsize,
    queued: AtomicUsize,
    in_flight: AtomicUsize,
    rejected: AtomicU64,
    observer: Option<DurationObserver>,
}

impl HashPool {
    pub(crate) fn new(workers: usize, queue: usize, observer: Option<DurationObserver>) -> Self {
        Self {
            inner: Arc::new(PoolInner {
                workers: Arc::new(Semaphore::new(workers)),
                capacity: workers.saturating_add(queue),
                admitted: AtomicUsize::new(0),
                queued: AtomicUsize::new(0),
                in_flight: AtomicUsize::new(0),
                rejected: AtomicU64::new(0),
                observer,
            }),
        }
    }

    pub(crate) fn stats(&self) -> HashPoolStats {
        HashPoolStats {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Runs `job` on a blocking thread once a worker is free.
    ///
    /// # Errors
    /// `Overloaded` at once, without running `job`, when the pool and its
    /// queue are full; `Unexpected` when called outside a tokio runtime or
    /// when `job` panics.
    pub(crate) async fn run<T, F>(&self, job: F) -> Result<T, InfraError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(InfraError::unexpected)?;
        let admission = self.admit()?;

        // Dropping this future while it waits gives the slot back (the
        // guards drop with it), so an abandoned request does not hold one.
        let permit = {
            let _waiting = Gauge::raise(&self.inner.queued);
            Arc::clone(&self.inner.workers)
                .acquire_owned()
                .await
                .map_err(InfraError::unexpected)?
        };

        let inner = Arc::clone(&self.inner);
        // The permit and the admission move into the blocking task: they are
        // released when the work really ends, not when the caller stops
        // waiting for it, so the bound holds even for abandoned requests.
        let task = runtime.spawn_blocking(move || {
            let running = Gauge::raise(&inner.in_flight);
            let started = Instant::now();
            let output = job();
            if let Some(observe) = &inner.observer {
                observe(started.elapsed());
            }
            drop(running);
            drop(permit);
            drop(admission);
            output
        });
        task.await.map_err(InfraError::unexpected)
    }

    fn admit(&self) -> Result<Admission, InfraError> {
        let inner = &self.inner;
        let admitted =
            inner
                .admitted
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                    (current < inner.capacity).then_some(current + 1)
                });
        match admitted {
            Ok(_) => Ok(Admission {
                inner: Arc::clone(inner),
            }),
            Err(_) => {
                inner.rejected.fetch_add(1, Ordering::Relaxed);
                Err(InfraError::Overloaded)
            }
        }
    }
}

impl fmt::Debug for HashPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.stats().fmt(f)
    }
}

/// One admitted job's place in the bound, given back on drop.
struct Admission {
    inner: Arc<PoolInner>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.inner.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Raises a gauge for as long as it lives.
struct Gauge<'a>(&'a AtomicUsize);

impl<'a> Gauge<'a> {
    fn raise(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Live numbers of a hashing pool, for metrics. Cheap to clone; reads never
/// block the pool.
#[derive(Clone)]
pub struct HashPoolStats {
    inner: Arc<PoolInner>,
}

impl HashPoolStats {
    /// Jobs running now (`password_hash_in_flight`).
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Relaxed)
    }

    /// Jobs admitted and waiting for a worker (`password_hash_queue_depth`).
    #[must_use]
    pub fn queue_depth(&self) -> usize {
        self.inner.queued.load(Ordering::Relaxed)
    }

    /// Jobs refused as `Overloaded` since start-up
    /// (`password_hash_rejected_total`).
    #[must_use]
    pub fn rejected_total(&self) -> u64 {
        self.inner.rejected.load(Ordering::Relaxed)
    }
}

impl fmt::Debug for HashPoolStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashPoolStats")
            .field("capacity", &self.inner.capacity)
            .field("in_flight", &self.in_flight())
            .field("queue_depth", &self.queue_depth())
            .field("rejected_total", &self.rejected_total())
            .finish()
    }
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
