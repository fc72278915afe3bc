use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use application::ListUserEventsQuery;

use super::user_id;
use crate::app::AppState;
use crate::dto::EventPageResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{AdminWith, PathId, QueryParams};
use crate::openapi::responses as r;
use crate::pagination::{CursorKind, PageParams, PageRequest};

/// A user's security events
///
/// The account's security trail, newest first, paged as
/// `GET /api/v1/users/me/events` is (its cursors are accepted here and the
/// other way round: both list events). An id that names no account, or is
/// not a hyphenated UUID, answers 404 `not_found`.
#[utoipa::path(
    get,
    path = "/api/v1/users/{id}/events",
    tag = "admin",
    operation_id = "list_user_events",
    security(("bearer" = []), ("oauth2" = [])),
    params(("id" = Uuid, Path, description = "The account's id"), PageParams),
    responses(
        (status = 200, description = "A page of the account's security events", body = EventPageResponse),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 404, response = r::NotFound),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn list_user_events(
    state: Data<AppState>,
    req: HttpRequest,
    AdminWith(_admin, query): AdminWith<QueryParams>,
) -> Result<HttpResponse, ApiError> {
    let id = PathId::of(&req)?;
    let mut errors = FieldErrors::new();
    let page = PageRequest::parse(&query, CursorKind::Events, &mut errors);
    query.check(&PageRequest::PARAMS, &mut errors);
    let page = errors.finish(page)?;
    let events = state
        .administration
        .list_user_events(ListUserEventsQuery {
            user_id: user_id(id),
            limit: page.limit,
            after: page.cursor.map(Into::into),
        })
        .await?;
    Ok(HttpResponse::Ok().json(EventPageResponse::from(events)))
}
