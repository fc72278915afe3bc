//! Mail is queued in the outbox with the change that causes it, by every
//! state-changing method, and not when the change fails.

use chrono::TimeDelta;
use domain::ports::{
    LockoutPolicy, LoginThrottle, OneTimeTokenRepository, Outbox, SessionRepository, UserRepository,
};
use domain::{
    AccessChange, Effects, Email, EventKind, InfraError, MailKind, NewOneTimeToken, OutgoingMail,
    RefreshRotation, Role, TokenPurpose, UserChange, UserCreationError, UserId,
};

use crate::Harness;
use crate::contract::outbox::claim;
use crate::contract::support::*;

pub(crate) async fn mail_of_a_created_user_is_queued_with_it_and_due_at_once<H: Harness>(
    f: Fixture<H>,
) {
    let user = new_user("ada@example.com");
    let welcome = mail(MailKind::Welcome, "ada@example.com");
    let notice = OutgoingMail {
        link: None,
        ..mail(MailKind::PasswordChanged, "ada@example.com")
    };
    let effects = Effects::event(event(user.id, EventKind::Registered, t0()))
        .with_mail(welcome.clone())
        .with_mail(notice.clone());

    UserRepository::create(&f.db, user.clone(), effects)
        .await
        .unwrap();

    let outbox = f.outbox().await;
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    for (entry, expected) in outbox.iter().zip([&welcome, &notice]) {
        assert_eq!(&entry.queued.mail, expected);
        assert_eq!(entry.queued.attempts, 0);
        assert_eq!(entry.queued.created_at, t0());
        assert_eq!(entry.next_attempt_at, t0());
        assert_eq!(entry.last_error, None);
        assert_eq!(entry.locked_until, None);
        assert_eq!(entry.delivered_at, None);
    }
    assert_eq!(f.events(user.id).await.len(), 1);
    assert_eq!(f.db.pending().await.unwrap(), 2);
    let claimed = claim(&f, t0(), 10).await;
    assert_eq!(
        claimed.iter().map(|q| &q.mail).collect::<Vec<_>>(),
        [&welcome, &notice]
    );
}

pub(crate) async fn a_user_that_cannot_be_created_queues_no_mail<H: Harness>(f: Fixture<H>) {
    UserRepository::create(&f.db, new_user("ada@example.com"), Effects::none())
        .await
        .unwrap();
    let welcome = Effects::none().with_mail(mail(MailKind::Welcome, "ada@example.com"));

    let taken = UserRepository::create(&f.db, new_user("ada@example.com"), welcome).await;
    // Its event breaks a foreign key, after the user row was written.
    let orphan = Effects::event(event(UserId::generate(), EventKind::Registered, t0()))
        .with_mail(mail(MailKind::Welcome, "grace@example.com"));
    let failed = UserRepository::create(&f.db, new_user("grace@example.com"), orphan).await;

    assert!(
        matches!(taken, Err(UserCreationError::EmailTaken)),
        "{taken:?}"
    );
    assert!(
        matches!(
            failed,
            Err(UserCreationError::Infra(InfraError::Unexpected(_)))
        ),
        "{failed:?}"
    );
    assert_eq!(f.outbox().await, vec![]);
    assert_eq!(f.db.pending().await.unwrap(), 0);
    assert_eq!(claim(&f, t0() + secs(1), 10).await, vec![]);
}

pub(crate) async fn every_state_changing_method_queues_its_mail_at_the_time_of_the_change<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let with_mail = |to: &str| Effects::none().with_mail(mail(MailKind::PasswordChanged, to));
    let policy = LockoutPolicy {
        max_failures: 5,
        lockout_secs: 900,
    };

    let session = SessionRepository::create(
        &f.db,
        new_session(user.id, "r0"),
        with_mail("session@example.com"),
    )
    .await
    .unwrap();
    let rotation = RefreshRotation {
        session_id: session.id,
        old: hash("r0"),
        new: hash("r1"),
        now: t0() + secs(10),
        refresh_expires_at: t0() + TimeDelta::days(30),
        retry: None,
    };
    f.db.rotate_refresh(rotation, with_mail("rotate@example.com"))
        .await
        .unwrap()
        .unwrap();
    f.db.revoke(session.id, t0() + secs(20), with_mail("revoke@example.com"))
        .await
        .unwrap();
    f.db.record_failure(
        "ada@example.com",
        t0() + secs(30),
        policy,
        with_mail("throttle@example.com"),
        Effects::none(),
    )
    .await
    .unwrap();
    f.db.issue(
        token(
            user.id,
            TokenPurpose::VerifyEmail,
            "verify",
            t0() + secs(40),
        ),
        with_mail("issue@example.com"),
    )
    .await
    .unwrap();
    f.db.apply_change(
        UserChange::new(user.id, t0() + secs(50)),
        with_mail("change@example.com"),
    )
    .await
    .unwrap();
    let doomed = f.user().await;
    f.db.delete(
        doomed.id,
        t0() + secs(60),
        Effects::event(event(user.id, EventKind::UpdatedByAdmin, t0() + secs(60)))
            .with_mail(mail(MailKind::PasswordChanged, "delete@example.com")),
    )
    .await
    .unwrap();

    let queued: Vec<_> = f
        .outbox()
        .await
        .into_iter()
        .map(|entry| {
            assert_eq!(entry.next_attempt_at, entry.queued.created_at);
            (
                entry.queued.mail.to.as_str().to_owned(),
                entry.queued.created_at,
            )
        })
        .collect();
    assert_eq!(
        queued,
        [
            ("session@example.com".to_owned(), t0()),
            ("rotate@example.com".to_owned(), t0() + secs(10)),
            ("revoke@example.com".to_owned(), t0() + secs(20)),
            ("throttle@example.com".to_owned(), t0() + secs(30)),
            ("issue@example.com".to_owned(), t0() + secs(40)),
            ("change@example.com".to_owned(), t0() + secs(50)),
            ("delete@example.com".to_owned(), t0() + secs(60)),
        ]
    );
}

pub(crate) async fn every_user_change_method_queues_its_mail_at_the_time_of_the_change<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let with_mail = |to: &str| Effects::none().with_mail(mail(MailKind::PasswordChanged, to));
    let verify = token(user.id, TokenPurpose::VerifyEmail, "verify", t0());
    let new_email = Email::parse("grace@example.com").unwrap();
    let change = NewOneTimeToken {
        new_email: Some(new_email.clone()),
        ..token(user.id, TokenPurpose::ChangeEmail, "change", t0())
    };
    for issued in [&verify, &change] {
        f.db.issue(issued.clone(), Effects::none()).await.unwrap();
    }

    f.db.apply_change(
        UserChange::new(user.id, t0() + secs(10)),
        with_mail("apply@example.com"),
    )
    .await
    .unwrap();
    f.db.redeem_token(
        verify.hash,
        UserChange::new(user.id, t0() + secs(20)),
        with_mail("redeem@example.com"),
    )
    .await
    .unwrap();
    f.db.change_email(
        change.hash,
        new_email,
        UserChange::new(user.id, t0() + secs(30)),
        with_mail("email@example.com"),
    )
    .await
    .unwrap();
    f.db.change_access(
        AccessChange {
            role: Some(Role::Admin),
            is_active: None,
        },
        UserChange::new(user.id, t0() + secs(40)),
        with_mail("access@example.com"),
    )
    .await
    .unwrap();

    let queued: Vec<_> = f
        .outbox()
        .await
        .into_iter()
        .map(|entry| {
            assert_eq!(entry.next_attempt_at, entry.queued.created_at);
            (
                entry.queued.mail.to.as_str().to_owned(),
                entry.queued.created_at,
            )
        })
        .collect();
    assert_eq!(
        queued,
        [
            ("apply@example.com".to_owned(), t0() + secs(10)),
            ("redeem@example.com".to_owned(), t0() + secs(20)),
            ("email@example.com".to_owned(), t0() + secs(30)),
            ("access@example.com".to_owned(), t0() + secs(40)),
        ]
    );
}
