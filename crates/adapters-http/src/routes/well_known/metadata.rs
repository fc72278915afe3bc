use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Data;

use super::{CACHE_CONTROL, JWKS_PATH};
use crate::app::AppState;
use crate::dto::{AuthorizationServerMetadata, GrantTypeName, TokenEndpointAuthMethod};
use crate::extract::NoQuery;
use crate::openapi::responses as r;

/// The authorization server metadata
///
/// RFC 8414: the issuer (the access tokens' `iss`), the token endpoint, the
/// key set's address, and what the token endpoint supports: the password
/// and refresh token grants, for public clients (no client authentication).
#[utoipa::path(
    get,
    path = "/.well-known/oauth-authorization-server",
    tag = "discovery",
    operation_id = "authorization_server_metadata",
    responses(
        (status = 200, description = "The metadata", body = AuthorizationServerMetadata,
            headers(("Cache-Control" = String, description = "`public, max-age=300`"))),
        (status = 422, response = r::InvalidQuery),
    )
)]
pub(crate) async fn metadata(state: Data<AppState>, NoQuery(()): NoQuery) -> HttpResponse {
    let base = state.metadata.public_url.trim_end_matches('/');
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
        .json(AuthorizationServerMetadata {
            issuer: state.metadata.issuer.clone(),
            token_endpoint: format!("{base}/api/v1/auth/token"),
            jwks_uri: format!("{base}{JWKS_PATH}"),
            grant_types_supported: vec![GrantTypeName::Password, GrantTypeName::RefreshToken],
            token_endpoint_auth_methods_supported: vec![TokenEndpointAuthMethod::None],
            response_types_supported: Vec::new(),
        })
}
