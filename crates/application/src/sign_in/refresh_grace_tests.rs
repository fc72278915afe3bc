//! The grace window of `APP_AUTH__REFRESH_REUSE_GRACE_SECS`: a rotated token
//! presented again soon enough, while its successor is unused, answers that
//! successor.

use chrono::Duration;
use domain::{SealedSecret, Session, TokenHash, User};
use mockall::predicate::eq;

use super::*;
use crate::test_support::*;

const GRACE: u64 = 10;
const CONTEXT: &str = "refresh successor of old-hash";

fn command() -> RefreshCommand {
    RefreshCommand {
        refresh_token: "old".into(),
    }
}

fn with_grace(mut ports: MockPorts) -> MockPorts {
    ports.config.refresh_reuse_grace_secs = GRACE;
    ports
}

fn sealed() -> SealedSecret {
    SealedSecret::new(b"sealed successor".to_vec())
}

/// A retry whose window ends `seconds` after [`now`].
fn retry_ending_in(seconds: i64) -> RefreshRetry {
    RefreshRetry {
        successor: sealed(),
        until: now() + Duration::seconds(seconds),
    }
}

/// `old` (hash `old-hash`) was rotated, keeping `retry`.
fn rotated(ports: &mut MockPorts, session: Session, retry: Option<RefreshRetry>) {
    ports
        .secrets
        .expect_hash()
        .with(eq("old"))
        .returning(|_| TokenHash::new("old-hash".into()));
    ports
        .sessions
        .expect_find_by_refresh_hash()
        .return_once(move |_| Ok(Some(RefreshTokenState::Rotated { session, retry })));
}

/// The sealer opens [`sealed`] in [`CONTEXT`] to `successor`.
fn opens_to(ports: &mut MockPorts, successor: &'static str) {
    ports
        .sealer
        .expect_open()
        .withf(|sealed_, context| *sealed_ == sealed() && context == CONTEXT)
        .returning(move |_, _| Some(successor.into()));
}

fn active(ports: &mut MockPorts, user: User) {
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(Some(user)));
}

fn expect_reuse_revocation(ports: &mut MockPorts, session: &Session) {
    let id = session.id;
    ports
        .sessions
        .expect_revoke()
        .times(1)
        .returning(move |revoked, _, effects| {
            assert_eq!(revoked, id);
            assert_eq!(effects.events[0].kind, EventKind::RefreshReuseDetected);
            Ok(())
        });
}

#[tokio::test]
async fn with_a_grace_window_a_rotation_seals_the_successor_until_the_window_ends() {
    let mut ports = with_grace(MockPorts::new().with_working_tokens());
    let user = user();
    let session = session_of(&user);
    ports
        .secrets
        .expect_hash()
        .returning(|_| TokenHash::new("old-hash".into()));
    let current = session.clone();
    ports
        .sessions
        .expect_find_by_refresh_hash()
        .return_once(move |_| Ok(Some(RefreshTokenState::Current(current))));
    active(&mut ports, user);
    ports
        .sealer
        .expect_seal()
        .withf(|plaintext, context| plaintext == "new-refresh" && context == CONTEXT)
        .times(1)
        .returning(|_, _| Ok(sealed()));
    ports
        .sessions
        .expect_rotate_refresh()
        .times(1)
        .returning(move |rotation, _| {
            assert_eq!(rotation.retry, Some(retry_ending_in(10)));
            Ok(Some(session.clone()))
        });

    let pair = ports
        .sign_in()
        .refresh(command(), &context())
        .await
        .unwrap();

    assert_eq!(pair.refresh_token.expose(), "new-refresh");
}

#[tokio::test]
async fn a_rotated_token_within_its_window_answers_the_same_successor_and_writes_nothing() {
    let mut ports = with_grace(MockPorts::new().with_working_tokens());
    let user = user();
    let session = session_of(&user);
    rotated(&mut ports, session, Some(retry_ending_in(1)));
    opens_to(&mut ports, "the-successor");
    active(&mut ports, user);
    ports.sessions.expect_rotate_refresh().never();
    ports.sessions.expect_revoke().never();

    let pair = ports
        .sign_in()
        .refresh(command(), &context())
        .await
        .unwrap();

    assert_eq!(pair.refresh_token.expose(), "the-successor");
    assert_eq!(pair.access_token.expose(), "access");
    assert_eq!(pair.refresh_expires_in, 29 * 24 * 3600);
}

#[tokio::test]
async fn a_rotated_token_at_the_end_of_its_window_is_a_reuse_and_revokes_the_session() {
    let mut ports = with_grace(MockPorts::new());
    let session = session_of(&user());
    expect_reuse_revocation(&mut ports, &session);
    rotated(&mut ports, session, Some(retry_ending_in(0)));
    ports.sealer.expect_open().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_rotated_token_whose_successor_was_used_is_a_reuse() {
    // Using the successor erased the retry: the store returns none.
    let mut ports = with_grace(MockPorts::new());
    let session = session_of(&user());
    expect_reuse_revocation(&mut ports, &session);
    rotated(&mut ports, session, None);

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_retry_kept_before_the_grace_was_turned_off_is_not_honoured() {
    let mut ports = MockPorts::new();
    let session = session_of(&user());
    expect_reuse_revocation(&mut ports, &session);
    rotated(&mut ports, session, Some(retry_ending_in(5)));
    ports.sealer.expect_open().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_retry_that_does_not_open_is_a_reuse() {
    let mut ports = with_grace(MockPorts::new());
    let session = session_of(&user());
    expect_reuse_revocation(&mut ports, &session);
    rotated(&mut ports, session, Some(retry_ending_in(5)));
    ports.sealer.expect_open().returning(|_, _| None);

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_retry_past_the_successors_own_expiry_is_a_reuse() {
    let mut ports = with_grace(MockPorts::new());
    let session = Session {
        refresh_expires_at: now(),
        ..session_of(&user())
    };
    expect_reuse_revocation(&mut ports, &session);
    rotated(&mut ports, session, Some(retry_ending_in(5)));
    ports.sealer.expect_open().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn a_retry_of_a_deactivated_user_is_invalid_without_revoking() {
    let mut ports = with_grace(MockPorts::new());
    let user = User {
        is_active: false,
        ..user()
    };
    rotated(&mut ports, session_of(&user), Some(retry_ending_in(5)));
    opens_to(&mut ports, "the-successor");
    active(&mut ports, user);
    ports.sessions.expect_revoke().never();

    let result = ports.sign_in().refresh(command(), &context()).await;

    assert!(matches!(result, Err(RefreshError::InvalidToken)));
}

#[tokio::test]
async fn losing_the_rotation_to_a_concurrent_retry_answers_the_winners_successor() {
    let mut ports = with_grace(MockPorts::new().with_working_tokens());
    let user = user();
    let session = session_of(&user);
    ports
        .secrets
        .expect_hash()
        .returning(|_| TokenHash::new("old-hash".into()));
    let mut found = vec![
        RefreshTokenState::Rotated {
            session: session.clone(),
            retry: Some(retry_ending_in(10)),
        },
        RefreshTokenState::Current(session),
    ];
    ports
        .sessions
        .expect_find_by_refresh_hash()
        .times(2)
        .returning(move |_| Ok(found.pop()));
    ports
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(user.clone())));
    ports.sealer.expect_seal().returning(|_, _| Ok(sealed()));
    ports
        .sessions
        .expect_rotate_refresh()
        .returning(|_, _| Ok(None));
    opens_to(&mut ports, "the-winners-successor");
    ports.sessions.expect_revoke().never();

    let pair = ports
        .sign_in()
        .refresh(command(), &context())
        .await
        .unwrap();

    assert_eq!(pair.refresh_token.expose(), "the-winners-successor");
}
