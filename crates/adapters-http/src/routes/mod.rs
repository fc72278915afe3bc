//! Every route, one handler per file. Each resource answers other methods
//! with 405 and `Allow`; unknown paths answer 404; both as problems.

pub(crate) mod auth;
pub(crate) mod docs;
pub(crate) mod health;
pub(crate) mod users;

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpResponse, Resource};

use crate::error::ApiError;

pub(crate) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        resource("/api/v1/auth/register", "POST").route(web::post().to(auth::register::register)),
    )
    .service(resource("/api/v1/auth/login", "POST").route(web::post().to(auth::login::login)))
    .service(resource("/api/v1/auth/token", "POST").route(web::post().to(auth::token::token)))
    .service(resource("/api/v1/auth/refresh", "POST").route(web::post().to(auth::refresh::refresh)))
    .service(resource("/api/v1/auth/logout", "POST").route(web::post().to(auth::logout::logout)))
    .service(resource("/api/v1/users/me", "GET").route(web::get().to(users::me::me)))
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
