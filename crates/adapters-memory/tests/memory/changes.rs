//! Changes to a user (`apply_change`, `redeem_token`, `change_email`,
//! `change_access`): effects that cannot be written roll them back, refusals
//! write nothing, and a changed email moves the account to the new address.

use adapters_memory::MemoryStore;
use domain::ports::{OneTimeTokenRepository, UserRepository};
use domain::{
    AccessChange, AccessChangeError, ChangeEmailError, Effects, Email, EndSessions, EventKind,
    InfraError, PasswordHash, RedeemTokenError, Role, TokenPurpose, UserChange, UserChangeError,
    UserDeletionError, UserId, UserName,
};

use crate::support::*;

#[tokio::test]
async fn a_change_whose_effects_cannot_be_written_changes_nothing() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let s = session(&store, owner.id, "r0").await;
    store
        .issue(
            token(owner.id, TokenPurpose::ChangeEmail, "change", t0()),
            Effects::none(),
        )
        .await
        .unwrap();
    store
        .issue(
            token(owner.id, TokenPurpose::ResetPassword, "reset", t0()),
            Effects::none(),
        )
        .await
        .unwrap();
    let before = snapshot(&store, &[&owner], &[&s], &["r0"], &["change", "reset"]).await;
    let at = t0() + secs(5);
    let change = || {
        let mut change = UserChange::new(owner.id, at);
        change.name = Some(UserName::parse("Grace Hopper").unwrap());
        change.password_hash = Some(PasswordHash::new("$2b$12$new".into()));
        change.end_sessions = EndSessions::All;
        change.void_tokens = vec![TokenPurpose::ResetPassword];
        change
    };
    // Valid effects, then one that is not: an orphan event, a token of an
    // unknown user, a hash already stored, a hash twice in one change.
    let broken = |extra: Effects| {
        let mut effects = every_effect(owner.id, at, "t").with_mail(mail("x@example.com"));
        effects.events.extend(extra.events);
        effects.tokens.extend(extra.tokens);
        effects
    };
    let failing = [
        broken(Effects::event(event(
            UserId::generate(),
            EventKind::LoggedOut,
            at,
        ))),
        broken(Effects::none().with_token(token(
            UserId::generate(),
            TokenPurpose::VerifyEmail,
            "u",
            at,
        ))),
        broken(Effects::none().with_token(token(owner.id, TokenPurpose::VerifyEmail, "reset", at))),
        broken(Effects::none().with_token(token(owner.id, TokenPurpose::VerifyEmail, "t", at))),
    ];
    for effects in failing {
        let applied = store.apply_change(change(), effects.clone()).await;
        let redeemed = store
            .redeem_token(hash("change"), change(), effects.clone())
            .await;
        let switched = store
            .change_email(
                hash("change"),
                Email::parse("grace@example.com").unwrap(),
                change(),
                effects.clone(),
            )
            .await;
        let access = AccessChange {
            role: Some(Role::Admin),
            is_active: Some(false),
        };
        let promoted = store.change_access(access, change(), effects).await;

        assert!(
            matches!(
                applied,
                Err(UserChangeError::Infra(InfraError::Unexpected(_)))
            ),
            "{applied:?}"
        );
        assert!(
            matches!(
                redeemed,
                Err(RedeemTokenError::Infra(InfraError::Unexpected(_)))
            ),
            "{redeemed:?}"
        );
        assert!(
            matches!(
                switched,
                Err(ChangeEmailError::Infra(InfraError::Unexpected(_)))
            ),
            "{switched:?}"
        );
        assert!(
            matches!(
                promoted,
                Err(AccessChangeError::Infra(InfraError::Unexpected(_)))
            ),
            "{promoted:?}"
        );
        let after = snapshot(&store, &[&owner], &[&s], &["r0"], &["change", "reset"]).await;
        assert_eq!(after, before);
        for text in ["t", "u"] {
            assert_eq!(
                OneTimeTokenRepository::find(&store, &hash(text))
                    .await
                    .unwrap(),
                None
            );
        }
        assert_eq!(
            store
                .find_by_email(&Email::parse("grace@example.com").unwrap())
                .await
                .unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn refused_changes_write_nothing_and_are_checked_in_the_database_order() {
    let store = MemoryStore::new();
    let admin = user(&store, Role::Admin).await;
    let other = user(&store, Role::User).await;
    let s = session(&store, admin.id, "r0").await;
    let at = t0() + secs(5);
    store
        .issue(
            token(admin.id, TokenPurpose::ChangeEmail, "change", t0()),
            Effects::none(),
        )
        .await
        .unwrap();
    let before = snapshot(&store, &[&admin, &other], &[&s], &["r0"], &["change"]).await;
    let mut change = UserChange::new(admin.id, at);
    change.end_sessions = EndSessions::All;
    change.void_tokens = TokenPurpose::ALL.to_vec();

    // The other's address and a spent token: the token is reported.
    let unusable = store
        .change_email(
            hash("nope"),
            other.email.clone(),
            change.clone(),
            every_effect(admin.id, at, "t"),
        )
        .await;
    let taken = store
        .change_email(
            hash("change"),
            other.email.clone(),
            change.clone(),
            every_effect(admin.id, at, "t"),
        )
        .await;
    let demoted = store
        .change_access(
            AccessChange {
                role: Some(Role::User),
                is_active: None,
            },
            change.clone(),
            every_effect(admin.id, at, "t"),
        )
        .await;
    // An unknown user and a spent token: the user is reported.
    let unknown = store
        .redeem_token(
            hash("nope"),
            UserChange::new(UserId::generate(), at),
            Effects::none().with_mail(mail("x@example.com")),
        )
        .await;
    let deleted = store
        .delete(admin.id, at, every_effect(other.id, at, "t"))
        .await;

    assert!(
        matches!(unusable, Err(ChangeEmailError::TokenUnusable)),
        "{unusable:?}"
    );
    assert!(
        matches!(taken, Err(ChangeEmailError::EmailTaken)),
        "{taken:?}"
    );
    assert!(
        matches!(demoted, Err(AccessChangeError::LastAdmin)),
        "{demoted:?}"
    );
    assert!(
        matches!(unknown, Err(RedeemTokenError::NotFound)),
        "{unknown:?}"
    );
    assert!(
        matches!(deleted, Err(UserDeletionError::LastAdmin)),
        "{deleted:?}"
    );
    let after = snapshot(&store, &[&admin, &other], &[&s], &["r0"], &["change"]).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_changed_email_frees_the_old_one_and_is_found_under_the_new_one() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    store
        .issue(
            token(owner.id, TokenPurpose::ChangeEmail, "change", t0()),
            Effects::none(),
        )
        .await
        .unwrap();
    let new_email = Email::parse("Grace@Example.com").unwrap();

    let changed = store
        .change_email(
            hash("change"),
            new_email.clone(),
            UserChange::new(owner.id, t0() + secs(1)),
            Effects::none(),
        )
        .await
        .unwrap();

    assert_eq!(changed.email.as_str(), "grace@example.com");
    assert_eq!(
        store.find_by_email(&new_email).await.unwrap(),
        Some(changed)
    );
    assert_eq!(store.find_by_email(&owner.email).await.unwrap(), None);
    let reused = UserRepository::create(
        &store,
        new_user(owner.email.as_str(), Role::User),
        Effects::none(),
    )
    .await;
    assert!(reused.is_ok(), "{reused:?}");
}
