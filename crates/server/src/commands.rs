//! What each command does. Start-up failures are `anyhow` errors with
//! context; a bad setting stays a [`ConfigError`](crate::settings::ConfigError)
//! underneath so `main` can print it as the one configuration line.

use std::future::Future;
use std::io::{IsTerminal, Write};

use anyhow::{Context, anyhow, bail};
use application::CreateUserCommand;
use domain::{CreateUserError, Email, Password, RequestContext, Role, User, UserName};

use crate::cli::{ADMIN_PASSWORD_VAR, Command, CreateAdminArgs, admin_password};
use crate::settings::{self, Settings};
use crate::wiring::{self, Storage};
use crate::{serve, telemetry};

/// Runs one command to completion.
///
/// # Errors
/// Whatever stopped it; `main` prints it and exits non-zero.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Openapi => print(&adapters_http::openapi_json()),
        Command::CheckConfig => check_config(),
        Command::Migrate => {
            let settings = start()?;
            block_on(async {
                let storage = Storage::open(&settings)?;
                storage.migrate().await.map(drop)
            })
        }
        Command::CreateAdmin(args) => create_admin(&args),
        Command::Serve(args) => {
            let settings = start()?;
            block_on(serve::serve(settings, args))
        }
    }
}

/// Loads the settings and installs logging, for the commands that log.
fn start() -> anyhow::Result<Settings> {
    let settings = settings::load()?;
    telemetry::init(settings.log.format)?;
    Ok(settings)
}

/// Runs `future` on the actix runtime (tokio underneath), which the HTTP
/// server needs and the database's blocking pool uses.
fn block_on<F: Future>(future: F) -> F::Output {
    actix_web::rt::System::new().block_on(future)
}

/// Validates without touching the database and prints the result, secrets
/// redacted.
fn check_config() -> anyhow::Result<()> {
    let settings = settings::load()?;
    let toml = settings
        .to_redacted_toml()
        .context("rendering the configuration")?;
    print(&format!(
        "# configuration is valid (APP_ENV={}); secrets are redacted\n{toml}",
        settings.env
    ))
}

/// Parses everything the operator typed before touching the database, then
/// creates the admin through the same use case as the admin API.
fn create_admin(args: &CreateAdminArgs) -> anyhow::Result<()> {
    let settings = start()?;
    let email = Email::parse(&args.email).map_err(|e| anyhow!("--email: {e}"))?;
    let name = UserName::parse(&args.name).map_err(|e| anyhow!("--name: {e}"))?;
    let from_env = std::env::var(ADMIN_PASSWORD_VAR).ok();
    let stdin = std::io::stdin();
    let raw = if from_env.is_none() && stdin.is_terminal() {
        // Typed at a terminal: not echoed. The prompt goes to stderr (via
        // the terminal), so stdout stays the result alone.
        rpassword::prompt_password(format!("Password for {email}: "))
            .context("reading the password from the terminal")?
    } else {
        admin_password(from_env, stdin.lock())?
    };
    let password = Password::parse(&raw, &[email.as_str(), name.as_str()])
        .map_err(|e| anyhow!("password: {e}"))?;
    let command = CreateUserCommand {
        email,
        name,
        password,
        role: Role::Admin,
        email_verified: true,
        created_by: None,
    };
    let user = block_on(create_admin_user(&settings, command))?;
    print(&format!(
        "created admin {} ({})",
        user.email.as_str(),
        user.id
    ))
}

async fn create_admin_user(
    settings: &Settings,
    command: CreateUserCommand,
) -> anyhow::Result<User> {
    let storage = Storage::open(settings)?;
    if !storage.persists() {
        bail!(
            "create-admin needs the database the server uses: with APP_DATABASE__URL={} \
             the account would be gone when this command exits",
            settings.database.url.redacted()
        );
    }
    storage.migrate().await?;
    let service = wiring::administration(settings, &storage)?;
    let email = command.email.clone();
    let context = RequestContext {
        ip: None,
        user_agent: Some("server create-admin".into()),
    };
    match service.create_user(command, &context).await {
        Ok(user) => Ok(user),
        Err(CreateUserError::EmailTaken) => {
            bail!(
                "an account with the email {} already exists",
                email.as_str()
            )
        }
        Err(CreateUserError::Infra(error)) => Err(error).context("creating the admin"),
    }
}

/// Writes `text` and a newline to stdout. A closed pipe (`| head`) is not an
/// error.
fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.context("writing to standard output"),
    }
}
