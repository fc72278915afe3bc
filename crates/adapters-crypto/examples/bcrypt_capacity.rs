//! The machine's raw bcrypt capacity: hashes per second with one thread per
//! core, at a given cost, for `bench/run` (login throughput is reported as a
//! ratio to it).
//!
//! ```text
//! cargo run --release -p adapters-crypto --example bcrypt_capacity -- COST SECONDS
//! ```
//!
//! Prints one JSON object: `{"cost", "threads", "seconds", "hashes", "per_second"}`.

// A command-line tool: its one line of output is its result.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let cost: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(12);
    let seconds: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5.0);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let stop = Arc::new(AtomicBool::new(false));
    let hashes = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (stop, hashes) = (stop.clone(), hashes.clone());
            std::thread::spawn(move || {
                // The same input length the service hashes: base64 of an
                // HMAC-SHA256 (44 characters).
                let input = "bWVhc3VyaW5nIHRoZSByYXcgYmNyeXB0IGNhcGFjaXR5IQ==";
                while !stop.load(Ordering::Relaxed) {
                    if bcrypt::hash(input, cost).is_ok() {
                        hashes.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        let _ = worker.join();
    }
    // Hashes that finished after the stop count with the time they took.
    let elapsed = started.elapsed().as_secs_f64();
    let done = hashes.load(Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    let per_second = done as f64 / elapsed;
    println!(
        "{{\"cost\": {cost}, \"threads\": {threads}, \"seconds\": {elapsed:.3}, \
         \"hashes\": {done}, \"per_second\": {per_second:.3}}}"
    );
}
