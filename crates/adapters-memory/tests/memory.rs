//! The memory store's own tests: the parts the conformance suite cannot see
//! from outside, or only by luck (rollbacks of every kind of write, races
//! under a multi-threaded runtime, leases, shared clones).

// The whole crate is test code, helpers included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::Arc;

use adapters_memory::MemoryStore;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{
    HealthProbe, LockoutPolicy, LoginThrottle, OneTimeTokenRepository, Outbox,
    SecurityEventRepository, SessionRepository, UserRepository,
};
use domain::{
    AccessChange, AccessChangeError, ChangeEmailError, CreateUserError, DeleteUserError, Effects,
    Email, EndSessions, EventKind, InfraError, MailKind, NewOneTimeToken, NewSecurityEvent,
    NewSession, NewUser, OutgoingMail, PasswordHash, RedeemTokenError, RefreshRotation,
    RefreshTokenState, RequestContext, Role, Session, SessionId, Timestamp, TokenHash,
    TokenPurpose, User, UserChange, UserChangeError, UserId, UserName,
};
use tokio::sync::Barrier;

fn t0() -> Timestamp {
    DateTime::parse_from_rfc3339("2026-01-01T12:00:00.123456Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

fn hash(text: &str) -> TokenHash {
    TokenHash::new(text.to_owned())
}

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        id: UserId::generate(),
        email: Email::parse(email).unwrap(),
        name: UserName::parse("Ada Lovelace").unwrap(),
        role,
        email_verified: false,
        is_active: true,
        password_hash: PasswordHash::new("$2b$04$fixed".into()),
        created_at: t0(),
    }
}

async fn user(store: &MemoryStore, role: Role) -> User {
    let new = new_user(&format!("{}@example.com", UserId::generate()), role);
    UserRepository::create(store, new, Effects::none())
        .await
        .unwrap()
}

fn event(user: UserId, kind: EventKind, at: Timestamp) -> NewSecurityEvent {
    NewSecurityEvent::new(user, kind, at, &RequestContext::default())
}

fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        kind: MailKind::PasswordChanged,
        to: Email::parse(to).unwrap(),
        recipient_name: "Ada".into(),
        link: Some(format!(
            "https://app.example.com/x?token={}",
            UserId::generate()
        )),
    }
}

fn token(user: UserId, purpose: TokenPurpose, text: &str, at: Timestamp) -> NewOneTimeToken {
    NewOneTimeToken {
        hash: hash(text),
        user_id: user,
        purpose,
        new_email: None,
        created_at: at,
        expires_at: at + TimeDelta::hours(1),
    }
}

fn new_session(user: UserId, refresh: &str) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        user_id: user,
        refresh_hash: hash(refresh),
        created_at: t0(),
        refresh_expires_at: t0() + TimeDelta::days(30),
        expires_at: t0() + TimeDelta::days(90),
        user_agent: None,
        ip: None,
    }
}

async fn session(store: &MemoryStore, user: UserId, refresh: &str) -> Session {
    SessionRepository::create(store, new_session(user, refresh), Effects::none())
        .await
        .unwrap()
}

/// Effects of every kind, all writable, for `user`.
fn every_effect(user: UserId, at: Timestamp, token_text: &str) -> Effects {
    Effects::event(event(user, EventKind::UpdatedByAdmin, at))
        .with_mail(mail("notice@example.com"))
        .with_token(token(user, TokenPurpose::ResetPassword, token_text, at))
}

/// Everything a test can read about `users` and the store, to compare
/// before and after a refused or failed call.
#[derive(Debug, PartialEq)]
struct Snapshot {
    users: Vec<Option<User>>,
    by_email: Vec<Option<User>>,
    sessions: Vec<Option<Session>>,
    refresh: Vec<Option<RefreshTokenState>>,
    tokens: Vec<Option<domain::OneTimeToken>>,
    events: Vec<Vec<NewSecurityEvent>>,
    outbox: Vec<adapters_memory::testing::OutboxEntry>,
}

async fn snapshot(
    store: &MemoryStore,
    users: &[&User],
    sessions: &[&Session],
    refresh: &[&str],
    tokens: &[&str],
) -> Snapshot {
    let mut snap = Snapshot {
        users: Vec::new(),
        by_email: Vec::new(),
        sessions: Vec::new(),
        refresh: Vec::new(),
        tokens: Vec::new(),
        events: Vec::new(),
        outbox: store.outbox_entries().unwrap(),
    };
    for user in users {
        snap.users.push(store.find_by_id(user.id).await.unwrap());
        snap.by_email
            .push(store.find_by_email(&user.email).await.unwrap());
        snap.events.push(store.security_events(user.id).unwrap());
    }
    for s in sessions {
        snap.sessions
            .push(SessionRepository::find(store, s.id).await.unwrap());
    }
    for text in refresh {
        snap.refresh
            .push(store.find_by_refresh_hash(&hash(text)).await.unwrap());
    }
    for text in tokens {
        snap.tokens.push(
            OneTimeTokenRepository::find(store, &hash(text))
                .await
                .unwrap(),
        );
    }
    snap
}

#[tokio::test]
async fn clones_share_one_state_and_default_is_empty() {
    let store = MemoryStore::default();
    let clone = store.clone();
    let created = user(&store, Role::User).await;

    assert_eq!(clone.find_by_id(created.id).await.unwrap(), Some(created));
    assert_eq!(MemoryStore::new().pending().await.unwrap(), 0);
    assert!(store.readiness().await.is_ready());
    assert_eq!(format!("{store:?}"), "MemoryStore { .. }");
}

#[tokio::test]
async fn a_deletion_whose_effects_refer_to_the_deleted_user_leaves_everything_as_it_was() {
    let store = MemoryStore::new();
    let admin = user(&store, Role::Admin).await;
    let doomed = user(&store, Role::User).await;
    let s = SessionRepository::create(
        &store,
        new_session(doomed.id, "r0"),
        Effects::event(event(doomed.id, EventKind::LoginSucceeded, t0())),
    )
    .await
    .unwrap();
    let rotation = RefreshRotation {
        session_id: s.id,
        old: hash("r0"),
        new: hash("r1"),
        now: t0() + secs(1),
        refresh_expires_at: t0() + TimeDelta::days(30),
    };
    let s = store
        .rotate_refresh(rotation, Effects::none())
        .await
        .unwrap()
        .unwrap();
    store
        .issue(
            token(doomed.id, TokenPurpose::VerifyEmail, "verify", t0()),
            Effects::none(),
        )
        .await
        .unwrap();
    let before = snapshot(
        &store,
        &[&admin, &doomed],
        &[&s],
        &["r0", "r1"],
        &["verify"],
    )
    .await;

    // An event of the deleted user, then a token of the deleted user: each
    // breaks a foreign key after the deletion, with valid effects beside it.
    let of_deleted = [
        Effects::event(event(admin.id, EventKind::UpdatedByAdmin, t0()))
            .with_mail(mail("notice@example.com"))
            .with_token(token(admin.id, TokenPurpose::ResetPassword, "ok", t0()))
            .with_token(token(doomed.id, TokenPurpose::ResetPassword, "t", t0())),
        Effects::event(event(doomed.id, EventKind::UpdatedByAdmin, t0()))
            .with_mail(mail("notice@example.com")),
    ];
    for effects in of_deleted {
        let result = store.delete(doomed.id, t0() + secs(5), effects).await;

        assert!(
            matches!(
                result,
                Err(DeleteUserError::Infra(InfraError::Unexpected(_)))
            ),
            "{result:?}"
        );
        let after = snapshot(
            &store,
            &[&admin, &doomed],
            &[&s],
            &["r0", "r1"],
            &["verify"],
        )
        .await;
        assert_eq!(after, before);
        assert_eq!(
            OneTimeTokenRepository::find(&store, &hash("ok"))
                .await
                .unwrap(),
            None
        );
    }
    // The email is still taken.
    let again = UserRepository::create(
        &store,
        new_user(doomed.email.as_str(), Role::User),
        Effects::none(),
    )
    .await;
    assert!(
        matches!(again, Err(CreateUserError::EmailTaken)),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_deletion_frees_the_hashes_of_the_deleted_users_tokens() {
    let store = MemoryStore::new();
    let admin = user(&store, Role::Admin).await;
    let doomed = user(&store, Role::User).await;
    store
        .issue(
            token(doomed.id, TokenPurpose::VerifyEmail, "same", t0()),
            Effects::none(),
        )
        .await
        .unwrap();

    // The deleted user's row goes first, so the hash is free by the time
    // the effects are written, as in the database.
    store
        .delete(
            doomed.id,
            t0(),
            Effects::none().with_token(token(admin.id, TokenPurpose::ResetPassword, "same", t0())),
        )
        .await
        .unwrap();

    let found = OneTimeTokenRepository::find(&store, &hash("same"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user_id, admin.id);
}

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
        matches!(deleted, Err(DeleteUserError::LastAdmin)),
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

#[tokio::test]
async fn a_user_with_a_taken_id_is_not_created() {
    let store = MemoryStore::new();
    let first = user(&store, Role::User).await;
    let mut again = new_user("other@example.com", Role::User);
    again.id = first.id;

    let result = UserRepository::create(&store, again.clone(), Effects::none()).await;

    assert!(
        matches!(
            result,
            Err(CreateUserError::Infra(InfraError::Unexpected(_)))
        ),
        "{result:?}"
    );
    assert_eq!(store.find_by_email(&again.email).await.unwrap(), None);
    assert_eq!(store.find_by_id(first.id).await.unwrap(), Some(first));
}

#[tokio::test]
async fn sessions_and_rotations_that_would_break_a_key_write_nothing() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let s = session(&store, owner.id, "r0").await;
    let other = session(&store, owner.id, "other").await;
    let before = snapshot(&store, &[&owner], &[&s, &other], &["r0", "other"], &[]).await;

    let same_id = SessionRepository::create(
        &store,
        NewSession {
            id: s.id,
            ..new_session(owner.id, "fresh")
        },
        Effects::event(event(owner.id, EventKind::LoginSucceeded, t0())),
    )
    .await;
    let same_hash = SessionRepository::create(
        &store,
        new_session(owner.id, "other"),
        Effects::event(event(owner.id, EventKind::LoginSucceeded, t0())),
    )
    .await;
    let rotation = |new: &str| RefreshRotation {
        session_id: s.id,
        old: hash("r0"),
        new: hash(new),
        now: t0() + secs(1),
        refresh_expires_at: t0() + TimeDelta::days(30),
    };
    let onto_other = store
        .rotate_refresh(
            rotation("other"),
            Effects::event(event(owner.id, EventKind::TokenRefreshed, t0())),
        )
        .await;
    let onto_itself = store.rotate_refresh(rotation("r0"), Effects::none()).await;
    let orphan = store
        .rotate_refresh(
            rotation("r1"),
            Effects::event(event(UserId::generate(), EventKind::TokenRefreshed, t0())),
        )
        .await;
    let revoked = store
        .revoke(
            s.id,
            t0() + secs(2),
            Effects::event(event(UserId::generate(), EventKind::LoggedOut, t0())),
        )
        .await;

    for result in [same_id.map(drop), same_hash.map(drop)] {
        assert!(
            matches!(result, Err(InfraError::Unexpected(_))),
            "{result:?}"
        );
    }
    for result in [onto_other, onto_itself, orphan] {
        assert!(
            matches!(result, Err(InfraError::Unexpected(_))),
            "{result:?}"
        );
    }
    assert!(
        matches!(revoked, Err(InfraError::Unexpected(_))),
        "{revoked:?}"
    );
    let after = snapshot(&store, &[&owner], &[&s, &other], &["r0", "other"], &[]).await;
    assert_eq!(after, before);
    assert_eq!(
        store.find_by_refresh_hash(&hash("fresh")).await.unwrap(),
        None
    );
    assert_eq!(store.find_by_refresh_hash(&hash("r1")).await.unwrap(), None);
}

#[tokio::test]
async fn an_issue_that_would_break_a_key_writes_nothing() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let earlier = token(owner.id, TokenPurpose::VerifyEmail, "earlier", t0());
    store.issue(earlier.clone(), Effects::none()).await.unwrap();
    let before = snapshot(&store, &[&owner], &[], &[], &["earlier"]).await;
    let at = t0() + secs(1);

    // The same hash in its own effects, an existing hash, an orphan event.
    let twice = store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "new", at),
            every_effect(owner.id, at, "new"),
        )
        .await;
    let existing = store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "earlier", at),
            Effects::none(),
        )
        .await;
    let orphan = store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "new", at),
            Effects::event(event(UserId::generate(), EventKind::Registered, at)),
        )
        .await;

    for result in [twice, existing, orphan] {
        assert!(
            matches!(result, Err(InfraError::Unexpected(_))),
            "{result:?}"
        );
    }
    assert_eq!(
        snapshot(&store, &[&owner], &[], &[], &["earlier"]).await,
        before
    );
    assert_eq!(
        OneTimeTokenRepository::find(&store, &hash("new"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_lock_whose_effects_cannot_be_written_does_not_lock() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let policy = LockoutPolicy {
        max_failures: 1,
        lockout_secs: 900,
    };
    store.begin_attempt("k", t0(), policy).await.unwrap();

    let result = store
        .record_failure(
            "k",
            t0(),
            policy,
            Effects::event(event(owner.id, EventKind::LoginFailed, t0())),
            Effects::event(event(UserId::generate(), EventKind::LockedOut, t0())),
        )
        .await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
    assert_eq!(store.security_events(owner.id).unwrap(), vec![]);
    // Not locked: the next attempt is counted (the second, beyond the
    // limit of one) and locks only now.
    assert_eq!(
        store
            .begin_attempt("k", t0() + secs(1), policy)
            .await
            .unwrap(),
        Some(t0() + secs(901))
    );
}

#[tokio::test]
async fn what_reads_back_is_truncated_to_microseconds_everywhere() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let fine = t0() + TimeDelta::nanoseconds(789);
    let mut new = new_session(owner.id, "r0");
    new.created_at = fine;
    new.expires_at = fine + TimeDelta::days(1);
    new.refresh_expires_at = fine + TimeDelta::hours(1);

    let created = SessionRepository::create(
        &store,
        new,
        Effects::event(event(owner.id, EventKind::LoginSucceeded, fine))
            .with_mail(mail("a@example.com")),
    )
    .await
    .unwrap();
    store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "v", fine),
            Effects::none(),
        )
        .await
        .unwrap();
    let changed = store
        .apply_change(UserChange::new(owner.id, fine), Effects::none())
        .await
        .unwrap();

    assert_eq!(created.created_at, t0());
    assert_eq!(created.last_used_at, t0());
    assert_eq!(created.expires_at, t0() + TimeDelta::days(1));
    assert_eq!(created.refresh_expires_at, t0() + TimeDelta::hours(1));
    assert_eq!(changed.updated_at, t0());
    let stored = OneTimeTokenRepository::find(&store, &hash("v"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.created_at, stored.expires_at),
        (t0(), t0() + TimeDelta::hours(1))
    );
    assert_eq!(store.security_events(owner.id).unwrap()[0].at, t0());
    let listed = store.list_for_user(owner.id, 10, None).await.unwrap();
    assert_eq!(listed[0].at, t0());
    assert_eq!(store.outbox_entries().unwrap()[0].queued.created_at, t0());
    let claimed = store.claim(fine, 10, 60).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(
        store.outbox_entries().unwrap()[0].locked_until,
        Some(t0() + secs(60))
    );
}

// Races, on a multi-threaded runtime: each task a separate request.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_concurrent_redemptions_of_one_token_exactly_one_wins() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    store
        .issue(
            token(owner.id, TokenPurpose::VerifyEmail, "verify", t0()),
            Effects::none(),
        )
        .await
        .unwrap();
    let start = Arc::new(Barrier::new(16));

    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                let at = t0() + secs(i);
                let mut change = UserChange::new(owner.id, at);
                change.email_verified = Some(true);
                let effects = Effects::event(event(owner.id, EventKind::EmailVerified, at))
                    .with_mail(mail("done@example.com"));
                start.wait().await;
                store.redeem_token(hash("verify"), change, effects).await
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(user) => won.push(user),
            Err(RedeemTokenError::TokenUnusable) => {}
            Err(other) => panic!("{other:?}"),
        }
    }

    assert_eq!(won.len(), 1, "{won:?}");
    let used = OneTimeTokenRepository::find(&store, &hash("verify"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.used_at, Some(won[0].updated_at));
    assert_eq!(store.security_events(owner.id).unwrap().len(), 1);
    assert_eq!(store.pending().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_concurrent_rotations_of_one_token_exactly_one_wins_and_the_others_leave_nothing() {
    let store = MemoryStore::new();
    let owner = user(&store, Role::User).await;
    let s = session(&store, owner.id, "r0").await;
    let start = Arc::new(Barrier::new(16));

    let tasks: Vec<_> = (1..=16)
        .map(|i| {
            let store = store.clone();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                let now = t0() + secs(i);
                let rotation = RefreshRotation {
                    session_id: s.id,
                    old: hash("r0"),
                    new: hash(&format!("r{i}")),
                    now,
                    refresh_expires_at: now + TimeDelta::days(30),
                };
                let effects = Effects::event(event(owner.id, EventKind::TokenRefreshed, now));
                start.wait().await;
                (i, store.rotate_refresh(rotation, effects).await.unwrap())
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        if let (i, Some(session)) = task.await.unwrap() {
            winners.push((i, session));
        }
    }

    assert_eq!(winners.len(), 1, "{winners:?}");
    let (winner, session) = &winners[0];
    assert_eq!(session.last_used_at, t0() + secs(*winner));
    for i in 1..=16 {
        let state = store
            .find_by_refresh_hash(&hash(&format!("r{i}")))
            .await
            .unwrap();
        if i == *winner {
            assert_eq!(state, Some(RefreshTokenState::Current(session.clone())));
        } else {
            assert_eq!(state, None, "r{i}");
        }
    }
    assert_eq!(
        store.find_by_refresh_hash(&hash("r0")).await.unwrap(),
        Some(RefreshTokenState::Rotated(session.clone()))
    );
    assert_eq!(store.security_events(owner.id).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_switches_to_one_address_leave_it_with_exactly_one_account() {
    let store = MemoryStore::new();
    let mut users = Vec::new();
    for i in 0..8 {
        let owner = user(&store, Role::User).await;
        store
            .issue(
                token(owner.id, TokenPurpose::ChangeEmail, &format!("c{i}"), t0()),
                Effects::none(),
            )
            .await
            .unwrap();
        users.push(owner);
    }
    let wanted = Email::parse("wanted@example.com").unwrap();
    let start = Arc::new(Barrier::new(users.len()));

    let tasks: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, owner)| {
            let (store, start, wanted, id) =
                (store.clone(), Arc::clone(&start), wanted.clone(), owner.id);
            tokio::spawn(async move {
                start.wait().await;
                store
                    .change_email(
                        hash(&format!("c{i}")),
                        wanted,
                        UserChange::new(id, t0() + secs(1)),
                        Effects::event(event(id, EventKind::EmailChanged, t0())),
                    )
                    .await
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(user) => won.push(user.id),
            Err(ChangeEmailError::EmailTaken) => {}
            Err(other) => panic!("{other:?}"),
        }
    }

    assert_eq!(won.len(), 1, "{won:?}");
    let holder = store.find_by_email(&wanted).await.unwrap().unwrap();
    assert_eq!(holder.id, won[0]);
    for (i, owner) in users.iter().enumerate() {
        let events = store.security_events(owner.id).unwrap().len();
        let used = OneTimeTokenRepository::find(&store, &hash(&format!("c{i}")))
            .await
            .unwrap()
            .unwrap()
            .used_at
            .is_some();
        assert_eq!(
            (events == 1, used),
            (owner.id == won[0], owner.id == won[0])
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_removals_of_many_admins_leave_exactly_one() {
    let store = MemoryStore::new();
    let mut admins = Vec::new();
    for _ in 0..8 {
        admins.push(user(&store, Role::Admin).await.id);
    }
    let start = Arc::new(Barrier::new(admins.len()));

    let tasks: Vec<_> = admins
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let (store, start) = (store.clone(), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                let change = UserChange::new(id, t0());
                let removed = match i % 3 {
                    0 => store.delete(id, t0(), Effects::none()).await.map_err(|e| {
                        assert!(matches!(e, DeleteUserError::LastAdmin), "{e:?}");
                    }),
                    1 => store
                        .change_access(
                            AccessChange {
                                role: Some(Role::User),
                                is_active: None,
                            },
                            change,
                            Effects::none(),
                        )
                        .await
                        .map(drop)
                        .map_err(|e| assert!(matches!(e, AccessChangeError::LastAdmin), "{e:?}")),
                    _ => store
                        .change_access(
                            AccessChange {
                                role: None,
                                is_active: Some(false),
                            },
                            change,
                            Effects::none(),
                        )
                        .await
                        .map(drop)
                        .map_err(|e| assert!(matches!(e, AccessChangeError::LastAdmin), "{e:?}")),
                };
                removed.is_ok()
            })
        })
        .collect();
    let mut removed = 0;
    for task in tasks {
        removed += usize::from(task.await.unwrap());
    }

    assert_eq!(removed, admins.len() - 1);
    let mut left = 0;
    for id in admins {
        if store
            .find_by_id(id)
            .await
            .unwrap()
            .is_some_and(|u| u.role == Role::Admin && u.is_active)
        {
            left += 1;
        }
    }
    assert_eq!(left, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_attempts_never_exceed_the_limit() {
    let store = MemoryStore::new();
    let policy = LockoutPolicy {
        max_failures: 5,
        lockout_secs: 60,
    };
    let start = Arc::new(Barrier::new(32));

    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (store, start) = (store.clone(), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                store.begin_attempt("k", t0(), policy).await.unwrap()
            })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        match task.await.unwrap() {
            None => allowed += 1,
            Some(until) => assert_eq!(until, t0() + secs(60)),
        }
    }

    assert_eq!(allowed, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_lease_and_expired_leases_come_back() {
    let store = MemoryStore::new();
    let mails = (0..100)
        .map(|n| mail(&format!("u{n}@example.com")))
        .collect();
    let mut queuer = new_user("queuer@example.com", Role::User);
    queuer.created_at = t0();
    UserRepository::create(
        &store,
        queuer,
        Effects {
            events: Vec::new(),
            mails,
            tokens: Vec::new(),
        },
    )
    .await
    .unwrap();
    let start = Arc::new(Barrier::new(4));

    // Every claimer claims until nothing is due, and delivers only the
    // even-numbered ones: the odd ones' leases must run out first.
    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let (store, start) = (store.clone(), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                let mut seen = Vec::new();
                loop {
                    let batch = store.claim(t0(), 7, 60).await.unwrap();
                    if batch.is_empty() {
                        return seen;
                    }
                    for queued in batch {
                        let n: usize = queued.mail.to.as_str()[1..]
                            .split('@')
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap();
                        if n.is_multiple_of(2) {
                            store.mark_delivered(queued.id, t0()).await.unwrap();
                        }
                        seen.push(queued.id);
                    }
                }
            })
        })
        .collect();
    let mut seen = Vec::new();
    for claimer in claimers {
        seen.extend(claimer.await.unwrap());
    }
    let distinct: HashSet<_> = seen.iter().collect();

    assert_eq!(seen.len(), 100, "some mail was claimed twice or never");
    assert_eq!(distinct.len(), 100);
    assert_eq!(store.pending().await.unwrap(), 50);
    assert_eq!(store.claim(t0() + secs(59), 100, 60).await.unwrap(), vec![]);
    let again = store.claim(t0() + secs(60), 100, 60).await.unwrap();
    assert_eq!(again.len(), 50);
    assert!(again.iter().all(|q| q.mail.link.is_some()));
    // Oldest first: all were queued at once, so in the order queued.
    let order: Vec<_> = store
        .outbox_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.delivered_at.is_none())
        .map(|e| e.queued.id)
        .collect();
    assert_eq!(again.iter().map(|q| q.id).collect::<Vec<_>>(), order);
    let delivered = store.outbox_entries().unwrap();
    assert!(
        delivered
            .iter()
            .filter(|e| e.delivered_at.is_some())
            .all(|e| e.queued.mail.link.is_none() && e.locked_until.is_none())
    );
}
