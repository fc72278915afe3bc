use actix_web::HttpResponse;
use actix_web::web::Data;

use crate::app::AppState;
use crate::dto::{HealthStatus, ReadinessChecks, ReadyResponse};
use crate::error::ApiError;
use crate::extract::NoQuery;
use crate::openapi::responses as r;

/// Readiness
///
/// 200 when the database answers and no migration is pending; otherwise 503
/// `not_ready` naming the failing checks in `checks`.
#[utoipa::path(
    get,
    path = "/health/ready",
    tag = "health",
    operation_id = "ready",
    responses(
        (status = 200, description = "Every check passes", body = ReadyResponse),
        (status = 422, response = r::InvalidQuery),
        (status = 503, response = r::NotReady),
    )
)]
pub(crate) async fn ready(
    state: Data<AppState>,
    NoQuery(()): NoQuery,
) -> Result<HttpResponse, ApiError> {
    let readiness = state.health.readiness().await;
    let checks = ReadinessChecks::from(readiness);
    if readiness.is_ready() {
        Ok(HttpResponse::Ok().json(ReadyResponse {
            status: HealthStatus::Ok,
            checks,
        }))
    } else {
        Err(ApiError::NotReady {
            checks: Some(checks),
            cause: None,
        })
    }
}
