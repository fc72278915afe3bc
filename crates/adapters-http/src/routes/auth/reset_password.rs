use actix_web::HttpResponse;
use actix_web::web::Data;
use application::ResetPasswordCommand;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret};
use crate::openapi::responses as r;

/// The token of a reset link and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "token": "rT8sLq4nH6jD5fGa3VbvQm1cX0w9kYp2",
    "new_password": "another horse battery staple"
}))]
pub struct ResetPasswordRequest {
    /// The `token` query parameter of the link
    /// (`{public_url}/reset-password?token=...`), as is.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = true)]
    pub token: Option<Secret>,
    /// The password rules of registration apply (12 to 128 characters, not
    /// easily guessed, with the account's email and name as known words).
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, min_length = 12, max_length = 128, required = true)]
    pub new_password: Option<Secret>,
}

impl JsonRequest for ResetPasswordRequest {
    const FIELDS: &'static [&'static str] = &["token", "new_password"];
}

/// The fields of a [`ResetPasswordRequest`], present. The password rules
/// are the use case's: it checks them only for a usable token, with the
/// account's email and name.
pub(crate) struct ResetPasswordInput {
    token: Secret,
    new_password: Secret,
}

impl TryFrom<ResetPasswordRequest> for ResetPasswordInput {
    type Error = FieldErrors;

    fn try_from(request: ResetPasswordRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let token = errors.require("token", request.token);
        let new_password = errors.require("new_password", request.new_password);
        let input = token.zip(new_password).map(|(token, new_password)| Self {
            token,
            new_password,
        });
        errors.finish(input)
    }
}

/// Reset the password
///
/// Sets a new password with the token from a reset link. Single use, and it
/// expires (`APP_AUTH__RESET_TTL_SECS`, default 30 minutes); a newer link
/// voids older ones. It ends every session of the user, marks the email
/// verified, clears a lockout, and queues a "password changed" notice.
///
/// The token is checked first: for an unusable token the answer is
/// `invalid_or_expired_token` whatever the password. For a usable one, a
/// password that breaks the rules is `validation_failed` with
/// `errors[].field` = `new_password`, and the token stays usable.
#[utoipa::path(
    post,
    path = "/api/v1/auth/reset-password",
    tag = "auth",
    operation_id = "reset_password",
    request_body(content = ResetPasswordRequest, content_type = "application/json"),
    responses(
        (status = 204, description = "The password is changed; every session has ended"),
        (status = 400, response = r::MalformedRequest),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::TokenRejected),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn reset_password(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<ResetPasswordRequest>>,
) -> Result<HttpResponse, ApiError> {
    let input: ResetPasswordInput = body.into_command()?;
    state
        .credentials
        .reset_password(
            ResetPasswordCommand {
                token: input.token,
                new_password: input.new_password,
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
