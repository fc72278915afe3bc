//! `server`: see `server --help`.

use std::process::ExitCode;

use clap::Parser;
use server::cli::Cli;
use server::settings::ConfigError;

fn main() -> ExitCode {
    let command = Cli::parse().into_command();
    match server::commands::run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error);
            ExitCode::FAILURE
        }
    }
}

/// One line on standard error; once logging is up (and lets errors
/// through), one log event instead, so that JSON logs stay one object per
/// line.
fn report(error: &anyhow::Error) {
    let line = match error.downcast_ref::<ConfigError>() {
        Some(config) => format!("configuration error: {config}"),
        None => format!("error: {error:#}"),
    };
    if tracing::dispatcher::has_been_set() && tracing::enabled!(tracing::Level::ERROR) {
        tracing::error!("{line}");
    } else {
        eprintln!("{line}");
    }
}
