use actix_web::HttpResponse;
use actix_web::web::Data;
use application::{CompleteMfaLoginCommand, MfaCode};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::TokenPairResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret};
use crate::openapi::responses as r;

/// The `mfa_token` of an `mfa_required` answer, and either a TOTP code or
/// a recovery code.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"mfa_token": "Jk3v9QmZr1xT0bWc8yHn2LsA5dEfGpUq7oIaRtYw4Ve", "code": "123456"}))]
pub struct MfaLoginRequest {
    /// From the `mfa_required` problem of `POST /api/v1/auth/login`.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = true)]
    pub mfa_token: Option<Secret>,
    /// The 6-digit code the authenticator app shows. Send this or
    /// `recovery_code`, not both (422 `exclusive`).
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = false, pattern = "^[0-9]{6}$")]
    pub code: Option<Secret>,
    /// One of the account's recovery codes (each works once).
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = false)]
    pub recovery_code: Option<Secret>,
}

impl JsonRequest for MfaLoginRequest {
    const FIELDS: &'static [&'static str] = &["mfa_token", "code", "recovery_code"];
}

impl TryFrom<MfaLoginRequest> for CompleteMfaLoginCommand {
    type Error = FieldErrors;

    fn try_from(request: MfaLoginRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mfa_token = errors.require("mfa_token", request.mfa_token);
        let code = match (request.code, request.recovery_code) {
            (Some(code), None) => Some(MfaCode::Totp(code)),
            (None, Some(code)) => Some(MfaCode::Recovery(code)),
            (None, None) => {
                errors.required("code");
                None
            }
            (Some(_), Some(_)) => {
                errors.push(
                    "recovery_code",
                    "exclusive",
                    "send `code` or `recovery_code`, not both",
                );
                None
            }
        };
        let command = mfa_token
            .zip(code)
            .map(|(mfa_token, code)| Self { mfa_token, code });
        errors.finish(command)
    }
}

/// Complete a login with a second factor
///
/// The second step of a login when the account has two-factor
/// authentication on: `POST /api/v1/auth/login` answered 403
/// `mfa_required` with an `mfa_token`; this exchanges it, with a TOTP code
/// or a recovery code, for a new session's tokens. A TOTP code is accepted
/// for its 30-second step and one either side, once: a code (or any code of
/// an earlier step) used before is refused. Each recovery code works once.
///
/// A wrong, reused or expired code is 401 `invalid_mfa_code` and counts
/// towards the account's lockout like a wrong password (the `mfa_token`
/// stays usable until it expires); once locked, 429 with `Retry-After`. An
/// unknown, used or expired `mfa_token` (or an account deactivated, given a
/// new password or with two-factor turned off since) is 401
/// `invalid_token`: log in again.
#[utoipa::path(
    post,
    path = "/api/v1/auth/mfa",
    tag = "auth",
    operation_id = "login_mfa",
    request_body(content = MfaLoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A new session's tokens", body = TokenPairResponse),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::InvalidMfaTokenOrCode),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn login_mfa(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<MfaLoginRequest>>,
) -> Result<HttpResponse, ApiError> {
    let command: CompleteMfaLoginCommand = body.into_command()?;
    let pair = state.sign_in.complete_mfa_login(command, &client.0).await?;
    Ok(HttpResponse::Ok().json(TokenPairResponse::from(pair)))
}
