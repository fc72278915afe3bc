//! The command line: one binary, `server`, with a command per job.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

/// The variable `create-admin` reads the password from, before standard
/// input.
pub const ADMIN_PASSWORD_VAR: &str = "APP_ADMIN_PASSWORD";

/// User-account REST service. Configuration comes from config/default.toml,
/// config/{APP_ENV}.toml and APP_... environment variables; see
/// `server check-config`.
#[derive(Debug, Parser)]
#[command(name = "server", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `serve`'s flags, for a bare `server` (`server --no-migrate`).
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending migrations (unless --no-migrate) and serve the API.
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an active admin with a verified email. The password comes from
    /// APP_ADMIN_PASSWORD or, when unset, from one line of standard input.
    CreateAdmin(CreateAdminArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// The signing keys of access tokens (APP_AUTH__SIGNING_ALG EdDSA or
    /// ES256).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Validate the configuration without touching the database, and print
    /// it with secrets redacted.
    CheckConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum KeysCommand {
    /// Move every signing key one step: current to retired, next to
    /// current, and a new next. Every running server signs with the new
    /// current key within 60 seconds; tokens of the retired key verify until
    /// they expire. With HS256 there is nothing to rotate (exit status 1).
    Rotate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct ServeArgs {
    /// Serve without applying pending migrations (readiness reports them).
    #[arg(long)]
    pub no_migrate: bool,
    /// With APP_DATABASE__URL=memory: only: create an active admin with a
    /// verified email before serving (password as for create-admin).
    #[arg(long, requires = "admin_name")]
    pub admin_email: Option<String>,
    /// The first admin's display name (with --admin-email).
    #[arg(long, requires = "admin_email")]
    pub admin_name: Option<String>,
}

impl ServeArgs {
    /// `serve --admin-email E --admin-name N`: with `APP_DATABASE__URL=memory:`
    /// no other process can reach the store, so `create-admin` cannot seed
    /// it; the serving process creates the admin `create-admin` would. On a
    /// database, `create-admin` is the one way. Clap guarantees both or
    /// neither.
    #[must_use]
    pub fn first_admin(&self) -> Option<(&str, &str)> {
        self.admin_email.as_deref().zip(self.admin_name.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct CreateAdminArgs {
    /// The admin's email address.
    #[arg(long)]
    pub email: String,
    /// The admin's display name.
    #[arg(long)]
    pub name: String,
}

impl Cli {
    /// The command to run: a bare `server` serves, with `serve`'s flags.
    #[must_use]
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// The new admin's password: `from_env` (the value of
/// [`ADMIN_PASSWORD_VAR`]) when set, else one line of `stdin` without its
/// line ending. Nothing else is trimmed: spaces are part of a password.
///
/// # Errors
/// When the variable is set but empty, or standard input gives nothing.
pub fn admin_password(from_env: Option<String>, stdin: impl BufRead) -> anyhow::Result<String> {
    if let Some(password) = from_env {
        if password.is_empty() {
            bail!("{ADMIN_PASSWORD_VAR} is set but empty");
        }
        return Ok(password);
    }
    let mut line = String::new();
    stdin
        .take(64 * 1024)
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line
        .strip_suffix('\n')
        .map_or(line.as_str(), |l| l.strip_suffix('\r').unwrap_or(l));
    if password.is_empty() {
        bail!("no password given: set {ADMIN_PASSWORD_VAR} or write it on standard input");
    }
    Ok(password.to_owned())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("server").chain(args.iter().copied()))
            .map(Cli::into_command)
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_command_serves_with_migrations() {
        assert_eq!(parse(&[]).unwrap(), Command::Serve(ServeArgs::default()));
    }

    #[test]
    fn serve_takes_no_migrate() {
        assert_eq!(
            parse(&["serve"]).unwrap(),
            Command::Serve(ServeArgs::default())
        );
        assert_eq!(
            parse(&["serve", "--no-migrate"]).unwrap(),
            Command::Serve(ServeArgs {
                no_migrate: true,
                ..ServeArgs::default()
            })
        );
    }

    #[test]
    fn a_bare_server_takes_the_flags_of_serve() {
        assert_eq!(
            parse(&["--no-migrate"]).unwrap(),
            Command::Serve(ServeArgs {
                no_migrate: true,
                ..ServeArgs::default()
            })
        );
    }

    #[test]
    fn serve_flags_before_another_command_are_errors() {
        assert!(parse(&["--no-migrate", "migrate"]).is_err());
    }

    #[test]
    fn serve_takes_a_first_admin_with_an_email_and_a_name() {
        assert_eq!(
            parse(&[
                "serve",
                "--admin-email",
                "root@example.com",
                "--admin-name",
                "Root"
            ])
            .unwrap(),
            Command::Serve(ServeArgs {
                no_migrate: false,
                admin_email: Some("root@example.com".into()),
                admin_name: Some("Root".into()),
            })
        );
    }

    #[test]
    fn serve_needs_both_the_first_admins_email_and_name() {
        for args in [
            &["serve", "--admin-email", "root@example.com"][..],
            &["serve", "--admin-name", "Root"][..],
        ] {
            let error = parse(args).unwrap_err();
            assert_eq!(
                error.kind(),
                clap::error::ErrorKind::MissingRequiredArgument,
                "{args:?}"
            );
        }
    }

    #[test]
    fn the_other_commands_parse() {
        assert_eq!(parse(&["migrate"]).unwrap(), Command::Migrate);
        assert_eq!(parse(&["openapi"]).unwrap(), Command::Openapi);
        assert_eq!(parse(&["check-config"]).unwrap(), Command::CheckConfig);
        assert_eq!(
            parse(&["keys", "rotate"]).unwrap(),
            Command::Keys(KeysCommand::Rotate)
        );
        assert!(parse(&["keys"]).is_err());
        assert_eq!(
            parse(&[
                "create-admin",
                "--email",
                "root@example.com",
                "--name",
                "Root User"
            ])
            .unwrap(),
            Command::CreateAdmin(CreateAdminArgs {
                email: "root@example.com".into(),
                name: "Root User".into(),
            })
        );
    }

    #[test]
    fn create_admin_needs_an_email_and_a_name() {
        let error = parse(&["create-admin", "--email", "root@example.com"]).unwrap_err();
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
        assert!(error.to_string().contains("--name"));
    }

    #[test]
    fn create_admin_takes_no_password_argument() {
        // A password on the command line would land in shell history and in
        // the process list.
        assert!(
            parse(&[
                "create-admin",
                "--email",
                "a@b.c",
                "--name",
                "A",
                "--password",
                "x"
            ])
            .is_err()
        );
    }

    #[test]
    fn unknown_commands_and_flags_are_errors() {
        assert_eq!(
            parse(&["frobnicate"]).unwrap_err().kind(),
            clap::error::ErrorKind::InvalidSubcommand
        );
        assert!(parse(&["migrate", "--no-migrate"]).is_err());
    }

    #[test]
    fn the_admin_password_comes_from_the_variable_first() {
        let password = admin_password(
            Some("from the environment".into()),
            "from stdin\n".as_bytes(),
        );
        assert_eq!(password.unwrap(), "from the environment");
    }

    #[test]
    fn an_empty_admin_password_variable_is_an_error() {
        assert!(admin_password(Some(String::new()), "from stdin\n".as_bytes()).is_err());
    }

    #[test]
    fn the_admin_password_from_stdin_loses_only_its_line_ending() {
        let read = |input: &str| admin_password(None, input.as_bytes()).unwrap();
        assert_eq!(read("  spaced out password  \n"), "  spaced out password  ");
        assert_eq!(read("windows line\r\n"), "windows line");
        assert_eq!(read("no newline at all"), "no newline at all");
        assert_eq!(read("first line\nsecond line\n"), "first line");
    }

    #[test]
    fn no_admin_password_at_all_is_an_error() {
        let error = admin_password(None, "".as_bytes()).unwrap_err();
        assert!(error.to_string().contains(ADMIN_PASSWORD_VAR));
        assert!(admin_password(None, "\n".as_bytes()).is_err());
    }
}
