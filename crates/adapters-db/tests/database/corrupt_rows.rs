//! A stored row that no longer parses into domain values (arranged with raw
//! SQL) is `InfraError::Unexpected`, never skipped.

use domain::ports::{OneTimeTokenRepository, Outbox, SecurityEventRepository, UserRepository};
use domain::{Effects, EventKind, InfraError, MailKind, TokenPurpose, UserChange, UserId};

use crate::support::*;

backend_tests!(
    a_stored_user_that_no_longer_parses_is_unexpected,
    a_stored_token_that_no_longer_parses_is_unexpected,
    a_stored_event_that_no_longer_parses_is_unexpected,
    a_stored_mail_that_no_longer_parses_is_unexpected_and_blocks_nothing_else,
);

const LEASE: u64 = 60;

async fn a_stored_user_that_no_longer_parses_is_unexpected(f: Fixture) {
    let bad_email = f.user().await;
    let bad_name = f.user().await;
    f.sql(&format!(
        "UPDATE users SET email = 'not an email' WHERE id = '{}'",
        bad_email.id
    ))
    .await;
    f.sql(&format!(
        "UPDATE users SET name = '   ' WHERE id = '{}'",
        bad_name.id
    ))
    .await;

    let by_id = f.db.find_by_id(bad_email.id).await;
    assert!(matches!(by_id, Err(InfraError::Unexpected(_))), "{by_id:?}");
    let by_email = f.db.find_by_email(&bad_name.email).await;
    assert!(
        matches!(by_email, Err(InfraError::Unexpected(_))),
        "{by_email:?}"
    );
}

async fn a_stored_token_that_no_longer_parses_is_unexpected(f: Fixture) {
    let user = f.user().await;
    let new = token(user.id, TokenPurpose::ChangeEmail, "t1", t0());
    f.db.issue(new.clone(), Effects::none()).await.unwrap();
    f.sql("UPDATE one_time_tokens SET new_email = 'not an email'")
        .await;

    let result = OneTimeTokenRepository::find(&f.db, &new.hash).await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
}

async fn a_stored_event_that_no_longer_parses_is_unexpected(f: Fixture) {
    let user = f.user().await;
    for (kind, at) in [
        (EventKind::LoginSucceeded, t0()),
        (EventKind::LoggedOut, t0() + secs(1)),
    ] {
        f.db.apply_change(
            UserChange::new(user.id, at),
            Effects::event(event(user.id, kind, at)),
        )
        .await
        .unwrap();
    }
    f.sql("UPDATE security_events SET kind = 'nope' WHERE kind = 'logged_out'")
        .await;

    let result = f.db.list_for_user(user.id, 10, None).await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
}

/// Creates a user at `at` with one welcome mail to `to` queued.
async fn queue_one(f: &Fixture, at: domain::Timestamp, to: &str) {
    let mut user = new_user(&format!("{}@example.com", UserId::generate()));
    user.created_at = at;
    UserRepository::create(
        &f.db,
        user,
        Effects::none().with_mail(mail(MailKind::Welcome, to)),
    )
    .await
    .unwrap();
}

async fn a_stored_mail_that_no_longer_parses_is_unexpected_and_blocks_nothing_else(f: Fixture) {
    queue_one(&f, t0(), "bad-kind@example.com").await;
    queue_one(&f, t0() + secs(1), "bad-recipient@example.com").await;
    queue_one(&f, t0() + secs(2), "good@example.com").await;
    f.sql("UPDATE outbox SET kind = 'newsletter' WHERE recipient = 'bad-kind@example.com'")
        .await;
    f.sql(
        "UPDATE outbox SET recipient = 'not an email' \
         WHERE recipient = 'bad-recipient@example.com'",
    )
    .await;
    let now = t0() + secs(10);

    let first = f.db.claim(now, 10, LEASE).await;
    let second = f.db.claim(now, 10, LEASE).await;
    let after_the_lease = f.db.claim(now + secs(60), 10, LEASE).await;

    assert!(matches!(first, Err(InfraError::Unexpected(_))), "{first:?}");
    // The bad rows are set aside for a lease, not dropped: the good one is
    // delivered meanwhile, and they are reported again later.
    let second = second.unwrap();
    let recipients: Vec<_> = second
        .iter()
        .map(|queued| queued.mail.to.as_str())
        .collect();
    assert_eq!(recipients, ["good@example.com"]);
    assert!(
        matches!(after_the_lease, Err(InfraError::Unexpected(_))),
        "{after_the_lease:?}"
    );
    assert_eq!(f.db.pending().await.unwrap(), 3);
}
