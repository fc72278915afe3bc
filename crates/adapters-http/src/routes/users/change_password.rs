use actix_web::HttpResponse;
use actix_web::web::Data;
use application::ChangePasswordCommand;
use domain::PlainPassword;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{
    AuthenticatedWith, ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret,
};
use crate::openapi::responses as r;

/// The current password and the new one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "current_password": "correct horse battery staple",
    "new_password": "another horse battery staple"
}))]
pub struct ChangePasswordRequest {
    /// Compared exactly as typed (after NFC normalisation), as at login.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, required = true)]
    pub current_password: Option<Secret>,
    /// The password rules of registration apply (12 to 128 characters, not
    /// easily guessed, with the account's email and name as known words).
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, min_length = 12, max_length = 128, required = true)]
    pub new_password: Option<Secret>,
}

impl JsonRequest for ChangePasswordRequest {
    const FIELDS: &'static [&'static str] = &["current_password", "new_password"];
}

/// The fields of a [`ChangePasswordRequest`], present. The new password's
/// rules are the use case's: they need the account's email and name.
pub(crate) struct ChangePasswordInput {
    current: PlainPassword,
    new_password: Secret,
}

impl TryFrom<ChangePasswordRequest> for ChangePasswordInput {
    type Error = FieldErrors;

    fn try_from(request: ChangePasswordRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let current = errors
            .require("current_password", request.current_password)
            .map(|password| PlainPassword::new(password.expose()));
        let new_password = errors.require("new_password", request.new_password);
        let input = current
            .zip(new_password)
            .map(|(current, new_password)| Self {
                current,
                new_password,
            });
        errors.finish(input)
    }
}

/// Change the password
///
/// Replaces the caller's password, given the current one. Every other
/// session of the user ends; this one (its access and refresh tokens) keeps
/// working. Queues a "password changed" notice.
///
/// A new password that breaks the rules is `validation_failed` with
/// `errors[].field` = `new_password`; it is checked before the current
/// password, and costs no attempt. A wrong current password is 401
/// `invalid_credentials` (`WWW-Authenticate: Bearer`, as at login); the
/// bearer token is still good, so do not refresh or log out on it. Wrong
/// current passwords count towards the account's lockout exactly as failed
/// logins do: once locked, 429 with `Retry-After`, whatever the password.
#[utoipa::path(
    put,
    path = "/api/v1/users/me/password",
    tag = "users",
    operation_id = "change_password",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = ChangePasswordRequest, content_type = "application/json"),
    responses(
        (status = 204, description = "The password is changed; other sessions have ended"),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::UnauthorizedOrInvalidCredentials),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::LockedOut),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn change_password(
    state: Data<AppState>,
    client: ClientInfo,
    AuthenticatedWith(principal, NoQuery(body)): AuthenticatedWith<
        NoQuery<JsonBody<ChangePasswordRequest>>,
    >,
) -> Result<HttpResponse, ApiError> {
    let input: ChangePasswordInput = body.into_command()?;
    state
        .credentials
        .change_password(
            &principal,
            ChangePasswordCommand {
                current: input.current,
                new_password: input.new_password,
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
