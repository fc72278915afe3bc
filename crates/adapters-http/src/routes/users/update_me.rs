use actix_web::HttpResponse;
use actix_web::web::Data;
use application::UpdateProfileCommand;
use domain::UserName;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::dto::UserResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{AuthenticatedWith, JsonBody, JsonRequest, NoQuery, non_null};
use crate::openapi::responses as r;

/// The caller's new profile. `name` is the only member: any other (`email`,
/// `role`, `is_active`...) answers 422 `unknown_field`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Augusta Ada King"}))]
pub struct UpdateMeRequest {
    /// Trimmed (Unicode white space); then 1 to 100 code points, none a
    /// control character (Unicode category Cc). `pattern` states exactly that.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, required = true)]
    pub name: Option<String>,
}

impl JsonRequest for UpdateMeRequest {
    const FIELDS: &'static [&'static str] = &["name"];
}

/// The parsed name of an [`UpdateMeRequest`].
pub(crate) struct UpdateMeInput(UserName);

impl TryFrom<UpdateMeRequest> for UpdateMeInput {
    type Error = FieldErrors;

    fn try_from(request: UpdateMeRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.parse("name", request.name.as_deref(), UserName::parse);
        errors.finish(name.map(Self))
    }
}

/// Update the current user
///
/// Renames the caller. The body is `application/json` (not a JSON merge
/// patch): `name` is required, as it is the only thing to change. The email
/// changes through `POST /api/v1/users/me/email`, the password through
/// `PUT /api/v1/users/me/password`; role and status are for admins.
#[utoipa::path(
    patch,
    path = "/api/v1/users/me",
    tag = "users",
    operation_id = "update_me",
    security(("bearer" = []), ("oauth2" = [])),
    request_body(content = UpdateMeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The caller's updated account", body = UserResponse),
        (status = 400, response = r::MalformedRequest),
        (status = 401, response = r::Unauthorized),
        (status = 413, response = r::PayloadTooLarge),
        (status = 415, response = r::UnsupportedMediaType),
        (status = 422, response = r::ValidationFailed),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn update_me(
    state: Data<AppState>,
    AuthenticatedWith(principal, NoQuery(body)): AuthenticatedWith<
        NoQuery<JsonBody<UpdateMeRequest>>,
    >,
) -> Result<HttpResponse, ApiError> {
    let UpdateMeInput(name) = body.into_command()?;
    let user = state
        .account
        .update_profile(&principal, UpdateProfileCommand { name })
        .await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(&user)))
}
