//! A hand-run benchmark: N concurrent logins against a running server.
//!
//! ```sh
//! cargo run --release -p e2e --bin login-bench -- http://127.0.0.1:8080 50
//! ```
//!
//! Registers one account (or reuses it), then fires N logins at once, each
//! on its own thread and connection, and prints how many got each status
//! and the latency percentiles.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::json;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "correct horse battery staple";

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let concurrency: usize = args.next().map_or(Ok(50), |n| n.parse())?;
    let client = Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;

    let registered = client
        .post(format!("{base}/api/v1/auth/register"))
        .json(&json!({"email": EMAIL, "password": PASSWORD, "name": "Bench"}))
        .send()?;
    println!("register: {}", registered.status());

    let barrier = Arc::new(Barrier::new(concurrency));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            let url = format!("{base}/api/v1/auth/login");
            std::thread::spawn(move || -> Result<(u16, Duration), String> {
                let client = Client::builder()
                    .timeout(Duration::from_secs(120))
                    .build()
                    .map_err(|e| e.to_string())?;
                barrier.wait();
                let started = Instant::now();
                let response = client
                    .post(url)
                    .json(&json!({"email": EMAIL, "password": PASSWORD}))
                    .send()
                    .map_err(|e| e.to_string())?;
                Ok((response.status().as_u16(), started.elapsed()))
            })
        })
        .collect();

    let mut by_status: BTreeMap<u16, Vec<Duration>> = BTreeMap::new();
    for worker in workers {
        match worker.join() {
            Ok(Ok((status, took))) => by_status.entry(status).or_default().push(took),
            Ok(Err(error)) => println!("request failed: {error}"),
            Err(_) => println!("worker panicked"),
        }
    }
    let mut all: Vec<Duration> = by_status.values().flatten().copied().collect();
    all.sort();
    for (status, latencies) in &mut by_status {
        latencies.sort();
        println!(
            "status {status}: {} requests, p50 {:?}, p99 {:?}",
            latencies.len(),
            percentile(latencies, 50),
            percentile(latencies, 99)
        );
    }
    println!(
        "all: {} requests, p50 {:?}, p99 {:?}",
        all.len(),
        percentile(&all, 50),
        percentile(&all, 99)
    );
    Ok(())
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = (sorted.len() * p)
        .div_ceil(100)
        .saturating_sub(1)
        .min(sorted.len() - 1);
    sorted[index]
}
