use actix_web::HttpResponse;
use actix_web::web::Data;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, NoQuery};
use crate::openapi::responses as r;

/// Delete the current user
///
/// Deletes the caller's account and every session of it (this token stops
/// working at once), and frees the email for a new registration. The last
/// active admin cannot: 409 `last_admin`. No password is asked: the bearer
/// token is the proof. Takes no body.
#[utoipa::path(
    delete,
    path = "/api/v1/users/me",
    tag = "users",
    operation_id = "delete_me",
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 204, description = "The account is deleted"),
        (status = 401, response = r::Unauthorized),
        (status = 409, response = r::LastAdmin),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn delete_me(
    state: Data<AppState>,
    AuthenticatedWith(principal, NoQuery(())): AuthenticatedWith<NoQuery>,
) -> Result<HttpResponse, ApiError> {
    state.account.delete_account(&principal).await?;
    Ok(HttpResponse::NoContent().finish())
}
