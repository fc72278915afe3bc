//! The last-admin guard of `UserRepository::apply_change` and `delete`,
//! including the races between two admins removing each other.

use std::sync::Arc;
use std::time::Duration;

use adapters_db::Database;
use domain::ports::{SessionRepository, UserRepository};
use domain::{
    DeleteUserError, Effects, EndSessions, Role, Timestamp, UserChange, UserChangeError, UserId,
    UserName,
};

use crate::support::*;
use crate::user_changes::{assert_no_effects, deactivation, demotion, every_effect, reload};

contract_tests!(
    demoting_the_only_active_admin_is_last_admin_and_writes_nothing,
    deactivating_the_only_active_admin_is_last_admin_and_writes_nothing,
    an_admin_can_be_demoted_or_deactivated_while_another_active_admin_remains,
    an_inactive_admin_does_not_count_as_another_active_admin,
    the_last_active_admin_can_still_change_everything_else,
    users_who_are_not_active_admins_can_be_demoted_and_deactivated_with_no_admin_left,
    two_active_admins_removing_each_other_concurrently_leave_exactly_one,
);

async fn demoting_the_only_active_admin_is_last_admin_and_writes_nothing(f: Fixture) {
    let admin = f.admin().await;
    f.user().await;
    let at = t0() + secs(5);
    let mut change = demotion(admin.id, at);
    change.name = Some(UserName::parse("Grace Hopper").unwrap());

    let result =
        f.db.apply_change(change, every_effect(admin.id, at, "t"))
            .await;

    assert!(
        matches!(result, Err(UserChangeError::LastAdmin)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &admin).await, admin);
    assert_no_effects(&f, admin.id, "t").await;
}

async fn deactivating_the_only_active_admin_is_last_admin_and_writes_nothing(f: Fixture) {
    let admin = f.admin().await;
    let at = t0() + secs(5);
    let mut change = deactivation(admin.id, at);
    change.end_sessions = EndSessions::All;
    let s = SessionRepository::create(&f.db, new_session(admin.id, "r0"), Effects::none())
        .await
        .unwrap();

    let result =
        f.db.apply_change(change, every_effect(admin.id, at, "t"))
            .await;

    assert!(
        matches!(result, Err(UserChangeError::LastAdmin)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &admin).await, admin);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_no_effects(&f, admin.id, "t").await;
}

async fn an_admin_can_be_demoted_or_deactivated_while_another_active_admin_remains(f: Fixture) {
    let first = f.admin().await;
    let second = f.admin().await;
    let third = f.admin().await;

    let demoted =
        f.db.apply_change(demotion(first.id, t0() + secs(1)), Effects::none())
            .await
            .unwrap();
    let deactivated =
        f.db.apply_change(deactivation(second.id, t0() + secs(2)), Effects::none())
            .await
            .unwrap();

    assert_eq!(demoted.role, Role::User);
    assert!(deactivated.role == Role::Admin && !deactivated.is_active);
    // Now `third` is the last one.
    let last =
        f.db.apply_change(demotion(third.id, t0() + secs(3)), Effects::none())
            .await;
    assert!(matches!(last, Err(UserChangeError::LastAdmin)), "{last:?}");
}

async fn an_inactive_admin_does_not_count_as_another_active_admin(f: Fixture) {
    let active = f.admin().await;
    let inactive = f.admin().await;
    f.db.apply_change(deactivation(inactive.id, t0() + secs(1)), Effects::none())
        .await
        .unwrap();

    let result =
        f.db.apply_change(demotion(active.id, t0() + secs(2)), Effects::none())
            .await;

    assert!(
        matches!(result, Err(UserChangeError::LastAdmin)),
        "{result:?}"
    );
}

async fn the_last_active_admin_can_still_change_everything_else(f: Fixture) {
    let admin = f.admin().await;
    let mut change = UserChange::new(admin.id, t0() + secs(1));
    change.name = Some(UserName::parse("Grace Hopper").unwrap());
    change.email_verified = Some(true);
    change.role = Some(Role::Admin);
    change.is_active = Some(true);
    change.end_sessions = EndSessions::All;

    let changed = f.db.apply_change(change, Effects::none()).await.unwrap();

    assert_eq!(changed.name.as_str(), "Grace Hopper");
    assert!(changed.role == Role::Admin && changed.is_active);
}

async fn users_who_are_not_active_admins_can_be_demoted_and_deactivated_with_no_admin_left(
    f: Fixture,
) {
    let user = f.user().await;
    let mut inactive = new_user("inactive.admin@example.com");
    inactive.role = Role::Admin;
    inactive.is_active = false;
    let inactive_admin = UserRepository::create(&f.db, inactive, Effects::none())
        .await
        .unwrap();

    let mut both = deactivation(user.id, t0() + secs(1));
    both.role = Some(Role::User);
    let user_change = f.db.apply_change(both, Effects::none()).await;
    let mut again = deactivation(inactive_admin.id, t0() + secs(2));
    again.role = Some(Role::User);
    let admin_change = f.db.apply_change(again, Effects::none()).await;

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
async fn remove(db: &Database, admin: UserId, how: Removal, at: Timestamp) -> bool {
    let refused = match how {
        Removal::Demote => match db.apply_change(demotion(admin, at), Effects::none()).await {
            Ok(_) => false,
            Err(UserChangeError::LastAdmin) => true,
            Err(other) => panic!("{how:?}: {other:?}"),
        },
        Removal::Deactivate => {
            match db
                .apply_change(deactivation(admin, at), Effects::none())
                .await
            {
                Ok(_) => false,
                Err(UserChangeError::LastAdmin) => true,
                Err(other) => panic!("{how:?}: {other:?}"),
            }
        }
        Removal::Delete => match db.delete(admin, t0(), Effects::none()).await {
            Ok(()) => false,
            Err(DeleteUserError::LastAdmin) => true,
            Err(other) => panic!("{how:?}: {other:?}"),
        },
    };
    !refused
}

async fn is_active_admin(f: &Fixture, id: UserId) -> bool {
    f.db.find_by_id(id)
        .await
        .unwrap()
        .is_some_and(|user| user.role == Role::Admin && user.is_active)
}

async fn two_active_admins_removing_each_other_concurrently_leave_exactly_one(f: Fixture) {
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
            f.db.apply_change(demotion(previous, at), Effects::none())
                .await
                .unwrap();
        }
        // Each with a pool of its own, as two server processes would be.
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let race = |admin: UserId, how: Removal| {
            let db = f.connect(2, Duration::from_secs(10));
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
