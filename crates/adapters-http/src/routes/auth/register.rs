use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Data;
use application::RegisterCommand;
use domain::{Email, Password, UserName};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::UserResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{
    ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null, non_null_secret,
};
use crate::openapi::responses as r;

/// Self-service sign-up. No other member is accepted (`role`,
/// `is_active`... answer 422 `unknown_field`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "email": "ada@example.com",
    "password": "correct horse battery staple",
    "name": "Ada Lovelace"
}))]
pub struct RegisterRequest {
    /// Trimmed and lowercased; at most 254 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, format = "email", max_length = 254, required = true)]
    pub email: Option<String>,
    /// 12 to 128 characters (Unicode code points after NFC normalisation),
    /// not trimmed, and not easily guessed (zxcvbn score 3 or more, with the
    /// email and name as known words).
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, min_length = 12, max_length = 128, required = true)]
    pub password: Option<Secret>,
    /// Trimmed (Unicode white space); then 1 to 100 code points, none a
    /// control character (Unicode category Cc). `pattern` states exactly that.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
}

impl JsonRequest for RegisterRequest {
    const FIELDS: &'static [&'static str] = &["email", "password", "name"];
}

impl TryFrom<RegisterRequest> for RegisterCommand {
    type Error = FieldErrors;

    fn try_from(request: RegisterRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.parse("email", request.email.as_deref(), Email::parse);
        let known_words: Vec<&str> = [request.email.as_deref(), request.name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .collect();
        let password = errors.parse(
            "password",
            request.password.as_ref().map(Secret::expose),
            |raw| Password::parse(raw, &known_words),
        );
        let name = errors.parse("name", request.name.as_deref(), UserName::parse);
        let command = email
            .zip(password)
            .zip(name)
            .map(|((email, password), name)| Self {
                email,
                name,
                password,
            });
        errors.finish(command)
    }
}

/// Register an account
///
/// Creates an active `user` account whose email is not yet verified, and
/// queues the welcome email with its verification link.
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "auth",
    operation_id = "register",
    request_body(content = RegisterRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The new account", body = UserResponse,
            headers(("Location" = String, description = "`/api/v1/users/{id}` of the new account"))),
        (status = 400, response = r::MalformedRequest),
        (status = 409, response = r::EmailTaken),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 429, response = r::TooManyRequests),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn register(
    state: Data<AppState>,
    client: ClientInfo,
    NoQuery(body): NoQuery<JsonBody<RegisterRequest>>,
) -> Result<HttpResponse, ApiError> {
    let command: RegisterCommand = body.into_command()?;
    let user = state.sign_in.register(command, &client.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserResponse::from(&user)))
}
