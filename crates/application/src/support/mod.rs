//! What several services share: the password and second-factor checks
//! with their lockout, the
//! one-time tokens and their links, and small time helpers.

pub(crate) mod code_check;
pub(crate) mod event_pages;
pub(crate) mod new_account;
pub(crate) mod one_time;
pub(crate) mod password_check;

use chrono::Duration;
use domain::{Timestamp, UserId};

/// A configured number of seconds as a duration. Configuration bounds keep
/// these far below the overflow point; saturate rather than panic anyway.
pub(crate) fn seconds(secs: u64) -> Duration {
    Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1_000))
}

/// The `detail` of an event an admin caused: the admin's id, so the trail
/// says who acted.
pub(crate) fn by_admin(admin: UserId) -> String {
    format!("by admin {admin}")
}

/// Whole seconds from `now` until `then`, rounded up, never negative.
pub(crate) fn whole_seconds_until(then: Timestamp, now: Timestamp) -> u64 {
    let millis = (then - now).num_milliseconds().max(0);
    u64::try_from(millis).map_or(0, |m| m.div_ceil(1000))
}
