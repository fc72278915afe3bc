//! The contract tests, by topic, and the fixtures they share. Each test is
//! an `async fn name<H: Harness>(f: Fixture<H>)`, listed in `suite!`.

// Until every contract test has moved here from adapters-db.
#[allow(dead_code)]
mod support;

pub(crate) mod health;
pub(crate) mod sessions;
pub(crate) mod throttle;
pub(crate) mod users;

pub(crate) use support::Fixture;
