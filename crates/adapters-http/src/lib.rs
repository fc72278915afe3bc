#![doc = include_str!("../README.md")]

mod app;
mod dto;
mod error;
mod extract;
mod middleware;
mod openapi;
mod pagination;
mod routes;

pub use app::{AppState, HttpApp, HttpConfig, server};
pub use error::{ApiError, FieldError, FieldErrors, GrantError, GrantErrorCode, Problem};
pub use extract::MAX_BODY_BYTES;
pub use openapi::{openapi, openapi_json};
