//! The last-admin guard of `UserRepository::change_access` and `delete`,
//! including the races between two admins removing each other.

use std::sync::Arc;

use domain::ports::{SessionRepository, UserRepository};
use domain::{
    AccessChange, AccessChangeError, Effects, EndSessions, Role, Timestamp, UserChange,
    UserDeletionError, UserId, UserName,
};

use crate::contract::support::*;
use crate::contract::user_changes::{
    DEACTIVATION, DEMOTION, assert_no_effects, every_effect, reload,
};
use crate::{Harness, Store};

pub(crate) async fn demoting_the_only_active_admin_is_last_admin_and_writes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let admin = f.admin().await;
    f.user().await;
    let at = t0() + secs(5);
    let mut change = UserChange::new(admin.id, at);
    change.name = Some(UserName::parse("Grace Hopper").unwrap());

    let result =
        f.db.change_access(DEMOTION, change, every_effect(admin.id, at, "t"))
            .await;

    assert!(
        matches!(result, Err(AccessChangeError::LastAdmin)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &admin).await, admin);
    assert_no_effects(&f, admin.id, "t").await;
}

pub(crate) async fn deactivating_the_only_active_admin_is_last_admin_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let admin = f.admin().await;
    let at = t0() + secs(5);
    let mut change = UserChange::new(admin.id, at);
    change.end_sessions = EndSessions::All;
    let s = SessionRepository::create(&f.db, new_session(admin.id, "r0"), Effects::none())
        .await
        .unwrap();

    let result =
        f.db.change_access(DEACTIVATION, change, every_effect(admin.id, at, "t"))
            .await;

    assert!(
        matches!(result, Err(AccessChangeError::LastAdmin)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &admin).await, admin);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_no_effects(&f, admin.id, "t").await;
}

pub(crate) async fn an_admin_can_be_demoted_or_deactivated_while_another_active_admin_remains<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let first = f.admin().await;
    let second = f.admin().await;
    let third = f.admin().await;

    let demoted =
        f.db.change_access(
            DEMOTION,
            UserChange::new(first.id, t0() + secs(1)),
            Effects::none(),
        )
        .await
        .unwrap();
    let deactivated =
        f.db.change_access(
            DEACTIVATION,
            UserChange::new(second.id, t0() + secs(2)),
            Effects::none(),
        )
        .await
        .unwrap();

    assert_eq!(demoted.role, Role::User);
    assert!(deactivated.role == Role::Admin && !deactivated.is_active);
    // Now `third` is the last one.
    let last =
        f.db.change_access(
            DEMOTION,
            UserChange::new(third.id, t0() + secs(3)),
            Effects::none(),
        )
        .await;
    assert!(
        matches!(last, Err(AccessChangeError::LastAdmin)),
        "{last:?}"
    );
}

pub(crate) async fn an_inactive_admin_does_not_count_as_another_active_admin<H: Harness>(
    f: Fixture<H>,
) {
    let active = f.admin().await;
    let inactive = f.admin().await;
    f.db.change_access(
        DEACTIVATION,
        UserChange::new(inactive.id, t0() + secs(1)),
        Effects::none(),
    )
    .await
    .unwrap();

    let result =
        f.db.change_access(
            DEMOTION,
            UserChange::new(active.id, t0() + secs(2)),
            Effects::none(),
        )
        .await;

    assert!(
        matches!(result, Err(AccessChangeError::LastAdmin)),
        "{result:?}"
    );
}

pub(crate) async fn the_last_active_admin_can_still_change_everything_else<H: Harness>(
    f: Fixture<H>,
) {
    let admin = f.admin().await;
    let mut change = UserChange::new(admin.id, t0() + secs(1));
    change.name = Some(UserName::parse("Grace Hopper").unwrap());
    change.email_verified = Some(true);
    change.end_sessions = EndSessions::All;
    let access = AccessChange {
        role: Some(Role::Admin),
        is_active: Some(true),
    };

    let changed =
        f.db.change_access(access, change, Effects::none())
            .await
            .unwrap();

    assert_eq!(changed.name.as_str(), "Grace Hopper");
    assert!(changed.role == Role::Admin && changed.is_active);
}

pub(crate) async fn users_who_are_not_active_admins_can_be_demoted_and_deactivated_with_no_admin_left<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let mut inactive = new_user("inactive.admin@example.com");
    inactive.role = Role::Admin;
    inactive.is_active = false;
    let inactive_admin = UserRepository::create(&f.db, inactive, Effects::none())
        .await
        .unwrap();

    let both = AccessChange {
        role: Some(Role::User),
        is_active: Some(false),
    };
    let user_change =
        f.db.change_access(
            both,
            UserChange::new(user.id, t0() + secs(1)),
            Effects::none(),
        )
        .await;
    let admin_change =
        f.db.change_access(
            both,
            UserChange::new(inactive_admin.id, t0() + secs(2)),
            Effects::none(),
        )
        .await;

    assert!(user_change.is_ok(), "{user_change:?}");
    assert!(admin_change.is_ok(), "{admin_change:?}");
}

/// Ways to take an admin away.
#[derive(Clone, Copy, Debug)]
enum Removal {
    Demote,
    Deactivate,
    Delete,
}

/// Whether `how` removed `admin`: `Ok(true)`, or `Ok(false)` for `LastAdmin`.
async fn remove<S: Store>(db: &S, admin: UserId, how: Removal, at: Timestamp) -> bool {
    let access = |access| async move {
        match db
            .change_access(access, UserChange::new(admin, at), Effects::none())
            .await
        {
            Ok(_) => false,
            Err(AccessChangeError::LastAdmin) => true,
            Err(other) => panic!("{how:?}: {other:?}"),
        }
    };
    let refused = match how {
        Removal::Demote => access(DEMOTION).await,
        Removal::Deactivate => access(DEACTIVATION).await,
        Removal::Delete => match db.delete(admin, t0(), Effects::none()).await {
            Ok(()) => false,
            Err(UserDeletionError::LastAdmin) => true,
            Err(other) => panic!("{how:?}: {other:?}"),
        },
    };
    !refused
}

async fn is_active_admin<H: Harness>(f: &Fixture<H>, id: UserId) -> bool {
    f.db.find_by_id(id)
        .await
        .unwrap()
        .is_some_and(|user| user.role == Role::Admin && user.is_active)
}

pub(crate) async fn two_active_admins_removing_each_other_concurrently_leave_exactly_one<
    H: Harness,
>(
    f: Fixture<H>,
) {
    use Removal::{Deactivate, Delete, Demote};
    let rounds = [
        (Demote, Demote),
        (Deactivate, Deactivate),
        (Demote, Deactivate),
        (Delete, Demote),
        (Deactivate, Delete),
        (Delete, Delete),
    ];
    let mut survivor: Option<UserId> = None;
    for (round, (first_how, second_how)) in (0_i64..).zip(rounds.into_iter().cycle().take(12)) {
        let at = t0() + secs(round);
        let first = f.admin().await.id;
        let second = f.admin().await.id;
        // Only `first` and `second` are active admins in this round.
        if let Some(previous) = survivor {
            f.db.change_access(DEMOTION, UserChange::new(previous, at), Effects::none())
                .await
                .unwrap();
        }
        // Each with a pool of its own, as two server processes would be.
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let race = |admin: UserId, how: Removal| {
            let db = f.another_handle();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                remove(&db, admin, how, at).await
            })
        };
        let (a, b) = (race(first, first_how), race(second, second_how));
        let (first_removed, second_removed) = (a.await.unwrap(), b.await.unwrap());

        assert!(
            first_removed != second_removed,
            "round {round} ({first_how:?}, {second_how:?}): \
             first removed {first_removed}, second removed {second_removed}"
        );
        assert_eq!(is_active_admin(&f, first).await, !first_removed);
        assert_eq!(is_active_admin(&f, second).await, !second_removed);
        survivor = Some(if first_removed { second } else { first });
    }
}
