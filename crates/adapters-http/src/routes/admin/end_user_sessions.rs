use actix_web::HttpResponse;
use actix_web::web::Data;
use application::EndUserSessionsCommand;

use super::user_id;
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AdminWith, ClientInfo, NoQuery, PathId};
use crate::openapi::responses as r;

/// End every session of a user
///
/// Every access and refresh token of the account stops working on the
/// very next request (the admin's own too, when it is the admin's
/// account). The account's trail records a `session_revoked` event naming
/// the admin.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/sessions",
    tag = "admin",
    operation_id = "end_user_sessions",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Every session of the account has ended"),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 404, response = r::NotFound),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn end_user_sessions(
    state: Data<AppState>,
    client: ClientInfo,
    AdminWith(admin, NoQuery(id)): AdminWith<NoQuery<PathId>>,
) -> Result<HttpResponse, ApiError> {
    state
        .administration
        .end_user_sessions(
            &admin,
            EndUserSessionsCommand {
                user_id: user_id(id),
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
