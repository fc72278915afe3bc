use async_trait::async_trait;

/// The state of one readiness check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    Ok,
    Failing,
}

/// What `/health/ready` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// The database answers a trivial query within the acquire timeout.
    pub database: CheckStatus,
    /// No embedded migration is pending (`Failing` too when the database
    /// cannot be asked).
    pub migrations: CheckStatus,
}

impl Readiness {
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.database == CheckStatus::Ok && self.migrations == CheckStatus::Ok
    }
}

/// Readiness of the storage behind the service.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HealthProbe: Send + Sync {
    /// Checks the database and its migrations. Never fails: a failure is a
    /// `Failing` check.
    async fn readiness(&self) -> Readiness;
}
