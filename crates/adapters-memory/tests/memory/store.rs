//! What holds for the store as a whole: clones share one state, and every
//! timestamp reads back truncated to microseconds, as the database keeps it.

use adapters_memory::MemoryStore;
use chrono::TimeDelta;
use domain::ports::{
    HealthProbe, OneTimeTokenRepository, Outbox, SecurityEventRepository, SessionRepository,
    UserRepository,
};
use domain::{Effects, EventKind, Role, TokenPurpose, UserChange};

use crate::support::*;

#[tokio::test]
async fn clones_share_one_state_and_default_is_empty() {
    let store = MemoryStore::default();
    let clone = store.clone();
    let created = user(&store, Role::User).await;

    assert_eq!(clone.find_by_id(created.id).await.unwrap(), Some(created));
    assert_eq!(MemoryStore::new().pending().await.unwrap(), 0);
    assert!(store.readiness().await.is_ready());
    assert_eq!(format!("{store:?}"), "MemoryStore { .. }");
}

#[tokio::test]
async fn what_reads_back_is_truncated_to_microseconds_everywhere() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let fine = t0() + TimeDelta::nanoseconds(789);
    let mut new = new_session(owner.id, "r0");
    new.created_at = fine;
    new.expires_at = fine + TimeDelta::days(1);
    new.refresh_expires_at = fine + TimeDelta::hours(1);

    let created = SessionRepository::create(
        &store,
        new,
        Effects::event(event(owner.id, EventKind::LoginSucceeded, fine))
            .with_mail(mail("a@example.com")),
    )
    .await
    .unwrap();
    store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "v", fine),
            Effects::none(),
        )
        .await
        .unwrap();
    let changed = store
        .apply_change(UserChange::new(owner.id, fine), Effects::none())
        .await
        .unwrap();

    assert_eq!(created.created_at, t0());
    assert_eq!(created.last_used_at, t0());
    assert_eq!(created.expires_at, t0() + TimeDelta::days(1));
    assert_eq!(created.refresh_expires_at, t0() + TimeDelta::hours(1));
    assert_eq!(changed.updated_at, t0());
    let stored = OneTimeTokenRepository::find(&store, &hash("v"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.created_at, stored.expires_at),
        (t0(), t0() + TimeDelta::hours(1))
    );
    assert_eq!(store.security_events(owner.id).unwrap()[0].at, t0());
    let listed = store.list_for_user(owner.id, 10, None).await.unwrap();
    assert_eq!(listed[0].at, t0());
    assert_eq!(store.outbox_entries().unwrap()[0].queued.created_at, t0());
    let claimed = store.claim(fine, 10, 60).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        store.outbox_entries().unwrap()[0].locked_until,
        Some(t0() + secs(60))
    );
}
