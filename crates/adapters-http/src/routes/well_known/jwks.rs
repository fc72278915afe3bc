use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Data;

use super::CACHE_CONTROL;
use crate::app::AppState;
use crate::dto::{Jwk, JwkSet};
use crate::extract::NoQuery;
use crate::openapi::responses as r;

/// The published signing keys
///
/// The public keys that access tokens are signed with (RFC 7517), for
/// services that verify tokens without calling this one: the current key,
/// the next one (published before it signs anything) and the retired ones
/// until every token they signed has expired. Select by the token's `kid`
/// and accept only the `alg` of that key. Empty under HS256, whose shared
/// secret is never published.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "discovery",
    operation_id = "jwks",
    responses(
        (status = 200, description = "The key set", body = JwkSet,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        (status = 422, response = r::InvalidQuery),
    )
)]
pub(crate) async fn jwks(state: Data<AppState>, NoQuery(()): NoQuery) -> HttpResponse {
    let keys = state.keys.published_keys().iter().map(Jwk::from).collect();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .json(JwkSet { keys })
}
