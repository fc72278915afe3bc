//! What each command does. Start-up failures are `anyhow` errors with
//! context; a bad setting stays a [`ConfigError`](crate::settings::ConfigError)
//! underneath so `main` can print it as the one configuration line.

use std::future::Future;
use std::io::{IsTerminal, Write};

use anyhow::{Context, anyhow, bail};
use application::{CreateUserCommand, KEY_PROPAGATION_SECS, RotateKeysError};
use domain::{CreateUserError, Email, Password, RequestContext, Role, User, UserName};

use crate::cli::{ADMIN_PASSWORD_VAR, Command, CreateAdminArgs, KeysCommand, admin_password};
use crate::settings::{self, Settings};
use crate::wiring::{self, Storage};
use crate::{serve, telemetry};

/// Runs one command to completion.
///
/// # Errors
/// Whatever stopped it; `main` prints it and exits non-zero.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        // The document ends with its own newline: printed as is, so
        // `server openapi > docs/openapi.json` is the committed copy.
        Command::Openapi => write_out(&adapters_http::openapi_json()),
        Command::CheckConfig => check_config(),
        Command::Migrate => {
            let settings = start()?;
            block_on(async {
                let storage = Storage::open(&settings)?;
                storage.migrate().await.map(drop)
            })
        }
        Command::CreateAdmin(args) => create_admin(&args),
        Command::Keys(KeysCommand::Rotate) => rotate_keys(),
        Command::Serve(args) => {
            let settings = start()?;
            // Read before serving: the password may come from stdin.
            let first_admin = args
                .first_admin()
                .map(|(email, name)| admin_command(email, name, ("--admin-email", "--admin-name")))
                .transpose()?;
            block_on(serve::serve(settings, args.no_migrate, first_admin))
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
    let command = admin_command(&args.email, &args.name, ("--email", "--name"))?;
    let user = block_on(async {
        let storage = Storage::open(&settings)?;
        if !storage.persists() {
            bail!(
                "create-admin needs the database the server uses: with APP_DATABASE__URL={} \
                 the account would be gone when this command exits \
                 (use `server serve --admin-email E --admin-name N` instead)",
                settings.database.url.redacted()
            );
        }
        storage.migrate().await?;
        create_admin_user(&settings, &storage, command, "server create-admin").await
    })?;
    print(&format!(
        "created admin {} ({})",
        user.email.as_str(),
        user.id
    ))
}

/// `server keys rotate`: one step for every signing key, through the same
/// service the servers' upkeep uses.
fn rotate_keys() -> anyhow::Result<()> {
    let settings = start()?;
    if settings.auth.signing_alg.asymmetric().is_none() {
        // Before touching the database: there is nothing there to rotate.
        return Err(RotateKeysError::NothingToRotate.into());
    }
    let rotation = block_on(async {
        let storage = Storage::open(&settings)?;
        if !storage.persists() {
            bail!(
                "keys rotate needs the database the servers use: with APP_DATABASE__URL={} \
                 the keys live inside each server process",
                settings.database.url.redacted()
            );
        }
        storage.migrate().await?;
        let keys = wiring::signing_keys(&settings, &storage)?;
        keys.rotate().await.context("rotating the signing keys")
    })?;
    print(&format!(
        "rotated the {} signing keys: {} is current now, {} is next, {} is retired \
         (it verifies until its tokens expire); every running server signs with {} \
         within {} s",
        settings.auth.signing_alg,
        rotation.current,
        rotation.next,
        rotation.retired,
        rotation.current,
        KEY_PROPAGATION_SECS
    ))
}

/// The admin to create from an email, a name and the password read from
/// [`ADMIN_PASSWORD_VAR`] or standard input, every rule checked; `flags`
/// name the options the email and name came from, for the error.
pub(crate) fn admin_command(
    email: &str,
    name: &str,
    flags: (&str, &str),
) -> anyhow::Result<CreateUserCommand> {
    let email = Email::parse(email).map_err(|e| anyhow!("{}: {e}", flags.0))?;
    let name = UserName::parse(name).map_err(|e| anyhow!("{}: {e}", flags.1))?;
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
    Ok(CreateUserCommand {
        email,
        name,
        password,
        role: Role::Admin,
        email_verified: true,
        created_by: None,
    })
}

/// Creates the admin through the administration service on `storage`
/// (migrated); an email already taken is an error.
pub(crate) async fn create_admin_user(
    settings: &Settings,
    storage: &Storage,
    command: CreateUserCommand,
    user_agent: &str,
) -> anyhow::Result<User> {
    let service = wiring::administration(settings, storage)?;
    let email = command.email.clone();
    let context = RequestContext {
        ip: None,
        user_agent: Some(user_agent.into()),
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
    write_out(&format!("{text}\n"))
}

/// Writes `text` to stdout as it is. A closed pipe (`| head`) is not an
/// error.
fn write_out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.context("writing to standard output"),
    }
}
