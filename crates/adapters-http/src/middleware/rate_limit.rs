//! The per-address rate limit on `/api/v1/auth/*`: fixed one-minute
//! windows, counted in this process (`APP_RATE_LIMIT__STORE=memory`) or in
//! the database every process shares (`database`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::ports::RateLimitCounter;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpMessage};

use super::ClientAddr;
use crate::app::Shared;
use crate::error::ApiError;

/// Addresses tracked per window at most. Beyond that, new addresses are
/// let through (and a warning logged) rather than refused: refusing would
/// let whoever fills the table lock everyone else out of logging in.
const MAX_TRACKED: usize = 100_000;

const WINDOW: Duration = Duration::from_secs(60);

/// Counts requests per client address in the current window. All counts
/// are dropped when the window ends, so memory holds one window at most.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_window: u32,
    state: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    counts: HashMap<Option<IpAddr>, u32>,
    warned_full: bool,
}

impl RateLimiter {
    /// `per_minute == 0` turns the limit off.
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            per_window: per_minute,
            state: Mutex::new(Window {
                started: Instant::now(),
                counts: HashMap::new(),
                warned_full: false,
            }),
        }
    }

    /// Counts one request of `client` at `now`.
    ///
    /// # Errors
    /// The seconds until the window ends, when the client is over the
    /// limit (refused requests do not count).
    pub(crate) fn check(&self, client: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        if self.per_window == 0 {
            return Ok(());
        }
        let mut window = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if now.saturating_duration_since(window.started) >= WINDOW {
            window.started = now;
            window.counts.clear();
            window.warned_full = false;
        }
        let key = client.map(limit_key);
        if !window.counts.contains_key(&key) && window.counts.len() >= MAX_TRACKED {
            if !window.warned_full {
                window.warned_full = true;
                tracing::warn!(
                    tracked = MAX_TRACKED,
                    "rate limit table full for this window"
                );
            }
            return Ok(());
        }
        let count = window.counts.entry(key).or_insert(0);
        if *count >= self.per_window {
            let left = WINDOW.saturating_sub(now.saturating_duration_since(window.started));
            return Err(left.as_secs() + u64::from(left.subsec_nanos() > 0));
        }
        *count += 1;
        Ok(())
    }
}

/// Either limiter.
pub(crate) enum Limiter {
    Local(RateLimiter),
    Shared(SharedLimiter),
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(local) => local.fmt(f),
            Self::Shared(shared) => f
                .debug_struct("SharedLimiter")
                .field("per_window", &shared.per_window)
                .finish_non_exhaustive(),
        }
    }
}

/// Counts in the database: one atomic upsert per request, in fixed windows
/// aligned on the minutes of the wall clock, so every process counts the
/// same window. Refused requests count too (the count is taken before the
/// decision), which only ever refuses sooner. Each process forgets ended
/// windows at most once a window, so the table holds about one window.
pub(crate) struct SharedLimiter {
    counter: Arc<dyn RateLimitCounter>,
    per_window: u32,
    /// The window start (seconds) this process last pruned before.
    pruned: AtomicI64,
}

impl SharedLimiter {
    pub(crate) fn new(counter: Arc<dyn RateLimitCounter>, per_minute: u32) -> Self {
        Self {
            counter,
            per_window: per_minute,
            pruned: AtomicI64::new(i64::MIN),
        }
    }

    /// Counts one request of `client` at `now`: `Ok(None)` to go ahead,
    /// `Ok(Some(seconds))` when over the limit until the window ends.
    async fn check(
        &self,
        client: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, domain::InfraError> {
        if self.per_window == 0 {
            return Ok(None);
        }
        let window = i64::try_from(WINDOW.as_secs()).unwrap_or(60);
        let start_secs = now.timestamp().div_euclid(window) * window;
        let start = DateTime::from_timestamp(start_secs, 0).unwrap_or(now);
        if self.pruned.swap(start_secs, Ordering::Relaxed) < start_secs
            && let Err(error) = self.counter.forget_before(start).await
        {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "rate limit counts not pruned"
            );
        }
        let key = client
            .map(limit_key)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let hits = self.counter.hit(&key, start).await?;
        if hits <= self.per_window {
            return Ok(None);
        }
        let left = (start_secs + window - now.timestamp()).max(1);
        Ok(Some(u64::try_from(left).unwrap_or(1)))
    }
}

/// The key an address is counted under. An IPv6 client usually holds a
/// whole /64, so its addresses are counted together.
fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

/// Refuses a request with 429 once its client is over the limit. It wraps
/// the `/api/v1/auth` scope (see `routes::configure`), so it applies to
/// exactly the requests the router sends there, whatever the spelling of
/// their path (`/api/v1/%61uth/login` included).
pub(crate) async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Some(shared) = req.app_data::<Data<Shared>>().cloned() {
        let client = req.extensions().get::<ClientAddr>().and_then(|c| c.0);
        let refused = match &shared.limiter {
            Limiter::Local(limiter) => limiter.check(client, Instant::now()).err(),
            // The database down: answered like every call that needs it.
            Limiter::Shared(limiter) => match limiter.check(client, Utc::now()).await {
                Ok(refused) => refused,
                Err(error) => {
                    return Ok(req
                        .error_response(ApiError::from(error))
                        .map_into_right_body());
                }
            },
        };
        if let Some(retry_after_secs) = refused {
            let error = ApiError::TooManyRequests { retry_after_secs };
            return Ok(req.error_response(error).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn requests_over_the_limit_are_refused_until_the_window_ends() {
        let limiter = RateLimiter::new(2);
        let start = Instant::now();
        assert!(limiter.check(client("192.0.2.1"), start).is_ok());
        assert!(limiter.check(client("192.0.2.1"), start).is_ok());
        let later = start + Duration::from_millis(20_500);
        assert_eq!(limiter.check(client("192.0.2.1"), later), Err(40));
        assert!(limiter.check(client("192.0.2.1"), start + WINDOW).is_ok());
    }

    #[test]
    fn each_address_has_its_own_count() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert!(limiter.check(client("192.0.2.1"), now).is_ok());
        assert!(limiter.check(client("192.0.2.2"), now).is_ok());
        assert!(limiter.check(client("192.0.2.1"), now).is_err());
    }

    #[test]
    fn addresses_of_one_ipv6_64_share_a_count() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert!(limiter.check(client("2001:db8:1:2::1"), now).is_ok());
        assert!(limiter.check(client("2001:db8:1:2::ffff"), now).is_err());
        assert!(limiter.check(client("2001:db8:1:3::1"), now).is_ok());
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limiter = RateLimiter::new(0);
        let now = Instant::now();
        for _ in 0..100 {
            assert!(limiter.check(client("192.0.2.1"), now).is_ok());
        }
    }

    #[test]
    fn an_ended_window_forgets_every_address() {
        let limiter = RateLimiter::new(5);
        let start = Instant::now();
        for n in 0..50u8 {
            limiter
                .check(client(&format!("192.0.2.{n}")), start)
                .unwrap();
        }
        limiter.check(client("192.0.2.1"), start + WINDOW).unwrap();
        let window = limiter.state.lock().unwrap();
        assert_eq!(window.counts.len(), 1);
    }
}
