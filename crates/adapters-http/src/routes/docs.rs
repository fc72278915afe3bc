//! `/openapi.json` and the Swagger UI at `/docs`, all from the binary.

use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use utoipa_swagger_ui::Config;

use crate::error::ApiError;
use crate::openapi::openapi_json;

static DOCUMENT: LazyLock<String> = LazyLock::new(openapi_json);

static SWAGGER: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::new(["/openapi.json"])
            // The public validator would make the page call out to the
            // internet; the docs work offline.
            .validator_url("none")
            .try_it_out_enabled(true),
    )
});

pub(crate) async fn openapi_document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT.as_str())
}

/// The page's assets are relative to `/docs/`, so `/docs` redirects there.
pub(crate) async fn docs_index() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// A file of the Swagger UI. The raw match is used (not a `Path`
/// extractor, whose failures would answer outside `ApiError`); names that
/// need decoding are simply not found.
pub(crate) async fn docs_file(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let file = req.match_info().get("file").unwrap_or_default();
    match utoipa_swagger_ui::serve(file, Arc::clone(&SWAGGER)) {
        Ok(Some(asset)) => Ok(HttpResponse::Ok()
            .content_type(asset.content_type)
            .body(asset.bytes.into_owned())),
        Ok(None) => Err(ApiError::NotFound),
        Err(error) => Err(ApiError::Internal(error.to_string().into())),
    }
}
