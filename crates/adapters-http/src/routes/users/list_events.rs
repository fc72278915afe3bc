use actix_web::HttpResponse;
use actix_web::web::Data;
use application::ListEventsQuery;

use crate::app::AppState;
use crate::dto::EventPageResponse;
use crate::error::{ApiError, FieldErrors};
use crate::extract::{AuthenticatedWith, QueryParams};
use crate::openapi::responses as r;
use crate::pagination::{CursorKind, PageParams, PageRequest};

/// The current user's security events
///
/// The caller's security trail, newest first, a page at a time: follow
/// `next_cursor` until it is `null`. Query parameters other than `limit`
/// and `cursor`, or either one given twice, answer 422 naming the
/// parameter.
#[utoipa::path(
    get,
    path = "/api/v1/users/me/events",
    tag = "users",
    operation_id = "list_my_events",
    security(("bearer" = []), ("oauth2" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of the caller's security events", body = EventPageResponse),
        (status = 401, response = r::Unauthorized),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn list_events(
    state: Data<AppState>,
    AuthenticatedWith(principal, query): AuthenticatedWith<QueryParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let page = PageRequest::parse(&query, CursorKind::Events, &mut errors);
    query.check(&PageRequest::PARAMS, &mut errors);
    let page = errors.finish(page)?;
    let events = state
        .account
        .list_events(ListEventsQuery {
            user_id: principal.user.id,
            limit: page.limit,
            after: page.cursor.map(Into::into),
        })
        .await?;
    Ok(HttpResponse::Ok().json(EventPageResponse::from(events)))
}
