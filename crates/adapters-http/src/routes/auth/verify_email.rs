use actix_web::HttpResponse;
use actix_web::web::Data;
use application::VerifyEmailCommand;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret};
use crate::openapi::responses as r;

/// The token of an email-verification link.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"token": "vQm1cX0w9kYp2rT8sLq4nH6jD5fGa3Vb"}))]
pub struct VerifyEmailRequest {
    /// The `token` query parameter of the link
    /// (`{public_url}/verify-email?token=...`), as is.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = true)]
    pub token: Option<Secret>,
}

impl JsonRequest for VerifyEmailRequest {
    const FIELDS: &'static [&'static str] = &["token"];
}

/// The token of a [`VerifyEmailRequest`], present.
pub(crate) struct VerifyEmailInput(Secret);

impl TryFrom<VerifyEmailRequest> for VerifyEmailInput {
    type Error = FieldErrors;

    fn try_from(request: VerifyEmailRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let token = errors.require("token", request.token);
        errors.finish(token.map(Self))
    }
}

/// Verify an email address
///
/// Marks the address verified with the token from the link mailed at
/// registration (or by a resend). Single use; a newer link voids older
/// ones. No bearer token is needed: the link may be opened anywhere.
#[utoipa::path(
    post,
    path = "/api/v1/auth/verify-email",
    tag = "auth",
    operation_id = "verify_email",
    request_body(content = VerifyEmailRequest, content_type = "application/json"),
    responses(
        (status = 204, description = "The address is verified"),
        (status = 400, response = r::MalformedRequest),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::TokenRejected),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn verify_email(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<VerifyEmailRequest>>,
) -> Result<HttpResponse, ApiError> {
    let VerifyEmailInput(token) = body.into_command()?;
    let command = VerifyEmailCommand { token };
    state.account.verify_email(command, &client.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
