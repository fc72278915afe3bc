use actix_web::HttpResponse;
use actix_web::web::Data;
use application::LoginCommand;
use domain::{Email, PlainPassword};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::TokenPairResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{
    ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null, non_null_secret,
};
use crate::openapi::responses as r;

/// Email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery staple"}))]
pub struct LoginRequest {
    /// Must be a valid address (422 `email` otherwise); compared
    /// case-insensitively.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, format = "email", required = true)]
    pub email: Option<String>,
    /// Compared exactly as typed (after NFC normalisation): no length or
    /// strength rule applies here.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, required = true)]
    pub password: Option<Secret>,
}

impl JsonRequest for LoginRequest {
    const FIELDS: &'static [&'static str] = &["email", "password"];
}

impl TryFrom<LoginRequest> for LoginCommand {
    type Error = FieldErrors;

    fn try_from(request: LoginRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.parse("email", request.email.as_deref(), Email::parse);
        let password = errors
            .require("password", request.password)
            .map(|password| PlainPassword::new(password.expose()));
        let command = email
            .zip(password)
            .map(|(email, password)| Self { email, password });
        errors.finish(command)
    }
}

/// Log in
///
/// Checks the password and opens a new session. An unknown email and a
/// wrong password answer alike, with comparable latency. After
/// `APP_AUTH__MAX_FAILED_LOGINS` failures in a row the account answers 429
/// until the lockout ends, whatever the password.
///
/// With two-factor authentication on, the right password opens no session:
/// the answer is 403 `mfa_required` with an `mfa_token` for
/// `POST /api/v1/auth/mfa`, and only that second step clears the failure
/// count.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    operation_id = "login",
    request_body(content = LoginRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "A new session's tokens", body = TokenPairResponse),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::InvalidCredentials),
        (status = 403, response = r::LoginForbiddenOrMfaRequired),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn login(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<LoginRequest>>,
) -> Result<HttpResponse, ApiError> {
    let command: LoginCommand = body.into_command()?;
    let pair = state.sign_in.login(command, &client.0).await?;
    Ok(HttpResponse::Ok().json(TokenPairResponse::from(pair)))
}
