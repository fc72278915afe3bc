//! `server serve`: migrations, the HTTP listener, and a graceful stop.

use std::net::TcpListener;

use anyhow::{Context, bail};
use application::CreateUserCommand;

use crate::commands::create_admin_user;
use crate::mail_worker::MailWorker;
use crate::settings::Settings;
use crate::wiring::{self, Storage};

/// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish and
/// returns `Ok` (exit status 0). `first_admin` is created before the API
/// listens, and only on the in-memory store (`serve --admin-email`).
///
/// # Errors
/// Any start-up failure: the database, migrations, the first admin, the
/// listener.
pub async fn serve(
    settings: Settings,
    no_migrate: bool,
    first_admin: Option<CreateUserCommand>,
) -> anyhow::Result<()> {
    tracing::info!(
        env = %settings.env,
        database = %settings.database.url.redacted(),
        max_connections = settings.database.max_connections,
        mail_transport = %settings.mail.transport,
        "starting"
    );
    let storage = Storage::open(&settings)?;
    if first_admin.is_some() && storage.persists() {
        bail!(
            "--admin-email is for APP_DATABASE__URL=memory: only; \
             on a database, create admins with `server create-admin`"
        );
    }
    if no_migrate {
        tracing::info!("not applying migrations (--no-migrate)");
    } else {
        storage.migrate().await?;
    }
    if let Some(command) = first_admin {
        let admin = create_admin_user(&settings, &storage, command, "server serve").await?;
        tracing::info!(admin = %admin.id, "created the first admin");
    }
    let state = wiring::app_state(&settings, &storage)?;
    let delivery = wiring::mail_delivery(&settings, &storage)?;

    let (host, port) = (settings.server.host.as_str(), settings.server.port);
    let listener = TcpListener::bind((host, port))
        .with_context(|| format!("binding the API listener to {host}:{port}"))?;
    let address = listener
        .local_addr()
        .context("reading the bound API address")?;
    // Stops gracefully on SIGTERM and on Ctrl-C.
    let server = adapters_http::server(listener, state, wiring::http_config(&settings))
        .with_context(|| format!("serving on {address}"))?;
    // The one line that says where the API is, the actual port when port 0
    // asked for any free one: the end-to-end harness waits for it.
    tracing::info!(listener = "api", %address, "listening on http://{address}");
    let worker = MailWorker::spawn(delivery);
    let served = server.await.context("running the HTTP server");
    // In-flight requests have finished; their mail is in the outbox. The
    // worker finishes the message it is sending, and what is left waits in
    // the outbox for the next start (or another process).
    worker.stop().await;
    served?;
    tracing::info!("stopped");
    Ok(())
}
