use actix_web::HttpResponse;

use crate::dto::UserResponse;
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, NoQuery};
use crate::openapi::responses as r;

/// The current user
///
/// The caller's account, as loaded for this request.
#[utoipa::path(
    get,
    path = "/api/v1/users/me",
    tag = "users",
    operation_id = "get_me",
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The caller's account", body = UserResponse),
        (status = 401, response = r::Unauthorized),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn me(
    AuthenticatedWith(principal, NoQuery(())): AuthenticatedWith<NoQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(UserResponse::from(&principal.user)))
}
