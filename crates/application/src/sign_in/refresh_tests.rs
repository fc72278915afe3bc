use chrono::Duration;
use domain::{InfraError, Session, TokenHash, User};
use mockall::predicate::eq;

use super::*;
use crate::test_support::*;

fn command() -> RefreshCommand {
    RefreshCommand {
        refresh_token: "old".into(),
    }
}

/// `old-hash` is the hash of the presented token `old`.
fn presented(ports: &mut MockPorts, state: Option<RefreshTokenState>) {
    ports
        .secrets
        .expect_hash()
        .with(eq("old"))
        .returning(|_| TokenHash::new("old-hash".into()));
    ports
        .sessions
        .expect_find_by_refresh_hash()
        .return_once(move |_| Ok(state));
}

/// As [`presented`], but the token is looked up twice (a lost rotation
/// reads again), finding `first`, then `second`.
fn presented_twice(
    ports: &mut MockPorts,
    first: Option<RefreshTokenState>,
    second: Option<RefreshTokenState>,
) {
    ports
        .secrets
        .expect_hash()
        .with(eq("old"))
        .returning(|_| TokenHash::new("old-hash".into()));
    let mut found = vec![second, first];
    ports
        .sessions
        .expect_find_by_refresh_hash()
        .times(2)
        .returning(move |_| Ok(found.pop().unwrap()));
}

#[tokio::test]
async fn refresh_rotates_the_token_and_returns_a_new_pair() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = user();
    let session = session_of(&user);
    let session_id = session.id;
    presented(
        &mut ports,
        Some(RefreshTokenState::Current(session.clone())),
    );
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(Some(user)));
    ports
        .sessions
        .expect_rotate_refresh()
        .times(1)
        .returning(move |rotation, effects| {
            assert_eq!(rotation.session_id, session_id);
            assert_eq!(rotation.old.expose(), "old-hash");
            assert_eq!(rotation.new.expose(), "new-refresh-hash");
            // No grace window by default: nothing kept for a retry.
            assert_eq!(rotation.retry, None);
            assert_eq!(
                rotation.refresh_expires_at,
                now() + Duration::seconds(2_592_000)
            );
            assert_eq!(effects.events[0].kind, EventKind::TokenRefreshed);
            Ok(Some(Session {
                refresh_expires_at: rotation.refresh_expires_at,
                ..session.clone()
            }))
        });

    let pair = ports
        .sign_in()
        .refresh(command(), &context())
        .await
        .unwrap();

    assert_eq!(pair.refresh_token.expose(), "new-refresh");
    assert_eq!(pair.refresh_expires_in, 2_592_000);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_invalid() {
    let mut ports = MockPorts::new();
    presented(&mut ports, None);

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn presenting_an_already_rotated_token_revokes_the_whole_session() {
    let mut ports = MockPorts::new();
    let session = session_of(&user());
    let session_id = session.id;
    presented(
        &mut ports,
        Some(RefreshTokenState::Rotated {
            session,
            retry: None,
        }),
    );
    ports.sessions.expect_rotate_refresh().never();
    ports
        .sessions
        .expect_revoke()
        .times(1)
        .returning(move |id, at, effects| {
            assert_eq!(id, session_id);
            assert_eq!(at, now());
            assert_eq!(effects.events[0].kind, EventKind::RefreshReuseDetected);
            Ok(())
        });

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn losing_a_rotation_race_counts_as_reuse_and_revokes_the_session() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = user();
    let still_live = session_of(&user);
    presented_twice(
        &mut ports,
        Some(RefreshTokenState::Current(still_live.clone())),
        Some(RefreshTokenState::Current(still_live)),
    );
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(Some(user)));
    ports
        .sessions
        .expect_rotate_refresh()
        .returning(|_, _| Ok(None));
    ports
        .sessions
        .expect_revoke()
        .times(1)
        .returning(|_, _, _| Ok(()));

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn losing_a_rotation_to_a_logout_is_no_reuse_and_records_nothing() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = user();
    let session = session_of(&user);
    let logged_out = Session {
        revoked_at: Some(now()),
        ..session.clone()
    };
    presented_twice(
        &mut ports,
        Some(RefreshTokenState::Current(session)),
        Some(RefreshTokenState::Current(logged_out)),
    );
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(Some(user)));
    ports
        .sessions
        .expect_rotate_refresh()
        .returning(|_, _| Ok(None));
    ports.sessions.expect_revoke().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn replaying_a_rotated_token_of_an_ended_session_records_nothing_more() {
    let mut ports = MockPorts::new();
    let ended = Session {
        revoked_at: Some(now()),
        ..session_of(&user())
    };
    presented(
        &mut ports,
        Some(RefreshTokenState::Rotated {
            session: ended,
            retry: None,
        }),
    );
    ports.sessions.expect_revoke().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_refresh_token_past_its_sliding_expiry_is_invalid() {
    let mut ports = MockPorts::new();
    let session = Session {
        refresh_expires_at: now(),
        ..session_of(&user())
    };
    presented(&mut ports, Some(RefreshTokenState::Current(session)));
    ports.sessions.expect_rotate_refresh().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_revoked_session_cannot_be_refreshed() {
    let mut ports = MockPorts::new();
    let session = Session {
        revoked_at: Some(now() - Duration::minutes(1)),
        ..session_of(&user())
    };
    presented(&mut ports, Some(RefreshTokenState::Current(session)));
    ports.sessions.expect_rotate_refresh().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_deactivated_user_cannot_refresh() {
    let mut ports = MockPorts::new();
    let user = User {
        is_active: false,
        ..user()
    };
    presented(
        &mut ports,
        Some(RefreshTokenState::Current(session_of(&user))),
    );
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(Some(user)));
    ports.sessions.expect_rotate_refresh().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn the_new_refresh_token_never_outlives_the_session() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = user();
    let session = Session {
        expires_at: now() + Duration::hours(2),
        ..session_of(&user)
    };
    presented(
        &mut ports,
        Some(RefreshTokenState::Current(session.clone())),
    );
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(Some(user)));
    ports
        .sessions
        .expect_rotate_refresh()
        .returning(move |rotation, _| {
            assert_eq!(rotation.refresh_expires_at, now() + Duration::hours(2));
            Ok(Some(Session {
                refresh_expires_at: rotation.refresh_expires_at,
                ..session.clone()
            }))
        });

    let pair = ports
        .sign_in()
        .refresh(command(), &context())
        .await
        .unwrap();

    assert_eq!(pair.refresh_expires_in, 7_200);
}

#[tokio::test]
async fn a_storage_outage_is_reported_as_such() {
    let mut ports = MockPorts::new();
    ports
        .secrets
        .expect_hash()
        .returning(|_| TokenHash::new("h".into()));
    ports
        .sessions
        .expect_find_by_refresh_hash()
        .returning(|_| Err(InfraError::Unavailable("down".into())));

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(
        result,
        Err(RefreshError::Infra(InfraError::Unavailable(_)))
    ));
}
