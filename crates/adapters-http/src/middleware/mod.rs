//! Middleware, outermost first: `observe` (request id, span, headers, the
//! request log line, client address), then `rate_limit`.

mod client_addr;
mod observe;
mod rate_limit;

pub use client_addr::ClientAddr;
pub(crate) use observe::observe;
pub(crate) use rate_limit::{RateLimiter, rate_limit};
