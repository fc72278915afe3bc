use actix_web::HttpResponse;
use actix_web::web::Data;
use application::RegenerateRecoveryCodesCommand;

use super::mfa_code::{PasswordAndCode, PasswordAndCodeRequest};
use crate::app::AppState;
use crate::dto::RecoveryCodesResponse;
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, ClientInfo, JsonBody, NoQuery};
use crate::openapi::responses as r;

/// Replace the recovery codes
///
/// Answers ten new single-use recovery codes, shown only here; every
/// earlier one stops working. Needs the current password and a TOTP or
/// recovery code; a wrong password (401 `invalid_credentials`) or code (401
/// `invalid_mfa_code`) counts towards the account's lockout. With
/// two-factor off, 404 `not_found`.
#[utoipa::path(
    post,
    path = "/api/v1/users/me/mfa/recovery-codes",
    tag = "users",
    operation_id = "regenerate_recovery_codes",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = PasswordAndCodeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The new recovery codes", body = RecoveryCodesResponse),
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
pub(crate) async fn regenerate_recovery_codes(
    state: Data<AppState>,
    client: ClientInfo,
    AuthenticatedWith(principal, NoQuery(body)): AuthenticatedWith<
        NoQuery<JsonBody<PasswordAndCodeRequest>>,
    >,
) -> Result<HttpResponse, ApiError> {
    let input: PasswordAndCode = body.into_command()?;
    let codes = state
        .credentials
        .regenerate_recovery_codes(
            &principal,
            RegenerateRecoveryCodesCommand {
                current: input.current,
                code: input.code,
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::Ok().json(RecoveryCodesResponse::from(codes)))
}
