//! `RateLimitCounter` contract.

use std::sync::Arc;

use domain::ports::RateLimitCounter;

use crate::Harness;
use crate::contract::support::*;

const KEY: &str = "192.0.2.1";

pub(crate) async fn hits_of_one_window_count_up_and_a_new_window_starts_at_one<H: Harness>(
    f: Fixture<H>,
) {
    let window = t0();
    let next = t0() + secs(60);

    let counts = [
        f.db.hit(KEY, window).await.unwrap(),
        f.db.hit(KEY, window).await.unwrap(),
        f.db.hit(KEY, window).await.unwrap(),
        f.db.hit(KEY, next).await.unwrap(),
        f.db.hit(KEY, next).await.unwrap(),
    ];

    assert_eq!(counts, [1, 2, 3, 1, 2]);
}

pub(crate) async fn keys_are_counted_apart<H: Harness>(f: Fixture<H>) {
    f.db.hit(KEY, t0()).await.unwrap();
    f.db.hit(KEY, t0()).await.unwrap();

    assert_eq!(f.db.hit("2001:db8::", t0()).await.unwrap(), 1);
    assert_eq!(f.db.hit(KEY, t0()).await.unwrap(), 3);
}

pub(crate) async fn concurrent_hits_from_two_handles_all_count<H: Harness>(f: Fixture<H>) {
    const HITS: u32 = 20;
    let handles = [Arc::new(f.db.clone()), Arc::new(f.another_handle())];

    let tasks: Vec<_> = (0..HITS)
        .map(|n| {
            let db = Arc::clone(&handles[n as usize % 2]);
            tokio::spawn(async move { db.hit(KEY, t0()).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap());
    }
    counts.sort_unstable();

    // Had any hit been lost, two would share a count.
    assert_eq!(counts, (1..=HITS).collect::<Vec<_>>());
}

pub(crate) async fn forgetting_drops_only_windows_that_started_before<H: Harness>(f: Fixture<H>) {
    f.db.hit("old", t0()).await.unwrap();
    f.db.hit(KEY, t0() + secs(60)).await.unwrap();

    let forgotten = f.db.forget_before(t0() + secs(60)).await.unwrap();

    assert_eq!(forgotten, 1);
    assert_eq!(f.db.hit(KEY, t0() + secs(60)).await.unwrap(), 2);
    assert_eq!(f.db.hit("old", t0() + secs(60)).await.unwrap(), 1);
}
