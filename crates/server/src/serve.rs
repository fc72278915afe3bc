//! `server serve`: migrations, the HTTP listener, and a graceful stop.

use std::net::TcpListener;

use actix_web::HttpServer;
use adapters_http::HttpApp;
use anyhow::Context;

use crate::cli::ServeArgs;
use crate::settings::Settings;
use crate::wiring;

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish and
/// returns `Ok` (exit status 0).
///
/// # Errors
/// Any start-up failure: the database, migrations, the listener.
pub async fn serve(settings: Settings, args: ServeArgs) -> anyhow::Result<()> {
    tracing::info!(
        env = %settings.env,
        database = %settings.database.url.redacted(),
        max_connections = settings.database.max_connections,
        mail_transport = %settings.mail.transport,
        "starting"
    );
    let database = wiring::database(&settings)?;
    if args.no_migrate {
        tracing::info!("not applying migrations (--no-migrate)");
    } else {
        wiring::migrate(&database).await?;
    }
    let state = wiring::app_state(&settings, &database)?;
    let app = HttpApp::new(state, &wiring::http_config(&settings));

    let (host, port) = (settings.server.host.as_str(), settings.server.port);
    let listener = TcpListener::bind((host, port))
        .with_context(|| format!("binding the API listener to {host}:{port}"))?;
    let address = listener
        .local_addr()
        .context("reading the bound API address")?;
    // actix stops *forcefully* on Ctrl-C by default; the contract wants both
    // signals graceful, so the server listens for them here instead.
    let server = HttpServer::new(move || app.app())
        .shutdown_signal(shutdown_signal()?)
        .listen(listener)
        .with_context(|| format!("serving on {address}"))?
        .run();
    tracing::info!(%address, "listening on http://{address}");
    server.await.context("running the HTTP server")?;
    tracing::info!("stopped");
    Ok(())
}

/// The stop signals, registered at once: a signal that arrives before the
/// server polls for it must still stop it gracefully, not kill the process.
#[cfg(unix)]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for Ctrl-C")?;
    let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("Ctrl-C received; finishing in-flight requests"),
            _ = terminate.recv() => tracing::info!("SIGTERM received; finishing in-flight requests"),
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("Ctrl-C received; finishing in-flight requests"),
            Err(error) => {
                tracing::warn!(%error, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    })
}
