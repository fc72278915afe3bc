use chrono::Duration;
use domain::ports::AccessClaims;
use domain::{InfraError, PasswordHash, PlainPassword, SecretToken, Session};
use mockall::predicate::{always, eq};

use super::*;
use crate::test_support::*;

fn command() -> LoginCommand {
    LoginCommand {
        email: email("ada@example.com"),
        password: PlainPassword::new("correct horse battery staple"),
    }
}

/// A known, unlocked account whose password check gives `verified`.
fn account(ports: &mut MockPorts, user: User, verified: bool) {
    ports
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    ports
        .users
        .expect_find_by_email()
        .return_once(move |_| Ok(Some(user)));
    ports
        .hasher
        .expect_verify()
        .return_once(move |_, _| Ok(verified));
}

fn sessions_open(ports: &mut MockPorts) {
    ports.hasher.expect_needs_rehash().returning(|_| false);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .sessions
        .expect_create()
        .returning(|session, _| Ok(session.to_session()));
}

#[tokio::test]
async fn login_with_the_right_password_opens_a_session_and_returns_a_token_pair() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = user();
    let user_id = user.id;
    account(&mut ports, user, true);
    ports.hasher.expect_needs_rehash().returning(|_| false);
    ports
        .throttle
        .expect_record_success()
        .with(eq("ada@example.com"))
        .times(1)
        .returning(|_| Ok(()));
    ports
        .sessions
        .expect_create()
        .times(1)
        .returning(move |session, effects| {
            assert_eq!(session.user_id, user_id);
            assert_eq!(session.refresh_hash.expose(), "new-refresh-hash");
            assert_eq!(session.expires_at, now() + Duration::seconds(7_776_000));
            assert_eq!(
                session.refresh_expires_at,
                now() + Duration::seconds(2_592_000)
            );
            assert_eq!(session.user_agent.as_deref(), Some("test-agent"));
            assert_eq!(effects.events[0].kind, EventKind::LoginSucceeded);
            Ok(session.to_session())
        });

    let pair = ports.sign_in().login(command(), &context()).await.unwrap();

    assert_eq!(pair.access_token.expose(), "access");
    assert_eq!(pair.refresh_token.expose(), "new-refresh");
    assert_eq!(pair.expires_in, 900);
    assert_eq!(pair.refresh_expires_in, 2_592_000);
}

#[tokio::test]
async fn the_access_token_names_the_new_session_and_expires_after_the_access_ttl() {
    let mut ports = MockPorts::new();
    account(&mut ports, user(), true);
    sessions_open(&mut ports);
    ports.secrets.expect_generate().returning(|| {
        (
            SecretToken::new("r".into()),
            domain::TokenHash::new("h".into()),
        )
    });
    ports
        .tokens
        .expect_issue()
        .times(1)
        .returning(|claims: &AccessClaims| {
            assert_eq!(claims.issued_at, now());
            assert_eq!(claims.expires_at, now() + Duration::seconds(900));
            assert_eq!(claims.role, domain::Role::User);
            Ok(SecretToken::new(claims.session_id.to_string()))
        });

    let pair = ports.sign_in().login(command(), &context()).await.unwrap();

    assert!(pair.access_token.expose().parse::<SessionId>().is_ok());
}

#[tokio::test]
async fn a_wrong_password_is_invalid_credentials_and_counts_a_failure_with_an_event() {
    let mut ports = MockPorts::new();
    let user = user();
    let user_id = user.id;
    account(&mut ports, user, false);
    ports.throttle.expect_record_failure().times(1).returning(
        move |key, at, _, effects, lock_effects| {
            assert_eq!(key, "ada@example.com");
            assert_eq!(at, now());
            assert_eq!(effects.events.len(), 1);
            assert_eq!(effects.events[0].kind, EventKind::LoginFailed);
            assert_eq!(effects.events[0].user_id, user_id);
            assert_eq!(lock_effects.events.len(), 1);
            assert_eq!(lock_effects.events[0].kind, EventKind::LockedOut);
            Ok(None)
        },
    );

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
}

#[tokio::test]
async fn an_unknown_email_pays_for_a_dummy_verify_and_counts_a_failure() {
    let mut ports = MockPorts::new();
    ports
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    ports.users.expect_find_by_email().returning(|_| Ok(None));
    ports
        .hasher
        .expect_verify_dummy()
        .times(1)
        .returning(|_| Ok(()));
    ports
        .throttle
        .expect_record_failure()
        .withf(|key, _, _, effects, lock_effects| {
            key == "ada@example.com" && effects.events.is_empty() && lock_effects.events.is_empty()
        })
        .times(1)
        .returning(|_, _, _, _, _| Ok(None));

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
}

#[tokio::test]
async fn a_locked_account_is_refused_before_any_password_check() {
    let mut ports = MockPorts::new();
    ports.throttle.expect_begin_attempt().returning(|_, _, _| {
        Ok(domain::ports::Admission::Locked {
            until: now() + Duration::milliseconds(60_500),
        })
    });
    ports.hasher.expect_verify().never();
    ports.hasher.expect_verify_dummy().never();

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(
        result,
        Err(LoginError::LockedOut {
            retry_after_secs: 61
        })
    ));
}

#[tokio::test]
async fn a_deactivated_account_is_refused_only_after_a_correct_password() {
    let mut ports = MockPorts::new();
    account(
        &mut ports,
        User {
            is_active: false,
            ..user()
        },
        true,
    );
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports.sessions.expect_create().never();

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(result, Err(LoginError::AccountDisabled)));
}

#[tokio::test]
async fn a_deactivated_account_with_a_wrong_password_is_just_invalid_credentials() {
    let mut ports = MockPorts::new();
    account(
        &mut ports,
        User {
            is_active: false,
            ..user()
        },
        false,
    );
    ports
        .throttle
        .expect_record_failure()
        .returning(|_, _, _, _, _| Ok(None));

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
}

#[tokio::test]
async fn an_unverified_email_is_refused_when_verification_is_required() {
    let mut ports = MockPorts::new();
    ports.config.require_verified_email = true;
    account(
        &mut ports,
        User {
            email_verified: false,
            ..user()
        },
        true,
    );
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports.sessions.expect_create().never();

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(result, Err(LoginError::EmailUnverified)));
}

#[tokio::test]
async fn an_unverified_email_may_log_in_when_verification_is_not_required() {
    let mut ports = MockPorts::new().with_working_tokens();
    account(
        &mut ports,
        User {
            email_verified: false,
            ..user()
        },
        true,
    );
    sessions_open(&mut ports);

    assert!(ports.sign_in().login(command(), &context()).await.is_ok());
}

#[tokio::test]
async fn a_hash_below_the_configured_cost_is_replaced_after_a_successful_login() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = user();
    let user_id = user.id;
    account(&mut ports, user, true);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .sessions
        .expect_create()
        .returning(|session, _| Ok(session.to_session()));
    ports.hasher.expect_needs_rehash().returning(|_| true);
    ports
        .hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok(PasswordHash::new("stronger".into())));
    ports
        .users
        .expect_update_password_hash()
        .withf(move |id, old, new| {
            *id == user_id && old.expose() == "stored-hash" && new.expose() == "stronger"
        })
        .times(1)
        .returning(|_, _, _| Ok(()));

    assert!(ports.sign_in().login(command(), &context()).await.is_ok());
}

#[tokio::test]
async fn a_failed_rehash_does_not_fail_the_login() {
    let mut ports = MockPorts::new().with_working_tokens();
    account(&mut ports, user(), true);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .sessions
        .expect_create()
        .returning(|session, _| Ok(session.to_session()));
    ports.hasher.expect_needs_rehash().returning(|_| true);
    ports
        .hasher
        .expect_hash()
        .returning(|_| Err(InfraError::Overloaded));
    ports.users.expect_update_password_hash().never();

    assert!(ports.sign_in().login(command(), &context()).await.is_ok());
}

#[tokio::test]
async fn the_refresh_token_never_outlives_the_session() {
    let mut ports = MockPorts::new().with_working_tokens();
    ports.config.session_max_secs = 3_600;
    account(&mut ports, user(), true);
    ports.hasher.expect_needs_rehash().returning(|_| false);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .sessions
        .expect_create()
        .with(always(), always())
        .returning(|session, _| {
            assert_eq!(session.refresh_expires_at, session.expires_at);
            Ok(Session {
                ..session.to_session()
            })
        });

    let pair = ports.sign_in().login(command(), &context()).await.unwrap();

    assert_eq!(pair.refresh_expires_in, 3_600);
}

#[tokio::test]
async fn an_overloaded_hasher_answers_overloaded_without_counting_a_failure() {
    let mut ports = MockPorts::new();
    ports
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(domain::ports::Admission::Check));
    ports
        .users
        .expect_find_by_email()
        .returning(|_| Ok(Some(user())));
    ports
        .hasher
        .expect_verify()
        .returning(|_, _| Err(InfraError::Overloaded));
    ports.throttle.expect_record_failure().never();
    ports
        .throttle
        .expect_abandon()
        .times(1)
        .returning(|_| Ok(()));

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(
        result,
        Err(LoginError::Infra(InfraError::Overloaded))
    ));
}

#[tokio::test]
async fn the_session_is_opened_only_with_the_password_hash_that_was_checked() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = user();
    let checked = user.password_hash.clone();
    account(&mut ports, user, true);
    ports.hasher.expect_needs_rehash().returning(|_| false);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .sessions
        .expect_create()
        .withf(move |session, _| session.opened_with == checked)
        .times(1)
        .returning(|session, _| Ok(session.to_session()));

    assert!(ports.sign_in().login(command(), &context()).await.is_ok());
}

#[tokio::test]
async fn a_reset_that_committed_during_the_check_makes_the_login_invalid_credentials() {
    let mut ports = MockPorts::new().with_working_tokens();
    account(&mut ports, user(), true);
    ports.throttle.expect_record_success().returning(|_| Ok(()));
    ports
        .sessions
        .expect_create()
        .returning(|_, _| Err(domain::SessionCreationError::CredentialsChanged));
    // No re-hash of a password that is no longer the account's.
    ports.hasher.expect_needs_rehash().never();
    ports.hasher.expect_hash().never();

    let result = ports.sign_in().login(command(), &context()).await;

    assert!(matches!(result, Err(LoginError::InvalidCredentials)));
}
