use actix_web::HttpResponse;
use actix_web::web::Data;
use application::DeleteUserCommand;

use super::user_id;
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AdminWith, NoQuery, PathId};
use crate::openapi::responses as r;

/// Delete a user
///
/// Deletes the account with its sessions (its tokens stop working at
/// once), its tokens and its security events, and frees the email for a
/// new account. The last active admin (the caller included) cannot be
/// deleted: 409 `last_admin`. Takes no body.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}",
    tag = "admin",
    operation_id = "delete_user",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 204, description = "The account is deleted"),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 404, response = r::NotFound),
        (status = 409, response = r::LastAdmin),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn delete_user(
    state: Data<AppState>,
    AdminWith(_admin, NoQuery(id)): AdminWith<NoQuery<PathId>>,
) -> Result<HttpResponse, ApiError> {
    state
        .administration
        .delete_user(DeleteUserCommand {
            user_id: user_id(id),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
