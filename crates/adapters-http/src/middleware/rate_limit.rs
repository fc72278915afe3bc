//! The per-address rate limit on `/api/v1/auth/*`: fixed one-minute
//! windows, in memory, per process.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    if let Some(shared) = req.app_data::<Data<Shared>>() {
        let client = req.extensions().get::<ClientAddr>().and_then(|c| c.0);
        if let Err(retry_after_secs) = shared.limiter.check(client, Instant::now()) {
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
