use std::future::Future;
use std::pin::pin;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};

use tokio::task::JoinHandle;

use super::*;

/// A job that runs until the returned sender is dropped or sent to, so a
/// test decides exactly when a worker frees up.
fn held_job() -> (mpsc::Sender<()>, impl FnOnce() -> u32 + Send + 'static) {
    let (release, wait) = mpsc::channel::<()>();
    (release, move || {
        let _ = wait.recv();
        7
    })
}

fn spawn_held(pool: &HashPool) -> (mpsc::Sender<()>, JoinHandle<Result<u32, InfraError>>) {
    let (release, job) = held_job();
    let pool = pool.clone();
    (release, tokio::spawn(async move { pool.run(job).await }))
}

async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..2_000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("timed out waiting until {what}");
}

/// A pool with workers=1, queue=1 whose worker and queue slot are both taken.
async fn full_pool() -> (
    HashPool,
    [(mpsc::Sender<()>, JoinHandle<Result<u32, InfraError>>); 2],
) {
    let pool = HashPool::new(1, 1, None);
    let stats = pool.stats();
    let running = spawn_held(&pool);
    wait_until("one job runs", || stats.in_flight() == 1).await;
    let waiting = spawn_held(&pool);
    wait_until("one job waits", || stats.queue_depth() == 1).await;
    (pool, [running, waiting])
}

#[tokio::test]
async fn a_job_offered_to_a_full_pool_is_overloaded_at_once_without_running() {
    let (pool, held) = full_pool().await;
    let ran = Arc::new(AtomicBool::new(false));

    let flag = Arc::clone(&ran);
    let started = Instant::now();
    let result = pool.run(move || flag.store(true, Ordering::SeqCst)).await;

    assert!(matches!(result, Err(InfraError::Overloaded)));
    assert!(started.elapsed() < Duration::from_millis(100));
    assert!(!ran.load(Ordering::SeqCst));
    assert_eq!(pool.stats().rejected_total(), 1);
    drop(held);
}

#[tokio::test]
async fn a_queued_job_runs_once_the_worker_is_free() {
    let (_pool, [(release_first, first), (release_second, second)]) = full_pool().await;

    release_first.send(()).unwrap();
    release_second.send(()).unwrap();

    assert_eq!(first.await.unwrap().unwrap(), 7);
    assert_eq!(second.await.unwrap().unwrap(), 7);
}

#[tokio::test]
async fn the_gauges_show_running_and_waiting_jobs_and_return_to_zero() {
    let (pool, [(release_first, first), (release_second, second)]) = full_pool().await;
    let stats = pool.stats();
    assert_eq!((stats.in_flight(), stats.queue_depth()), (1, 1));

    drop((release_first, release_second));
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();

    assert_eq!((stats.in_flight(), stats.queue_depth()), (0, 0));
}

#[tokio::test]
async fn a_caller_that_stops_waiting_gives_its_queue_slot_back() {
    let (pool, [running, (_release_waiting, waiting)]) = full_pool().await;
    let stats = pool.stats();

    waiting.abort();
    wait_until("the aborted job leaves the queue", || {
        stats.queue_depth() == 0
    })
    .await;
    let (release_next, next) = spawn_held(&pool);
    wait_until("the next job waits", || stats.queue_depth() == 1).await;

    assert_eq!(stats.rejected_total(), 0);
    drop((running, release_next, next));
}

#[tokio::test]
async fn no_more_jobs_run_at_once_than_there_are_workers() {
    let pool = HashPool::new(2, 10, None);
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));

    let jobs = (0..6).map(|_| {
        let (pool, running, most) = (pool.clone(), Arc::clone(&running), Arc::clone(&most));
        tokio::spawn(async move {
            pool.run(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(30));
                running.fetch_sub(1, Ordering::SeqCst);
            })
            .await
        })
    });
    for job in jobs.collect::<Vec<_>>() {
        job.await.unwrap().unwrap();
    }

    assert!(most.load(Ordering::SeqCst) <= 2);
}

#[tokio::test]
async fn a_panicking_job_is_unexpected_and_frees_its_slot() {
    let pool = HashPool::new(1, 0, None);

    let panicked = pool.run(|| panic!("job failed")).await;
    let next = pool.run(|| 1).await;

    assert!(matches!(panicked, Err(InfraError::Unexpected(_))));
    assert_eq!(next.unwrap(), 1);
}

#[test]
fn running_outside_a_tokio_runtime_is_unexpected() {
    let pool = HashPool::new(1, 1, None);
    let mut run = pin!(pool.run(|| 1));

    let polled = run.as_mut().poll(&mut Context::from_waker(Waker::noop()));

    assert!(matches!(
        polled,
        Poll::Ready(Err(InfraError::Unexpected(_)))
    ));
}

#[tokio::test]
async fn the_observer_hears_how_long_each_job_ran() {
    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    let observer: DurationObserver = Arc::new(move |took| sink.lock().unwrap().push(took));
    let pool = HashPool::new(1, 1, Some(observer));

    pool.run(|| std::thread::sleep(Duration::from_millis(15)))
        .await
        .unwrap();

    let heard = heard.lock().unwrap();
    assert_eq!(heard.len(), 1);
    assert!(heard[0] >= Duration::from_millis(15));
}
