//! Errors of this crate, and their translation into the domain's.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::{
    AccessChangeError, BoxError, ChangeEmailError, InfraError, RedeemTokenError, UserChangeError,
    UserCreationError, UserDeletionError,
};

/// Why [`DatabaseUrl::parse`](crate::DatabaseUrl::parse) refused a URL. It
/// never shows the URL, which may hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error(
        "unsupported database URL scheme `{0}` (expected `sqlite`, `postgres` or `postgresql`)"
    )]
    UnsupportedScheme(String),
    #[error("malformed database URL: {0}")]
    Malformed(String),
}

/// Why [`Database::open`](crate::Database::open) or
/// [`Database::connect`](crate::Database::connect) failed. It never shows
/// the URL, which may hold a password.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    /// `connect` parses its URL first.
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error("the connection pool needs at least one connection")]
    NoConnections,
    #[error("the acquire timeout must be more than zero")]
    ZeroAcquireTimeout,
    #[error("cannot create the folder {path} for the SQLite database")]
    CreateFolder {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database")]
    Open(#[source] BoxError),
}

/// Why running or checking migrations failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database cannot be reached (in time).
    #[error("the database cannot be reached")]
    Unavailable(#[source] BoxError),
    /// A migration failed, or the migration table could not be read.
    #[error("migrations failed")]
    Failed(#[source] BoxError),
}

/// What can go wrong behind a port method, before it is translated into the
/// domain's error at the port boundary.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("no database connection within the acquire timeout")]
    Pool(#[source] diesel::r2d2::PoolError),
    #[error("database statement failed")]
    Query(#[from] DieselError),
    /// A statement failed and its connection no longer answers a ping.
    #[error("database statement failed: the connection is gone")]
    ConnectionLost(#[source] DieselError),
    /// A stored row that no longer parses into domain values. Names the row,
    /// never the offending value (it may be personal data).
    #[error("stored {table} row {key} does not parse: {problem}")]
    Corrupt {
        table: &'static str,
        key: String,
        problem: String,
    },
    #[error("database task did not complete")]
    Join(#[source] tokio::task::JoinError),
}

impl StoreError {
    pub(crate) fn corrupt(
        table: &'static str,
        key: impl Into<String>,
        problem: impl ToString,
    ) -> Self {
        Self::Corrupt {
            table,
            key: key.into(),
            problem: problem.to_string(),
        }
    }

    /// A unique violation on `users.email`: PostgreSQL names the constraint,
    /// SQLite names the column in its message.
    pub(crate) fn is_duplicate_email(&self) -> bool {
        let Self::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) =
            self
        else {
            return false;
        };
        info.constraint_name() == Some("users_email_key") || info.message().contains("users.email")
    }

    /// The database could not be reached: no pooled connection in time, or
    /// the connection dropped under the statement.
    fn is_unavailable(&self) -> bool {
        matches!(self, Self::Pool(_) | Self::ConnectionLost(_)) || self.is_closed_connection()
    }

    /// The connection is gone (the pool must drop it): it dropped under the
    /// statement, or the statement could not even be sent on it (libpq
    /// refuses to send on a connection the server closed).
    pub(crate) fn is_closed_connection(&self) -> bool {
        matches!(
            self,
            Self::Query(DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _
            ))
        )
    }
}

impl From<StoreError> for InfraError {
    fn from(error: StoreError) -> Self {
        if error.is_unavailable() {
            Self::Unavailable(Box::new(error))
        } else {
            Self::Unexpected(Box::new(error))
        }
    }
}

impl From<StoreError> for UserCreationError {
    fn from(error: StoreError) -> Self {
        if error.is_duplicate_email() {
            Self::EmailTaken
        } else {
            Self::Infra(error.into())
        }
    }
}

impl From<StoreError> for UserChangeError {
    fn from(error: StoreError) -> Self {
        Self::Infra(error.into())
    }
}

impl From<StoreError> for RedeemTokenError {
    fn from(error: StoreError) -> Self {
        Self::Infra(error.into())
    }
}

impl From<StoreError> for ChangeEmailError {
    fn from(error: StoreError) -> Self {
        if error.is_duplicate_email() {
            Self::EmailTaken
        } else {
            Self::Infra(error.into())
        }
    }
}

impl From<StoreError> for AccessChangeError {
    fn from(error: StoreError) -> Self {
        Self::Infra(error.into())
    }
}

impl From<StoreError> for UserDeletionError {
    fn from(error: StoreError) -> Self {
        Self::Infra(error.into())
    }
}

impl From<StoreError> for MigrationError {
    fn from(error: StoreError) -> Self {
        if error.is_unavailable() {
            Self::Unavailable(Box::new(error))
        } else {
            Self::Failed(Box::new(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(kind: DatabaseErrorKind) -> StoreError {
        StoreError::Query(DieselError::DatabaseError(
            kind,
            Box::new("connection lost".to_owned()),
        ))
    }

    #[test]
    fn a_statement_on_a_closed_connection_or_one_that_could_not_be_sent_means_unavailable() {
        for kind in [
            DatabaseErrorKind::ClosedConnection,
            DatabaseErrorKind::UnableToSendCommand,
        ] {
            let error = failed(kind);
            assert!(error.is_closed_connection());
            assert!(matches!(
                InfraError::from(error),
                InfraError::Unavailable(_)
            ));
        }
    }

    #[test]
    fn a_statement_whose_connection_no_longer_answers_means_unavailable() {
        let StoreError::Query(error) = failed(DatabaseErrorKind::Unknown) else {
            unreachable!()
        };
        let lost = StoreError::ConnectionLost(error);
        assert!(matches!(InfraError::from(lost), InfraError::Unavailable(_)));
    }

    #[test]
    fn any_other_failed_statement_keeps_its_connection_and_is_unexpected() {
        let error = failed(DatabaseErrorKind::Unknown);
        assert!(!error.is_closed_connection());
        assert!(matches!(InfraError::from(error), InfraError::Unexpected(_)));
    }
}
