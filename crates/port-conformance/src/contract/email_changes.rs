//! `UserRepository::change_email`: the one-time token it uses up, the order
//! of its refusals, and its races.

use std::sync::Arc;

use domain::ports::{SessionRepository, UserRepository};
use domain::{ChangeEmailError, Effects, Email, EndSessions, EventKind, UserChange};

use crate::Harness;
use crate::contract::support::*;
use crate::contract::user_changes::{
    DEACTIVATION, assert_no_effects, every_effect, issued_email_change, reload, verification,
};

pub(crate) async fn an_email_change_with_an_unusable_token_is_token_unusable_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let owner = f.user().await;
    let new_email = Email::parse("grace@example.com").unwrap();
    let used = issued_email_change(&f, user.id, &new_email, "used").await;
    f.db.redeem_token(
        used.clone(),
        UserChange::new(user.id, t0() + secs(1)),
        Effects::none(),
    )
    .await
    .unwrap();
    let user = reload(&f, &user).await;
    let theirs = issued_email_change(&f, owner.id, &new_email, "theirs").await;
    let voided = issued_email_change(&f, user.id, &new_email, "voided").await;
    // Voids `voided`.
    let expiring = issued_email_change(&f, user.id, &new_email, "expiring").await;
    let expires_at = f.stored_token(&expiring).await.unwrap().expires_at;
    let at = t0() + secs(5);

    for (token, at) in [
        (used, at),
        (voided, at),
        (theirs.clone(), at),
        (hash("never issued"), at),
        (expiring.clone(), expires_at),
    ] {
        let mut change = verification(user.id, at);
        change.end_sessions = EndSessions::All;

        let result =
            f.db.change_email(
                token.clone(),
                new_email.clone(),
                change,
                every_effect(user.id, at, "t"),
            )
            .await;

        assert!(
            matches!(result, Err(ChangeEmailError::TokenUnusable)),
            "{token:?}: {result:?}"
        );
    }
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.db.find_by_email(&new_email).await.unwrap(), None);
    assert_eq!(f.stored_token(&theirs).await.unwrap().used_at, None);
    assert_eq!(f.stored_token(&expiring).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
}

pub(crate) async fn an_email_change_with_an_unusable_token_to_a_taken_address_is_token_unusable<
    H: Harness,
>(
    f: Fixture<H>,
) {
    // The token is checked before the address: the caller answers 422 for
    // an unusable token, 409 for a taken address.
    let taken = UserRepository::create(&f.db, new_user("grace@example.com"), Effects::none())
        .await
        .unwrap();
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let used = issued_email_change(&f, user.id, &taken.email, "used").await;
    f.db.redeem_token(
        used.clone(),
        UserChange::new(user.id, t0() + secs(1)),
        Effects::none(),
    )
    .await
    .unwrap();
    let user = reload(&f, &user).await;
    let theirs = issued_email_change(&f, taken.id, &taken.email, "theirs").await;
    let expiring = issued_email_change(&f, user.id, &taken.email, "expiring").await;
    let expires_at = f.stored_token(&expiring).await.unwrap().expires_at;
    let at = t0() + secs(5);

    for (token, at) in [
        (used, at),
        (theirs.clone(), at),
        (hash("never issued"), at),
        (expiring.clone(), expires_at),
    ] {
        let mut change = verification(user.id, at);
        change.end_sessions = EndSessions::All;

        let result =
            f.db.change_email(
                token.clone(),
                taken.email.clone(),
                change,
                every_effect(user.id, at, "t"),
            )
            .await;

        assert!(
            matches!(result, Err(ChangeEmailError::TokenUnusable)),
            "{token:?}: {result:?}"
        );
    }
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(reload(&f, &taken).await, taken);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_eq!(f.stored_token(&theirs).await.unwrap().used_at, None);
    assert_eq!(f.stored_token(&expiring).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
}

pub(crate) async fn concurrent_email_changes_with_one_token_have_exactly_one_winner<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let first = Email::parse("new.1@example.com").unwrap();
    let change_token = issued_email_change(&f, user.id, &first, "change").await;
    let db = Arc::new(f.db.clone());

    // Each to an address of its own, so that only the token is contended.
    let attempts: Vec<_> = (1..=10)
        .map(|i| {
            let db = Arc::clone(&db);
            let email = Email::parse(&format!("new.{i}@example.com")).unwrap();
            let change = UserChange::new(user.id, t0() + secs(i));
            let token = change_token.clone();
            let effects = Effects::event(event(user.id, EventKind::EmailChanged, change.at));
            tokio::spawn(async move { db.change_email(token, email, change, effects).await })
        })
        .collect();
    let mut winners = Vec::new();
    for (i, attempt) in (1..=10).zip(attempts) {
        match attempt.await.unwrap() {
            Ok(_) => winners.push(i),
            Err(ChangeEmailError::TokenUnusable) => {}
            Err(other) => panic!("attempt {i}: {other:?}"),
        }
    }

    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let winner = winners[0];
    assert_eq!(
        reload(&f, &user).await.email.as_str(),
        format!("new.{winner}@example.com")
    );
    assert_eq!(f.db.find_by_email(&user.email).await.unwrap(), None);
    assert_eq!(f.events(user.id).await.len(), 1);
}

pub(crate) async fn an_email_change_that_requires_an_active_account_is_not_found_for_a_deactivated_one<
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
    let user = reload(&f, &user).await;
    let new_email = Email::parse("grace@example.com").unwrap();
    let change_token = issued_email_change(&f, user.id, &new_email, "change").await;
    let mut change = verification(user.id, t0() + secs(2));
    change.require_active = true;

    let result =
        f.db.change_email(change_token.clone(), new_email, change, Effects::none())
            .await;

    assert!(
        matches!(result, Err(ChangeEmailError::NotFound)),
        "{result:?}"
    );
    assert_eq!(f.stored_token(&change_token).await.unwrap().used_at, None);
    assert_eq!(reload(&f, &user).await, user);
}
