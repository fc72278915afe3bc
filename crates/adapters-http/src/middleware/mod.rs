//! Middleware: `observe` (request id, span, headers, the request log line,
//! client address) wraps the whole app; `rate_limit` wraps the
//! `/api/v1/auth` scope, after routing.

mod client_addr;
mod observe;
mod rate_limit;

pub use client_addr::ClientAddr;
pub(crate) use observe::{MAX_REQUEST_ID_LEN, observe, request_id, stamp};
pub(crate) use rate_limit::{Limiter, RateLimiter, SharedLimiter, rate_limit};
