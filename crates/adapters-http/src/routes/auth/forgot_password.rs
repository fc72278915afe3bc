use application::ForgotPasswordCommand;
use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use actix_web::web::Data;
use domain::Email;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{ClientInfo, JsonBody, JsonRequest, NoQuery, non_null};
use crate::openapi::responses as r;

/// The address to send a reset link to.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "ada@example.com"}))]
pub struct ForgotPasswordRequest {
    /// Must be a valid address (422 `email` otherwise); compared
    /// case-insensitively.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, format = "email", required = true)]
    pub email: Option<String>,
}

impl JsonRequest for ForgotPasswordRequest {
    const FIELDS: &'static [&'static str] = &["email"];
}

/// The parsed address of a [`ForgotPasswordRequest`].
pub(crate) struct ForgotPasswordInput(Email);

impl TryFrom<ForgotPasswordRequest> for ForgotPasswordInput {
    type Error = FieldErrors;

    fn try_from(request: ForgotPasswordRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.parse("email", request.email.as_deref(), Email::parse);
        errors.finish(email.map(Self))
    }
}

/// Ask for a password reset
///
/// For an active account with this address, queues a reset link
/// (`{public_url}/reset-password?token=...`, valid for
/// `APP_AUTH__RESET_TTL_SECS`, default 30 minutes); a newer link voids older
/// ones. The answer, and its latency (padded to at least 100 ms), are the
/// same whether or not such an account exists, so it reveals nothing about
/// who is registered.
#[utoipa::path(
    post,
    path = "/api/v1/auth/forgot-password",
    tag = "auth",
    operation_id = "forgot_password",
    request_body(content = ForgotPasswordRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "Accepted, whether or not the address is registered. \
                                      Empty body."),
        (status = 400, response = r::MalformedRequest),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn forgot_password(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<ForgotPasswordRequest>>,
) -> Result<HttpResponse, ApiError> {
    let ForgotPasswordInput(email) = body.into_command()?;
    let started = Instant::now();
    let result = state
        .credentials
        .forgot_password(ForgotPasswordCommand { email }, &client.0)
        .await;
    // A known address writes a token, an event and a mail; an unknown one
    // writes nothing. Answer no sooner than a fixed floor, so the
    // difference does not show in the latency.
    actix_web::rt::time::sleep(ANSWER_FLOOR.saturating_sub(started.elapsed())).await;
    result?;
    Ok(HttpResponse::Accepted().finish())
}

/// The least time a forgot-password answer takes, well above the write a
/// known address costs on either backend.
const ANSWER_FLOOR: Duration = Duration::from_millis(100);
