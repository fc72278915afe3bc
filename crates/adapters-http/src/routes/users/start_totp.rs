use actix_web::HttpResponse;
use actix_web::web::Data;
use application::StartTotpCommand;
use domain::PlainPassword;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::TotpEnrolmentResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{
    AuthenticatedWith, ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret,
};
use crate::openapi::responses as r;

/// The current password.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"current_password": "correct horse battery staple"}))]
pub struct StartTotpRequest {
    /// Compared exactly as typed (after NFC normalisation), as at login.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, required = true)]
    pub current_password: Option<Secret>,
}

impl JsonRequest for StartTotpRequest {
    const FIELDS: &'static [&'static str] = &["current_password"];
}

impl TryFrom<StartTotpRequest> for StartTotpCommand {
    type Error = FieldErrors;

    fn try_from(request: StartTotpRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let current = errors
            .require("current_password", request.current_password)
            .map(|password| PlainPassword::new(password.expose()));
        errors.finish(current.map(|current| Self { current }))
    }
}

/// Start TOTP enrolment
///
/// Makes a new random 160-bit secret for an authenticator app and keeps it
/// pending (encrypted at rest) until `POST /api/v1/users/me/mfa/totp/confirm`
/// turns two-factor authentication on with a code. Starting again replaces
/// an enrolment not yet confirmed. The secret is shown only in this answer.
///
/// A wrong current password is 401 `invalid_credentials` and counts towards
/// the account's lockout, as at login; with two-factor already on, 409
/// `mfa_already_enabled`.
#[utoipa::path(
    post,
    path = "/api/v1/users/me/mfa/totp",
    tag = "users",
    operation_id = "start_totp",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = StartTotpRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The pending secret", body = TotpEnrolmentResponse),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::UnauthorizedOrInvalidCredentials),
        (status = 409, response = r::MfaAlreadyEnabled),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::LockedOut),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn start_totp(
    state: Data<AppState>,
    client: ClientInfo,
    AuthenticatedWith(principal, NoQuery(body)): AuthenticatedWith<
        NoQuery<JsonBody<StartTotpRequest>>,
    >,
) -> Result<HttpResponse, ApiError> {
    let command: StartTotpCommand = body.into_command()?;
    let started = state
        .credentials
        .start_totp(&principal, command, &client.0)
        .await?;
    Ok(HttpResponse::Ok().json(TotpEnrolmentResponse::from(started)))
}
