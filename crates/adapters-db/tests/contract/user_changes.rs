//! `UserRepository::apply_change` contract (and the last-admin races, which
//! `delete` takes part in too).

use std::sync::Arc;
use std::time::Duration;

use adapters_db::Database;
use chrono::TimeDelta;
use domain::ports::{OneTimeTokenRepository, SessionRepository, UserRepository};
use domain::{
    DeleteUserError, Effects, Email, EndSessions, EventKind, InfraError, MailKind, PasswordHash,
    RefreshRotation, Role, Session, Timestamp, TokenHash, TokenPurpose, User, UserChange,
    UserChangeError, UserId, UserName,
};

use crate::support::*;

contract_tests!(
    a_change_sets_the_given_fields_and_updated_at_and_writes_its_effects,
    a_change_that_sets_no_field_only_moves_updated_at,
    changing_an_unknown_user_is_not_found_and_writes_nothing,
    a_usable_token_is_consumed_once_and_a_second_consume_is_token_unusable_writing_nothing,
    an_expired_token_is_token_unusable,
    a_voided_token_is_token_unusable,
    a_token_of_another_user_is_token_unusable,
    an_unknown_token_is_token_unusable,
    concurrent_changes_consuming_one_token_have_exactly_one_winner,
    switching_to_the_email_of_another_account_in_any_case_is_email_taken_and_writes_nothing,
    setting_the_email_a_user_already_has_is_not_taken,
    demoting_the_only_active_admin_is_last_admin_and_writes_nothing,
    deactivating_the_only_active_admin_is_last_admin_and_writes_nothing,
    an_admin_can_be_demoted_or_deactivated_while_another_active_admin_remains,
    an_inactive_admin_does_not_count_as_another_active_admin,
    the_last_active_admin_can_still_change_everything_else,
    users_who_are_not_active_admins_can_be_demoted_and_deactivated_with_no_admin_left,
    two_active_admins_removing_each_other_concurrently_leave_exactly_one,
    ending_all_sessions_revokes_every_unrevoked_session_of_the_user_only,
    ending_all_sessions_but_one_keeps_that_one,
    a_change_whose_effect_cannot_be_written_changes_nothing,
    a_change_voids_the_unused_tokens_of_the_purposes_it_names_only,
    a_change_that_requires_an_active_account_is_not_found_for_a_deactivated_one,
);

/// Effects of every kind, to see whether a change wrote them: an event for
/// `user`, a mail, and a token `token_hash` of `user`.
fn every_effect(user: UserId, at: Timestamp, token_hash: &str) -> Effects {
    Effects::event(event(user, EventKind::UpdatedByAdmin, at))
        .with_mail(mail(MailKind::PasswordChanged, "notice@example.com"))
        .with_token(token(user, TokenPurpose::ResetPassword, token_hash, at))
}

/// Nothing of [`every_effect`] was written.
async fn assert_no_effects(f: &Fixture, user: UserId, token_hash: &str) {
    assert_eq!(f.events(user).await, vec![]);
    assert_eq!(f.outbox().await, vec![]);
    assert_eq!(f.stored_token(&hash(token_hash)).await, None);
}

/// The user as stored now.
async fn reload(f: &Fixture, user: &User) -> User {
    f.db.find_by_id(user.id).await.unwrap().unwrap()
}

/// An issued token of `user`, created at `t0()` and valid for an hour.
async fn issued(f: &Fixture, user: UserId, purpose: TokenPurpose, text: &str) -> TokenHash {
    let new = token(user, purpose, text, t0());
    f.db.issue(new.clone(), Effects::none()).await.unwrap();
    new.hash
}

fn consuming(user: UserId, at: Timestamp, token: &TokenHash) -> UserChange {
    let mut change = UserChange::new(user, at);
    change.email_verified = Some(true);
    change.consume_token = Some(token.clone());
    change
}

fn demotion(user: UserId, at: Timestamp) -> UserChange {
    let mut change = UserChange::new(user, at);
    change.role = Some(Role::User);
    change
}

fn deactivation(user: UserId, at: Timestamp) -> UserChange {
    let mut change = UserChange::new(user, at);
    change.is_active = Some(false);
    change
}

async fn a_change_sets_the_given_fields_and_updated_at_and_writes_its_effects(f: Fixture) {
    let user = f.user().await;
    let at = t0() + secs(60);
    let mut change = UserChange::new(user.id, at);
    change.name = Some(UserName::parse("Grace Hopper").unwrap());
    change.email = Some(Email::parse("Grace@Example.com").unwrap());
    change.password_hash = Some(PasswordHash::new("$2b$12$new".into()));
    change.email_verified = Some(true);
    change.role = Some(Role::Admin);
    change.is_active = Some(false);
    let changed_event = event(user.id, EventKind::UpdatedByAdmin, at);
    let notice = mail(MailKind::PasswordChanged, "grace@example.com");
    let reset = token(user.id, TokenPurpose::ResetPassword, "reset", at);
    let effects = Effects::event(changed_event.clone())
        .with_mail(notice.clone())
        .with_token(reset.clone());

    let changed = f.db.apply_change(change, effects).await.unwrap();

    let expected = User {
        email: Email::parse("grace@example.com").unwrap(),
        name: UserName::parse("Grace Hopper").unwrap(),
        role: Role::Admin,
        email_verified: true,
        is_active: false,
        password_hash: PasswordHash::new("$2b$12$new".into()),
        updated_at: at,
        ..user.clone()
    };
    assert_eq!(changed, expected);
    assert_eq!(reload(&f, &user).await, expected);
    assert_eq!(
        f.db.find_by_email(&expected.email).await.unwrap(),
        Some(expected)
    );
    assert_eq!(f.db.find_by_email(&user.email).await.unwrap(), None);
    assert_eq!(f.events(user.id).await, vec![changed_event]);
    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].queued.mail, notice);
    assert_eq!(outbox[0].queued.created_at, at);
    assert!(f.stored_token(&reset.hash).await.is_some());
}

async fn a_change_that_sets_no_field_only_moves_updated_at(f: Fixture) {
    let user = f.user().await;
    let at = t0() + secs(1);

    let changed =
        f.db.apply_change(UserChange::new(user.id, at), Effects::none())
            .await
            .unwrap();

    let expected = User {
        updated_at: at,
        ..user.clone()
    };
    assert_eq!(changed, expected);
    assert_eq!(reload(&f, &user).await, expected);
}

async fn changing_an_unknown_user_is_not_found_and_writes_nothing(f: Fixture) {
    let mut change = UserChange::new(UserId::generate(), t0());
    change.name = Some(UserName::parse("Nobody").unwrap());
    let effects = Effects::none().with_mail(mail(MailKind::PasswordChanged, "x@example.com"));

    let result = f.db.apply_change(change, effects).await;

    assert!(
        matches!(result, Err(UserChangeError::NotFound)),
        "{result:?}"
    );
    assert_eq!(f.outbox().await, vec![]);
}

async fn a_usable_token_is_consumed_once_and_a_second_consume_is_token_unusable_writing_nothing(
    f: Fixture,
) {
    let user = f.user().await;
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let first_at = t0() + secs(10);
    let verified = event(user.id, EventKind::EmailVerified, first_at);

    let first =
        f.db.apply_change(
            consuming(user.id, first_at, &verify),
            Effects::event(verified.clone()),
        )
        .await
        .unwrap();
    let mut again = consuming(user.id, t0() + secs(20), &verify);
    again.name = Some(UserName::parse("Someone Else").unwrap());
    let second =
        f.db.apply_change(again, every_effect(user.id, t0() + secs(20), "second"))
            .await;

    assert!(first.email_verified);
    assert_eq!(first.updated_at, first_at);
    assert!(
        matches!(second, Err(UserChangeError::TokenUnusable)),
        "{second:?}"
    );
    assert_eq!(reload(&f, &user).await, first);
    let used = f.stored_token(&verify).await.unwrap();
    assert_eq!(used.used_at, Some(first_at));
    assert_eq!(f.events(user.id).await, vec![verified]);
    assert_eq!(f.outbox().await, vec![]);
    assert_eq!(f.stored_token(&hash("second")).await, None);
}

async fn an_expired_token_is_token_unusable(f: Fixture) {
    let user = f.user().await;
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let expires_at = f.stored_token(&verify).await.unwrap().expires_at;

    for at in [expires_at, expires_at + secs(1)] {
        let result =
            f.db.apply_change(
                consuming(user.id, at, &verify),
                every_effect(user.id, at, "t"),
            )
            .await;

        assert!(
            matches!(result, Err(UserChangeError::TokenUnusable)),
            "at {at}: {result:?}"
        );
    }
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.stored_token(&verify).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
    // A microsecond earlier it still works.
    f.db.apply_change(
        consuming(user.id, expires_at - TimeDelta::microseconds(1), &verify),
        Effects::none(),
    )
    .await
    .unwrap();
}

async fn a_voided_token_is_token_unusable(f: Fixture) {
    let user = f.user().await;
    let older = issued(&f, user.id, TokenPurpose::ResetPassword, "older").await;
    f.db.issue(
        token(
            user.id,
            TokenPurpose::ResetPassword,
            "newer",
            t0() + secs(1),
        ),
        Effects::none(),
    )
    .await
    .unwrap();

    let result =
        f.db.apply_change(consuming(user.id, t0() + secs(2), &older), Effects::none())
            .await;

    assert!(
        matches!(result, Err(UserChangeError::TokenUnusable)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
}

async fn a_token_of_another_user_is_token_unusable(f: Fixture) {
    let user = f.user().await;
    let owner = f.user().await;
    let theirs = issued(&f, owner.id, TokenPurpose::VerifyEmail, "theirs").await;
    let at = t0() + secs(5);

    let result =
        f.db.apply_change(
            consuming(user.id, at, &theirs),
            every_effect(user.id, at, "t"),
        )
        .await;

    assert!(
        matches!(result, Err(UserChangeError::TokenUnusable)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.stored_token(&theirs).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
}

async fn an_unknown_token_is_token_unusable(f: Fixture) {
    let user = f.user().await;

    let result =
        f.db.apply_change(
            consuming(user.id, t0(), &hash("never issued")),
            Effects::none(),
        )
        .await;

    assert!(
        matches!(result, Err(UserChangeError::TokenUnusable)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
}

async fn concurrent_changes_consuming_one_token_have_exactly_one_winner(f: Fixture) {
    let user = f.user().await;
    let reset = issued(&f, user.id, TokenPurpose::ResetPassword, "reset").await;
    let db = Arc::new(f.db.clone());

    let attempts: Vec<_> = (1..=10)
        .map(|i| {
            let db = Arc::clone(&db);
            let mut change = UserChange::new(user.id, t0() + secs(i));
            change.password_hash = Some(PasswordHash::new(format!("hash-{i}")));
            change.consume_token = Some(reset.clone());
            let effects = Effects::event(event(user.id, EventKind::PasswordReset, change.at));
            tokio::spawn(async move { db.apply_change(change, effects).await })
        })
        .collect();
    let mut winners = Vec::new();
    for (i, attempt) in (1..=10).zip(attempts) {
        match attempt.await.unwrap() {
            Ok(_) => winners.push(i),
            Err(UserChangeError::TokenUnusable) => {}
            Err(other) => panic!("attempt {i}: {other:?}"),
        }
    }

    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let winner = winners[0];
    assert_eq!(
        reload(&f, &user).await.password_hash,
        PasswordHash::new(format!("hash-{winner}"))
    );
    assert_eq!(f.events(user.id).await.len(), 1);
}

async fn switching_to_the_email_of_another_account_in_any_case_is_email_taken_and_writes_nothing(
    f: Fixture,
) {
    let taken = UserRepository::create(&f.db, new_user("grace@example.com"), Effects::none())
        .await
        .unwrap();
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let change_token = issued(&f, user.id, TokenPurpose::ChangeEmail, "change").await;
    let at = t0() + secs(5);

    for address in ["grace@example.com", "Grace@EXAMPLE.com"] {
        let mut change = consuming(user.id, at, &change_token);
        change.email = Some(Email::parse(address).unwrap());
        change.end_sessions = EndSessions::All;

        let result =
            f.db.apply_change(change, every_effect(user.id, at, "t"))
                .await;

        assert!(
            matches!(result, Err(UserChangeError::EmailTaken)),
            "{address}: {result:?}"
        );
    }
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(reload(&f, &taken).await, taken);
    assert_eq!(f.stored_token(&change_token).await.unwrap().used_at, None);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_no_effects(&f, user.id, "t").await;
}

async fn setting_the_email_a_user_already_has_is_not_taken(f: Fixture) {
    let user = f.user().await;
    let mut change = UserChange::new(user.id, t0() + secs(1));
    change.email = Some(user.email.clone());

    let changed = f.db.apply_change(change, Effects::none()).await.unwrap();

    assert_eq!(changed.email, user.email);
}

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

/// Sessions of `user` created at `t0()`, with refresh tokens `prefix-<n>`.
async fn sessions(f: &Fixture, user: UserId, prefix: &str, n: usize) -> Vec<Session> {
    let mut created = Vec::new();
    for i in 0..n {
        let new = new_session(user, &format!("{prefix}-{i}"));
        created.push(
            SessionRepository::create(&f.db, new, Effects::none())
                .await
                .unwrap(),
        );
    }
    created
}

async fn revoked_at(f: &Fixture, s: &Session) -> Option<Timestamp> {
    f.stored_session(s.id).await.unwrap().revoked_at
}

async fn ending_all_sessions_revokes_every_unrevoked_session_of_the_user_only(f: Fixture) {
    let user = f.user().await;
    let other = f.user().await;
    let mine = sessions(&f, user.id, "mine", 3).await;
    let theirs = sessions(&f, other.id, "theirs", 1).await;
    let earlier = t0() + secs(10);
    f.db.revoke(mine[0].id, earlier, Effects::none())
        .await
        .unwrap();
    let at = t0() + secs(60);
    let mut change = UserChange::new(user.id, at);
    change.password_hash = Some(PasswordHash::new("$2b$12$reset".into()));
    change.end_sessions = EndSessions::All;

    f.db.apply_change(change, Effects::none()).await.unwrap();

    assert_eq!(revoked_at(&f, &mine[0]).await, Some(earlier));
    assert_eq!(revoked_at(&f, &mine[1]).await, Some(at));
    assert_eq!(revoked_at(&f, &mine[2]).await, Some(at));
    assert_eq!(revoked_at(&f, &theirs[0]).await, None);
    assert_eq!(f.db.list_live(user.id, at).await.unwrap(), vec![]);
    // Their refresh tokens are dead too.
    let rotation = RefreshRotation {
        session_id: mine[1].id,
        old: hash("mine-1"),
        new: hash("mine-1-next"),
        now: at + secs(1),
        refresh_expires_at: at + TimeDelta::days(30),
    };
    assert_eq!(
        f.db.rotate_refresh(rotation, Effects::none())
            .await
            .unwrap(),
        None
    );
}

async fn ending_all_sessions_but_one_keeps_that_one(f: Fixture) {
    let user = f.user().await;
    let other = f.user().await;
    let mine = sessions(&f, user.id, "mine", 3).await;
    let theirs = sessions(&f, other.id, "theirs", 1).await;
    let at = t0() + secs(60);
    let mut change = UserChange::new(user.id, at);
    change.password_hash = Some(PasswordHash::new("$2b$12$changed".into()));
    change.end_sessions = EndSessions::AllExcept(mine[1].id);

    f.db.apply_change(change, Effects::none()).await.unwrap();

    assert_eq!(revoked_at(&f, &mine[0]).await, Some(at));
    assert_eq!(revoked_at(&f, &mine[1]).await, None);
    assert_eq!(revoked_at(&f, &mine[2]).await, Some(at));
    assert_eq!(revoked_at(&f, &theirs[0]).await, None);
}

async fn a_change_whose_effect_cannot_be_written_changes_nothing(f: Fixture) {
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let reset = issued(&f, user.id, TokenPurpose::ResetPassword, "reset").await;
    let at = t0() + secs(5);
    let mut change = consuming(user.id, at, &reset);
    change.password_hash = Some(PasswordHash::new("$2b$12$reset".into()));
    change.end_sessions = EndSessions::All;
    // A token for an account that does not exist breaks a foreign key,
    // after every other write.
    let effects = every_effect(user.id, at, "t").with_token(token(
        UserId::generate(),
        TokenPurpose::VerifyEmail,
        "orphan",
        at,
    ));

    let result = f.db.apply_change(change, effects).await;

    assert!(
        matches!(
            result,
            Err(UserChangeError::Infra(InfraError::Unexpected(_)))
        ),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_eq!(f.stored_token(&reset).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
}

async fn a_change_voids_the_unused_tokens_of_the_purposes_it_names_only(f: Fixture) {
    let user = f.user().await;
    let other = f.user().await;
    let reset = issued(&f, user.id, TokenPurpose::ResetPassword, "reset").await;
    let email_change = issued(&f, user.id, TokenPurpose::ChangeEmail, "change").await;
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let others_reset = issued(&f, other.id, TokenPurpose::ResetPassword, "others").await;
    let at = t0() + secs(60);
    let mut change = UserChange::new(user.id, at);
    change.void_tokens = vec![TokenPurpose::ResetPassword, TokenPurpose::ChangeEmail];

    f.db.apply_change(change, Effects::none()).await.unwrap();

    for voided in [&reset, &email_change] {
        let stored = f.stored_token(voided).await.unwrap();
        assert_eq!(stored.used_at, Some(at));
    }
    for kept in [&verify, &others_reset] {
        assert_eq!(f.stored_token(kept).await.unwrap().used_at, None);
    }
}

async fn a_change_that_requires_an_active_account_is_not_found_for_a_deactivated_one(f: Fixture) {
    let user = f.user().await;
    f.db.apply_change(deactivation(user.id, t0() + secs(1)), Effects::none())
        .await
        .unwrap();
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let mut change = consuming(user.id, t0() + secs(2), &verify);
    change.require_active = true;

    let result = f.db.apply_change(change, Effects::none()).await;

    assert!(
        matches!(result, Err(UserChangeError::NotFound)),
        "{result:?}"
    );
    assert_eq!(f.stored_token(&verify).await.unwrap().used_at, None);
    assert!(!reload(&f, &user).await.email_verified);
}
