use domain::ports::{CheckStatus, Readiness};
use serde::Serialize;
use utoipa::ToSchema;

/// Always `ok` in a 200 answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

/// The state of one readiness check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Ok,
    Failing,
}

impl From<CheckStatus> for CheckState {
    fn from(status: CheckStatus) -> Self {
        match status {
            CheckStatus::Ok => Self::Ok,
            CheckStatus::Failing => Self::Failing,
        }
    }
}

/// The readiness checks by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReadinessChecks {
    /// The database answers within the acquire timeout.
    pub database: CheckState,
    /// No migration is pending (`failing` too while the database cannot be
    /// asked).
    pub migrations: CheckState,
}

impl ReadinessChecks {
    /// The names of the failing checks.
    #[must_use]
    pub fn failing(&self) -> Vec<&'static str> {
        [("database", self.database), ("migrations", self.migrations)]
            .into_iter()
            .filter(|(_, state)| *state == CheckState::Failing)
            .map(|(name, _)| name)
            .collect()
    }
}

impl From<Readiness> for ReadinessChecks {
    fn from(readiness: Readiness) -> Self {
        Self {
            database: readiness.database.into(),
            migrations: readiness.migrations.into(),
        }
    }
}

/// `/health/live`: the process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Liveness, example = json!({"status": "ok"}))]
pub struct LiveResponse {
    pub status: HealthStatus,
}

/// `/health/ready`: every check passes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Readiness, example = json!({"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}))]
pub struct ReadyResponse {
    pub status: HealthStatus,
    pub checks: ReadinessChecks,
}
