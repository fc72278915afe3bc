//! The application: state, configuration, the `App` and the server.

use std::fmt;
use std::net::{IpAddr, TcpListener};
use std::sync::Arc;

use actix_web::body::BoxBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::web::{self, Data};
use actix_web::{App, HttpServer};
use application::{
    AccountService, AdministrationService, CredentialsService, PublishedKeys, SignInService,
};
use domain::ports::{HealthProbe, RateLimitCounter};

use crate::middleware::{Limiter, RateLimiter, SharedLimiter, observe};
use crate::routes;

/// What the handlers use.
#[derive(Clone)]
pub struct AppState {
    pub sign_in: Arc<dyn SignInService>,
    pub credentials: Arc<dyn CredentialsService>,
    pub account: Arc<dyn AccountService>,
    pub administration: Arc<dyn AdministrationService>,
    pub health: Arc<dyn HealthProbe>,
    /// Where the per-address rate limit counts: `None` in this process
    /// (`APP_RATE_LIMIT__STORE=memory`), or a counter every process on the
    /// database shares (`database`).
    pub rate_limits: Option<Arc<dyn RateLimitCounter>>,
    /// The signing keys published at `/.well-known/jwks.json`.
    pub keys: Arc<dyn PublishedKeys>,
    /// What `/.well-known/oauth-authorization-server` says.
    pub metadata: ServerMetadata,
}

/// The addresses RFC 8414 metadata names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerMetadata {
    /// The access tokens' `iss` (`APP_AUTH__ISSUER`, else `APP_PUBLIC_URL`).
    pub issuer: String,
    /// Where the service is reached (`APP_PUBLIC_URL`): the base of the
    /// token endpoint and of the key set's address.
    pub public_url: String,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

/// Settings of the HTTP layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpConfig {
    /// Requests per client address per minute on `/api/v1/auth/*`
    /// (`APP_RATE_LIMIT__AUTH_PER_MINUTE`); 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Peers whose `Forwarded` / `X-Forwarded-For` are believed
    /// (`APP_SERVER__TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<IpAddr>,
    /// Worker threads; `None` is actix's default (one per core).
    pub workers: Option<usize>,
    /// Whether the pages the emailed links open are served
    /// (`APP_PAGES__ENABLED`); off, their paths are unknown paths.
    pub pages: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            rate_limit_per_minute: 30,
            trusted_proxies: Vec::new(),
            workers: None,
            pages: false,
        }
    }
}

/// What the middleware shares across every worker of one server.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) trusted_proxies: Vec<IpAddr>,
    pub(crate) limiter: Limiter,
}

/// The application, ready to be instantiated once per worker: the state
/// and the rate limiter are shared by all of them.
#[derive(Clone, Debug)]
pub struct HttpApp {
    state: Data<AppState>,
    shared: Data<Shared>,
    pages: bool,
}

impl HttpApp {
    #[must_use]
    pub fn new(state: AppState, config: &HttpConfig) -> Self {
        let per_minute = config.rate_limit_per_minute;
        let limiter = match &state.rate_limits {
            Some(counter) => Limiter::Shared(SharedLimiter::new(Arc::clone(counter), per_minute)),
            None => Limiter::Local(RateLimiter::new(per_minute)),
        };
        Self {
            state: Data::new(state),
            shared: Data::new(Shared {
                trusted_proxies: config.trusted_proxies.clone(),
                limiter,
            }),
            pages: config.pages,
        }
    }

    /// A new `App` with every route and middleware; pass it to
    /// `HttpServer::new` (one per worker) or `actix_web::test::init_service`.
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
        let pages = self.pages;
        App::new()
            .app_data(self.state.clone())
            .app_data(self.shared.clone())
            .configure(routes::configure)
            .configure(move |cfg| {
                if pages {
                    crate::pages::configure(cfg);
                }
            })
            .default_service(web::to(routes::not_found))
            .wrap(from_fn(observe))
    }
}

/// Binds the application to `listener` and starts serving. Await the
/// returned server. SIGTERM and Ctrl-C both stop it gracefully: it stops
/// accepting, lets in-flight requests finish (up to actix's 30 s shutdown
/// timeout), then resolves. (actix alone would stop *forcefully* on
/// Ctrl-C.) Call it within the actix runtime (`#[actix_web::main]`), since
/// the signal handlers are registered at once.
///
/// # Errors
/// When the listener cannot be used or the signal handlers cannot be
/// registered.
pub fn server(
    listener: TcpListener,
    state: AppState,
    config: HttpConfig,
) -> std::io::Result<Server> {
    let app = HttpApp::new(state, &config);
    let mut server = HttpServer::new(move || app.app()).shutdown_signal(stop_signal()?);
    if let Some(workers) = config.workers {
        server = server.workers(workers);
    }
    Ok(server.listen(listener)?.run())
}

/// Resolves on the first SIGTERM or Ctrl-C. The handlers are registered
/// now, so a signal that arrives before the server polls this still counts.
pub(crate) fn stop_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            let interrupt = std::pin::pin!(interrupt.recv());
            let terminate = std::pin::pin!(terminate.recv());
            futures_util::future::select(interrupt, terminate).await;
            tracing::info!("stop signal received; finishing in-flight requests");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if actix_web::rt::signal::ctrl_c().await.is_ok() {
                tracing::info!("Ctrl-C received; finishing in-flight requests");
            } else {
                std::future::pending::<()>().await;
            }
        })
    }
}
