use actix_web::HttpResponse;
use actix_web::web::Data;
use application::GetUserQuery;

use super::user_id;
use crate::app::AppState;
use crate::dto::UserResponse;
use crate::error::ApiError;
use crate::extract::{AdminWith, NoQuery, PathId};
use crate::openapi::responses as r;

/// Get a user
///
/// One account, by id. An id that names no account, or is not a
/// hyphenated UUID, answers 404 `not_found`.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}",
    tag = "admin",
    operation_id = "get_user",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The account's id")),
    responses(
        (status = 200, description = "The account", body = UserResponse),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 404, response = r::NotFound),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn get_user(
    state: Data<AppState>,
    AdminWith(_admin, NoQuery(id)): AdminWith<NoQuery<PathId>>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .administration
        .get_user(GetUserQuery {
            user_id: user_id(id),
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(&user)))
}
