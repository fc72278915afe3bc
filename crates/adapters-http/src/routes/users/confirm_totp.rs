use actix_web::HttpResponse;
use actix_web::web::Data;
use application::ConfirmTotpCommand;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::RecoveryCodesResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{
    AuthenticatedWith, ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret,
};
use crate::openapi::responses as r;

/// A code from the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "123456"}))]
pub struct ConfirmTotpRequest {
    /// The 6-digit code the app shows for the pending secret.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = true, pattern = "^[0-9]{6}$")]
    pub code: Option<Secret>,
}

impl JsonRequest for ConfirmTotpRequest {
    const FIELDS: &'static [&'static str] = &["code"];
}

impl TryFrom<ConfirmTotpRequest> for ConfirmTotpCommand {
    type Error = FieldErrors;

    fn try_from(request: ConfirmTotpRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = errors.require("code", request.code);
        errors.finish(code.map(|code| Self { code }))
    }
}

/// Confirm TOTP enrolment
///
/// Turns two-factor authentication on when `code` is the pending secret's
/// current code (or that of the step either side; it then counts as used).
/// Answers ten single-use recovery codes, shown only here. Every other
/// session of the account ends (this one stays), and a "two-factor on"
/// notice is mailed. From now on a login needs a code too.
///
/// A wrong code is 401 `invalid_mfa_code` (not counted towards lockout);
/// no enrolment started is 404 `not_found`; already on, 409
/// `mfa_already_enabled`.
#[utoipa::path(
    post,
    path = "/api/v1/users/me/mfa/totp/confirm",
    tag = "users",
    operation_id = "confirm_totp",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = ConfirmTotpRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Two-factor authentication is on", body = RecoveryCodesResponse),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::UnauthorizedOrInvalidMfaCode),
        (status = 404, response = r::NotFound),
        (status = 409, response = r::MfaAlreadyEnabled),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn confirm_totp(
    state: Data<AppState>,
    client: ClientInfo,
    AuthenticatedWith(principal, NoQuery(body)): AuthenticatedWith<
        NoQuery<JsonBody<ConfirmTotpRequest>>,
    >,
) -> Result<HttpResponse, ApiError> {
    let command: ConfirmTotpCommand = body.into_command()?;
    let codes = state
        .credentials
        .confirm_totp(&principal, command, &client.0)
        .await?;
    Ok(HttpResponse::Ok().json(RecoveryCodesResponse::from(codes)))
}
