//! `SessionRepository::find_with_user`: the one read behind every
//! authenticated request.

use domain::ports::{SessionRepository, UserRepository};
use domain::{AccessChange, Effects, SessionId, UserChange};

use crate::Harness;
use crate::contract::support::*;

pub(crate) async fn a_session_is_found_with_its_user_exactly<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let session = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();

    let found = f.db.find_with_user(session.id).await.unwrap();

    assert_eq!(found, Some((session, user)));
}

pub(crate) async fn the_user_is_read_as_it_is_now_and_the_session_even_when_revoked<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let session = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let access = AccessChange {
        role: None,
        is_active: Some(false),
    };
    f.db.change_access(
        access,
        UserChange::new(user.id, t0() + secs(1)),
        Effects::none(),
    )
    .await
    .unwrap();
    f.db.revoke(session.id, t0() + secs(2), Effects::none())
        .await
        .unwrap();

    let (found_session, found_user) = f.db.find_with_user(session.id).await.unwrap().unwrap();

    assert_eq!(found_session.revoked_at, Some(t0() + secs(2)));
    assert_eq!(
        Some(found_user.clone()),
        UserRepository::find_by_id(&f.db, user.id).await.unwrap()
    );
    assert!(!found_user.is_active);
}

pub(crate) async fn an_unknown_session_is_found_with_no_user<H: Harness>(f: Fixture<H>) {
    assert_eq!(
        f.db.find_with_user(SessionId::generate()).await.unwrap(),
        None
    );
}
