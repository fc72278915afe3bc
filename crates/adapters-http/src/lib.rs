#![doc = include_str!("../README.md")]

mod app;
mod dto;
mod error;
mod extract;
mod metrics;
mod middleware;
mod openapi;
mod ops;
mod pages;
mod pagination;
mod routes;

pub use app::{AppState, HttpApp, HttpConfig, ServerMetadata, server};
pub use error::{ApiError, FieldError, FieldErrors, GrantError, GrantErrorCode, Problem};
pub use extract::MAX_BODY_BYTES;
pub use metrics::{
    DURATION_BUCKETS, HTTP_REQUEST_DURATION_SECONDS, HTTP_REQUESTS_TOTAL, UNMATCHED_ROUTE,
    register_http_metrics,
};
pub use openapi::{openapi, openapi_json};
pub use ops::{OpsApp, RenderMetrics, ops_server};
