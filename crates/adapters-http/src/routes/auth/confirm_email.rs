use actix_web::HttpResponse;
use actix_web::web::Data;
use application::ConfirmEmailChangeCommand;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret};
use crate::openapi::responses as r;

/// The token of an email-change confirmation link.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"token": "Lq4nH6jD5fGa3VbvQm1cX0w9kYp2rT8s"}))]
pub struct ConfirmEmailRequest {
    /// The `token` query parameter of the link sent to the new address
    /// (`{public_url}/confirm-email?token=...`), as is.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = true)]
    pub token: Option<Secret>,
}

impl JsonRequest for ConfirmEmailRequest {
    const FIELDS: &'static [&'static str] = &["token"];
}

/// The token of a [`ConfirmEmailRequest`], present.
pub(crate) struct ConfirmEmailInput(Secret);

impl TryFrom<ConfirmEmailRequest> for ConfirmEmailInput {
    type Error = FieldErrors;

    fn try_from(request: ConfirmEmailRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let token = errors.require("token", request.token);
        errors.finish(token.map(Self))
    }
}

/// Confirm an email change
///
/// Switches the account to the new address that
/// `POST /api/v1/users/me/email` sent this link to, and marks it verified.
/// Single use; a newer request voids older links. No bearer token is
/// needed: the link may be opened anywhere. Sessions are not affected.
/// 409 `email_taken` when another account took the address after the
/// change was requested.
#[utoipa::path(
    post,
    path = "/api/v1/auth/confirm-email",
    tag = "auth",
    operation_id = "confirm_email",
    request_body(content = ConfirmEmailRequest, content_type = "application/json"),
    responses(
        (status = 204, description = "The account now has the new, verified address"),
        (status = 400, response = r::MalformedRequest),
        (status = 409, response = r::EmailTaken),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::TokenRejected),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn confirm_email(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<ConfirmEmailRequest>>,
) -> Result<HttpResponse, ApiError> {
    let ConfirmEmailInput(token) = body.into_command()?;
    state
        .account
        .confirm_email_change(ConfirmEmailChangeCommand { token }, &client.0)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
