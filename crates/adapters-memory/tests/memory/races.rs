//! Races, on a multi-threaded runtime: each task a separate request.

use std::collections::HashSet;
use std::sync::Arc;

use adapters_memory::MemoryStore;
use chrono::TimeDelta;
use domain::ports::{
    Admission, LockoutPolicy, LoginThrottle, OneTimeTokenRepository, Outbox, SessionRepository,
    UserRepository,
};
use domain::{
    AccessChange, AccessChangeError, ChangeEmailError, Effects, Email, EventKind, RedeemTokenError,
    RefreshRotation, RefreshTokenState, Role, TokenPurpose, UserChange, UserDeletionError,
};
use tokio::sync::Barrier;

use crate::support::*;

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
                    retry: None,
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
        Some(RefreshTokenState::Rotated {
            session: session.clone(),
            retry: None,
        })
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
                        assert!(matches!(e, UserDeletionError::LastAdmin), "{e:?}");
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
async fn concurrent_checks_never_exceed_the_limit_and_the_rest_are_busy() {
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
            Admission::Check => allowed += 1,
            other => assert_eq!(other, Admission::Busy),
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
                            store
                                .mark_delivered(queued.id, queued.leased_until, t0())
                                .await
                                .unwrap();
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
