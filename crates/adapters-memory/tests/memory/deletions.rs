//! Deleting a user: effects that refer to the deleted user roll the whole
//! deletion back, and the deleted user's token hashes are free again.

use adapters_memory::MemoryStore;
use chrono::TimeDelta;
use domain::ports::{OneTimeTokenRepository, SessionRepository, UserRepository};
use domain::{
    Effects, EventKind, InfraError, RefreshRotation, Role, TokenPurpose, UserCreationError,
    UserDeletionError,
};

use crate::support::*;

#[tokio::test]
async fn a_deletion_whose_effects_refer_to_the_deleted_user_leaves_everything_as_it_was() {
    let store = MemoryStore::new();
    let admin = user(&store, Role::Admin).await;
    let doomed = user(&store, Role::User).await;
    let s = SessionRepository::create(
        &store,
        new_session(doomed.id, "r0"),
        Effects::event(event(doomed.id, EventKind::LoginSucceeded, t0())),
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
    let s = store
        .rotate_refresh(rotation, Effects::none())
        .await
        .unwrap()
        .unwrap();
    store
        .issue(
            token(doomed.id, TokenPurpose::VerifyEmail, "verify", t0()),
            Effects::none(),
        )
        .await
        .unwrap();
    let before = snapshot(
        &store,
        &[&admin, &doomed],
        &[&s],
        &["r0", "r1"],
        &["verify"],
    )
    .await;

    // An event of the deleted user, then a token of the deleted user: each
    // breaks a foreign key after the deletion, with valid effects beside it.
    let of_deleted = [
        Effects::event(event(admin.id, EventKind::UpdatedByAdmin, t0()))
            .with_mail(mail("notice@example.com"))
            .with_token(token(admin.id, TokenPurpose::ResetPassword, "ok", t0()))
            .with_token(token(doomed.id, TokenPurpose::ResetPassword, "t", t0())),
        Effects::event(event(doomed.id, EventKind::UpdatedByAdmin, t0()))
            .with_mail(mail("notice@example.com")),
    ];
    for effects in of_deleted {
        let result = store.delete(doomed.id, t0() + secs(5), effects).await;

        assert!(
            matches!(
                result,
                Err(UserDeletionError::Infra(InfraError::Unexpected(_)))
            ),
            "{result:?}"
        );
        let after = snapshot(
            &store,
            &[&admin, &doomed],
            &[&s],
            &["r0", "r1"],
            &["verify"],
        )
        .await;
        assert_eq!(after, before);
        assert_eq!(
            OneTimeTokenRepository::find(&store, &hash("ok"))
                .await
                .unwrap(),
            None
        );
    }
    // The email is still taken.
    let again = UserRepository::create(
        &store,
        new_user(doomed.email.as_str(), Role::User),
        Effects::none(),
    )
    .await;
    assert!(
        matches!(again, Err(UserCreationError::EmailTaken)),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_deletion_frees_the_hashes_of_the_deleted_users_tokens() {
    let store = MemoryStore::new();
    let admin = user(&store, Role::Admin).await;
    let doomed = user(&store, Role::User).await;
    store
        .issue(
            token(doomed.id, TokenPurpose::VerifyEmail, "same", t0()),
            Effects::none(),
        )
        .await
        .unwrap();

    // The deleted user's row goes first, so the hash is free by the time
    // the effects are written, as in the database.
    store
        .delete(
            doomed.id,
            t0(),
            Effects::none().with_token(token(admin.id, TokenPurpose::ResetPassword, "same", t0())),
        )
        .await
        .unwrap();

    let found = OneTimeTokenRepository::find(&store, &hash("same"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user_id, admin.id);
}
