//! `UserRepository` changes and one-time tokens: using one up as part of a
//! change (`redeem_token`, `change_email`), voiding others, and the
//! active-account requirement.

use std::sync::Arc;

use chrono::TimeDelta;
use domain::ports::{OneTimeTokenRepository, SessionRepository, UserRepository};
use domain::{
    ChangeEmailError, Effects, Email, EndSessions, EventKind, PasswordHash, RedeemTokenError,
    TokenPurpose, User, UserChange, UserChangeError, UserName,
};

use crate::Harness;
use crate::contract::support::*;
use crate::contract::user_changes::{
    DEACTIVATION, assert_no_effects, every_effect, issued, issued_email_change, reload,
    verification,
};

pub(crate) async fn a_usable_token_is_consumed_once_and_a_second_consume_is_token_unusable_writing_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let first_at = t0() + secs(10);
    let verified = event(user.id, EventKind::EmailVerified, first_at);

    let first =
        f.db.redeem_token(
            verify.clone(),
            verification(user.id, first_at),
            Effects::event(verified.clone()),
        )
        .await
        .unwrap();
    let mut again = verification(user.id, t0() + secs(20));
    again.name = Some(UserName::parse("Someone Else").unwrap());
    let second =
        f.db.redeem_token(
            verify.clone(),
            again,
            every_effect(user.id, t0() + secs(20), "second"),
        )
        .await;

    assert!(first.email_verified);
    assert_eq!(first.updated_at, first_at);
    assert!(
        matches!(second, Err(RedeemTokenError::TokenUnusable)),
        "{second:?}"
    );
    assert_eq!(reload(&f, &user).await, first);
    let used = f.stored_token(&verify).await.unwrap();
    assert_eq!(used.used_at, Some(first_at));
    assert_eq!(f.events(user.id).await, vec![verified]);
    assert_eq!(f.outbox().await, vec![]);
    assert_eq!(f.stored_token(&hash("second")).await, None);
}

pub(crate) async fn an_expired_token_is_token_unusable<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let expires_at = f.stored_token(&verify).await.unwrap().expires_at;

    for at in [expires_at, expires_at + secs(1)] {
        let result =
            f.db.redeem_token(
                verify.clone(),
                verification(user.id, at),
                every_effect(user.id, at, "t"),
            )
            .await;

        assert!(
            matches!(result, Err(RedeemTokenError::TokenUnusable)),
            "at {at}: {result:?}"
        );
    }
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.stored_token(&verify).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
    // A microsecond earlier it still works.
    f.db.redeem_token(
        verify.clone(),
        verification(user.id, expires_at - TimeDelta::microseconds(1)),
        Effects::none(),
    )
    .await
    .unwrap();
}

pub(crate) async fn a_voided_token_is_token_unusable<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let older = issued(&f, user.id, TokenPurpose::ResetPassword, "older").await;
    f.db.issue(
        token(
            user.id,
            TokenPurpose::ResetPassword,
            "newer",
            t0() + secs(1),
        ),
        Effects::none(),
    )
    .await
    .unwrap();

    let result =
        f.db.redeem_token(
            older.clone(),
            verification(user.id, t0() + secs(2)),
            Effects::none(),
        )
        .await;

    assert!(
        matches!(result, Err(RedeemTokenError::TokenUnusable)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
}

pub(crate) async fn a_token_of_another_user_is_token_unusable<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let owner = f.user().await;
    let theirs = issued(&f, owner.id, TokenPurpose::VerifyEmail, "theirs").await;
    let at = t0() + secs(5);

    let result =
        f.db.redeem_token(
            theirs.clone(),
            verification(user.id, at),
            every_effect(user.id, at, "t"),
        )
        .await;

    assert!(
        matches!(result, Err(RedeemTokenError::TokenUnusable)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.stored_token(&theirs).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
}

pub(crate) async fn an_unknown_token_is_token_unusable<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;

    let result =
        f.db.redeem_token(
            hash("never issued"),
            verification(user.id, t0()),
            Effects::none(),
        )
        .await;

    assert!(
        matches!(result, Err(RedeemTokenError::TokenUnusable)),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
}

pub(crate) async fn concurrent_changes_consuming_one_token_have_exactly_one_winner<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let reset = issued(&f, user.id, TokenPurpose::ResetPassword, "reset").await;
    let db = Arc::new(f.db.clone());

    let attempts: Vec<_> = (1..=10)
        .map(|i| {
            let db = Arc::clone(&db);
            let mut change = UserChange::new(user.id, t0() + secs(i));
            change.password_hash = Some(PasswordHash::new(format!("hash-{i}")));
            let token = reset.clone();
            let effects = Effects::event(event(user.id, EventKind::PasswordReset, change.at));
            tokio::spawn(async move { db.redeem_token(token, change, effects).await })
        })
        .collect();
    let mut winners = Vec::new();
    for (i, attempt) in (1..=10).zip(attempts) {
        match attempt.await.unwrap() {
            Ok(_) => winners.push(i),
            Err(RedeemTokenError::TokenUnusable) => {}
            Err(other) => panic!("attempt {i}: {other:?}"),
        }
    }

    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let winner = winners[0];
    assert_eq!(
        reload(&f, &user).await.password_hash,
        PasswordHash::new(format!("hash-{winner}"))
    );
    assert_eq!(f.events(user.id).await.len(), 1);
}

pub(crate) async fn a_change_voids_the_unused_tokens_of_the_purposes_it_names_only<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let other = f.user().await;
    let reset = issued(&f, user.id, TokenPurpose::ResetPassword, "reset").await;
    let email_change = issued(&f, user.id, TokenPurpose::ChangeEmail, "change").await;
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let others_reset = issued(&f, other.id, TokenPurpose::ResetPassword, "others").await;
    let at = t0() + secs(60);
    let mut change = UserChange::new(user.id, at);
    change.void_tokens = vec![TokenPurpose::ResetPassword, TokenPurpose::ChangeEmail];

    f.db.apply_change(change, Effects::none()).await.unwrap();

    for voided in [&reset, &email_change] {
        let stored = f.stored_token(voided).await.unwrap();
        assert_eq!(stored.used_at, Some(at));
    }
    for kept in [&verify, &others_reset] {
        assert_eq!(f.stored_token(kept).await.unwrap().used_at, None);
    }
}

pub(crate) async fn a_change_that_requires_an_active_account_is_not_found_for_a_deactivated_one<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    f.db.change_access(
        DEACTIVATION,
        UserChange::new(user.id, t0() + secs(1)),
        Effects::none(),
    )
    .await
    .unwrap();
    let verify = issued(&f, user.id, TokenPurpose::VerifyEmail, "verify").await;
    let mut change = verification(user.id, t0() + secs(2));
    change.require_active = true;

    let result =
        f.db.redeem_token(verify.clone(), change, Effects::none())
            .await;

    assert!(
        matches!(result, Err(RedeemTokenError::NotFound)),
        "{result:?}"
    );
    assert_eq!(f.stored_token(&verify).await.unwrap().used_at, None);
    assert!(!reload(&f, &user).await.email_verified);
}

pub(crate) async fn a_deactivated_account_is_not_found_only_when_the_change_requires_an_active_one<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let reset = issued(&f, user.id, TokenPurpose::ResetPassword, "reset").await;
    f.db.change_access(
        DEACTIVATION,
        UserChange::new(user.id, t0() + secs(1)),
        Effects::none(),
    )
    .await
    .unwrap();
    let user = reload(&f, &user).await;
    let at = t0() + secs(5);
    let mut change = UserChange::new(user.id, at);
    change.name = Some(UserName::parse("Grace Hopper").unwrap());
    change.password_hash = Some(PasswordHash::new("$2b$12$changed".into()));
    change.end_sessions = EndSessions::All;
    change.void_tokens = vec![TokenPurpose::ResetPassword];
    let mut requiring = change.clone();
    requiring.require_active = true;

    let refused =
        f.db.apply_change(requiring, every_effect(user.id, at, "t"))
            .await;

    assert!(
        matches!(refused, Err(UserChangeError::NotFound)),
        "{refused:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.stored_session(s.id).await, Some(s.clone()));
    assert_eq!(f.stored_token(&reset).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;

    let changed =
        f.db.apply_change(change, every_effect(user.id, at, "t"))
            .await
            .unwrap();

    let expected = User {
        name: UserName::parse("Grace Hopper").unwrap(),
        password_hash: PasswordHash::new("$2b$12$changed".into()),
        updated_at: at,
        ..user.clone()
    };
    assert!(!changed.is_active);
    assert_eq!(changed, expected);
    assert_eq!(reload(&f, &user).await, expected);
    assert_eq!(f.stored_session(s.id).await.unwrap().revoked_at, Some(at));
    assert_eq!(f.stored_token(&reset).await.unwrap().used_at, Some(at));
    assert_eq!(
        f.events(user.id).await,
        vec![event(user.id, EventKind::UpdatedByAdmin, at)]
    );
    assert_eq!(f.outbox().await.len(), 1);
    assert!(f.stored_token(&hash("t")).await.is_some());
}

pub(crate) async fn a_deactivated_account_is_not_found_even_with_an_unusable_token_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let other = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let new_email = Email::parse("grace@example.com").unwrap();
    let used = issued_email_change(&f, user.id, &new_email, "used").await;
    f.db.redeem_token(
        used.clone(),
        UserChange::new(user.id, t0() + secs(1)),
        Effects::none(),
    )
    .await
    .unwrap();
    let theirs = issued_email_change(&f, other.id, &new_email, "theirs").await;
    let expiring = issued_email_change(&f, user.id, &new_email, "expiring").await;
    let expires_at = f.stored_token(&expiring).await.unwrap().expires_at;
    f.db.change_access(
        DEACTIVATION,
        UserChange::new(user.id, t0() + secs(2)),
        Effects::none(),
    )
    .await
    .unwrap();
    let user = reload(&f, &user).await;
    let at = t0() + secs(5);

    // The account is checked first, so each is `NotFound`, not
    // `TokenUnusable`.
    for (token, at) in [
        (used, at),
        (theirs.clone(), at),
        (hash("never issued"), at),
        (expiring.clone(), expires_at),
    ] {
        let mut change = verification(user.id, at);
        change.end_sessions = EndSessions::All;
        change.require_active = true;

        let redeemed =
            f.db.redeem_token(
                token.clone(),
                change.clone(),
                every_effect(user.id, at, "t"),
            )
            .await;
        let changed =
            f.db.change_email(
                token.clone(),
                new_email.clone(),
                change,
                every_effect(user.id, at, "t"),
            )
            .await;

        assert!(
            matches!(redeemed, Err(RedeemTokenError::NotFound)),
            "{token:?}: {redeemed:?}"
        );
        assert!(
            matches!(changed, Err(ChangeEmailError::NotFound)),
            "{token:?}: {changed:?}"
        );
    }
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.db.find_by_email(&new_email).await.unwrap(), None);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_eq!(f.stored_token(&theirs).await.unwrap().used_at, None);
    assert_eq!(f.stored_token(&expiring).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
}
