use actix_web::HttpResponse;
use actix_web::web::Data;
use application::SendPasswordResetCommand;

use super::user_id;
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AdminWith, ClientInfo, NoQuery, PathId};
use crate::openapi::responses as r;

/// Send a user a password-reset link
///
/// Queues a reset link to the account's address, as a forgotten password
/// does; a newer link voids older ones. The admin never chooses or sees a
/// password. The account's trail records a `password_reset_requested`
/// event naming the admin. Takes no body.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/password-reset",
    tag = "admin",
    operation_id = "send_user_password_reset",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 202, description = "Accepted: the link is queued"),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 404, response = r::NotFound),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn send_password_reset(
    state: Data<AppState>,
    client: ClientInfo,
    AdminWith(admin, NoQuery(id)): AdminWith<NoQuery<PathId>>,
) -> Result<HttpResponse, ApiError> {
    state
        .administration
        .send_password_reset(
            &admin,
            SendPasswordResetCommand {
                user_id: user_id(id),
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
