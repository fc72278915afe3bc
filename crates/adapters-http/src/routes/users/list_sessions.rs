use actix_web::HttpResponse;
use actix_web::web::Data;

use crate::app::AppState;
use crate::dto::{SessionListResponse, SessionResponse};
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, NoQuery};
use crate::openapi::responses as r;

/// The current user's sessions
///
/// Every live session of the caller (not ended, not expired), most
/// recently used first; `current` marks the one this request's token
/// belongs to. All of them, unpaginated: a user has few.
#[utoipa::path(
    get,
    path = "/api/v1/users/me/sessions",
    tag = "users",
    operation_id = "list_my_sessions",
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 200, description = "The caller's live sessions", body = SessionListResponse),
        (status = 401, response = r::Unauthorized),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn list_sessions(
    state: Data<AppState>,
    AuthenticatedWith(principal, NoQuery(())): AuthenticatedWith<NoQuery>,
) -> Result<HttpResponse, ApiError> {
    let sessions = state.sign_in.list_sessions(&principal).await?;
    Ok(HttpResponse::Ok().json(SessionListResponse {
        items: sessions.into_iter().map(SessionResponse::from).collect(),
    }))
}
