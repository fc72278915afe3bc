use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use domain::ports::{MockClock, MockMailer, MockOutbox};
use domain::{Email, MailKind, OutgoingMail, QueuedMail, Timestamp};
use mockall::predicate::eq;
use uuid::Uuid;

use super::*;

fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

fn queued(attempts: u32) -> QueuedMail {
    QueuedMail {
        id: Uuid::now_v7(),
        mail: OutgoingMail {
            kind: MailKind::Welcome,
            to: Email::parse("ada@example.com").unwrap(),
            recipient_name: "Ada".into(),
            link: Some("http://app.test/verify-email?token=t".into()),
        },
        attempts,
        created_at: now(),
        leased_until: lease(),
    }
}

/// The lease every claim here holds.
fn lease() -> Timestamp {
    now() + Duration::seconds(120)
}

fn delivery(outbox: MockOutbox, mailer: MockMailer) -> MailDelivery {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    MailDelivery::new(
        Arc::new(outbox),
        Arc::new(mailer),
        Arc::new(clock),
        DeliveryConfig::default(),
    )
}

#[tokio::test]
async fn delivered_messages_are_marked_delivered() {
    let mail = queued(0);
    let id = mail.id;
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim()
        .with(eq(now()), eq(1), eq(120))
        .return_once(move |_, _, _| Ok(vec![mail]));
    outbox
        .expect_mark_delivered()
        .with(eq(id), eq(lease()), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer
        .expect_send()
        .withf(move |sent, _| *sent == id)
        .times(1)
        .returning(|_, _| Ok(()));

    let round = delivery(outbox, mailer).deliver_due().await.unwrap();

    assert_eq!(
        round,
        DeliveryRound {
            delivered: 1,
            failed: 0
        }
    );
}

#[tokio::test]
async fn a_transient_failure_is_retried_with_exponential_backoff() {
    let mail = queued(3);
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim()
        .return_once(move |_, _, _| Ok(vec![mail]));
    outbox
        .expect_mark_failed()
        .withf(|_, leased_until, error, retry_at| {
            *leased_until == lease()
                && error.contains("connection refused")
                && *retry_at == now() + Duration::seconds(40)
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer
        .expect_send()
        .returning(|_, _| Err(MailError::Transient("connection refused".into())));

    let round = delivery(outbox, mailer).deliver_due().await.unwrap();

    assert_eq!(
        round,
        DeliveryRound {
            delivered: 0,
            failed: 1
        }
    );
}

#[tokio::test]
async fn backoff_never_exceeds_the_maximum() {
    let mail = queued(40);
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim()
        .return_once(move |_, _, _| Ok(vec![mail]));
    outbox
        .expect_mark_failed()
        .withf(|_, _, _, retry_at| *retry_at == now() + Duration::seconds(3_600))
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer
        .expect_send()
        .returning(|_, _| Err(MailError::Transient("timeout".into())));

    delivery(outbox, mailer).deliver_due().await.unwrap();
}

#[tokio::test]
async fn a_permanent_failure_waits_the_maximum_before_the_next_try() {
    let mail = queued(0);
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim()
        .return_once(move |_, _, _| Ok(vec![mail]));
    outbox
        .expect_mark_failed()
        .withf(|_, _, _, retry_at| *retry_at == now() + Duration::seconds(3_600))
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer
        .expect_send()
        .returning(|_, _| Err(MailError::Permanent("550 no such user".into())));

    delivery(outbox, mailer).deliver_due().await.unwrap();
}

#[tokio::test]
async fn one_failure_does_not_stop_the_rest_of_the_batch() {
    let (first, second) = (queued(0), queued(0));
    let second_id = second.id;
    let mut outbox = MockOutbox::new();
    outbox
        .expect_claim()
        .return_once(move |_, _, _| Ok(vec![first, second]));
    outbox
        .expect_mark_failed()
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    outbox
        .expect_mark_delivered()
        .with(eq(second_id), eq(lease()), eq(now()))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let mut mailer = MockMailer::new();
    mailer.expect_send().returning(move |id, _| {
        if id == second_id {
            Ok(())
        } else {
            Err(MailError::Transient("down".into()))
        }
    });

    let round = delivery(outbox, mailer).deliver_due().await.unwrap();

    assert_eq!(
        round,
        DeliveryRound {
            delivered: 1,
            failed: 1
        }
    );
}

#[tokio::test]
async fn an_empty_outbox_sends_nothing() {
    let mut outbox = MockOutbox::new();
    outbox.expect_claim().returning(|_, _, _| Ok(vec![]));
    let mut mailer = MockMailer::new();
    mailer.expect_send().never();

    let round = delivery(outbox, mailer).deliver_due().await.unwrap();

    assert_eq!(round.claimed(), 0);
}

#[tokio::test]
async fn pruning_deletes_delivered_mail_past_the_retention_in_batches_until_one_is_short() {
    let mut outbox = MockOutbox::new();
    let before = now() - Duration::days(30);
    let mut answers = vec![500_u64, 500, 7].into_iter();
    outbox
        .expect_delete_delivered()
        .with(eq(before), eq(500))
        .times(3)
        .returning(move |_, _| Ok(answers.next().unwrap()));

    let deleted = delivery(outbox, MockMailer::new())
        .prune_delivered()
        .await
        .unwrap();

    assert_eq!(deleted, 1_007);
}
