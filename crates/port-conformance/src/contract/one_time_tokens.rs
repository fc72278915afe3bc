//! `OneTimeTokenRepository` contract, and tokens stored with the changes that
//! carry them in `Effects::tokens`.

use domain::ports::{OneTimeTokenRepository, UserRepository};
use domain::{
    Effects, EventKind, InfraError, MailKind, NewOneTimeToken, OneTimeToken, TokenPurpose,
    UserChange, UserId,
};

use crate::Harness;
use crate::contract::support::*;
use crate::contract::user_changes::issued_email_change;

/// What `find` reads back for `token`, used at `used_at`.
fn stored(token: &NewOneTimeToken, used_at: Option<domain::Timestamp>) -> OneTimeToken {
    OneTimeToken {
        hash: token.hash.clone(),
        user_id: token.user_id,
        purpose: token.purpose,
        new_email: token.new_email.clone(),
        created_at: token.created_at,
        expires_at: token.expires_at,
        used_at,
    }
}

pub(crate) async fn an_issued_token_reads_back_exactly_with_its_effects_written<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let new = token(user.id, TokenPurpose::ChangeEmail, "t1", t0() + secs(5));
    let requested = event(user.id, EventKind::EmailChangeRequested, new.created_at);
    let confirm = mail(MailKind::EmailChangeConfirm, "new.address@example.com");
    let effects = Effects::event(requested.clone()).with_mail(confirm.clone());

    f.db.issue(new.clone(), effects).await.unwrap();

    let found = f.stored_token(&new.hash).await;
    assert_eq!(found, Some(stored(&new, None)));
    assert!(found.unwrap().is_usable(new.created_at));
    assert_eq!(f.events(user.id).await, vec![requested]);
    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].queued.mail, confirm);
    assert_eq!(outbox[0].queued.created_at, new.created_at);
}

pub(crate) async fn an_issued_token_of_every_purpose_reads_back<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    for purpose in TokenPurpose::ALL {
        let new = token(user.id, purpose, purpose.as_str(), t0());

        f.db.issue(new.clone(), Effects::none()).await.unwrap();

        assert_eq!(
            f.stored_token(&new.hash).await,
            Some(stored(&new, None)),
            "{purpose:?}"
        );
    }
}

pub(crate) async fn issuing_voids_the_earlier_unused_tokens_of_the_same_user_and_purpose_only<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let other_user = f.user().await;
    let first = token(user.id, TokenPurpose::ResetPassword, "reset-1", t0());
    let second = token(
        user.id,
        TokenPurpose::ResetPassword,
        "reset-2",
        t0() + secs(1),
    );
    let verify = token(user.id, TokenPurpose::VerifyEmail, "verify", t0() + secs(2));
    let others = token(other_user.id, TokenPurpose::ResetPassword, "others", t0());
    for earlier in [&first, &second, &verify, &others] {
        f.db.issue(earlier.clone(), Effects::none()).await.unwrap();
    }
    let newest = token(
        user.id,
        TokenPurpose::ResetPassword,
        "reset-3",
        t0() + secs(10),
    );

    f.db.issue(newest.clone(), Effects::none()).await.unwrap();

    let voided_at = Some(newest.created_at);
    assert_eq!(
        f.stored_token(&first.hash).await,
        // Voided by `second` already.
        Some(stored(&first, Some(second.created_at)))
    );
    assert_eq!(
        f.stored_token(&second.hash).await,
        Some(stored(&second, voided_at))
    );
    assert_eq!(
        f.stored_token(&newest.hash).await,
        Some(stored(&newest, None))
    );
    assert_eq!(
        f.stored_token(&verify.hash).await,
        Some(stored(&verify, None))
    );
    assert_eq!(
        f.stored_token(&others.hash).await,
        Some(stored(&others, None))
    );
}

pub(crate) async fn a_used_token_keeps_its_use_time_when_a_newer_one_is_issued<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let used = token(user.id, TokenPurpose::VerifyEmail, "used", t0());
    f.db.issue(used.clone(), Effects::none()).await.unwrap();
    let mut change = UserChange::new(user.id, t0() + secs(5));
    change.email_verified = Some(true);
    f.db.redeem_token(used.hash.clone(), change, Effects::none())
        .await
        .unwrap();

    f.db.issue(
        token(user.id, TokenPurpose::VerifyEmail, "newer", t0() + secs(10)),
        Effects::none(),
    )
    .await
    .unwrap();

    assert_eq!(
        f.stored_token(&used.hash).await,
        Some(stored(&used, Some(t0() + secs(5))))
    );
}

pub(crate) async fn a_token_for_an_unknown_user_is_not_issued_and_its_effects_are_not_written<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let new = token(UserId::generate(), TokenPurpose::VerifyEmail, "t1", t0());
    let effects = Effects::none().with_mail(mail(MailKind::VerifyEmail, "ada@example.com"));

    let result = f.db.issue(new.clone(), effects).await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
    assert_eq!(f.stored_token(&new.hash).await, None);
    assert_eq!(f.outbox().await, vec![]);
}

pub(crate) async fn a_token_whose_effect_cannot_be_written_is_not_issued<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let earlier = token(user.id, TokenPurpose::VerifyEmail, "earlier", t0());
    f.db.issue(earlier.clone(), Effects::none()).await.unwrap();
    let new = token(user.id, TokenPurpose::VerifyEmail, "new", t0() + secs(1));
    let orphan = event(UserId::generate(), EventKind::Registered, new.created_at);

    let result = f.db.issue(new.clone(), Effects::event(orphan)).await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
    assert_eq!(f.stored_token(&new.hash).await, None);
    // Not voided either.
    assert_eq!(
        f.stored_token(&earlier.hash).await,
        Some(stored(&earlier, None))
    );
}

pub(crate) async fn finding_an_unknown_token_is_none<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    f.db.issue(
        token(user.id, TokenPurpose::VerifyEmail, "t1", t0()),
        Effects::none(),
    )
    .await
    .unwrap();

    assert_eq!(f.stored_token(&hash("never issued")).await, None);
}

pub(crate) async fn tokens_in_the_effects_of_a_change_are_stored_like_issued_ones<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let earlier = token(user.id, TokenPurpose::VerifyEmail, "earlier", t0());
    let reset = token(user.id, TokenPurpose::ResetPassword, "reset", t0());
    for issued in [&earlier, &reset] {
        f.db.issue(issued.clone(), Effects::none()).await.unwrap();
    }
    let at = t0() + secs(30);
    let new = token(user.id, TokenPurpose::VerifyEmail, "new", at);
    let grace = domain::Email::parse("grace@example.com").unwrap();
    let change_token = issued_email_change(&f, user.id, &grace, "change").await;
    let mut change = UserChange::new(user.id, at);
    change.email_verified = Some(false);

    f.db.change_email(
        change_token,
        grace,
        change,
        Effects::none().with_token(new.clone()),
    )
    .await
    .unwrap();

    assert_eq!(f.stored_token(&new.hash).await, Some(stored(&new, None)));
    assert_eq!(
        f.stored_token(&earlier.hash).await,
        Some(stored(&earlier, Some(at)))
    );
    assert_eq!(
        f.stored_token(&reset.hash).await,
        Some(stored(&reset, None))
    );
}

pub(crate) async fn tokens_in_the_effects_of_a_new_user_are_stored_with_it<H: Harness>(
    f: Fixture<H>,
) {
    let user = new_user("ada@example.com");
    let verify = token(
        user.id,
        TokenPurpose::VerifyEmail,
        "verify",
        user.created_at,
    );
    let effects = Effects::event(event(user.id, EventKind::Registered, user.created_at))
        .with_token(verify.clone())
        .with_mail(mail(MailKind::Welcome, "ada@example.com"));

    UserRepository::create(&f.db, user, effects).await.unwrap();

    assert_eq!(
        f.stored_token(&verify.hash).await,
        Some(stored(&verify, None))
    );
    assert_eq!(f.outbox().await.len(), 1);
}
