//! The account changes of `UserRepository`: `apply_change`, and what
//! `change_email` and `change_access` add to it (tokens are in
//! `user_change_tokens.rs`, the last-admin guard in `last_admin.rs`).

use chrono::TimeDelta;
use domain::ports::{OneTimeTokenRepository, SessionRepository, UserRepository};
use domain::{
    AccessChange, AccessChangeError, ChangeEmailError, Effects, Email, EndSessions, EventKind,
    InfraError, MailKind, NewOneTimeToken, PasswordHash, RedeemTokenError, RefreshRotation, Role,
    Session, Timestamp, TokenHash, TokenPurpose, User, UserChange, UserChangeError, UserId,
    UserName,
};

use crate::Harness;
use crate::contract::support::*;

/// Effects of every kind, to see whether a change wrote them: an event for
/// `user`, a mail, and a token `token_hash` of `user`.
pub(crate) fn every_effect(user: UserId, at: Timestamp, token_hash: &str) -> Effects {
    Effects::event(event(user, EventKind::UpdatedByAdmin, at))
        .with_mail(mail(MailKind::PasswordChanged, "notice@example.com"))
        .with_token(token(user, TokenPurpose::ResetPassword, token_hash, at))
}

/// Nothing of [`every_effect`] was written.
pub(crate) async fn assert_no_effects<H: Harness>(f: &Fixture<H>, user: UserId, token_hash: &str) {
    assert_eq!(f.events(user).await, vec![]);
    assert_eq!(f.outbox().await, vec![]);
    assert_eq!(f.stored_token(&hash(token_hash)).await, None);
}

/// The user as stored now.
pub(crate) async fn reload<H: Harness>(f: &Fixture<H>, user: &User) -> User {
    f.db.find_by_id(user.id).await.unwrap().unwrap()
}

/// An issued token of `user`, created at `t0()` and valid for an hour.
pub(crate) async fn issued<H: Harness>(
    f: &Fixture<H>,
    user: UserId,
    purpose: TokenPurpose,
    text: &str,
) -> TokenHash {
    let new = token(user, purpose, text, t0());
    f.db.issue(new.clone(), Effects::none()).await.unwrap();
    new.hash
}

/// An issued `ChangeEmail` token of `user` for `new_email`, created at
/// `t0()` and valid for an hour.
pub(crate) async fn issued_email_change<H: Harness>(
    f: &Fixture<H>,
    user: UserId,
    new_email: &Email,
    text: &str,
) -> TokenHash {
    let new = NewOneTimeToken {
        new_email: Some(new_email.clone()),
        ..token(user, TokenPurpose::ChangeEmail, text, t0())
    };
    f.db.issue(new.clone(), Effects::none()).await.unwrap();
    new.hash
}

/// A change that marks the email verified, as redeeming a token does.
pub(crate) fn verification(user: UserId, at: Timestamp) -> UserChange {
    let mut change = UserChange::new(user, at);
    change.email_verified = Some(true);
    change
}

pub(crate) const DEMOTION: AccessChange = AccessChange {
    role: Some(Role::User),
    is_active: None,
};

pub(crate) const DEACTIVATION: AccessChange = AccessChange {
    role: None,
    is_active: Some(false),
};

pub(crate) async fn a_change_sets_the_given_fields_and_updated_at_and_writes_its_effects<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let at = t0() + secs(60);
    // Every field: the email with `change_email`, then the role and active
    // flag with `change_access`, both at `at`.
    let new_email = Email::parse("Grace@Example.com").unwrap();
    let change_token = issued_email_change(&f, user.id, &new_email, "change").await;
    let mut change = UserChange::new(user.id, at);
    change.name = Some(UserName::parse("Grace Hopper").unwrap());
    change.password_hash = Some(PasswordHash::new("$2b$12$new".into()));
    change.email_verified = Some(true);
    let access = AccessChange {
        role: Some(Role::Admin),
        is_active: Some(false),
    };
    let changed_event = event(user.id, EventKind::UpdatedByAdmin, at);
    let notice = mail(MailKind::PasswordChanged, "grace@example.com");
    let reset = token(user.id, TokenPurpose::ResetPassword, "reset", at);
    let effects = Effects::event(changed_event.clone())
        .with_mail(notice.clone())
        .with_token(reset.clone());

    let with_email =
        f.db.change_email(change_token, new_email, change, effects)
            .await
            .unwrap();
    let changed =
        f.db.change_access(access, UserChange::new(user.id, at), Effects::none())
            .await
            .unwrap();

    let expected = User {
        email: Email::parse("grace@example.com").unwrap(),
        name: UserName::parse("Grace Hopper").unwrap(),
        role: Role::Admin,
        email_verified: true,
        is_active: false,
        password_hash: PasswordHash::new("$2b$12$new".into()),
        updated_at: at,
        ..user.clone()
    };
    assert_eq!(
        with_email,
        User {
            role: user.role,
            is_active: user.is_active,
            ..expected.clone()
        }
    );
    assert_eq!(changed, expected);
    assert_eq!(reload(&f, &user).await, expected);
    assert_eq!(
        f.db.find_by_email(&expected.email).await.unwrap(),
        Some(expected)
    );
    assert_eq!(f.db.find_by_email(&user.email).await.unwrap(), None);
    assert_eq!(f.events(user.id).await, vec![changed_event]);
    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].queued.mail, notice);
    assert_eq!(outbox[0].queued.created_at, at);
    assert!(f.stored_token(&reset.hash).await.is_some());
}

pub(crate) async fn a_change_that_sets_no_field_only_moves_updated_at<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let at = t0() + secs(1);

    let changed =
        f.db.apply_change(UserChange::new(user.id, at), Effects::none())
            .await
            .unwrap();

    let expected = User {
        updated_at: at,
        ..user.clone()
    };
    assert_eq!(changed, expected);
    assert_eq!(reload(&f, &user).await, expected);
}

pub(crate) async fn changing_an_unknown_user_is_not_found_and_writes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let mut change = UserChange::new(UserId::generate(), t0());
    change.name = Some(UserName::parse("Nobody").unwrap());
    let effects = Effects::none().with_mail(mail(MailKind::PasswordChanged, "x@example.com"));

    let result = f.db.apply_change(change, effects).await;

    assert!(
        matches!(result, Err(UserChangeError::NotFound)),
        "{result:?}"
    );
    assert_eq!(f.outbox().await, vec![]);
}

pub(crate) async fn changing_the_access_of_an_unknown_user_is_not_found_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let effects = Effects::none().with_mail(mail(MailKind::PasswordChanged, "x@example.com"));

    for access in [
        DEMOTION,
        DEACTIVATION,
        AccessChange {
            role: Some(Role::Admin),
            is_active: Some(true),
        },
    ] {
        let change = UserChange::new(UserId::generate(), t0());

        let result = f.db.change_access(access, change, effects.clone()).await;

        assert!(
            matches!(result, Err(AccessChangeError::NotFound)),
            "{access:?}: {result:?}"
        );
    }
    assert_eq!(f.outbox().await, vec![]);
}

pub(crate) async fn redeeming_or_changing_the_email_of_an_unknown_user_is_not_found_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    // A token of an unknown user cannot be stored: present another user's,
    // and one never issued.
    let owner = f.user().await;
    let new_email = Email::parse("grace@example.com").unwrap();
    let theirs = issued_email_change(&f, owner.id, &new_email, "theirs").await;
    let unknown = UserId::generate();
    let at = t0() + secs(5);

    for token in [theirs.clone(), hash("never issued")] {
        let mut change = verification(unknown, at);
        change.end_sessions = EndSessions::All;

        let redeemed =
            f.db.redeem_token(
                token.clone(),
                change.clone(),
                every_effect(owner.id, at, "t"),
            )
            .await;
        let changed =
            f.db.change_email(
                token.clone(),
                new_email.clone(),
                change,
                every_effect(owner.id, at, "t"),
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
    assert_eq!(f.db.find_by_id(unknown).await.unwrap(), None);
    assert_eq!(f.db.find_by_email(&new_email).await.unwrap(), None);
    assert_eq!(reload(&f, &owner).await, owner);
    assert_eq!(f.stored_token(&theirs).await.unwrap().used_at, None);
    assert_no_effects(&f, owner.id, "t").await;
}

pub(crate) async fn switching_to_the_email_of_another_account_in_any_case_is_email_taken_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let taken = UserRepository::create(&f.db, new_user("grace@example.com"), Effects::none())
        .await
        .unwrap();
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let change_token = issued_email_change(&f, user.id, &taken.email, "change").await;
    let at = t0() + secs(5);

    for address in ["grace@example.com", "Grace@EXAMPLE.com"] {
        let mut change = verification(user.id, at);
        change.end_sessions = EndSessions::All;

        let result =
            f.db.change_email(
                change_token.clone(),
                Email::parse(address).unwrap(),
                change,
                every_effect(user.id, at, "t"),
            )
            .await;

        assert!(
            matches!(result, Err(ChangeEmailError::EmailTaken)),
            "{address}: {result:?}"
        );
    }
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(reload(&f, &taken).await, taken);
    assert_eq!(f.stored_token(&change_token).await.unwrap().used_at, None);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_no_effects(&f, user.id, "t").await;
}

pub(crate) async fn setting_the_email_a_user_already_has_is_not_taken<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let change_token = issued_email_change(&f, user.id, &user.email, "change").await;
    let change = UserChange::new(user.id, t0() + secs(1));

    let changed =
        f.db.change_email(change_token, user.email.clone(), change, Effects::none())
            .await
            .unwrap();

    assert_eq!(changed.email, user.email);
}

/// Sessions of `user` created at `t0()`, with refresh tokens `prefix-<n>`.
async fn sessions<H: Harness>(
    f: &Fixture<H>,
    user: UserId,
    prefix: &str,
    n: usize,
) -> Vec<Session> {
    let mut created = Vec::new();
    for i in 0..n {
        let new = new_session(user, &format!("{prefix}-{i}"));
        created.push(
            SessionRepository::create(&f.db, new, Effects::none())
                .await
                .unwrap(),
        );
    }
    created
}

async fn revoked_at<H: Harness>(f: &Fixture<H>, s: &Session) -> Option<Timestamp> {
    f.stored_session(s.id).await.unwrap().revoked_at
}

pub(crate) async fn ending_all_sessions_revokes_every_unrevoked_session_of_the_user_only<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let other = f.user().await;
    let mine = sessions(&f, user.id, "mine", 3).await;
    let theirs = sessions(&f, other.id, "theirs", 1).await;
    let earlier = t0() + secs(10);
    f.db.revoke(mine[0].id, earlier, Effects::none())
        .await
        .unwrap();
    let at = t0() + secs(60);
    let mut change = UserChange::new(user.id, at);
    change.password_hash = Some(PasswordHash::new("$2b$12$reset".into()));
    change.end_sessions = EndSessions::All;

    f.db.apply_change(change, Effects::none()).await.unwrap();

    assert_eq!(revoked_at(&f, &mine[0]).await, Some(earlier));
    assert_eq!(revoked_at(&f, &mine[1]).await, Some(at));
    assert_eq!(revoked_at(&f, &mine[2]).await, Some(at));
    assert_eq!(revoked_at(&f, &theirs[0]).await, None);
    assert_eq!(f.db.list_live(user.id, at).await.unwrap(), vec![]);
    // Their refresh tokens are dead too.
    let rotation = RefreshRotation {
        session_id: mine[1].id,
        old: hash("mine-1"),
        new: hash("mine-1-next"),
        now: at + secs(1),
        refresh_expires_at: at + TimeDelta::days(30),
        retry: None,
    };
    assert_eq!(
        f.db.rotate_refresh(rotation, Effects::none())
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn ending_all_sessions_but_one_keeps_that_one<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let other = f.user().await;
    let mine = sessions(&f, user.id, "mine", 3).await;
    let theirs = sessions(&f, other.id, "theirs", 1).await;
    let at = t0() + secs(60);
    let mut change = UserChange::new(user.id, at);
    change.password_hash = Some(PasswordHash::new("$2b$12$changed".into()));
    change.end_sessions = EndSessions::AllExcept(mine[1].id);

    f.db.apply_change(change, Effects::none()).await.unwrap();

    assert_eq!(revoked_at(&f, &mine[0]).await, Some(at));
    assert_eq!(revoked_at(&f, &mine[1]).await, None);
    assert_eq!(revoked_at(&f, &mine[2]).await, Some(at));
    assert_eq!(revoked_at(&f, &theirs[0]).await, None);
}

pub(crate) async fn a_change_whose_effect_cannot_be_written_changes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let s = SessionRepository::create(&f.db, new_session(user.id, "r0"), Effects::none())
        .await
        .unwrap();
    let reset = issued(&f, user.id, TokenPurpose::ResetPassword, "reset").await;
    let at = t0() + secs(5);
    let mut change = verification(user.id, at);
    change.password_hash = Some(PasswordHash::new("$2b$12$reset".into()));
    change.end_sessions = EndSessions::All;
    // A token for an account that does not exist breaks a foreign key,
    // after every other write.
    let effects = every_effect(user.id, at, "t").with_token(token(
        UserId::generate(),
        TokenPurpose::VerifyEmail,
        "orphan",
        at,
    ));

    let result = f.db.redeem_token(reset.clone(), change, effects).await;

    assert!(
        matches!(
            result,
            Err(RedeemTokenError::Infra(InfraError::Unexpected(_)))
        ),
        "{result:?}"
    );
    assert_eq!(reload(&f, &user).await, user);
    assert_eq!(f.stored_session(s.id).await, Some(s));
    assert_eq!(f.stored_token(&reset).await.unwrap().used_at, None);
    assert_no_effects(&f, user.id, "t").await;
}
