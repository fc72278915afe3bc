//! Extractors: request bodies (JSON and form, size-limited), the bearer
//! principal and the client's address and user agent.

mod auth;
mod body;
mod client;
mod form;
mod json;

pub use auth::Authenticated;
pub use body::MAX_BODY_BYTES;
pub use client::ClientInfo;
pub use form::FormBody;
pub use json::{JsonBody, JsonRequest, Secret, non_null};
