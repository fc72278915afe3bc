//! Errors. Ports share [`InfraError`] for failures no caller can act on
//! beyond retrying; a port method whose callers *can* act on some outcome
//! has an enum of its own that wraps it, naming only those outcomes. Every
//! use case has an enum named after it (`ChangePasswordError`), grouped here
//! by the service that runs it.

mod account;
mod administration;
mod credentials;
mod ports;
mod sign_in;

pub use account::*;
pub use administration::*;
pub use credentials::*;
pub use ports::*;
pub use sign_in::*;

/// A boxed cause, kept for the log and never shown to a client.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Failures of infrastructure behind a port.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// A bounded queue (password hashing) is full; try again shortly.
    #[error("overloaded")]
    Overloaded,
    /// A dependency (the database) cannot be reached in time.
    #[error("unavailable")]
    Unavailable(#[source] BoxError),
    /// Anything else. The cause goes to the log, never to a client.
    #[error("unexpected failure")]
    Unexpected(#[source] BoxError),
}

impl InfraError {
    /// Wraps any error as `Unexpected`.
    pub fn unexpected(cause: impl Into<BoxError>) -> Self {
        Self::Unexpected(cause.into())
    }
}
