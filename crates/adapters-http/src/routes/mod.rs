//! Every route, one handler per file. Each resource answers other methods
//! with 405 and `Allow`; unknown paths answer 404; both as problems. The
//! `/api/v1/auth` scope is rate limited. Every operation but the token
//! endpoint reads its query string strictly (`QueryParams`, or `NoQuery`
//! when it takes none).

pub(crate) mod auth;
pub(crate) mod docs;
pub(crate) mod health;
pub(crate) mod users;

use actix_web::middleware::from_fn;
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpResponse, Resource};

use crate::error::ApiError;
use crate::middleware::rate_limit;

pub(crate) fn configure(cfg: &mut ServiceConfig) {
    use auth::{
        confirm_email, forgot_password, login, logout, refresh, register, resend_verification,
        reset_password, token, verify_email,
    };
    use users::{
        change_email, change_password, delete_me, list_events, list_sessions, me, revoke_session,
        update_me,
    };

    // Every request the router sends into this scope counts towards the
    // rate limit, unknown paths and other methods included.
    cfg.service(
        web::scope("/api/v1/auth")
            .wrap(from_fn(rate_limit))
            .service(resource("/register", "POST").route(web::post().to(register::register)))
            .service(resource("/login", "POST").route(web::post().to(login::login)))
            .service(resource("/token", "POST").route(web::post().to(token::token)))
            .service(resource("/refresh", "POST").route(web::post().to(refresh::refresh)))
            .service(resource("/logout", "POST").route(web::post().to(logout::logout)))
            .service(
                resource("/verify-email", "POST").route(web::post().to(verify_email::verify_email)),
            )
            .service(
                resource("/verify-email/resend", "POST")
                    .route(web::post().to(resend_verification::resend_verification)),
            )
            .service(
                resource("/forgot-password", "POST")
                    .route(web::post().to(forgot_password::forgot_password)),
            )
            .service(
                resource("/reset-password", "POST")
                    .route(web::post().to(reset_password::reset_password)),
            )
            .service(
                resource("/confirm-email", "POST")
                    .route(web::post().to(confirm_email::confirm_email)),
            ),
    )
    .service(
        resource("/api/v1/users/me", "GET, PATCH, DELETE")
            .route(web::get().to(me::me))
            .route(web::patch().to(update_me::update_me))
            .route(web::delete().to(delete_me::delete_me)),
    )
    .service(
        resource("/api/v1/users/me/password", "PUT")
            .route(web::put().to(change_password::change_password)),
    )
    .service(
        resource("/api/v1/users/me/email", "POST")
            .route(web::post().to(change_email::change_email)),
    )
    .service(
        resource("/api/v1/users/me/sessions", "GET")
            .route(web::get().to(list_sessions::list_sessions)),
    )
    .service(
        resource("/api/v1/users/me/sessions/{id}", "DELETE")
            .route(web::delete().to(revoke_session::revoke_session)),
    )
    .service(
        resource("/api/v1/users/me/events", "GET").route(web::get().to(list_events::list_events)),
    )
    .service(resource("/health/live", "GET").route(web::get().to(health::live::live)))
    .service(resource("/health/ready", "GET").route(web::get().to(health::ready::ready)))
    .service(resource("/openapi.json", "GET").route(web::get().to(docs::openapi_document)))
    .service(resource("/docs", "GET").route(web::get().to(docs::docs_index)))
    .service(resource("/docs/{file:.*}", "GET").route(web::get().to(docs::docs_file)));
}

/// A resource whose other methods answer 405 with `Allow: allow`.
fn resource(path: &str, allow: &'static str) -> Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow })
    }))
}

/// The answer for paths that no route matches.
pub(crate) async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}
