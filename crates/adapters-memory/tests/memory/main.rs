//! The memory store's own tests: the parts the conformance suite cannot see
//! from outside, or only by luck (rollbacks of every kind of write, races
//! under a multi-threaded runtime, leases, shared clones). Each module
//! covers one kind of write or one property; the fixtures are in `support`.

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod broken_keys;
mod changes;
mod deletions;
mod races;
mod store;
