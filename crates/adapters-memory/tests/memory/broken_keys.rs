//! Creations, sessions, rotations, issues and lockouts that would break a
//! key (their own or one of their effects') write nothing at all.

use adapters_memory::MemoryStore;
use chrono::TimeDelta;
use domain::ports::{
    Admission, LockoutPolicy, LoginThrottle, OneTimeTokenRepository, SessionRepository,
    UserRepository,
};
use domain::{
    Effects, EventKind, InfraError, NewSession, RefreshRotation, Role, SessionCreationError,
    TokenPurpose, UserCreationError, UserId,
};

use crate::support::*;

#[tokio::test]
async fn a_user_with_a_taken_id_is_not_created() {
    let store = MemoryStore::new();
    let first = user(&store, Role::User).await;
    let mut again = new_user("other@example.com", Role::User);
    again.id = first.id;

    let result = UserRepository::create(&store, again.clone(), Effects::none()).await;

    assert!(
        matches!(
            result,
            Err(UserCreationError::Infra(InfraError::Unexpected(_)))
        ),
        "{result:?}"
    );
    assert_eq!(store.find_by_email(&again.email).await.unwrap(), None);
    assert_eq!(store.find_by_id(first.id).await.unwrap(), Some(first));
}

#[tokio::test]
async fn sessions_and_rotations_that_would_break_a_key_write_nothing() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let s = session(&store, owner.id, "r0").await;
    let other = session(&store, owner.id, "other").await;
    let before = snapshot(&store, &[&owner], &[&s, &other], &["r0", "other"], &[]).await;

    let same_id = SessionRepository::create(
        &store,
        NewSession {
            id: s.id,
            ..new_session(owner.id, "fresh")
        },
        Effects::event(event(owner.id, EventKind::LoginSucceeded, t0())),
    )
    .await;
    let same_hash = SessionRepository::create(
        &store,
        new_session(owner.id, "other"),
        Effects::event(event(owner.id, EventKind::LoginSucceeded, t0())),
    )
    .await;
    let rotation = |new: &str| RefreshRotation {
        session_id: s.id,
        old: hash("r0"),
        new: hash(new),
        now: t0() + secs(1),
        refresh_expires_at: t0() + TimeDelta::days(30),
        retry: None,
    };
    let onto_other = store
        .rotate_refresh(
            rotation("other"),
            Effects::event(event(owner.id, EventKind::TokenRefreshed, t0())),
        )
        .await;
    let onto_itself = store.rotate_refresh(rotation("r0"), Effects::none()).await;
    let orphan = store
        .rotate_refresh(
            rotation("r1"),
            Effects::event(event(UserId::generate(), EventKind::TokenRefreshed, t0())),
        )
        .await;
    let revoked = store
        .revoke(
            s.id,
            t0() + secs(2),
            Effects::event(event(UserId::generate(), EventKind::LoggedOut, t0())),
        )
        .await;

    for result in [same_id.map(drop), same_hash.map(drop)] {
        assert!(
            matches!(
                result,
                Err(SessionCreationError::Infra(InfraError::Unexpected(_)))
            ),
            "{result:?}"
        );
    }
    for result in [onto_other, onto_itself, orphan] {
        assert!(
            matches!(result, Err(InfraError::Unexpected(_))),
            "{result:?}"
        );
    }
    assert!(
        matches!(revoked, Err(InfraError::Unexpected(_))),
        "{revoked:?}"
    );
    let after = snapshot(&store, &[&owner], &[&s, &other], &["r0", "other"], &[]).await;
    assert_eq!(after, before);
    assert_eq!(
        store.find_by_refresh_hash(&hash("fresh")).await.unwrap(),
        None
    );
    assert_eq!(store.find_by_refresh_hash(&hash("r1")).await.unwrap(), None);
}

#[tokio::test]
async fn an_issue_that_would_break_a_key_writes_nothing() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let earlier = token(owner.id, TokenPurpose::VerifyEmail, "earlier", t0());
    store.issue(earlier.clone(), Effects::none()).await.unwrap();
    let before = snapshot(&store, &[&owner], &[], &[], &["earlier"]).await;
    let at = t0() + secs(1);

    // The same hash in its own effects, an existing hash, an orphan event.
    let twice = store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "new", at),
            every_effect(owner.id, at, "new"),
        )
        .await;
    let existing = store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "earlier", at),
            Effects::none(),
        )
        .await;
    let orphan = store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "new", at),
            Effects::event(event(UserId::generate(), EventKind::Registered, at)),
        )
        .await;

    for result in [twice, existing, orphan] {
        assert!(
            matches!(result, Err(InfraError::Unexpected(_))),
            "{result:?}"
        );
    }
    assert_eq!(
        snapshot(&store, &[&owner], &[], &[], &["earlier"]).await,
        before
    );
    assert_eq!(
        OneTimeTokenRepository::find(&store, &hash("new"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_lock_whose_effects_cannot_be_written_does_not_lock() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let policy = LockoutPolicy {
        max_failures: 1,
        lockout_secs: 900,
    };
    store.begin_attempt("k", t0(), policy).await.unwrap();

    let result = store
        .record_failure(
            "k",
            t0(),
            policy,
            Effects::event(event(owner.id, EventKind::LoginFailed, t0())),
            Effects::event(event(UserId::generate(), EventKind::LockedOut, t0())),
        )
        .await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
    assert_eq!(store.security_events(owner.id).unwrap(), vec![]);
    // Not locked, and nothing recorded: the check is still in flight, so
    // the next one is busy rather than locked out.
    assert_eq!(
        store
            .begin_attempt("k", t0() + secs(1), policy)
            .await
            .unwrap(),
        Admission::Busy
    );
}
