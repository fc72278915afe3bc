//! The operations listener (`APP_OPS__HOST`, `APP_OPS__PORT`): `GET /metrics`
//! and nothing else, never on the public port. Its answers carry the
//! request id and `nosniff` like the API's, and each request logs one
//! `info` line with `listener="ops"`; scrapes are not counted in the HTTP
//! metrics, which describe the API.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Next, from_fn};
use actix_web::web::{self, Data};
use actix_web::{App, Error, HttpResponse, HttpServer};
use tracing::Instrument;

use crate::error::ApiError;
use crate::metrics::UNMATCHED_ROUTE;
use crate::middleware::{request_id, stamp};

/// Renders every metric in the Prometheus text format, at each scrape.
pub type RenderMetrics = Arc<dyn Fn() -> String + Send + Sync>;

/// The Prometheus text exposition format, version 0.0.4.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The operations application, ready to be instantiated once per worker
/// (or by `actix_web::test::init_service`).
#[derive(Clone)]
pub struct OpsApp {
    render: Data<RenderMetrics>,
}

impl std::fmt::Debug for OpsApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpsApp").finish_non_exhaustive()
    }
}

impl OpsApp {
    #[must_use]
    pub fn new(render: RenderMetrics) -> Self {
        Self {
            render: Data::new(render),
        }
    }

    /// A new `App` serving `/metrics`; every other path is 404 and every
    /// other method 405 with `Allow: GET`, as problems.
    #[must_use]
    pub fn app(
        &self,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<BoxBody>,
            Error = actix_web::Error,
            InitError = (),
        > + use<>,
    > {
        App::new()
            .app_data(self.render.clone())
            .service(
                web::resource("/metrics")
                    .route(web::get().to(metrics))
                    .default_service(web::to(|| async {
                        Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow: "GET" })
                    })),
            )
            .default_service(web::to(crate::routes::not_found))
            .wrap(from_fn(observe_ops))
    }
}

/// Binds the operations application to `listener` on one worker and starts
/// serving; it stops gracefully on SIGTERM and Ctrl-C like the API.
///
/// # Errors
/// When the listener cannot be used or the signal handlers cannot be
/// registered.
pub fn ops_server(listener: TcpListener, render: RenderMetrics) -> std::io::Result<Server> {
    let app = OpsApp::new(render);
    Ok(HttpServer::new(move || app.app())
        .workers(1)
        .shutdown_signal(crate::app::stop_signal()?)
        .listen(listener)?
        .run())
}

async fn metrics(render: Data<RenderMetrics>) -> HttpResponse {
    let text = (render.get_ref())();
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROMETHEUS_TEXT),
        ))
        .body(text)
}

/// The request id, the headers every answer carries, and one log line.
async fn observe_ops(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = request_id(req.headers());
    let span = tracing::info_span!("request", request_id = %id);
    let method = req.method().clone();
    let mut res = next
        .call(req)
        .instrument(span.clone())
        .await?
        .map_into_boxed_body();
    stamp(res.headers_mut(), &id);
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = res.status().as_u16();
    span.in_scope(|| {
        tracing::info!(listener = "ops", method = %method, route = %route, status, duration_ms, "request completed");
    });
    Ok(res)
}
