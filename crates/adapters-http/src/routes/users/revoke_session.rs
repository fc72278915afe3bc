use actix_web::HttpResponse;
use actix_web::web::Data;
use application::RevokeSessionCommand;
use domain::SessionId;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, ClientInfo, NoQuery, PathId};
use crate::openapi::responses as r;

/// End one of the current user's sessions
///
/// Ends that session at once: its access and refresh tokens stop working.
/// Ending the current session is a logout. A session that is not the
/// caller's, has already ended, does not exist, or an id that is not a
/// hyphenated UUID all answer 404 `not_found` alike.
#[utoipa::path(
    delete,
    path = "/api/v1/users/me/sessions/{id}",
    tag = "users",
    operation_id = "revoke_my_session",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The session's id, from the sessions list")),
    responses(
        (status = 204, description = "The session has ended"),
        (status = 401, response = r::Unauthorized),
        (status = 404, response = r::NotFound),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn revoke_session(
    state: Data<AppState>,
    client: ClientInfo,
    AuthenticatedWith(principal, NoQuery(PathId(id))): AuthenticatedWith<NoQuery<PathId>>,
) -> Result<HttpResponse, ApiError> {
    state
        .sign_in
        .revoke_session(
            &principal,
            RevokeSessionCommand {
                session_id: SessionId::from_uuid(id),
            },
            &client.0,
        )
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
