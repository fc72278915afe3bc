use std::time::{Duration, Instant};

use super::*;

const PEPPER: &str = "a test pepper of at least thirty-two bytes";
const PASSWORD: &str = "correct horse battery staple";

fn config(cost: u32) -> HasherConfig {
    HasherConfig {
        cost,
        pepper: PEPPER.into(),
        workers: 2,
        queue: 4,
    }
}

fn hasher(cost: u32) -> BcryptHasher {
    BcryptHasher::new(config(cost)).unwrap()
}

fn plain(password: &str) -> PlainPassword {
    PlainPassword::new(password)
}

async fn hash_of(hasher: &BcryptHasher, password: &str) -> PasswordHash {
    hasher.hash(&plain(password)).await.unwrap()
}

#[tokio::test]
async fn a_password_verifies_against_its_own_hash() {
    let hasher = hasher(4);
    let hash = hash_of(&hasher, PASSWORD).await;

    assert!(hasher.verify(&plain(PASSWORD), &hash).await.unwrap());
}

#[tokio::test]
async fn verify_rejects_a_wrong_password() {
    let hasher = hasher(4);
    let hash = hash_of(&hasher, PASSWORD).await;

    assert!(
        !hasher
            .verify(&plain("correct horse battery stapler"), &hash)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn verify_rejects_a_password_that_differs_only_after_byte_72() {
    let hasher = hasher(4);
    let shared = "Zq8#mW2$vL7!".repeat(8); // 96 bytes, all ASCII
    let (stored, other) = (format!("{shared}tail-one"), format!("{shared}tail-two"));
    assert_eq!(stored[..72], other[..72]);
    let hash = hash_of(&hasher, &stored).await;

    assert!(!hasher.verify(&plain(&other), &hash).await.unwrap());
}

#[tokio::test]
async fn verify_never_folds_case() {
    let hasher = hasher(4);
    let hash = hash_of(&hasher, PASSWORD).await;

    assert!(
        !hasher
            .verify(&plain(&PASSWORD.to_uppercase()), &hash)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn verify_never_trims() {
    let hasher = hasher(4);
    let hash = hash_of(&hasher, PASSWORD).await;

    assert!(
        !hasher
            .verify(&plain(&format!(" {PASSWORD}")), &hash)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn composed_and_decomposed_forms_of_a_password_verify_alike() {
    let hasher = hasher(4);
    let hash = hash_of(&hasher, "caf\u{e9} au lait, s'il vous pla\u{ee}t").await;

    let decomposed = plain("cafe\u{301} au lait, s'il vous plai\u{302}t");

    assert!(hasher.verify(&decomposed, &hash).await.unwrap());
}

#[tokio::test]
async fn a_hash_made_under_another_pepper_does_not_verify() {
    let hash = hash_of(&hasher(4), PASSWORD).await;
    let other = BcryptHasher::new(HasherConfig {
        pepper: "another pepper".into(),
        ..config(4)
    })
    .unwrap();

    assert!(!other.verify(&plain(PASSWORD), &hash).await.unwrap());
}

#[tokio::test]
async fn bcrypt_hashes_the_base64_hmac_of_the_password_not_the_password() {
    let hash = hash_of(&hasher(4), PASSWORD).await;
    let mut mac = Hmac::<Sha256>::new_from_slice(PEPPER.as_bytes()).unwrap();
    mac.update(PASSWORD.as_bytes());
    let pre_hash = STANDARD.encode(mac.finalize().into_bytes());

    assert_eq!(pre_hash.len(), 44);
    assert!(bcrypt::verify(&pre_hash, hash.expose()).unwrap());
    assert!(!bcrypt::verify(PASSWORD, hash.expose()).unwrap());
}

#[tokio::test]
async fn a_hash_is_bcrypt_2b_at_the_configured_cost() {
    let hash = hash_of(&hasher(5), PASSWORD).await;

    assert!(hash.expose().starts_with("$2b$05$"));
    assert_eq!(hash.expose().len(), 60);
}

#[tokio::test]
async fn the_same_password_hashes_differently_each_time() {
    let hasher = hasher(4);

    assert_ne!(
        hash_of(&hasher, PASSWORD).await,
        hash_of(&hasher, PASSWORD).await
    );
}

#[tokio::test]
async fn verify_against_an_unparseable_hash_is_false_not_an_error() {
    let hasher = hasher(4);
    let valid = hash_of(&hasher, PASSWORD).await;
    let unparseable = [
        String::new(),
        "not a hash".to_owned(),
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA".to_owned(),
        valid.expose().replacen("$04$", "$99$", 1),
        valid.expose().replacen("$04$", "$03$", 1),
        valid.expose()[..59].to_owned(),
    ];

    for hash in unparseable {
        let result = hasher
            .verify(&plain(PASSWORD), &PasswordHash::new(hash.clone()))
            .await;
        assert!(matches!(result, Ok(false)), "{hash:?}");
    }
}

#[tokio::test]
async fn verify_dummy_checks_against_a_hash_at_the_configured_cost() {
    let hasher = hasher(6);

    let result = hasher.verify_dummy(&plain(PASSWORD)).await;

    assert!(result.is_ok());
    assert_eq!(HashParts::from_str(&hasher.dummy).unwrap().get_cost(), 6);
}

#[tokio::test]
async fn verify_dummy_is_no_faster_than_a_real_verify() {
    let hasher = hasher(8);
    let hash = hash_of(&hasher, PASSWORD).await;
    let password = plain(PASSWORD);

    // The fastest of a few runs: a busy machine only ever adds time.
    let (mut real, mut dummy) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let started = Instant::now();
        hasher.verify(&password, &hash).await.unwrap();
        real = real.min(started.elapsed());
        let started = Instant::now();
        hasher.verify_dummy(&password).await.unwrap();
        dummy = dummy.min(started.elapsed());
    }

    assert!(dummy * 2 > real, "dummy {dummy:?}, real {real:?}");
}

#[tokio::test]
async fn a_hash_at_the_configured_cost_needs_no_rehash() {
    let hasher = hasher(5);
    let hash = hash_of(&hasher, PASSWORD).await;

    assert!(!hasher.needs_rehash(&hash));
}

#[tokio::test]
async fn a_hash_below_the_configured_cost_needs_a_rehash() {
    let hash = hash_of(&hasher(4), PASSWORD).await;

    assert!(hasher(5).needs_rehash(&hash));
}

#[tokio::test]
async fn a_hash_above_the_configured_cost_needs_no_rehash() {
    let hash = hash_of(&hasher(5), PASSWORD).await;

    assert!(!hasher(4).needs_rehash(&hash));
}

#[tokio::test]
async fn a_hash_of_another_bcrypt_variant_needs_a_rehash() {
    let hasher = hasher(4);
    let hash = hash_of(&hasher, PASSWORD).await;

    let variant = PasswordHash::new(hash.expose().replacen("$2b$", "$2y$", 1));

    assert!(hasher.needs_rehash(&variant));
}

#[test]
fn an_unparseable_hash_needs_a_rehash() {
    let hasher = hasher(4);

    assert!(hasher.needs_rehash(&PasswordHash::new("plaintext?".to_owned())));
}

#[test]
fn costs_outside_4_to_31_are_refused() {
    for cost in [0, 3, 32] {
        assert!(
            matches!(
                BcryptHasher::new(config(cost)),
                Err(CryptoConfigError::CostOutOfRange(c)) if c == cost
            ),
            "cost {cost}"
        );
    }
}

#[test]
fn a_pool_without_workers_is_refused() {
    let config = HasherConfig {
        workers: 0,
        ..config(4)
    };

    assert!(matches!(
        BcryptHasher::new(config),
        Err(CryptoConfigError::NoWorkers)
    ));
}

#[test]
fn an_empty_pepper_is_refused() {
    let config = HasherConfig {
        pepper: "".into(),
        ..config(4)
    };

    assert!(matches!(
        BcryptHasher::new(config),
        Err(CryptoConfigError::EmptySecret(_))
    ));
}

#[test]
fn the_default_config_has_one_worker_per_core_and_a_queue_of_16() {
    let config = HasherConfig::new(12, PEPPER);

    assert_eq!(
        config.workers,
        std::thread::available_parallelism().unwrap().get()
    );
    assert_eq!(config.queue, 16);
}

#[test]
fn debug_output_never_shows_the_pepper() {
    let shown = format!("{:?} {:?}", config(4), hasher(4));

    assert!(!shown.contains(PEPPER));
}

/// Runs `calls` hashes at once on a pool of one worker and one queue slot,
/// at a cost slow enough (tens of ms) that none finishes before all are
/// offered. Returns each outcome and how long it took.
async fn flood(hasher: &BcryptHasher, calls: usize) -> Vec<(Result<(), InfraError>, Duration)> {
    let password = plain(PASSWORD);
    let offers = (0..calls).map(|i| {
        let password = &password;
        async move {
            let started = Instant::now();
            let outcome = match i % 3 {
                0 => hasher.hash(password).await.map(|_| ()),
                1 => hasher.verify_dummy(password).await,
                _ => hasher
                    .verify(password, &PasswordHash::new(hasher.dummy.clone()))
                    .await
                    .map(|_| ()),
            };
            (outcome, started.elapsed())
        }
    });
    // Polled together: every call is offered before any worker could
    // finish, which is what a burst of requests looks like.
    futures_util::future::join_all(offers).await
}

#[tokio::test]
async fn calls_beyond_workers_and_queue_are_overloaded_at_once() {
    let hasher = BcryptHasher::new(HasherConfig {
        workers: 1,
        queue: 1,
        ..config(10)
    })
    .unwrap();

    let outcomes = flood(&hasher, 6).await;

    let (overloaded, served): (Vec<_>, Vec<_>) = outcomes
        .iter()
        .partition(|(outcome, _)| matches!(outcome, Err(InfraError::Overloaded)));
    assert_eq!(overloaded.len(), 4);
    assert!(served.iter().all(|(outcome, _)| outcome.is_ok()));
    let fastest_served = served.iter().map(|(_, took)| *took).min().unwrap();
    assert!(overloaded.iter().all(|(_, took)| *took < fastest_served));
    assert_eq!(hasher.rejected_total(), 4);
    assert_eq!((hasher.in_flight(), hasher.queue_depth()), (0, 0));
}
