//! `UserRepository::delete` contract (its last-admin races are in
//! `last_admin.rs`).

use chrono::TimeDelta;
use domain::ports::{OneTimeTokenRepository, SessionRepository, UserRepository};
use domain::{
    Effects, EventKind, InfraError, MailKind, RefreshRotation, TokenPurpose, UserChange,
    UserDeletionError, UserId,
};

use crate::Harness;
use crate::contract::support::*;
use crate::contract::user_changes::{DEACTIVATION, DEMOTION};

pub(crate) async fn deleting_a_user_removes_their_sessions_tokens_and_events_and_frees_the_email<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let s = SessionRepository::create(
        &f.db,
        new_session(user.id, "r0"),
        Effects::event(event(user.id, EventKind::LoginSucceeded, t0())),
    )
    .await
    .unwrap();
    let rotation = RefreshRotation {
        session_id: s.id,
        old: hash("r0"),
        new: hash("r1"),
        now: t0() + secs(1),
        refresh_expires_at: t0() + TimeDelta::days(30),
        retry: None,
    };
    f.db.rotate_refresh(rotation, Effects::none())
        .await
        .unwrap()
        .unwrap();
    let verify = token(user.id, TokenPurpose::VerifyEmail, "verify", t0());
    f.db.issue(verify.clone(), Effects::none()).await.unwrap();

    f.db.delete(user.id, t0(), Effects::none()).await.unwrap();

    assert_eq!(f.db.find_by_id(user.id).await.unwrap(), None);
    assert_eq!(f.db.find_by_email(&user.email).await.unwrap(), None);
    assert_eq!(f.stored_session(s.id).await, None);
    assert_eq!(f.db.find_by_refresh_hash(&hash("r0")).await.unwrap(), None);
    assert_eq!(f.db.find_by_refresh_hash(&hash("r1")).await.unwrap(), None);
    assert_eq!(f.stored_token(&verify.hash).await, None);
    assert_eq!(f.events(user.id).await, vec![]);
    let again = new_user(user.email.as_str());
    let recreated = UserRepository::create(&f.db, again.clone(), Effects::none())
        .await
        .unwrap();
    assert_eq!(recreated, again.into_user());
}

pub(crate) async fn deleting_a_user_writes_its_effects_and_leaves_other_users_alone<H: Harness>(
    f: Fixture<H>,
) {
    let admin = f.admin().await;
    let user = f.user().await;
    let other = f.user().await;
    let others_session =
        SessionRepository::create(&f.db, new_session(other.id, "other"), Effects::none())
            .await
            .unwrap();
    let at = t0() + secs(30);
    // The trail of whoever deleted the account, and a notice to its address
    // (the outbox does not refer to users).
    let deleted = event(admin.id, EventKind::UpdatedByAdmin, at).with_detail("deleted a user");
    let notice = mail(MailKind::PasswordChanged, user.email.as_str());

    f.db.delete(
        user.id,
        at,
        Effects::event(deleted.clone()).with_mail(notice.clone()),
    )
    .await
    .unwrap();

    assert_eq!(f.events(admin.id).await, vec![deleted]);
    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].queued.mail, notice);
    assert_eq!(outbox[0].queued.created_at, at);
    assert_eq!(f.db.find_by_id(other.id).await.unwrap(), Some(other));
    assert_eq!(f.db.find_by_id(admin.id).await.unwrap(), Some(admin));
    assert_eq!(
        f.stored_session(others_session.id).await,
        Some(others_session)
    );
}

pub(crate) async fn deleting_an_unknown_user_is_not_found_and_writes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let effects = Effects::event(event(user.id, EventKind::UpdatedByAdmin, t0()))
        .with_mail(mail(MailKind::PasswordChanged, "x@example.com"));

    let result = f.db.delete(UserId::generate(), t0(), effects).await;

    assert!(
        matches!(result, Err(UserDeletionError::NotFound)),
        "{result:?}"
    );
    assert_eq!(f.events(user.id).await, vec![]);
    assert_eq!(f.outbox().await, vec![]);
}

pub(crate) async fn deleting_the_only_active_admin_is_last_admin_and_writes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let admin = f.admin().await;
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(admin.id, "r0"), Effects::none())
        .await
        .unwrap();
    let effects = Effects::event(event(user.id, EventKind::UpdatedByAdmin, t0()))
        .with_mail(mail(MailKind::PasswordChanged, admin.email.as_str()));

    let result = f.db.delete(admin.id, t0(), effects).await;

    assert!(
        matches!(result, Err(UserDeletionError::LastAdmin)),
        "{result:?}"
    );
    assert_eq!(f.db.find_by_id(admin.id).await.unwrap(), Some(admin));
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_eq!(f.events(user.id).await, vec![]);
    assert_eq!(f.outbox().await, vec![]);
}

pub(crate) async fn an_admin_can_be_deleted_while_another_active_admin_remains<H: Harness>(
    f: Fixture<H>,
) {
    let first = f.admin().await;
    let second = f.admin().await;

    f.db.delete(first.id, t0(), Effects::none()).await.unwrap();
    let last = f.db.delete(second.id, t0(), Effects::none()).await;

    assert_eq!(f.db.find_by_id(first.id).await.unwrap(), None);
    assert!(
        matches!(last, Err(UserDeletionError::LastAdmin)),
        "{last:?}"
    );
    assert_eq!(f.db.find_by_id(second.id).await.unwrap(), Some(second));
}

pub(crate) async fn an_inactive_admin_can_be_deleted_with_no_active_admin_left<H: Harness>(
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
    // Refused: `inactive` does not count.
    f.db.change_access(
        DEMOTION,
        UserChange::new(active.id, t0() + secs(2)),
        Effects::none(),
    )
    .await
    .unwrap_err();

    f.db.delete(inactive.id, t0(), Effects::none())
        .await
        .unwrap();

    assert_eq!(f.db.find_by_id(inactive.id).await.unwrap(), None);
}

pub(crate) async fn a_deletion_whose_effect_cannot_be_written_deletes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let orphan = event(UserId::generate(), EventKind::UpdatedByAdmin, t0());

    let result = f.db.delete(user.id, t0(), Effects::event(orphan)).await;

    assert!(
        matches!(
            result,
            Err(UserDeletionError::Infra(InfraError::Unexpected(_)))
        ),
        "{result:?}"
    );
    assert_eq!(f.db.find_by_id(user.id).await.unwrap(), Some(user));
    assert_eq!(f.stored_session(s.id).await, Some(s));
}
