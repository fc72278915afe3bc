use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use application::UpdateUserCommand;
use domain::{Role, UserName};
use serde::Deserialize;
use utoipa::ToSchema;

use super::user_id;
use crate::app::AppState;
use crate::dto::{RoleName, UserResponse};
use crate::error::{ApiError, FieldErrors};
use crate::extract::{AdminWith, ClientInfo, JsonBody, JsonRequest, NoQuery, PathId, non_null};
use crate::openapi::responses as r;

/// What to change; every member is optional, and one that is omitted stays
/// as it is. The email and the password are the account owner's: `email`,
/// `password` or any other member answers 422 `unknown_field`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"role": "admin", "is_active": true}))]
pub struct UpdateUserRequest {
    /// Trimmed (Unicode white space); then 1 to 100 code points, none a
    /// control character (Unicode category Cc). `pattern` states exactly that.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String)]
    pub name: Option<String>,
    /// `user` or `admin`.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = RoleName)]
    pub role: Option<String>,
    /// `false` deactivates the account and ends every session of it;
    /// `true` reactivates it.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub is_active: Option<bool>,
    /// Marks the email verified or not.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = bool)]
    pub email_verified: Option<bool>,
}

impl JsonRequest for UpdateUserRequest {
    const FIELDS: &'static [&'static str] = &["name", "role", "is_active", "email_verified"];
}

/// The parsed changes of an [`UpdateUserRequest`].
pub(crate) struct UpdateUserInput {
    name: Option<UserName>,
    role: Option<Role>,
    is_active: Option<bool>,
    email_verified: Option<bool>,
}

impl TryFrom<UpdateUserRequest> for UpdateUserInput {
    type Error = FieldErrors;

    fn try_from(request: UpdateUserRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = match request.name.as_deref() {
            None => Some(None),
            Some(raw) => errors.check("name", UserName::parse(raw)).map(Some),
        };
        let role = match request.role.as_deref() {
            None => Some(None),
            Some(raw) => errors.check("role", raw.parse::<Role>()).map(Some),
        };
        let input = name.zip(role).map(|(name, role)| Self {
            name,
            role,
            is_active: request.is_active,
            email_verified: request.email_verified,
        });
        errors.finish(input)
    }
}

/// Update a user
///
/// Changes the account's name, role, active flag or email verification in
/// one write. The body is `application/json` (not a JSON merge patch);
/// `{}` changes nothing and answers the account as it is. Deactivating ends
/// every session of the account at once. A change that would demote or
/// deactivate the last active admin (the caller included) answers 409
/// `last_admin`. Each change is an event on the account's trail naming the
/// admin.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{id}",
    tag = "admin",
    operation_id = "update_user",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    request_body(content = UpdateUserRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated account", body = UserResponse),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 404, response = r::NotFound),
        (status = 409, response = r::LastAdmin),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn update_user(
    state: Data<AppState>,
    client: ClientInfo,
    req: HttpRequest,
    AdminWith(admin, NoQuery(body)): AdminWith<NoQuery<JsonBody<UpdateUserRequest>>>,
) -> Result<HttpResponse, ApiError> {
    let id = PathId::of(&req)?;
    let input: UpdateUserInput = body.into_command()?;
    let user = state
        .administration
        .update_user(
            &admin,
            UpdateUserCommand {
                user_id: user_id(id),
                name: input.name,
                role: input.role,
                is_active: input.is_active,
                email_verified: input.email_verified,
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(&user)))
}
