use chrono::Duration;
use domain::ports::Admission;
use domain::{
    CodeUse, EventKind, LoginError, MfaToken, PlainPassword, SealedSecret, Secret, TokenHash,
    TotpEnrolment, User,
};
use mockall::predicate::{always, eq};

use super::*;
use crate::LoginCommand;
use crate::test_support::*;

fn mfa_user() -> User {
    User {
        mfa_enabled: true,
        ..user()
    }
}

fn enrolment(user: &User) -> TotpEnrolment {
    TotpEnrolment {
        user_id: user.id,
        sealed_secret: SealedSecret::new(vec![1, 2, 3]),
        created_at: now() - Duration::days(1),
        confirmed_at: Some(now() - Duration::days(1)),
        last_used_step: Some(100),
    }
}

fn command(code: MfaCode) -> CompleteMfaLoginCommand {
    CompleteMfaLoginCommand {
        mfa_token: Secret::from("the-mfa-token"),
        code,
    }
}

fn totp(code: &str) -> MfaCode {
    MfaCode::Totp(Secret::from(code))
}

/// A usable `mfa_token` of `user`, the account, its enrolment, an admitted
/// check, and a secret that opens.
fn second_step(ports: &mut MockPorts, user: &User) {
    ports
        .secrets
        .expect_hash()
        .with(eq("the-mfa-token"))
        .returning(|_| TokenHash::new("mfa-hash".into()));
    let user_id = user.id;
    ports.mfa.expect_find_login_token().returning(move |_| {
        Ok(Some(MfaToken {
            user_id,
            created_at: now() - Duration::minutes(1),
            expires_at: now() + Duration::minutes(4),
            used_at: None,
        }))
    });
    let found = user.clone();
    ports
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(found.clone())));
    let stored = enrolment(user);
    ports
        .mfa
        .expect_find_enrolment()
        .returning(move |_| Ok(Some(stored.clone())));
    ports
        .throttle
        .expect_begin_attempt()
        .with(eq("ada@example.com"), always(), always())
        .returning(|_, _, _| Ok(Admission::Check));
    ports
        .sealer
        .expect_open()
        .returning(|_, _| Some(Secret::from("BASE32SECRET")));
}

#[tokio::test]
async fn the_right_code_opens_the_session_using_up_token_and_step_together() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = mfa_user();
    second_step(&mut ports, &user);
    ports
        .second_factor
        .expect_verify()
        .withf(|_, code, at, after| code == "123456" && *at == now() && *after == Some(100))
        .returning(|_, _, _, _| Some(101));
    ports
        .mfa
        .expect_complete_login()
        .times(1)
        .returning(move |login, effects| {
            assert_eq!(login.token.expose(), "mfa-hash");
            assert_eq!(login.code, CodeUse::TotpStep(101));
            assert_eq!(login.session.opened_with.expose(), "stored-hash");
            let kinds: Vec<_> = effects.events.iter().map(|e| e.kind).collect();
            assert_eq!(kinds, [EventKind::LoginSucceeded]);
            Ok(login.session.to_session())
        });
    ports
        .throttle
        .expect_record_success()
        .with(eq("ada@example.com"))
        .times(1)
        .returning(|_| Ok(()));

    let pair = ports
        .sign_in()
        .complete_mfa_login(command(totp("123456")), &context())
        .await
        .unwrap();

    assert_eq!(pair.refresh_token.expose(), "new-refresh");
}

#[tokio::test]
async fn a_wrong_code_counts_a_failure_and_records_mfa_failed() {
    let mut ports = MockPorts::new();
    let user = mfa_user();
    second_step(&mut ports, &user);
    ports
        .second_factor
        .expect_verify()
        .returning(|_, _, _, _| None);
    ports.mfa.expect_complete_login().never();
    ports
        .throttle
        .expect_record_failure()
        .times(1)
        .returning(|key, _, _, failed, locked| {
            assert_eq!(key, "ada@example.com");
            assert_eq!(failed.events[0].kind, EventKind::MfaFailed);
            assert_eq!(locked.events[0].kind, EventKind::LockedOut);
            Ok(None)
        });

    let result = ports
        .sign_in()
        .complete_mfa_login(command(totp("000000")), &context())
        .await;

    assert!(matches!(result, Err(CompleteMfaLoginError::InvalidCode)));
}

#[tokio::test]
async fn a_code_whose_step_another_request_used_meanwhile_counts_as_wrong() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = mfa_user();
    second_step(&mut ports, &user);
    ports
        .second_factor
        .expect_verify()
        .returning(|_, _, _, _| Some(101));
    ports
        .mfa
        .expect_complete_login()
        .returning(|_, _| Err(MfaLoginError::CodeRefused));
    ports
        .throttle
        .expect_record_failure()
        .times(1)
        .returning(|_, _, _, _, _| Ok(None));

    let result = ports
        .sign_in()
        .complete_mfa_login(command(totp("123456")), &context())
        .await;

    assert!(matches!(result, Err(CompleteMfaLoginError::InvalidCode)));
}

#[tokio::test]
async fn a_recovery_code_is_used_up_by_its_keyed_hash_and_recorded() {
    let mut ports = MockPorts::new().with_working_tokens();
    let user = mfa_user();
    second_step(&mut ports, &user);
    ports
        .second_factor
        .expect_recovery_code_hash()
        .with(eq("abcde-fghij"))
        .returning(|_| TokenHash::new("recovery-hash".into()));
    ports
        .mfa
        .expect_complete_login()
        .returning(move |login, effects| {
            assert_eq!(
                login.code,
                CodeUse::RecoveryCode(TokenHash::new("recovery-hash".into()))
            );
            let kinds: Vec<_> = effects.events.iter().map(|e| e.kind).collect();
            assert_eq!(
                kinds,
                [EventKind::RecoveryCodeUsed, EventKind::LoginSucceeded]
            );
            Ok(login.session.to_session())
        });
    ports.throttle.expect_record_success().returning(|_| Ok(()));

    let result = ports
        .sign_in()
        .complete_mfa_login(
            command(MfaCode::Recovery(Secret::from("abcde-fghij"))),
            &context(),
        )
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn a_locked_account_is_refused_before_any_code_is_checked() {
    let mut ports = MockPorts::new();
    let user = mfa_user();
    ports
        .secrets
        .expect_hash()
        .returning(|_| TokenHash::new("mfa-hash".into()));
    let user_id = user.id;
    ports.mfa.expect_find_login_token().returning(move |_| {
        Ok(Some(MfaToken {
            user_id,
            created_at: now(),
            expires_at: now() + Duration::minutes(5),
            used_at: None,
        }))
    });
    let found = user.clone();
    ports
        .users
        .expect_find_by_id()
        .returning(move |_| Ok(Some(found.clone())));
    let stored = enrolment(&user);
    ports
        .mfa
        .expect_find_enrolment()
        .returning(move |_| Ok(Some(stored.clone())));
    ports.throttle.expect_begin_attempt().returning(|_, _, _| {
        Ok(Admission::Locked {
            until: now() + Duration::seconds(120),
        })
    });
    ports.second_factor.expect_verify().never();
    ports.mfa.expect_complete_login().never();

    let result = ports
        .sign_in()
        .complete_mfa_login(command(totp("123456")), &context())
        .await;

    assert!(matches!(
        result,
        Err(CompleteMfaLoginError::LockedOut {
            retry_after_secs: 120
        })
    ));
}

#[tokio::test]
async fn a_used_or_expired_mfa_token_is_invalid_unchecked() {
    for (expires_in, used_at) in [(-1, None), (60, Some(now()))] {
        let mut ports = MockPorts::new();
        let user_id = mfa_user().id;
        ports
            .secrets
            .expect_hash()
            .returning(|_| TokenHash::new("mfa-hash".into()));
        ports.mfa.expect_find_login_token().returning(move |_| {
            Ok(Some(MfaToken {
                user_id,
                created_at: now() - Duration::minutes(5),
                expires_at: now() + Duration::seconds(expires_in),
                used_at,
            }))
        });
        ports.throttle.expect_begin_attempt().never();

        let result = ports
            .sign_in()
            .complete_mfa_login(command(totp("123456")), &context())
            .await;

        assert!(matches!(result, Err(CompleteMfaLoginError::InvalidToken)));
    }
}

#[tokio::test]
async fn with_mfa_on_the_right_password_issues_an_mfa_token_and_keeps_the_failure_count() {
    let mut ports = MockPorts::new();
    let user = mfa_user();
    let user_id = user.id;
    ports
        .throttle
        .expect_begin_attempt()
        .returning(|_, _, _| Ok(Admission::Check));
    ports
        .users
        .expect_find_by_email()
        .return_once(move |_| Ok(Some(user)));
    ports.hasher.expect_verify().returning(|_, _| Ok(true));
    ports.hasher.expect_needs_rehash().returning(|_| false);
    ports.throttle.expect_record_success().never();
    ports
        .throttle
        .expect_abandon()
        .with(eq("ada@example.com"))
        .times(1)
        .returning(|_| Ok(()));
    ports.secrets.expect_generate().returning(|| {
        (
            domain::SecretToken::new("mfa-token".into()),
            TokenHash::new("mfa-token-hash".into()),
        )
    });
    ports
        .mfa
        .expect_issue_login_token()
        .times(1)
        .returning(move |token| {
            assert_eq!(token.user_id, user_id);
            assert_eq!(token.hash.expose(), "mfa-token-hash");
            assert_eq!(token.expires_at, now() + Duration::minutes(5));
            Ok(())
        });
    ports.sessions.expect_create().never();

    let result = ports
        .sign_in()
        .login(
            LoginCommand {
                email: email("ada@example.com"),
                password: PlainPassword::new("correct horse battery staple"),
            },
            &context(),
        )
        .await;

    match result {
        Err(LoginError::MfaRequired { mfa_token }) => assert_eq!(mfa_token.expose(), "mfa-token"),
        other => panic!("{other:?}"),
    }
}
