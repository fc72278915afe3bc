//! `UserRepository` contract.

use domain::ports::UserRepository;
use domain::{
    Effects, Email, EventKind, InfraError, PasswordHash, Role, UserCreationError, UserId,
};

use crate::Harness;
use crate::contract::support::*;

pub(crate) async fn creating_a_user_stores_it_with_its_events<H: Harness>(f: Fixture<H>) {
    let user = new_user("ada@example.com");
    let registered = event(user.id, EventKind::Registered, t0());

    let created = UserRepository::create(&f.db, user.clone(), Effects::event(registered.clone()))
        .await
        .unwrap();

    assert_eq!(created, user.into_user());
    assert_eq!(
        f.db.find_by_id(created.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(f.events(created.id).await, vec![registered]);
}

pub(crate) async fn a_created_user_reads_back_exactly_by_id_and_by_email<H: Harness>(
    f: Fixture<H>,
) {
    let mut user = new_user("grace@example.com");
    user.role = Role::Admin;
    user.email_verified = true;
    user.is_active = false;
    user.created_at = at("2026-03-04T05:06:07.000001Z");

    let created = UserRepository::create(&f.db, user.clone(), Effects::none())
        .await
        .unwrap();

    assert_eq!(created, user.clone().into_user());
    assert_eq!(
        f.db.find_by_id(user.id).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        f.db.find_by_email(&user.email).await.unwrap(),
        Some(created)
    );
}

pub(crate) async fn creating_a_user_with_a_taken_email_is_email_taken_and_writes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let first = UserRepository::create(&f.db, new_user("ada@example.com"), Effects::none())
        .await
        .unwrap();
    let second = new_user("ada@example.com");
    // Effects that would be visible had anything been written: an event on
    // the existing account.
    let effects = Effects::event(event(first.id, EventKind::UpdatedByAdmin, t0()));

    let result = UserRepository::create(&f.db, second.clone(), effects).await;

    assert!(
        matches!(result, Err(UserCreationError::EmailTaken)),
        "{result:?}"
    );
    assert_eq!(f.db.find_by_id(second.id).await.unwrap(), None);
    assert_eq!(
        f.db.find_by_email(&first.email).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(f.events(first.id).await, vec![]);
}

pub(crate) async fn an_email_differing_only_in_case_is_taken<H: Harness>(f: Fixture<H>) {
    UserRepository::create(&f.db, new_user("Ada.Lovelace@Example.COM"), Effects::none())
        .await
        .unwrap();

    let result =
        UserRepository::create(&f.db, new_user("ada.lovelace@example.com"), Effects::none()).await;

    assert!(
        matches!(result, Err(UserCreationError::EmailTaken)),
        "{result:?}"
    );
}

pub(crate) async fn a_user_whose_event_cannot_be_written_is_not_created<H: Harness>(f: Fixture<H>) {
    let user = new_user("ada@example.com");
    // An event for an account that does not exist breaks a foreign key.
    let orphan = event(UserId::generate(), EventKind::Registered, t0());

    let result = UserRepository::create(&f.db, user.clone(), Effects::event(orphan)).await;

    assert!(
        matches!(
            result,
            Err(UserCreationError::Infra(InfraError::Unexpected(_)))
        ),
        "{result:?}"
    );
    assert_eq!(f.db.find_by_id(user.id).await.unwrap(), None);
    assert_eq!(f.db.find_by_email(&user.email).await.unwrap(), None);
}

pub(crate) async fn finding_an_unknown_user_is_none<H: Harness>(f: Fixture<H>) {
    f.user().await;

    assert_eq!(f.db.find_by_id(UserId::generate()).await.unwrap(), None);
    let unknown = Email::parse("nobody@example.com").unwrap();
    assert_eq!(f.db.find_by_email(&unknown).await.unwrap(), None);
}

pub(crate) async fn timestamps_keep_microseconds_and_drop_nanoseconds<H: Harness>(f: Fixture<H>) {
    let mut user = new_user("ada@example.com");
    user.created_at = at("2026-01-01T00:00:00.123456789Z");

    let created = UserRepository::create(&f.db, user, Effects::none())
        .await
        .unwrap();

    assert_eq!(created.created_at, at("2026-01-01T00:00:00.123456Z"));
    assert_eq!(created.updated_at, created.created_at);
    assert_eq!(f.db.find_by_id(created.id).await.unwrap(), Some(created));
}

pub(crate) async fn updating_the_password_hash_replaces_only_the_hash<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let rehashed =
        PasswordHash::new("$2b$12$rehashedrehashedrehashedrehashedrehashedrehashedrehash".into());

    f.db.update_password_hash(user.id, user.password_hash.clone(), rehashed.clone())
        .await
        .unwrap();

    let found = f.db.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(found.password_hash, rehashed);
    assert_eq!(found.updated_at, user.updated_at);
    assert_eq!(
        domain::User {
            password_hash: user.password_hash.clone(),
            ..found
        },
        user
    );
}

pub(crate) async fn a_rehash_does_not_overwrite_a_hash_that_changed_meanwhile<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let reset = PasswordHash::new("$2b$12$set-by-a-reset-meanwhile".into());
    let mut change = domain::UserChange::new(user.id, t0() + secs(1));
    change.password_hash = Some(reset.clone());
    f.db.apply_change(change, Effects::none()).await.unwrap();

    f.db.update_password_hash(
        user.id,
        user.password_hash.clone(),
        PasswordHash::new("$2b$13$rehash-of-the-old-password".into()),
    )
    .await
    .unwrap();

    let found = f.db.find_by_id(user.id).await.unwrap().unwrap();
    assert_eq!(found.password_hash, reset);
}

pub(crate) async fn updating_the_password_hash_of_an_unknown_user_is_not_an_error<H: Harness>(
    f: Fixture<H>,
) {
    let result =
        f.db.update_password_hash(
            UserId::generate(),
            PasswordHash::new("x".into()),
            PasswordHash::new("y".into()),
        )
        .await;

    assert!(result.is_ok(), "{result:?}");
}
