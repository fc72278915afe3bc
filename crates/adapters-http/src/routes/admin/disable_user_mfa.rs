use actix_web::HttpResponse;
use actix_web::web::Data;
use application::DisableUserMfaCommand;

use super::user_id;
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AdminWith, ClientInfo, NoQuery, PathId};
use crate::openapi::responses as r;

/// Turn a user's two-factor authentication off
///
/// For a user who lost the device and the recovery codes: deletes the
/// account's TOTP secret and recovery codes, ends every session of the
/// account, and mails it a "two-factor off" notice. The account's trail
/// records `mfa_disabled` naming the admin. 404 `not_found` when there is
/// no such account or its two-factor authentication is off.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/mfa",
    tag = "admin",
    operation_id = "disable_user_mfa",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Two-factor authentication is off; every session has ended"),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 404, response = r::NotFound),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn disable_user_mfa(
    state: Data<AppState>,
    client: ClientInfo,
    AdminWith(admin, NoQuery(id)): AdminWith<NoQuery<PathId>>,
) -> Result<HttpResponse, ApiError> {
    state
        .administration
        .disable_user_mfa(
            &admin,
            DisableUserMfaCommand {
                user_id: user_id(id),
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
