use actix_web::HttpResponse;
use actix_web::web::Data;
use application::DisableMfaCommand;

use super::mfa_code::{PasswordAndCode, PasswordAndCodeRequest};
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, ClientInfo, JsonBody, NoQuery};
use crate::openapi::responses as r;

/// Turn two-factor authentication off
///
/// Deletes the TOTP secret and the recovery codes; logins need only the
/// password again. Needs the current password and a TOTP or recovery code;
/// a wrong password (401 `invalid_credentials`) or code (401
/// `invalid_mfa_code`) counts towards the account's lockout. Sessions stay.
/// Mails a "two-factor off" notice. With two-factor off, 404 `not_found`.
#[utoipa::path(
    delete,
    path = "/api/v1/users/me/mfa",
    tag = "users",
    operation_id = "disable_mfa",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = PasswordAndCodeRequest, content_type = "application/json"),
    responses(
        (status = 204, description = "Two-factor authentication is off"),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::UnauthorizedOrInvalidCredentialsOrCode),
        (status = 404, response = r::NotFound),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::LockedOut),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn disable_mfa(
    state: Data<AppState>,
    client: ClientInfo,
    AuthenticatedWith(principal, NoQuery(body)): AuthenticatedWith<
        NoQuery<JsonBody<PasswordAndCodeRequest>>,
    >,
) -> Result<HttpResponse, ApiError> {
    let input: PasswordAndCode = body.into_command()?;
    state
        .credentials
        .disable_mfa(
            &principal,
            DisableMfaCommand {
                current: input.current,
                code: input.code,
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
