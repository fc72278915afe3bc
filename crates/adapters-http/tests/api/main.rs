//! The HTTP interface in-process: the real app on mocked ports.

// Test helpers outside `#[test]` functions may panic on a broken fixture.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_support;
mod support;

mod admin_access;
mod admin_actions;
mod admin_list;
mod admin_users;
mod bearer;
mod conventions;
mod credentials;
mod events;
mod health;
mod login;
mod logs;
mod openapi;
mod pages;
mod password_reset;
mod profile;
mod rate_limit;
mod refresh;
mod register;
mod server;
mod services;
mod sessions;
mod token;
mod verification;
mod well_known;
