use actix_web::HttpResponse;

use crate::dto::{HealthStatus, LiveResponse};
use crate::extract::NoQuery;
use crate::openapi::responses as r;

/// Liveness
///
/// Answers while the process runs, without touching the database.
#[utoipa::path(
    get,
    path = "/health/live",
    tag = "health",
    operation_id = "live",
    responses(
        (status = 200, description = "The process runs", body = LiveResponse),
        (status = 422, response = r::InvalidQuery),
    )
)]
pub(crate) async fn live(NoQuery(()): NoQuery) -> HttpResponse {
    HttpResponse::Ok().json(LiveResponse {
        status: HealthStatus::Ok,
    })
}
