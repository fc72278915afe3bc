//! Migrations: up, down and up again, and concurrent runs, on both backends.

use std::time::Duration;

use adapters_db::testing;
use domain::ports::{OneTimeTokenRepository, Outbox, UserRepository};
use domain::{Effects, MailKind, TokenPurpose};

use crate::support::*;

backend_tests!(
    every_migration_goes_up_down_and_up_again,
    concurrent_runs_apply_each_migration_once,
);

const VERSIONS: [&str; 14] = [
    "20261124000001",
    "20261124000002",
    "20261124000003",
    "20261124000004",
    "20261124000005",
    "20261124000006",
    "20261202000001",
    "20261202000002",
    "20261202000003",
    "20261202000004",
    "20261202000005",
    "20261203000001",
    "20261204000001",
    "20261205000001",
];

async fn every_migration_goes_up_down_and_up_again(f: Fixture) {
    // The fixture ran them once already.
    assert!(!f.db.pending_migrations().await.unwrap());
    assert_eq!(f.db.run_migrations().await.unwrap(), Vec::<String>::new());

    let reverted = testing::revert_all_migrations(&f.db).await.unwrap();
    let mut newest_first = VERSIONS.to_vec();
    newest_first.reverse();
    assert_eq!(reverted, newest_first);
    assert!(f.db.pending_migrations().await.unwrap());
    assert!(
        f.db.create(new_user("ada@example.com"), Effects::none())
            .await
            .is_err()
    );
    assert!(f.db.pending().await.is_err());

    assert_eq!(f.db.run_migrations().await.unwrap(), VERSIONS);
    assert!(!f.db.pending_migrations().await.unwrap());
    let welcome = Effects::none().with_mail(mail(MailKind::Welcome, "ada@example.com"));
    let user =
        f.db.create(new_user("ada@example.com"), welcome)
            .await
            .unwrap();
    assert_eq!(f.db.pending().await.unwrap(), 1);
    let verify = token(user.id, TokenPurpose::VerifyEmail, "verify", t0());
    f.db.issue(verify.clone(), Effects::none()).await.unwrap();
    assert!(f.stored_token(&verify.hash).await.is_some());
}

async fn concurrent_runs_apply_each_migration_once(f: Fixture) {
    testing::revert_all_migrations(&f.db).await.unwrap();
    let instances: Vec<_> = (0..4)
        .map(|_| f.connect(2, Duration::from_secs(10)))
        .collect();

    let runs: Vec<_> = instances
        .into_iter()
        .map(|db| tokio::spawn(async move { db.run_migrations().await }))
        .collect();
    let mut applied = Vec::new();
    for run in runs {
        applied.extend(run.await.unwrap().unwrap());
    }

    applied.sort();
    assert_eq!(applied, VERSIONS);
    assert!(!f.db.pending_migrations().await.unwrap());
}
