//! Extractors: request bodies (JSON and form, size-limited), strict query
//! strings, ids in paths, the bearer principal and the client's address and
//! user agent.

mod auth;
mod body;
mod client;
mod form;
mod json;
mod path;
mod query;

pub use auth::{AdminWith, AuthenticatedWith};
pub use body::MAX_BODY_BYTES;
pub use client::ClientInfo;
pub use domain::Secret;
pub use form::FormBody;
#[cfg(test)]
pub(crate) use json::serde_fields;
pub use json::{JsonBody, JsonRequest, non_null, non_null_secret};
pub use path::PathId;
pub use query::{NoQuery, QueryParams};
