use actix_web::HttpResponse;
use actix_web::web::Data;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{AuthenticatedWith, NoQuery};
use crate::openapi::responses as r;

/// Resend the verification link
///
/// Queues a fresh email-verification link to the caller's address; every
/// earlier link stops working. When the address is already verified
/// nothing is sent, with the same answer. Takes no body (one sent is
/// ignored).
#[utoipa::path(
    post,
    path = "/api/v1/auth/verify-email/resend",
    tag = "auth",
    operation_id = "resend_verification",
    security(("bearer" = []), ("oauth2" = [])),
    responses(
        (status = 202, description = "Accepted: a link is queued unless the address is \
                                      already verified. Empty body."),
        (status = 401, response = r::Unauthorized),
        (status = 429, response = r::TooManyRequests),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn resend_verification(
    state: Data<AppState>,
    AuthenticatedWith(principal, NoQuery(())): AuthenticatedWith<NoQuery>,
) -> Result<HttpResponse, ApiError> {
    state.account.resend_verification(&principal).await?;
    Ok(HttpResponse::Accepted().finish())
}
