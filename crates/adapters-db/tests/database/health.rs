//! `HealthProbe` contract, and how an exhausted pool is reported.

use std::time::{Duration, Instant};

use adapters_db::testing;
use domain::ports::{CheckStatus, HealthProbe, Readiness, SessionRepository, UserRepository};
use domain::{InfraError, SessionId, UserId};

use crate::support::*;

backend_tests!(
    a_database_with_a_pending_migration_is_not_ready,
    no_connection_within_the_acquire_timeout_is_unavailable,
);

async fn a_database_with_a_pending_migration_is_not_ready(f: Fixture) {
    testing::revert_all_migrations(&f.db).await.unwrap();

    assert_eq!(
        f.db.readiness().await,
        Readiness {
            database: CheckStatus::Ok,
            migrations: CheckStatus::Failing,
        }
    );
}

async fn no_connection_within_the_acquire_timeout_is_unavailable(f: Fixture) {
    let db = f.connect(1, Duration::from_millis(300));
    let held = testing::hold_connection(&db).unwrap();

    let started = Instant::now();
    let user = db.find_by_id(UserId::generate()).await;
    let session = db.find(SessionId::generate()).await;
    let elapsed = started.elapsed();
    let readiness = db.readiness().await;
    drop(held);

    assert!(matches!(user, Err(InfraError::Unavailable(_))), "{user:?}");
    assert!(
        matches!(session, Err(InfraError::Unavailable(_))),
        "{session:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert!(!readiness.is_ready());
    assert!(db.find_by_id(UserId::generate()).await.is_ok());
}
