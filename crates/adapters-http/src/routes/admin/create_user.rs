use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Data;
use application::CreateUserCommand;
use domain::{Email, Password, Role, UserName};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::{RoleName, UserResponse};
use crate::error::{ApiError, FieldErrors};
use crate::extract::{
    AdminWith, ClientInfo, JsonBody, JsonRequest, NoQuery, Secret, non_null, non_null_secret,
};
use crate::openapi::responses as r;

/// A new account, made by an admin. No other member is accepted
/// (`is_active`, `email_verified`... answer 422 `unknown_field`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "email": "grace@example.com",
    "password": "correct horse battery staple",
    "name": "Grace Hopper",
    "role": "admin"
}))]
pub struct CreateUserRequest {
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
    /// `user` (when omitted) or `admin`.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = RoleName)]
    pub role: Option<String>,
}

impl JsonRequest for CreateUserRequest {
    const FIELDS: &'static [&'static str] = &["email", "password", "name", "role"];
}

impl TryFrom<CreateUserRequest> for CreateUserCommand {
    type Error = FieldErrors;

    fn try_from(request: CreateUserRequest) -> Result<Self, FieldErrors> {
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
        let role = match request.role.as_deref() {
            None => Some(Role::User),
            Some(raw) => errors.check("role", raw.parse::<Role>()),
        };
        let command =
            email
                .zip(password)
                .zip(name)
                .zip(role)
                .map(|(((email, password), name), role)| Self {
                    email,
                    name,
                    password,
                    role,
                    email_verified: false,
                    // Set by the handler, which knows the admin.
                    created_by: None,
                });
        errors.finish(command)
    }
}

/// Create a user
///
/// Creates an active account with the role given (`user` when omitted)
/// whose email is not yet verified, and queues the welcome email with its
/// verification link, as a registration does.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "admin",
    operation_id = "create_user",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = CreateUserRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The new account", body = UserResponse,
            headers(("Location" = String, description = "`/api/v1/users/{id}` of the new account"))),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 409, response = r::EmailTaken),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 500, response = r::Internal),
        (status = 503, response = r::UnavailableOrOverloaded),
    )
)]
pub(crate) async fn create_user(
    state: Data<AppState>,
    client: ClientInfo,
    AdminWith(admin, NoQuery(body)): AdminWith<NoQuery<JsonBody<CreateUserRequest>>>,
) -> Result<HttpResponse, ApiError> {
    let command = CreateUserCommand {
        created_by: Some(admin.user.id),
        ..body.into_command()?
    };
    let user = state.administration.create_user(command, &client.0).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserResponse::from(&user)))
}
