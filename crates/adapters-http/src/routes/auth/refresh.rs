use actix_web::HttpResponse;
use actix_web::web::Data;
use application::RefreshCommand;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::TokenPairResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null_secret};
use crate::openapi::responses as r;

/// A refresh token from an earlier login or refresh.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"refresh_token": "q3Vb7m1cX0w9kYp2rT8sLq4nH6jD5fGa"}))]
pub struct RefreshRequest {
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = true)]
    pub refresh_token: Option<Secret>,
}

impl JsonRequest for RefreshRequest {
    const FIELDS: &'static [&'static str] = &["refresh_token"];
}

/// The refresh token of a [`RefreshRequest`], present.
pub(crate) struct RefreshInput(Secret);

impl TryFrom<RefreshRequest> for RefreshInput {
    type Error = FieldErrors;

    fn try_from(request: RefreshRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let token = errors.require("refresh_token", request.refresh_token);
        errors.finish(token.map(Self))
    }
}

/// Refresh the tokens
///
/// Rotates the refresh token: the one sent stops working and a new pair is
/// returned. Sending an already rotated token again ends its whole session
/// (reuse detection) and answers 401.
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    operation_id = "refresh",
    request_body(content = RefreshRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The session's new tokens", body = TokenPairResponse),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::InvalidRefreshToken),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn refresh(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<RefreshRequest>>,
) -> Result<HttpResponse, ApiError> {
    let RefreshInput(token) = body.into_command()?;
    let command = RefreshCommand {
        refresh_token: token,
    };
    let pair = state.sign_in.refresh(command, &client.0).await?;
    Ok(HttpResponse::Ok().json(TokenPairResponse::from(pair)))
}
