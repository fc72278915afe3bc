//! `HealthProbe`: can the database be reached, and is its schema current.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use domain::ports::{CheckStatus, HealthProbe, Readiness};

use crate::database::Database;
use crate::migrations::has_pending;

const FAILING: Readiness = Readiness {
    database: CheckStatus::Failing,
    migrations: CheckStatus::Failing,
};

#[async_trait]
impl HealthProbe for Database {
    async fn readiness(&self) -> Readiness {
        let check = self.run(|conn| {
            diesel::select(1.into_sql::<Integer>()).get_result::<i32>(conn)?;
            let migrations = match has_pending(conn) {
                Ok(false) => CheckStatus::Ok,
                Ok(true) | Err(_) => CheckStatus::Failing,
            };
            Ok(Readiness {
                database: CheckStatus::Ok,
                migrations,
            })
        });
        // The pool gives up after the acquire timeout; this also bounds a
        // statement that hangs on a half-dead connection.
        match tokio::time::timeout(self.acquire_timeout().saturating_mul(2), check).await {
            Ok(Ok(readiness)) => readiness,
            Ok(Err(_)) | Err(_) => FAILING,
        }
    }
}
