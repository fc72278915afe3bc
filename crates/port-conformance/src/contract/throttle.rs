//! `LoginThrottle` contract.

use std::sync::Arc;

use domain::ports::{Admission, LockoutPolicy, LoginThrottle, STALE_CHECK_SECS};
use domain::{Effects, EventKind, InfraError, UserId};

use crate::Harness;
use crate::contract::support::*;

const KEY: &str = "ada@example.com";
const POLICY: LockoutPolicy = LockoutPolicy {
    max_failures: 3,
    lockout_secs: 900,
};

/// A whole failed attempt: begun, then recorded as failed (also when
/// `begin_attempt` refused: a check admitted earlier may fail at any time).
/// What `record_failure` answered.
async fn fail<H: Harness>(
    f: &Fixture<H>,
    key: &str,
    seconds_after_t0: i64,
) -> Option<domain::Timestamp> {
    let at = t0() + secs(seconds_after_t0);
    f.db.begin_attempt(key, at, POLICY).await.unwrap();
    f.db.record_failure(key, at, POLICY, Effects::none(), Effects::none())
        .await
        .unwrap()
}

pub(crate) async fn an_unknown_key_is_not_locked<H: Harness>(f: Fixture<H>) {
    assert_eq!(
        f.db.begin_attempt("nobody@example.com", t0(), POLICY)
            .await
            .unwrap(),
        Admission::Check
    );
}

pub(crate) async fn failures_below_the_limit_do_not_lock<H: Harness>(f: Fixture<H>) {
    assert_eq!(fail(&f, KEY, 0).await, None);
    assert_eq!(fail(&f, KEY, 1).await, None);

    assert_eq!(
        f.db.begin_attempt(KEY, t0() + secs(2), POLICY)
            .await
            .unwrap(),
        Admission::Check
    );
}

pub(crate) async fn the_failure_that_reaches_the_limit_locks_until_now_plus_the_lockout<
    H: Harness,
>(
    f: Fixture<H>,
) {
    fail(&f, KEY, 0).await;
    fail(&f, KEY, 1).await;

    let locked = fail(&f, KEY, 2).await;

    let end = t0() + secs(2 + 900);
    assert_eq!(locked, Some(end));
    assert_eq!(
        f.db.begin_attempt(KEY, t0() + secs(3), POLICY)
            .await
            .unwrap(),
        Admission::Locked { until: end }
    );
    assert_eq!(
        f.db.begin_attempt(KEY, end - secs(1), POLICY)
            .await
            .unwrap(),
        Admission::Locked { until: end }
    );
    assert_eq!(
        f.db.begin_attempt(KEY, end, POLICY).await.unwrap(),
        Admission::Check
    );
}

pub(crate) async fn failures_during_a_lockout_neither_report_nor_extend_it<H: Harness>(
    f: Fixture<H>,
) {
    for second in 0..3 {
        fail(&f, KEY, second).await;
    }
    let end = t0() + secs(2 + 900);

    assert_eq!(fail(&f, KEY, 10).await, None);
    assert_eq!(fail(&f, KEY, 20).await, None);

    assert_eq!(
        f.db.begin_attempt(KEY, t0() + secs(30), POLICY)
            .await
            .unwrap(),
        Admission::Locked { until: end }
    );
}

pub(crate) async fn a_failure_after_the_lockout_ended_starts_a_new_count<H: Harness>(
    f: Fixture<H>,
) {
    for second in 0..3 {
        fail(&f, KEY, second).await;
    }
    let after = 2 + 900;

    // A new count: the limit is reached again only at the third failure.
    assert_eq!(fail(&f, KEY, after).await, None);
    assert_eq!(fail(&f, KEY, after + 1).await, None);
    assert_eq!(
        fail(&f, KEY, after + 2).await,
        Some(t0() + secs(after + 2 + 900))
    );
}

pub(crate) async fn clearing_forgets_the_failures<H: Harness>(f: Fixture<H>) {
    fail(&f, KEY, 0).await;
    fail(&f, KEY, 1).await;

    f.db.clear(KEY).await.unwrap();

    assert_eq!(fail(&f, KEY, 2).await, None);
    assert_eq!(fail(&f, KEY, 3).await, None);
    assert!(fail(&f, KEY, 4).await.is_some());
}

pub(crate) async fn keys_are_counted_separately<H: Harness>(f: Fixture<H>) {
    fail(&f, KEY, 0).await;
    fail(&f, KEY, 1).await;

    assert_eq!(fail(&f, "grace@example.com", 2).await, None);
    assert!(fail(&f, KEY, 3).await.is_some());
    assert_eq!(
        f.db.begin_attempt("grace@example.com", t0() + secs(4), POLICY)
            .await
            .unwrap(),
        Admission::Check
    );
}

pub(crate) async fn the_failure_that_locks_also_writes_its_lock_effects<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let failed = event(user.id, EventKind::LoginFailed, t0());
    let locked = event(user.id, EventKind::LockedOut, t0());
    let policy = LockoutPolicy {
        max_failures: 2,
        ..POLICY
    };
    let attempt = || async {
        f.db.begin_attempt(user.email.as_str(), t0(), policy)
            .await
            .unwrap();
        f.db.record_failure(
            user.email.as_str(),
            t0(),
            policy,
            Effects::event(failed.clone()),
            Effects::event(locked.clone()),
        )
        .await
    };

    assert_eq!(attempt().await.unwrap(), None);
    assert!(
        f.events(user.id)
            .await
            .iter()
            .all(|e| e.kind == EventKind::LoginFailed)
    );
    assert!(attempt().await.unwrap().is_some());

    let kinds: Vec<EventKind> = f.events(user.id).await.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == EventKind::LockedOut).count(),
        1
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == EventKind::LoginFailed)
            .count(),
        2
    );
}

pub(crate) async fn a_failure_writes_its_events_in_the_same_transaction<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let failed = event(user.id, EventKind::LoginFailed, t0());
    let locked = event(user.id, EventKind::LockedOut, t0());
    let policy = LockoutPolicy {
        max_failures: 1,
        ..POLICY
    };
    let effects = Effects {
        events: vec![failed.clone(), locked.clone()],
        mails: Vec::new(),
        tokens: Vec::new(),
    };

    f.db.begin_attempt(user.email.as_str(), t0(), policy)
        .await
        .unwrap();
    let result =
        f.db.record_failure(user.email.as_str(), t0(), policy, effects, Effects::none())
            .await;

    assert!(result.unwrap().is_some());
    assert_eq!(f.events(user.id).await, vec![failed, locked]);
}

pub(crate) async fn a_failure_whose_event_cannot_be_written_fails_and_its_check_stays_in_flight<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let orphan = Effects::event(event(UserId::generate(), EventKind::LoginFailed, t0()));
    assert_eq!(
        f.db.begin_attempt(KEY, t0(), POLICY).await.unwrap(),
        Admission::Check
    );

    let result =
        f.db.record_failure(KEY, t0(), POLICY, orphan, Effects::none())
            .await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
    // Still in flight (nothing was recorded): two more checks, then busy.
    for _ in 0..2 {
        assert_eq!(
            f.db.begin_attempt(KEY, t0(), POLICY).await.unwrap(),
            Admission::Check
        );
    }
    assert_eq!(
        f.db.begin_attempt(KEY, t0(), POLICY).await.unwrap(),
        Admission::Busy
    );
}

/// `n` concurrent `begin_attempt`s of `KEY` at `t0`.
async fn concurrently<H: Harness>(f: &Fixture<H>, n: usize) -> Vec<Admission> {
    let db = Arc::new(f.db.clone());
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let db = Arc::clone(&db);
            tokio::spawn(async move { db.begin_attempt(KEY, t0(), POLICY).await.unwrap() })
        })
        .collect();
    let mut admitted = Vec::new();
    for task in tasks {
        admitted.push(task.await.unwrap());
    }
    admitted
}

pub(crate) async fn concurrent_checks_beyond_the_allowance_are_busy_and_lock_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let admitted = concurrently(&f, 10).await;

    // Had any increment been lost, more than three would go ahead.
    let checks = admitted.iter().filter(|a| **a == Admission::Check).count();
    let busy = admitted.iter().filter(|a| **a == Admission::Busy).count();
    assert_eq!((checks, busy), (3, 7), "{admitted:?}");
}

pub(crate) async fn right_passwords_in_flight_together_lock_nothing<H: Harness>(f: Fixture<H>) {
    concurrently(&f, 5).await;
    for _ in 0..3 {
        f.db.record_success(KEY).await.unwrap();
    }

    // Nothing counts: the full allowance is back.
    assert_eq!(fail(&f, KEY, 1).await, None);
    assert_eq!(fail(&f, KEY, 2).await, None);
    assert_eq!(fail(&f, KEY, 3).await, Some(t0() + secs(3 + 900)));
}

pub(crate) async fn a_check_without_a_verdict_frees_its_place_and_counts_nothing<H: Harness>(
    f: Fixture<H>,
) {
    concurrently(&f, 3).await;

    f.db.abandon(KEY).await.unwrap();

    assert_eq!(
        f.db.begin_attempt(KEY, t0(), POLICY).await.unwrap(),
        Admission::Check
    );
    assert_eq!(
        f.db.begin_attempt(KEY, t0(), POLICY).await.unwrap(),
        Admission::Busy
    );
}

pub(crate) async fn checks_never_recorded_are_forgotten_after_the_stale_limit<H: Harness>(
    f: Fixture<H>,
) {
    concurrently(&f, 3).await;
    let later = |s| t0() + secs(s);

    assert_eq!(
        f.db.begin_attempt(KEY, later(STALE_CHECK_SECS - 1), POLICY)
            .await
            .unwrap(),
        Admission::Busy
    );
    assert_eq!(
        f.db.begin_attempt(KEY, later(STALE_CHECK_SECS), POLICY)
            .await
            .unwrap(),
        Admission::Check
    );
}

pub(crate) async fn clearing_keeps_the_checks_in_flight_counted<H: Harness>(f: Fixture<H>) {
    concurrently(&f, 3).await;

    f.db.clear(KEY).await.unwrap();

    assert_eq!(
        f.db.begin_attempt(KEY, t0(), POLICY).await.unwrap(),
        Admission::Busy
    );
}
