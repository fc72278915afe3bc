//! The outermost middleware: request id, the request's tracing span, the
//! client address, the headers every response carries, one `info` line per
//! request and its metrics.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use super::ClientAddr;
use super::client_addr::resolve;
use crate::app::Shared;
use crate::metrics::{self, UNMATCHED_ROUTE};

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's request id is echoed when it is at most this long and
/// visible ASCII; otherwise a new one is generated.
pub(crate) const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of a request, also in its tracing span and `x-request-id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The client's `x-request-id` when it is sane, a new UUID otherwise.
pub(crate) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(&REQUEST_ID)
        .map(HeaderValue::as_bytes)
        .filter(|id| !id.is_empty() && id.len() <= MAX_REQUEST_ID_LEN)
        .filter(|id| id.iter().all(u8::is_ascii_graphic))
        .and_then(|id| std::str::from_utf8(id).ok())
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// Whether the answer to a request for `path` must never be stored by a
/// cache: every answer but the docs' (`/docs`, `/docs/...`,
/// `/openapi.json`) and the two `/.well-known` documents (which set their
/// own), which carry neither tokens nor user data; their errors are not
/// stored either. `path` is the
/// one the router matches (percent-decoded), so no spelling of an API path
/// escapes, and unknown paths are covered too.
fn no_store(path: &str) -> bool {
    !(path == "/openapi.json"
        || path == "/docs"
        || path.starts_with("/docs/")
        || crate::routes::well_known::is_cacheable(path))
}

pub(crate) async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = request_id(req.headers());
    let span = tracing::info_span!("request", request_id = %id);
    let trusted = req
        .app_data::<Data<Shared>>()
        .map(|shared| shared.trusted_proxies.clone())
        .unwrap_or_default();
    let client = resolve(req.peer_addr().map(|a| a.ip()), req.headers(), &trusted);
    req.extensions_mut().insert(ClientAddr(client));
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    // The router matches this path, not the raw `req.path()`: percent
    // escapes of unreserved characters are decoded (`%61pi` is `api`).
    let no_store = no_store(req.match_info().as_str());

    let mut res = match next.call(req).instrument(span.clone()).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(error) => {
            // Routes and the middleware below answer their own errors; a
            // service that returns one anyway is answered by actix, without
            // our headers, so it is at least logged.
            let status = error.as_response_error().status_code().as_u16();
            // Entered rather than `parent:`, so formatters that list the
            // current spans (JSON) show the request id on this line too.
            span.in_scope(
                || tracing::error!(method = %method, status, "request failed outside a handler"),
            );
            return Err(error);
        }
    };

    let failed = res.status().is_client_error() || res.status().is_server_error();
    let headers = res.headers_mut();
    stamp(headers, &id);
    // A cacheable document's error (a 503 before the key set is loaded, a
    // 422 for a query) is not to be cached either.
    if no_store || failed {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }

    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    metrics::record(&method, &route, status, elapsed);
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    span.in_scope(|| {
        tracing::info!(method = %method, route = %route, status, duration_ms, "request completed");
    });
    Ok(res)
}

/// The headers every answer of every listener carries: the request id and
/// `nosniff`, and no `Server` banner.
pub(crate) fn stamp(headers: &mut HeaderMap, id: &str) {
    if let Ok(value) = HeaderValue::from_str(id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.remove(header::SERVER);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_from(value: &[u8]) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_bytes(value).unwrap());
        request_id(&headers)
    }

    #[test]
    fn a_sane_client_id_is_kept() {
        assert_eq!(id_from(b"abc-123_XYZ.42"), "abc-123_XYZ.42");
    }

    #[test]
    fn an_id_with_spaces_or_too_long_is_replaced_by_a_uuid() {
        for value in [&b"has space"[..], &[b'a'; 129], b"caf\xc3\xa9"] {
            let id = id_from(value);
            assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        }
    }

    #[test]
    fn a_missing_id_is_generated() {
        assert!(uuid::Uuid::parse_str(&request_id(&HeaderMap::new())).is_ok());
    }
}
