//! `server serve`: migrations, the HTTP listener, and a graceful stop.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use anyhow::{Context, bail};
use application::{CreateUserCommand, SigningKeys};
use domain::InfraError;
use domain::ports::{Clock as _, SessionRepository, SystemClock};

use crate::commands::create_admin_user;
use crate::mail_worker::MailWorker;
use crate::metrics::{Metrics, Sources, UPKEEP_EVERY};
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
    let metrics = Metrics::install()?;
    tracing::info!(
        env = %settings.env,
        database = %settings.database.url.redacted(),
        max_connections = settings.database.max_connections,
        mail_transport = %settings.mail.transport,
        pages = settings.pages.enabled,
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
    let hasher = wiring::hasher(&settings)?;
    let render = metrics.renderer(Sources {
        hashing: hasher.stats(),
        pool: {
            let storage = storage.clone();
            Arc::new(move || storage.pool_state())
        },
    });
    let (state, keys) = wiring::app_state(&settings, &storage, hasher)?;
    // Before the API listens: its first token is signed with the key set.
    let schema_behind = no_migrate && storage.migrations_pending().await;
    let mut keys_loaded = start_signing_keys(&keys, schema_behind).await?;
    let delivery = wiring::mail_delivery(&settings, &storage)?;

    // Both stop gracefully on SIGTERM and on Ctrl-C.
    let (ops, ops_address) = bind("ops", &settings.ops.host, settings.ops.port)?;
    let ops = adapters_http::ops_server(ops, render)
        .with_context(|| format!("serving operations on {ops_address}"))?;
    tracing::info!(listener = "ops", address = %ops_address, "metrics on http://{ops_address}/metrics");
    let (api, address) = bind("API", &settings.server.host, settings.server.port)?;
    let api = adapters_http::server(api, state, wiring::http_config(&settings))
        .with_context(|| format!("serving on {address}"))?;
    // The one line that says where the API is, the actual port when port 0
    // asked for any free one: the end-to-end harness waits for it (and reads
    // the operations address from the line before).
    tracing::info!(listener = "api", %address, "listening on http://{address}");
    let worker = MailWorker::spawn(delivery);
    let sessions = (settings.auth.refresh_reuse_grace_secs > 0).then(|| storage.sessions.clone());
    let upkeep = actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            metrics.run_upkeep();
            keys_loaded = signing_key_upkeep(&keys, keys_loaded).await;
            if let Some(sessions) = &sessions {
                erase_ended_retries(sessions.as_ref()).await;
            }
        }
    });
    let served = futures_util::future::try_join(api, ops)
        .await
        .context("running the HTTP servers");
    upkeep.abort();
    // In-flight requests have finished; their mail is in the outbox. The
    // worker finishes the message it is sending, and what is left waits in
    // the outbox for the next start (or another process).
    worker.stop().await;
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// Makes the first signing keys if there are none, and loads the set.
/// `Ok(false)` when the database cannot be reached, or for any failure
/// while `schema_behind` (`--no-migrate` with migrations pending: the key
/// table may not exist yet, and readiness names the migrations): the
/// upkeep tries again every [`UPKEEP_EVERY`], and meanwhile logins answer
/// 503 as they would for the database itself.
///
/// # Errors
/// Any other failure (a key that does not open under the encryption key).
async fn start_signing_keys(keys: &SigningKeys, schema_behind: bool) -> anyhow::Result<bool> {
    let Some(algorithm) = keys.algorithm() else {
        return Ok(true);
    };
    match keys.start().await {
        Ok(()) => {
            tracing::info!(%algorithm, "signing access tokens with the key set in the database");
            Ok(true)
        }
        Err(InfraError::Unavailable(error)) => {
            tracing::warn!(
                error = &*error as &dyn std::error::Error,
                "cannot read the signing keys yet; trying again every few seconds"
            );
            Ok(false)
        }
        Err(error) if schema_behind => {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "cannot load the signing keys while migrations are pending (--no-migrate); \
                 trying again every few seconds"
            );
            Ok(false)
        }
        Err(error) => Err(error).context("loading the signing keys"),
    }
}

/// Every upkeep round: the signing keys reloaded (so a rotation by another
/// process is honoured here within [`UPKEEP_EVERY`]), rotated when due and
/// pruned; or, until they were first loaded, loaded. Returns whether they
/// are loaded.
async fn signing_key_upkeep(keys: &SigningKeys, loaded: bool) -> bool {
    if keys.algorithm().is_none() {
        return true;
    }
    let result = if loaded {
        keys.upkeep().await.map(|done| {
            if done.deleted > 0 {
                tracing::info!(
                    deleted = done.deleted,
                    "deleted expired retired signing keys"
                );
            }
        })
    } else {
        keys.start().await
    };
    match result {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(
                error = &error as &dyn std::error::Error,
                "cannot refresh the signing keys"
            );
            loaded
        }
    }
}

/// Erases the sealed successors of rotated refresh tokens whose grace
/// window has ended (refreshes already refuse them: this only keeps them
/// from lingering, at most [`UPKEEP_EVERY`] past their window).
async fn erase_ended_retries(sessions: &dyn SessionRepository) {
    match sessions.erase_ended_retries(SystemClock.now()).await {
        Ok(erased) => tracing::debug!(erased, "erased ended refresh retry windows"),
        Err(error) => tracing::warn!(
            error = &error as &dyn std::error::Error,
            "cannot erase ended refresh retry windows"
        ),
    }
}

/// Binds `host:port` (port 0: any free one) and returns the listener with
/// the address it got.
fn bind(name: &str, host: &str, port: u16) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind((host, port))
        .with_context(|| format!("binding the {name} listener to {host}:{port}"))?;
    let address = listener
        .local_addr()
        .with_context(|| format!("reading the bound {name} address"))?;
    Ok((listener, address))
}
