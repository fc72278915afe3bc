//! `Outbox` contract: claims, leases, retries, delivery (queueing is in
//! `outbox_queueing.rs`).

use std::collections::HashSet;
use std::sync::Arc;

use chrono::TimeDelta;
use domain::ports::{Outbox, UserRepository};
use domain::{Effects, InfraError, MailKind, OutgoingMail, QueuedMail, Timestamp, UserId};
use uuid::Uuid;

use crate::contract::support::*;
use crate::{Harness, OutboxEntry};

const LEASE: u64 = 60;

/// Creates a user at `at` with `mails` queued: the way mail reaches the
/// outbox.
pub(crate) async fn queue<H: Harness>(
    f: &Fixture<H>,
    at: Timestamp,
    mails: Vec<OutgoingMail>,
) -> UserId {
    let mut user = new_user(&format!("{}@example.com", UserId::generate()));
    user.created_at = at;
    let effects = Effects {
        events: Vec::new(),
        mails,
        tokens: Vec::new(),
    };
    UserRepository::create(&f.db, user, effects)
        .await
        .unwrap()
        .id
}

/// One welcome mail queued at `at`.
async fn queue_one<H: Harness>(f: &Fixture<H>, at: Timestamp, to: &str) -> OutgoingMail {
    let welcome = mail(MailKind::Welcome, to);
    queue(f, at, vec![welcome.clone()]).await;
    welcome
}

pub(crate) async fn claim<H: Harness>(
    f: &Fixture<H>,
    now: Timestamp,
    limit: u32,
) -> Vec<QueuedMail> {
    f.db.claim(now, limit, LEASE).await.unwrap()
}

fn recipients(claimed: &[QueuedMail]) -> Vec<&str> {
    claimed
        .iter()
        .map(|queued| queued.mail.to.as_str())
        .collect()
}

async fn entry<H: Harness>(f: &Fixture<H>, id: Uuid) -> OutboxEntry {
    f.outbox()
        .await
        .into_iter()
        .find(|entry| entry.queued.id == id)
        .unwrap()
}

pub(crate) async fn claiming_returns_due_mail_oldest_first_up_to_the_limit_and_leases_it<
    H: Harness,
>(
    f: Fixture<H>,
) {
    // Queued out of order, and one not due yet at the first claim.
    queue_one(&f, t0() + secs(2), "third@example.com").await;
    queue_one(&f, t0(), "first@example.com").await;
    queue_one(&f, t0() + secs(50), "later@example.com").await;
    queue_one(&f, t0() + secs(1), "second@example.com").await;
    let now = t0() + secs(10);

    let first = claim(&f, now, 2).await;
    let second = claim(&f, now, 2).await;
    let nothing_left = claim(&f, now, 2).await;

    assert_eq!(
        recipients(&first),
        ["first@example.com", "second@example.com"]
    );
    assert_eq!(recipients(&second), ["third@example.com"]);
    assert_eq!(nothing_left, vec![]);
    for queued in first.iter().chain(&second) {
        assert_eq!(queued.attempts, 0);
        let entry = entry(&f, queued.id).await;
        assert_eq!(entry.queued, *queued);
        assert_eq!(entry.locked_until, Some(now + secs(60)));
    }
    assert_eq!(claim(&f, now, 0).await, vec![]);
    assert_eq!(
        // Once due; the others are still leased then.
        recipients(&claim(&f, t0() + secs(50), 10).await),
        ["later@example.com"]
    );
}

pub(crate) async fn a_claimed_mail_is_not_claimed_again_while_leased<H: Harness>(f: Fixture<H>) {
    queue_one(&f, t0(), "ada@example.com").await;
    let claimed = claim(&f, t0(), 10).await;

    assert_eq!(claimed.len(), 1);
    assert_eq!(claim(&f, t0(), 10).await, vec![]);
    assert_eq!(claim(&f, t0() + secs(59), 10).await, vec![]);
    assert_eq!(f.db.pending().await.unwrap(), 1);
}

pub(crate) async fn a_mail_whose_lease_ran_out_is_claimable_again<H: Harness>(f: Fixture<H>) {
    queue_one(&f, t0(), "ada@example.com").await;
    let first = claim(&f, t0(), 10).await;

    // Its worker died: no mark_delivered, no mark_failed.
    let again = claim(&f, t0() + secs(60), 10).await;

    // The same message, under a new lease.
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].mail, first[0].mail);
    assert_eq!(again[0].leased_until, t0() + secs(120));
    assert_eq!(first[0].leased_until, t0() + secs(60));
    assert_eq!(
        entry(&f, again[0].id).await.locked_until,
        Some(t0() + secs(120))
    );
    assert_eq!(claim(&f, t0() + secs(61), 10).await, vec![]);
}

pub(crate) async fn a_failed_mail_is_claimed_again_only_once_due<H: Harness>(f: Fixture<H>) {
    queue_one(&f, t0(), "ada@example.com").await;
    let claimed = claim(&f, t0(), 10).await.remove(0);
    let id = claimed.id;
    let retry_at = t0() + secs(300);

    f.db.mark_failed(id, claimed.leased_until, "connection refused", retry_at)
        .await
        .unwrap();

    let entry = entry(&f, id).await;
    assert_eq!(entry.locked_until, None);
    assert_eq!(entry.next_attempt_at, retry_at);
    assert_eq!(claim(&f, t0() + secs(1), 10).await, vec![]);
    assert_eq!(claim(&f, retry_at - secs(1), 10).await, vec![]);
    let retried = claim(&f, retry_at, 10).await;
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].id, id);
    assert_eq!(retried[0].attempts, 1);
}

pub(crate) async fn a_failure_counts_the_attempt_and_keeps_the_error_cut_to_500_characters<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let queued = queue_one(&f, t0(), "ada@example.com").await;
    let claimed = claim(&f, t0(), 10).await.remove(0);
    let id = claimed.id;
    let long = "é".repeat(600);

    f.db.mark_failed(
        id,
        claimed.leased_until,
        "connection refused",
        t0() + secs(10),
    )
    .await
    .unwrap();
    let again = claim(&f, t0() + secs(10), 10).await.remove(0);
    f.db.mark_failed(id, again.leased_until, &long, t0() + secs(20))
        .await
        .unwrap();

    let entry = entry(&f, id).await;
    assert_eq!(entry.queued.attempts, 2);
    assert_eq!(entry.last_error, Some("é".repeat(500)));
    assert_eq!(entry.next_attempt_at, t0() + secs(20));
    assert_eq!(entry.locked_until, None);
    assert_eq!(entry.delivered_at, None);
    // The message itself is untouched, link included.
    assert_eq!(entry.queued.mail, queued);
}

pub(crate) async fn a_delivered_mail_is_never_claimed_again_and_loses_its_link<H: Harness>(
    f: Fixture<H>,
) {
    queue_one(&f, t0(), "ada@example.com").await;
    let claimed = claim(&f, t0(), 10).await.remove(0);
    let (id, lease) = (claimed.id, claimed.leased_until);
    let delivered_at = t0() + secs(5);

    f.db.mark_delivered(id, lease, delivered_at).await.unwrap();
    // Late reports of the same claim change nothing.
    f.db.mark_delivered(id, lease, t0() + secs(6))
        .await
        .unwrap();
    f.db.mark_failed(id, lease, "timeout", t0() + secs(7))
        .await
        .unwrap();

    let entry = entry(&f, id).await;
    assert_eq!(entry.delivered_at, Some(delivered_at));
    assert_eq!(entry.queued.mail.link, None);
    assert_eq!(entry.locked_until, None);
    assert_eq!(entry.queued.attempts, 0);
    assert_eq!(entry.last_error, None);
    assert_eq!(claim(&f, t0() + TimeDelta::days(365), 10).await, vec![]);
    assert_eq!(f.db.pending().await.unwrap(), 0);
}

pub(crate) async fn marking_an_unknown_mail_is_not_an_error<H: Harness>(f: Fixture<H>) {
    queue_one(&f, t0(), "ada@example.com").await;

    f.db.mark_delivered(Uuid::now_v7(), t0(), t0())
        .await
        .unwrap();
    f.db.mark_failed(Uuid::now_v7(), t0(), "timeout", t0())
        .await
        .unwrap();

    assert_eq!(f.db.pending().await.unwrap(), 1);
    assert_eq!(claim(&f, t0(), 10).await.len(), 1);
}

pub(crate) async fn pending_counts_undelivered_mail_only<H: Harness>(f: Fixture<H>) {
    assert_eq!(f.db.pending().await.unwrap(), 0);
    for n in 0..4 {
        queue_one(&f, t0(), &format!("user{n}@example.com")).await;
    }
    let claimed = claim(&f, t0(), 3).await;

    f.db.mark_delivered(claimed[0].id, claimed[0].leased_until, t0())
        .await
        .unwrap();
    f.db.mark_failed(
        claimed[1].id,
        claimed[1].leased_until,
        "timeout",
        t0() + secs(60),
    )
    .await
    .unwrap();

    // One delivered; one failed, one leased and one never claimed wait.
    assert_eq!(f.db.pending().await.unwrap(), 3);
}

pub(crate) async fn a_lease_out_of_range_is_unexpected<H: Harness>(f: Fixture<H>) {
    queue_one(&f, t0(), "ada@example.com").await;

    let result = f.db.claim(t0(), 10, u64::MAX).await;

    assert!(
        matches!(result, Err(InfraError::Unexpected(_))),
        "{result:?}"
    );
    assert_eq!(claim(&f, t0(), 10).await.len(), 1);
}

pub(crate) async fn concurrent_claimers_see_every_mail_exactly_once<H: Harness>(f: Fixture<H>) {
    const MAILS: usize = 60;
    const CLAIMERS: usize = 4;
    let mails = (0..MAILS)
        .map(|n| mail(MailKind::Welcome, &format!("user{n}@example.com")))
        .collect();
    queue(&f, t0(), mails).await;
    let now = t0() + secs(1);
    // Each claimer with a pool of its own, as separate processes would be.
    let start = Arc::new(tokio::sync::Barrier::new(CLAIMERS));

    let claimers: Vec<_> = (0..CLAIMERS)
        .map(|_| {
            let db = f.another_handle();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                let mut seen = Vec::new();
                loop {
                    let batch = db.claim(now, 5, LEASE).await.unwrap();
                    if batch.is_empty() {
                        return seen;
                    }
                    for queued in batch {
                        db.mark_delivered(queued.id, queued.leased_until, now)
                            .await
                            .unwrap();
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
    assert_eq!(seen.len(), MAILS, "some mail was claimed twice or never");
    assert_eq!(distinct.len(), MAILS);
    assert_eq!(f.db.pending().await.unwrap(), 0);
    assert!(
        f.outbox()
            .await
            .iter()
            .all(|entry| entry.delivered_at == Some(now))
    );
}

pub(crate) async fn a_mark_under_a_lease_that_passed_to_another_worker_changes_nothing<
    H: Harness,
>(
    f: Fixture<H>,
) {
    queue_one(&f, t0(), "ada@example.com").await;
    // The first worker's lease runs out while it sends; a second claims.
    let stale = claim(&f, t0(), 10).await.remove(0);
    let current = claim(&f, t0() + secs(LEASE as i64), 10).await.remove(0);

    f.db.mark_failed(stale.id, stale.leased_until, "timeout", t0() + secs(61))
        .await
        .unwrap();
    f.db.mark_delivered(stale.id, stale.leased_until, t0() + secs(62))
        .await
        .unwrap();

    let entry = entry(&f, stale.id).await;
    assert_eq!(
        entry.delivered_at, None,
        "the stale worker delivered nothing"
    );
    assert_eq!(entry.queued.attempts, 0);
    assert_eq!(entry.locked_until, Some(current.leased_until));
    f.db.mark_delivered(current.id, current.leased_until, t0() + secs(63))
        .await
        .unwrap();
    assert_eq!(
        entry_at(&f, current.id).await,
        Some(t0() + secs(63)),
        "the current lease holder's outcome counts"
    );
}

async fn entry_at<H: Harness>(f: &Fixture<H>, id: Uuid) -> Option<domain::Timestamp> {
    entry(f, id).await.delivered_at
}

pub(crate) async fn pruning_deletes_only_delivered_mail_past_its_age_in_batches<H: Harness>(
    f: Fixture<H>,
) {
    for n in 0..5 {
        queue_one(&f, t0(), &format!("user{n}@example.com")).await;
    }
    let claimed = claim(&f, t0(), 4).await;
    // Three delivered long ago, one just now; one never claimed.
    for (queued, at) in claimed.iter().zip([0, 1, 2, 100]) {
        f.db.mark_delivered(queued.id, queued.leased_until, t0() + secs(at))
            .await
            .unwrap();
    }
    let before = t0() + secs(50);

    let first = f.db.delete_delivered(before, 2).await.unwrap();
    let second = f.db.delete_delivered(before, 2).await.unwrap();
    let third = f.db.delete_delivered(before, 2).await.unwrap();

    assert_eq!((first, second, third), (2, 1, 0));
    let left: Vec<Uuid> = f.outbox().await.iter().map(|e| e.queued.id).collect();
    assert_eq!(
        left.len(),
        2,
        "the recent delivery and the undelivered one stay"
    );
    assert!(left.contains(&claimed[3].id));
    assert_eq!(f.db.pending().await.unwrap(), 1);
}
