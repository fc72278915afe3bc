use actix_web::HttpResponse;
use actix_web::web::Data;
use application::RequestEmailChangeCommand;
use domain::{Email, PlainPassword};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{
    AuthenticatedWith, ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null,
    non_null_secret,
};
use crate::openapi::responses as r;

/// The address to switch to, and the current password.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "new_email": "ada@new.example.org",
    "current_password": "correct horse battery staple"
}))]
pub struct ChangeEmailRequest {
    /// Trimmed and lowercased; at most 254 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, format = "email", max_length = 254, required = true)]
    pub new_email: Option<String>,
    /// Compared exactly as typed (after NFC normalisation), as at login.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, required = true)]
    pub current_password: Option<Secret>,
}

impl JsonRequest for ChangeEmailRequest {
    const FIELDS: &'static [&'static str] = &["new_email", "current_password"];
}

/// The parsed fields of a [`ChangeEmailRequest`].
pub(crate) struct ChangeEmailInput {
    new_email: Email,
    current: PlainPassword,
}

impl TryFrom<ChangeEmailRequest> for ChangeEmailInput {
    type Error = FieldErrors;

    fn try_from(request: ChangeEmailRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let new_email = errors.parse("new_email", request.new_email.as_deref(), Email::parse);
        let current = errors
            .require("current_password", request.current_password)
            .map(|password| PlainPassword::new(password.expose()));
        let input = new_email
            .zip(current)
            .map(|(new_email, current)| Self { new_email, current });
        errors.finish(input)
    }
}

/// Change the email address
///
/// Queues a confirmation link (`{public_url}/confirm-email?token=...`,
/// valid for `APP_AUTH__VERIFY_TTL_SECS`) to the new address and a notice
/// to the current one. Nothing changes until the link is used with
/// `POST /api/v1/auth/confirm-email`; a newer request voids older links.
///
/// The current password is checked first, exactly as at login: a wrong one
/// is 401 `invalid_credentials` (`WWW-Authenticate: Bearer`; the bearer
/// token is still good) and counts towards the account's lockout (429 with
/// `Retry-After` once locked). Only then is a taken address (the caller's
/// own included) 409 `email_taken`.
#[utoipa::path(
    post,
    path = "/api/v1/users/me/email",
    tag = "users",
    operation_id = "change_email",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = ChangeEmailRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted: the confirmation link and the notice are \
                                      queued. Empty body."),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::UnauthorizedOrInvalidCredentials),
        (status = 409, response = r::EmailTaken),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::LockedOut),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn change_email(
    state: Data<AppState>,
    client: ClientInfo,
    AuthenticatedWith(principal, NoQuery(body)): AuthenticatedWith<
        NoQuery<JsonBody<ChangeEmailRequest>>,
    >,
) -> Result<HttpResponse, ApiError> {
    let input: ChangeEmailInput = body.into_command()?;
    state
        .account
        .request_email_change(
            &principal,
            RequestEmailChangeCommand {
                new_email: input.new_email,
                password: input.current,
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
