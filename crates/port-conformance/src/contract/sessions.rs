//! `SessionRepository` contract.

use std::sync::Arc;

use chrono::TimeDelta;
use domain::ports::{SessionRepository, UserRepository};
use domain::{
    AccessChange, Effects, EndSessions, EventKind, InfraError, NewSession, PasswordHash,
    RefreshRotation, RefreshTokenState, Session, SessionCreationError, SessionId, UserChange,
    UserId,
};

use crate::Harness;
use crate::contract::support::*;

/// A stored session of a new user, with refresh token `"r0"`.
async fn session<H: Harness>(f: &Fixture<H>) -> Session {
    let user = f.user().await;
    SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap()
}

fn rotation(session: &Session, old: &str, new: &str, seconds_later: i64) -> RefreshRotation {
    let now = t0() + secs(seconds_later);
    RefreshRotation {
        session_id: session.id,
        old: hash(old),
        new: hash(new),
        now,
        refresh_expires_at: now + TimeDelta::days(30),
        retry: None,
    }
}

pub(crate) async fn creating_a_session_stores_it_with_its_refresh_token_and_events<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let new = new_session(user.id, "r0");
    let login = event(user.id, EventKind::LoginSucceeded, t0());

    let created = SessionRepository::create(&f.db, new.clone(), Effects::event(login.clone()))
        .await
        .unwrap();

    assert_eq!(created, new.to_session());
    assert_eq!(
        SessionRepository::find(&f.db, new.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        f.db.find_by_refresh_hash(&hash("r0")).await.unwrap(),
        Some(RefreshTokenState::Current(created))
    );
    assert_eq!(f.events(user.id).await, vec![login]);
}

pub(crate) async fn a_session_whose_event_cannot_be_written_is_not_created<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let new = new_session(user.id, "r0");
    let orphan = event(UserId::generate(), EventKind::LoginSucceeded, t0());

    let result = SessionRepository::create(&f.db, new.clone(), Effects::event(orphan)).await;

    assert!(
        matches!(
            result,
            Err(SessionCreationError::Infra(InfraError::Unexpected(_)))
        ),
        "{result:?}"
    );
    assert_eq!(SessionRepository::find(&f.db, new.id).await.unwrap(), None);
    assert_eq!(f.db.find_by_refresh_hash(&hash("r0")).await.unwrap(), None);
}

pub(crate) async fn a_session_for_an_unknown_user_is_not_created<H: Harness>(f: Fixture<H>) {
    let new = new_session(UserId::generate(), "r0");

    let result = SessionRepository::create(&f.db, new.clone(), Effects::none()).await;

    assert!(
        matches!(result, Err(SessionCreationError::CredentialsChanged)),
        "{result:?}"
    );
    assert_eq!(SessionRepository::find(&f.db, new.id).await.unwrap(), None);
}

/// The race a login loses to a password reset, forced: the login checked
/// the password against the hash it read; the reset (a new hash, every
/// session ended) commits; then the login's session insert comes.
pub(crate) async fn a_session_checked_against_a_password_reset_meanwhile_is_not_opened<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let checked = new_session(user.id, "r0");
    let mut reset = UserChange::new(user.id, t0() + secs(1));
    reset.password_hash = Some(PasswordHash::new("$2b$12$reset".into()));
    reset.end_sessions = EndSessions::All;
    f.db.apply_change(reset, Effects::none()).await.unwrap();
    let login = event(user.id, EventKind::LoginSucceeded, t0() + secs(2));

    let result = SessionRepository::create(&f.db, checked.clone(), Effects::event(login)).await;

    assert!(
        matches!(result, Err(SessionCreationError::CredentialsChanged)),
        "{result:?}"
    );
    assert_eq!(
        SessionRepository::find(&f.db, checked.id).await.unwrap(),
        None
    );
    assert_eq!(f.db.find_by_refresh_hash(&hash("r0")).await.unwrap(), None);
    assert_eq!(f.events(user.id).await, vec![], "no login_succeeded");
}

pub(crate) async fn a_session_of_a_user_deactivated_meanwhile_is_not_opened<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let access = AccessChange {
        role: None,
        is_active: Some(false),
    };
    f.db.change_access(access, UserChange::new(user.id, t0()), Effects::none())
        .await
        .unwrap();

    let result =
        SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none()).await;

    assert!(
        matches!(result, Err(SessionCreationError::CredentialsChanged)),
        "{result:?}"
    );
}

pub(crate) async fn unknown_sessions_and_refresh_tokens_are_none<H: Harness>(f: Fixture<H>) {
    session(&f).await;

    assert_eq!(
        SessionRepository::find(&f.db, SessionId::generate())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        f.db.find_by_refresh_hash(&hash("never issued"))
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn rotating_the_current_token_replaces_it_and_slides_the_session<H: Harness>(
    f: Fixture<H>,
) {
    let before = session(&f).await;
    let rotation = rotation(&before, "r0", "r1", 60);
    let refreshed = event(before.user_id, EventKind::TokenRefreshed, rotation.now);

    let after =
        f.db.rotate_refresh(rotation.clone(), Effects::event(refreshed.clone()))
            .await
            .unwrap();

    let expected = Session {
        last_used_at: rotation.now,
        refresh_expires_at: rotation.refresh_expires_at,
        ..before.clone()
    };
    assert_eq!(after, Some(expected.clone()));
    assert_eq!(
        SessionRepository::find(&f.db, before.id).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(
        f.db.find_by_refresh_hash(&hash("r1")).await.unwrap(),
        Some(RefreshTokenState::Current(expected.clone()))
    );
    assert_eq!(
        f.db.find_by_refresh_hash(&hash("r0")).await.unwrap(),
        Some(RefreshTokenState::Rotated {
            session: expected,
            retry: None,
        })
    );
    assert_eq!(f.events(before.user_id).await, vec![refreshed]);
}

pub(crate) async fn rotating_a_token_that_is_no_longer_current_writes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let before = session(&f).await;
    let won =
        f.db.rotate_refresh(rotation(&before, "r0", "r1", 60), Effects::none())
            .await
            .unwrap()
            .unwrap();
    let late = rotation(&before, "r0", "r2", 120);
    let effects = Effects::event(event(before.user_id, EventKind::TokenRefreshed, late.now));

    let lost = f.db.rotate_refresh(late, effects).await.unwrap();

    assert_eq!(lost, None);
    assert_eq!(
        SessionRepository::find(&f.db, before.id).await.unwrap(),
        Some(won.clone())
    );
    assert_eq!(f.db.find_by_refresh_hash(&hash("r2")).await.unwrap(), None);
    assert_eq!(
        f.db.find_by_refresh_hash(&hash("r1")).await.unwrap(),
        Some(RefreshTokenState::Current(won))
    );
    assert_eq!(f.events(before.user_id).await, vec![]);
}

pub(crate) async fn rotating_with_the_token_of_another_session_writes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let mine = session(&f).await;
    let user = f.user().await;
    let other = SessionRepository::create(&f.db, new_session(user.id, "other"), Effects::none())
        .await
        .unwrap();

    // The presented token is current, but of `other`, not of `mine`.
    let result =
        f.db.rotate_refresh(rotation(&mine, "other", "r1", 60), Effects::none())
            .await
            .unwrap();

    assert_eq!(result, None);
    assert_eq!(
        f.db.find_by_refresh_hash(&hash("other")).await.unwrap(),
        Some(RefreshTokenState::Current(other))
    );
    assert_eq!(f.db.find_by_refresh_hash(&hash("r1")).await.unwrap(), None);
}

pub(crate) async fn concurrent_rotations_of_one_token_have_exactly_one_winner<H: Harness>(
    f: Fixture<H>,
) {
    let before = session(&f).await;
    let db = Arc::new(f.db.clone());

    let attempts: Vec<_> = (1..=10)
        .map(|i| {
            let db = Arc::clone(&db);
            let rotation = rotation(&before, "r0", &format!("r{i}"), i);
            let effects = Effects::event(event(
                before.user_id,
                EventKind::TokenRefreshed,
                rotation.now,
            ));
            tokio::spawn(async move { db.rotate_refresh(rotation, effects).await })
        })
        .collect();
    let mut winners = Vec::new();
    for (i, attempt) in (1..=10).zip(attempts) {
        if attempt.await.unwrap().unwrap().is_some() {
            winners.push(i);
        }
    }

    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let winner = winners[0];
    for i in 1..=10 {
        let state =
            f.db.find_by_refresh_hash(&hash(&format!("r{i}")))
                .await
                .unwrap();
        if i == winner {
            assert!(
                matches!(state, Some(RefreshTokenState::Current(_))),
                "r{i}: {state:?}"
            );
        } else {
            assert_eq!(state, None, "r{i}");
        }
    }
    assert_eq!(f.events(before.user_id).await.len(), 1);
}

pub(crate) async fn every_rotated_token_is_remembered_as_rotated<H: Harness>(f: Fixture<H>) {
    let s = session(&f).await;
    for (i, (old, new)) in [("r0", "r1"), ("r1", "r2"), ("r2", "r3")]
        .into_iter()
        .enumerate()
    {
        let seconds = i64::try_from(i).unwrap() + 1;
        f.db.rotate_refresh(rotation(&s, old, new, seconds), Effects::none())
            .await
            .unwrap()
            .unwrap();
    }

    for old in ["r0", "r1", "r2"] {
        let state = f.db.find_by_refresh_hash(&hash(old)).await.unwrap();
        assert!(
            matches!(state, Some(RefreshTokenState::Rotated { .. })),
            "{old}: {state:?}"
        );
    }
    let current = f.db.find_by_refresh_hash(&hash("r3")).await.unwrap();
    assert!(
        matches!(current, Some(RefreshTokenState::Current(_))),
        "{current:?}"
    );
}

pub(crate) async fn a_revoked_session_cannot_rotate<H: Harness>(f: Fixture<H>) {
    let s = session(&f).await;
    f.db.revoke(s.id, t0() + secs(30), Effects::none())
        .await
        .unwrap();
    let effects = Effects::event(event(s.user_id, EventKind::TokenRefreshed, t0() + secs(60)));

    let result =
        f.db.rotate_refresh(rotation(&s, "r0", "r1", 60), effects)
            .await
            .unwrap();

    assert_eq!(result, None);
    assert_eq!(f.db.find_by_refresh_hash(&hash("r1")).await.unwrap(), None);
    assert_eq!(f.events(s.user_id).await, vec![]);
}

pub(crate) async fn revoking_marks_the_session_and_writes_the_events<H: Harness>(f: Fixture<H>) {
    let s = session(&f).await;
    let at = t0() + secs(90);
    let logout = event(s.user_id, EventKind::LoggedOut, at);

    f.db.revoke(s.id, at, Effects::event(logout.clone()))
        .await
        .unwrap();

    let revoked = SessionRepository::find(&f.db, s.id).await.unwrap().unwrap();
    assert_eq!(
        revoked,
        Session {
            revoked_at: Some(at),
            ..s.clone()
        }
    );
    assert!(!revoked.is_live(at));
    assert_eq!(f.events(s.user_id).await, vec![logout]);
}

pub(crate) async fn revoking_twice_keeps_the_first_time_and_still_writes_the_events<H: Harness>(
    f: Fixture<H>,
) {
    let s = session(&f).await;
    let first = event(s.user_id, EventKind::LoggedOut, t0() + secs(10));
    let second = event(s.user_id, EventKind::SessionRevoked, t0() + secs(20));

    f.db.revoke(s.id, first.at, Effects::event(first.clone()))
        .await
        .unwrap();
    f.db.revoke(s.id, second.at, Effects::event(second.clone()))
        .await
        .unwrap();

    let revoked = SessionRepository::find(&f.db, s.id).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(first.at));
    assert_eq!(f.events(s.user_id).await, vec![first, second]);
}

pub(crate) async fn revoking_an_unknown_session_changes_nothing_but_writes_the_events<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let s = session(&f).await;
    let revoked = event(s.user_id, EventKind::SessionRevoked, t0() + secs(5));

    f.db.revoke(
        SessionId::generate(),
        revoked.at,
        Effects::event(revoked.clone()),
    )
    .await
    .unwrap();

    assert_eq!(
        SessionRepository::find(&f.db, s.id).await.unwrap(),
        Some(s.clone())
    );
    assert_eq!(f.events(s.user_id).await, vec![revoked]);
}

pub(crate) async fn live_sessions_are_listed_most_recently_used_first_without_revoked_or_ended_ones<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let other = f.user().await;
    let now = t0() + TimeDelta::days(10);
    let create = |new: domain::NewSession| {
        let db = f.db.clone();
        async move {
            SessionRepository::create(&db, new, Effects::none())
                .await
                .unwrap()
        }
    };
    let old = create(new_session(user.id, "old")).await;
    let used = create(new_session(user.id, "used")).await;
    let revoked = create(new_session(user.id, "revoked")).await;
    let ended = create(NewSession {
        expires_at: now,
        ..new_session(user.id, "ended")
    })
    .await;
    let ending = create(NewSession {
        expires_at: now + secs(1),
        ..new_session(user.id, "ending")
    })
    .await;
    create(new_session(other.id, "other")).await;
    let used =
        f.db.rotate_refresh(rotation(&used, "used", "used-2", 3600), Effects::none())
            .await
            .unwrap()
            .unwrap();
    f.db.revoke(revoked.id, t0() + secs(1), Effects::none())
        .await
        .unwrap();

    let live = f.db.list_live(user.id, now).await.unwrap();

    // `old`, `ending` (and `ended`) were last used at login, `ending` later
    // by id; `used` an hour after.
    assert_eq!(live, vec![used, ending, old]);
    assert!(!live.iter().any(|s| s.id == ended.id || s.id == revoked.id));
}

pub(crate) async fn sessions_used_at_the_same_instant_are_listed_newest_first<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let mut created = Vec::new();
    for i in 0..4 {
        created.push(
            SessionRepository::create(
                &f.db,
                new_session(user.id, &format!("r{i}")),
                Effects::none(),
            )
            .await
            .unwrap(),
        );
    }

    let live = f.db.list_live(user.id, t0()).await.unwrap();

    created.reverse();
    assert_eq!(live, created);
}

pub(crate) async fn a_user_without_sessions_has_no_live_ones<H: Harness>(f: Fixture<H>) {
    session(&f).await;

    assert_eq!(
        f.db.list_live(UserId::generate(), t0()).await.unwrap(),
        vec![]
    );
}
