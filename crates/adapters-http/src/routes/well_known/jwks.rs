use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Data;

use super::CACHE_CONTROL;
use crate::app::AppState;
use crate::dto::{Jwk, JwkSet};
use crate::error::ApiError;
use crate::extract::NoQuery;
use crate::openapi::responses as r;

/// The published signing keys
///
/// The public keys that access tokens are signed with (RFC 7517), for
/// services that verify tokens without calling this one: the current key,
/// the next one (published before it signs anything) and the retired ones
/// until every token they signed has expired. Select by the token's `kid`
/// and accept only the `alg` of that key. Empty under HS256, whose shared
/// secret is never published. 503 `not_ready` (not cacheable) while the set
/// has not been read from the database yet.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "discovery",
    operation_id = "jwks",
    responses(
        (status = 200, description = "The key set", body = JwkSet,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        (status = 422, response = r::InvalidQuery),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn jwks(
    state: Data<AppState>,
    NoQuery(()): NoQuery,
) -> Result<HttpResponse, ApiError> {
    // Not loaded yet (the database was unreachable at start): an empty set
    // would be cached for five minutes and every token refused meanwhile.
    let published = state.keys.published_keys().ok_or(ApiError::NotReady {
        checks: None,
        cause: None,
    })?;
    let keys = published.iter().map(Jwk::from).collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .json(JwkSet { keys }))
}
