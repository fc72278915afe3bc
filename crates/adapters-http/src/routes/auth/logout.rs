use actix_web::HttpResponse;
use actix_web::web::Data;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, ClientInfo, NoQuery};
use crate::openapi::responses as r;

/// Log out
///
/// Ends the current session: its access and refresh tokens stop working at
/// once. Takes no body (one sent is ignored).
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    operation_id = "logout",
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 204, description = "The session has ended"),
        (status = 401, response = r::Unauthorized),
        (status = 429, response = r::TooManyRequests),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn logout(
    state: Data<AppState>,
    AuthenticatedWith(principal, NoQuery(())): AuthenticatedWith<NoQuery>,
    client: ClientInfo,
) -> Result<HttpResponse, ApiError> {
    state.sign_in.logout(&principal, &client.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
