//! `MfaRepository` contract: enrolments, codes used once, `mfa_token`s.

use domain::ports::{MfaRepository, SessionRepository, UserRepository};
use domain::{
    CodeUse, CodeUseError, Effects, EndSessions, EventKind, MfaLogin, MfaLoginError, MfaRemoval,
    NewMfaToken, SealedSecret, Session, TokenHash, TotpConfirmation, TotpStartError, User,
    UserChange, UserId,
};

use crate::Harness;
use crate::contract::support::*;

fn sealed(byte: u8) -> SealedSecret {
    SealedSecret::new(vec![byte; 40])
}

fn codes(prefix: &str) -> Vec<TokenHash> {
    (0..10).map(|i| hash(&format!("{prefix}-{i}"))).collect()
}

fn confirmation(user: UserId, secret: u8, step: u64, end: EndSessions) -> TotpConfirmation {
    TotpConfirmation {
        user_id: user,
        sealed_secret: sealed(secret),
        step,
        recovery_codes: codes("rc"),
        at: t0() + secs(10),
        end_sessions: end,
    }
}

/// A user with two-factor on (secret 1, step 100 used, codes `rc-0`..`rc-9`).
async fn enrolled<H: Harness>(f: &Fixture<H>) -> User {
    let user = f.user().await;
    f.db.start_enrolment(user.id, sealed(1), t0(), Effects::none())
        .await
        .unwrap();
    f.db.confirm_enrolment(
        confirmation(user.id, 1, 100, EndSessions::None),
        Effects::none(),
    )
    .await
    .unwrap();
    user
}

async fn reloaded<H: Harness>(f: &Fixture<H>, user: &User) -> User {
    UserRepository::find_by_id(&f.db, user.id)
        .await
        .unwrap()
        .unwrap()
}

async fn replace<H: Harness>(
    f: &Fixture<H>,
    user: &User,
    code: CodeUse,
) -> Result<(), CodeUseError> {
    f.db.replace_recovery_codes(
        user.id,
        code,
        codes("new"),
        t0() + secs(20),
        Effects::none(),
    )
    .await
}

fn mfa_token(user: UserId, text: &str) -> NewMfaToken {
    NewMfaToken {
        hash: hash(text),
        user_id: user,
        created_at: t0(),
        expires_at: t0() + secs(300),
    }
}

fn login(user: UserId, token: &str, code: CodeUse, refresh: &str, seconds_later: i64) -> MfaLogin {
    let mut session = new_session(user, refresh);
    session.created_at = t0() + secs(seconds_later);
    MfaLogin {
        token: hash(token),
        code,
        session,
    }
}

pub(crate) async fn a_started_enrolment_is_pending_and_a_restart_replaces_it<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    f.db.start_enrolment(user.id, sealed(1), t0(), Effects::none())
        .await
        .unwrap();
    f.db.start_enrolment(user.id, sealed(2), t0() + secs(1), Effects::none())
        .await
        .unwrap();

    let enrolment = f.db.find_enrolment(user.id).await.unwrap().unwrap();
    assert_eq!(enrolment.sealed_secret, sealed(2));
    assert_eq!(enrolment.created_at, t0() + secs(1));
    assert_eq!(enrolment.confirmed_at, None);
    assert_eq!(enrolment.last_used_step, None);
    assert!(!reloaded(&f, &user).await.mfa_enabled);
    assert_eq!(f.db.find_enrolment(UserId::generate()).await.unwrap(), None);
}

pub(crate) async fn starting_while_on_is_already_enabled_and_for_nobody_user_not_found<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = enrolled(&f).await;
    let again =
        f.db.start_enrolment(user.id, sealed(9), t0(), Effects::none())
            .await;
    let nobody =
        f.db.start_enrolment(UserId::generate(), sealed(9), t0(), Effects::none())
            .await;

    assert!(
        matches!(again, Err(TotpStartError::AlreadyEnabled)),
        "{again:?}"
    );
    assert!(
        matches!(nobody, Err(TotpStartError::UserNotFound)),
        "{nobody:?}"
    );
    assert_eq!(
        f.db.find_enrolment(user.id)
            .await
            .unwrap()
            .unwrap()
            .sealed_secret,
        sealed(1)
    );
}

pub(crate) async fn confirming_turns_it_on_with_its_step_events_and_ended_sessions<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let kept = SessionRepository::create(&f.db, new_session(user.id, "keep"), Effects::none())
        .await
        .unwrap();
    let other = SessionRepository::create(&f.db, new_session(user.id, "other"), Effects::none())
        .await
        .unwrap();
    f.db.start_enrolment(user.id, sealed(1), t0(), Effects::none())
        .await
        .unwrap();
    let on = event(user.id, EventKind::MfaEnabled, t0() + secs(10));

    f.db.confirm_enrolment(
        confirmation(user.id, 1, 100, EndSessions::AllExcept(kept.id)),
        Effects::event(on.clone()),
    )
    .await
    .unwrap();

    let enrolment = f.db.find_enrolment(user.id).await.unwrap().unwrap();
    assert_eq!(enrolment.confirmed_at, Some(t0() + secs(10)));
    assert_eq!(enrolment.last_used_step, Some(100));
    assert!(reloaded(&f, &user).await.mfa_enabled);
    assert_eq!(f.stored_session(kept.id).await.unwrap().revoked_at, None);
    assert_eq!(
        f.stored_session(other.id).await.unwrap().revoked_at,
        Some(t0() + secs(10))
    );
    assert_eq!(f.events(user.id).await, vec![on]);
}

pub(crate) async fn confirming_another_secret_or_twice_is_code_refused_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    f.db.start_enrolment(user.id, sealed(1), t0(), Effects::none())
        .await
        .unwrap();
    let event = event(user.id, EventKind::MfaEnabled, t0());

    let other =
        f.db.confirm_enrolment(
            confirmation(user.id, 2, 100, EndSessions::None),
            Effects::event(event.clone()),
        )
        .await;
    assert!(matches!(other, Err(CodeUseError::CodeRefused)), "{other:?}");
    assert!(!reloaded(&f, &user).await.mfa_enabled);
    assert!(f.events(user.id).await.is_empty());

    f.db.confirm_enrolment(
        confirmation(user.id, 1, 100, EndSessions::None),
        Effects::none(),
    )
    .await
    .unwrap();
    let twice =
        f.db.confirm_enrolment(
            confirmation(user.id, 1, 200, EndSessions::None),
            Effects::none(),
        )
        .await;
    assert!(matches!(twice, Err(CodeUseError::CodeRefused)), "{twice:?}");
    let nobody =
        f.db.confirm_enrolment(
            confirmation(UserId::generate(), 1, 100, EndSessions::None),
            Effects::none(),
        )
        .await;
    assert!(
        matches!(nobody, Err(CodeUseError::CodeRefused)),
        "{nobody:?}"
    );
}

pub(crate) async fn a_totp_step_is_used_once_and_only_later_steps_pass<H: Harness>(f: Fixture<H>) {
    let user = enrolled(&f).await;

    // Step 100 confirmed the enrolment: it and earlier ones are used.
    for used in [99, 100] {
        let result = replace(&f, &user, CodeUse::TotpStep(used)).await;
        assert!(
            matches!(result, Err(CodeUseError::CodeRefused)),
            "{used}: {result:?}"
        );
    }
    replace(&f, &user, CodeUse::TotpStep(101)).await.unwrap();
    let replay = replace(&f, &user, CodeUse::TotpStep(101)).await;
    assert!(
        matches!(replay, Err(CodeUseError::CodeRefused)),
        "{replay:?}"
    );
    assert_eq!(
        f.db.find_enrolment(user.id)
            .await
            .unwrap()
            .unwrap()
            .last_used_step,
        Some(101)
    );
}

pub(crate) async fn each_recovery_code_works_once_and_new_codes_void_the_old<H: Harness>(
    f: Fixture<H>,
) {
    let user = enrolled(&f).await;
    let other = enrolled(&f).await;
    let regenerated = event(
        user.id,
        EventKind::RecoveryCodesRegenerated,
        t0() + secs(20),
    );

    f.db.replace_recovery_codes(
        user.id,
        CodeUse::RecoveryCode(hash("rc-3")),
        codes("new"),
        t0() + secs(20),
        Effects::event(regenerated.clone()),
    )
    .await
    .unwrap();
    assert_eq!(f.events(user.id).await, vec![regenerated]);

    for refused in ["rc-3", "rc-4", "unknown"] {
        let result = replace(&f, &user, CodeUse::RecoveryCode(hash(refused))).await;
        assert!(
            matches!(result, Err(CodeUseError::CodeRefused)),
            "{refused}: {result:?}"
        );
    }
    replace(&f, &user, CodeUse::RecoveryCode(hash("new-0")))
        .await
        .unwrap();
    // The old set is voided for `user` only.
    replace(&f, &other, CodeUse::RecoveryCode(hash("rc-4")))
        .await
        .unwrap();
}

pub(crate) async fn removing_turns_it_off_with_its_code_and_removing_when_off_is_refused<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = enrolled(&f).await;
    let session = SessionRepository::create(&f.db, new_session(user.id, "s"), Effects::none())
        .await
        .unwrap();
    let wrong =
        f.db.remove(
            MfaRemoval {
                user_id: user.id,
                code: Some(CodeUse::TotpStep(100)),
                end_sessions: EndSessions::None,
                at: t0() + secs(30),
            },
            Effects::none(),
        )
        .await;
    assert!(matches!(wrong, Err(CodeUseError::CodeRefused)), "{wrong:?}");
    assert!(reloaded(&f, &user).await.mfa_enabled);

    let off = event(user.id, EventKind::MfaDisabled, t0() + secs(30));
    f.db.remove(
        MfaRemoval {
            user_id: user.id,
            code: Some(CodeUse::RecoveryCode(hash("rc-0"))),
            end_sessions: EndSessions::None,
            at: t0() + secs(30),
        },
        Effects::event(off.clone()),
    )
    .await
    .unwrap();

    assert!(!reloaded(&f, &user).await.mfa_enabled);
    assert_eq!(f.db.find_enrolment(user.id).await.unwrap(), None);
    assert_eq!(f.stored_session(session.id).await.unwrap().revoked_at, None);
    assert_eq!(f.events(user.id).await, vec![off]);
    let again =
        f.db.remove(
            MfaRemoval {
                user_id: user.id,
                code: None,
                end_sessions: EndSessions::All,
                at: t0() + secs(40),
            },
            Effects::none(),
        )
        .await;
    assert!(matches!(again, Err(CodeUseError::CodeRefused)), "{again:?}");
    // Back on with a new enrolment, the old codes do not work.
    f.db.start_enrolment(user.id, sealed(3), t0() + secs(50), Effects::none())
        .await
        .unwrap();
    let mut confirm = confirmation(user.id, 3, 200, EndSessions::None);
    confirm.recovery_codes = codes("third");
    f.db.confirm_enrolment(confirm, Effects::none())
        .await
        .unwrap();
    let old = replace(&f, &user, CodeUse::RecoveryCode(hash("rc-1"))).await;
    assert!(matches!(old, Err(CodeUseError::CodeRefused)), "{old:?}");
}

pub(crate) async fn an_admin_removal_needs_no_code_and_ends_the_sessions_it_names<H: Harness>(
    f: Fixture<H>,
) {
    let user = enrolled(&f).await;
    let session = SessionRepository::create(&f.db, new_session(user.id, "s"), Effects::none())
        .await
        .unwrap();

    f.db.remove(
        MfaRemoval {
            user_id: user.id,
            code: None,
            end_sessions: EndSessions::All,
            at: t0() + secs(30),
        },
        Effects::none(),
    )
    .await
    .unwrap();

    assert!(!reloaded(&f, &user).await.mfa_enabled);
    assert_eq!(
        f.stored_session(session.id).await.unwrap().revoked_at,
        Some(t0() + secs(30))
    );
}

pub(crate) async fn an_mfa_token_completes_one_login_using_up_its_code<H: Harness>(f: Fixture<H>) {
    let user = enrolled(&f).await;
    f.db.issue_login_token(mfa_token(user.id, "m1"))
        .await
        .unwrap();
    f.db.issue_login_token(mfa_token(user.id, "m2"))
        .await
        .unwrap();
    let stored = f.db.find_login_token(&hash("m1")).await.unwrap().unwrap();
    assert_eq!(stored.user_id, user.id);
    assert_eq!(stored.expires_at, t0() + secs(300));
    assert_eq!(stored.used_at, None);
    let succeeded = event(user.id, EventKind::LoginSucceeded, t0() + secs(60));

    let session: Session =
        f.db.complete_login(
            login(user.id, "m1", CodeUse::TotpStep(101), "r1", 60),
            Effects::event(succeeded.clone()),
        )
        .await
        .unwrap();

    assert_eq!(session.user_id, user.id);
    assert_eq!(f.stored_session(session.id).await, Some(session));
    assert_eq!(f.events(user.id).await, vec![succeeded]);
    assert_eq!(
        f.db.find_login_token(&hash("m1"))
            .await
            .unwrap()
            .unwrap()
            .used_at,
        Some(t0() + secs(60))
    );
    let again =
        f.db.complete_login(
            login(user.id, "m1", CodeUse::TotpStep(102), "r2", 61),
            Effects::none(),
        )
        .await;
    assert!(
        matches!(again, Err(MfaLoginError::TokenUnusable)),
        "{again:?}"
    );
    // A newer token does not void an older one; the used step stays used.
    let replay =
        f.db.complete_login(
            login(user.id, "m2", CodeUse::TotpStep(101), "r3", 62),
            Effects::none(),
        )
        .await;
    assert!(
        matches!(replay, Err(MfaLoginError::CodeRefused)),
        "{replay:?}"
    );
    f.db.complete_login(
        login(user.id, "m2", CodeUse::TotpStep(102), "r4", 63),
        Effects::none(),
    )
    .await
    .unwrap();
}

pub(crate) async fn an_expired_unknown_or_foreign_mfa_token_is_unusable_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = enrolled(&f).await;
    let other = enrolled(&f).await;
    f.db.issue_login_token(mfa_token(user.id, "m1"))
        .await
        .unwrap();
    let event = event(user.id, EventKind::LoginSucceeded, t0());

    for attempt in [
        login(user.id, "m1", CodeUse::TotpStep(101), "r1", 300),
        login(user.id, "nope", CodeUse::TotpStep(101), "r2", 1),
        login(other.id, "m1", CodeUse::TotpStep(101), "r3", 1),
    ] {
        let result =
            f.db.complete_login(attempt, Effects::event(event.clone()))
                .await;
        assert!(
            matches!(result, Err(MfaLoginError::TokenUnusable)),
            "{result:?}"
        );
    }
    assert!(f.events(user.id).await.is_empty());
    // The step was not used up by the refusals.
    f.db.complete_login(
        login(user.id, "m1", CodeUse::TotpStep(101), "r4", 1),
        Effects::none(),
    )
    .await
    .unwrap();
}

pub(crate) async fn a_login_whose_password_changed_meanwhile_is_refused_and_tokens_die_with_sessions<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = enrolled(&f).await;
    f.db.issue_login_token(mfa_token(user.id, "m1"))
        .await
        .unwrap();
    let mut changed = login(user.id, "m1", CodeUse::TotpStep(101), "r1", 1);
    changed.session.opened_with = domain::PasswordHash::new("another hash".into());

    let result = f.db.complete_login(changed, Effects::none()).await;
    assert!(
        matches!(result, Err(MfaLoginError::CredentialsChanged)),
        "{result:?}"
    );

    // A change that ends every session also ends logins in mid-flight.
    let change = UserChange {
        end_sessions: EndSessions::All,
        ..UserChange::new(user.id, t0() + secs(2))
    };
    UserRepository::apply_change(&f.db, change, Effects::none())
        .await
        .unwrap();
    assert_eq!(f.db.find_login_token(&hash("m1")).await.unwrap(), None);
}

pub(crate) async fn concurrent_logins_with_one_code_have_exactly_one_winner<H: Harness>(
    f: Fixture<H>,
) {
    let user = enrolled(&f).await;
    f.db.issue_login_token(mfa_token(user.id, "m1"))
        .await
        .unwrap();
    f.db.issue_login_token(mfa_token(user.id, "m2"))
        .await
        .unwrap();
    let (a, b) = (f.db.clone(), f.another_handle());

    let (first, second) = tokio::join!(
        a.complete_login(
            login(user.id, "m1", CodeUse::TotpStep(101), "r1", 1),
            Effects::none()
        ),
        b.complete_login(
            login(user.id, "m2", CodeUse::TotpStep(101), "r2", 1),
            Effects::none()
        ),
    );

    let wins = [first.is_ok(), second.is_ok()];
    assert_eq!(
        wins.iter().filter(|won| **won).count(),
        1,
        "{first:?} {second:?}"
    );
    for result in [first, second] {
        if let Err(error) = result {
            assert!(matches!(error, MfaLoginError::CodeRefused), "{error:?}");
        }
    }
}

pub(crate) async fn deleting_a_user_deletes_its_two_factor_rows<H: Harness>(f: Fixture<H>) {
    let user = enrolled(&f).await;
    f.db.issue_login_token(mfa_token(user.id, "m1"))
        .await
        .unwrap();

    UserRepository::delete(&f.db, user.id, t0() + secs(5), Effects::none())
        .await
        .unwrap();

    assert_eq!(f.db.find_enrolment(user.id).await.unwrap(), None);
    assert_eq!(f.db.find_login_token(&hash("m1")).await.unwrap(), None);
    let token = f.db.issue_login_token(mfa_token(user.id, "m2")).await;
    assert!(token.is_err(), "a token of a deleted user: {token:?}");
}
