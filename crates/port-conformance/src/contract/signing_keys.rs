//! `SigningKeyStore` contract.

use std::sync::Arc;

use domain::ports::SigningKeyStore;
use domain::{
    KeyId, KeyState, NewSigningKey, PublicKey, SealedSecret, SigningAlgorithm, SigningKey,
    Timestamp,
};

use crate::Harness;
use crate::contract::support::*;

const ED: SigningAlgorithm = SigningAlgorithm::EdDsa;
const ES: SigningAlgorithm = SigningAlgorithm::Es256;

fn new_key(algorithm: SigningAlgorithm, created_at: Timestamp) -> NewSigningKey {
    let id = KeyId::generate();
    NewSigningKey {
        id,
        algorithm,
        public: PublicKey {
            x: format!("x-{id}"),
            y: (algorithm == ES).then(|| format!("y-{id}")),
        },
        sealed_private: SealedSecret::new(id.as_uuid().as_bytes().to_vec()),
        created_at,
    }
}

fn states(keys: &[SigningKey]) -> Vec<(KeyId, KeyState)> {
    keys.iter().map(|key| (key.id, key.state)).collect()
}

pub(crate) async fn the_first_keys_read_back_as_a_current_and_a_next_key<H: Harness>(
    f: Fixture<H>,
) {
    let current = new_key(ES, t0());
    let next = new_key(ES, t0() + secs(1));

    assert!(
        f.db.create_first_keys(current.clone(), next.clone())
            .await
            .unwrap()
    );

    let keys = f.db.signing_keys(ES).await.unwrap();
    assert_eq!(
        keys,
        vec![
            SigningKey {
                id: current.id,
                algorithm: ES,
                state: KeyState::Current,
                public: current.public,
                sealed_private: current.sealed_private,
                created_at: t0(),
                activated_at: Some(t0()),
                retired_at: None,
            },
            SigningKey {
                id: next.id,
                algorithm: ES,
                state: KeyState::Next,
                public: next.public,
                sealed_private: next.sealed_private,
                created_at: t0() + secs(1),
                activated_at: None,
                retired_at: None,
            },
        ]
    );
}

pub(crate) async fn first_keys_are_made_once<H: Harness>(f: Fixture<H>) {
    let first = (new_key(ED, t0()), new_key(ED, t0()));
    assert!(
        f.db.create_first_keys(first.0.clone(), first.1.clone())
            .await
            .unwrap()
    );

    let again =
        f.db.create_first_keys(new_key(ED, t0()), new_key(ED, t0()))
            .await
            .unwrap();

    assert!(!again);
    assert_eq!(
        states(&f.db.signing_keys(ED).await.unwrap()),
        vec![
            (first.0.id, KeyState::Current),
            (first.1.id, KeyState::Next)
        ]
    );
}

pub(crate) async fn concurrent_first_key_creations_from_two_handles_have_one_winner<H: Harness>(
    f: Fixture<H>,
) {
    const STARTS: usize = 8;
    let handles = [Arc::new(f.db.clone()), Arc::new(f.another_handle())];
    let tasks: Vec<_> = (0..STARTS)
        .map(|n| {
            let db = Arc::clone(&handles[n % 2]);
            let keys = (new_key(ED, t0()), new_key(ED, t0()));
            let ids = (keys.0.id, keys.1.id);
            tokio::spawn(async move { (db.create_first_keys(keys.0, keys.1).await.unwrap(), ids) })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (won, ids) = task.await.unwrap();
        if won {
            winners.push(ids);
        }
    }

    assert_eq!(winners.len(), 1, "exactly one start makes the first keys");
    let (current, next) = winners[0];
    // Every loser reads the winner's keys.
    for handle in &handles {
        assert_eq!(
            states(&handle.signing_keys(ED).await.unwrap()),
            vec![(current, KeyState::Current), (next, KeyState::Next)]
        );
    }
}

pub(crate) async fn each_algorithm_has_keys_of_its_own<H: Harness>(f: Fixture<H>) {
    let ed = (new_key(ED, t0()), new_key(ED, t0()));
    let es = (new_key(ES, t0()), new_key(ES, t0()));

    assert!(
        f.db.create_first_keys(ed.0.clone(), ed.1.clone())
            .await
            .unwrap()
    );
    assert!(
        f.db.create_first_keys(es.0.clone(), es.1.clone())
            .await
            .unwrap()
    );

    assert_eq!(
        states(&f.db.signing_keys(ED).await.unwrap()),
        vec![(ed.0.id, KeyState::Current), (ed.1.id, KeyState::Next)]
    );
    assert_eq!(
        states(&f.db.signing_keys(ES).await.unwrap()),
        vec![(es.0.id, KeyState::Current), (es.1.id, KeyState::Next)]
    );
}

pub(crate) async fn a_rotation_moves_every_key_one_step<H: Harness>(f: Fixture<H>) {
    let (current, next) = (new_key(ED, t0()), new_key(ED, t0()));
    f.db.create_first_keys(current.clone(), next.clone())
        .await
        .unwrap();
    let newest = new_key(ED, t0() + secs(60));

    let rotated =
        f.db.rotate_signing_keys(current.id, newest.clone(), t0() + secs(60))
            .await
            .unwrap();

    assert!(rotated);
    let keys = f.db.signing_keys(ED).await.unwrap();
    assert_eq!(
        states(&keys),
        vec![
            (current.id, KeyState::Retired),
            (next.id, KeyState::Current),
            (newest.id, KeyState::Next),
        ]
    );
    assert_eq!(keys[0].retired_at, Some(t0() + secs(60)));
    assert_eq!(keys[0].activated_at, Some(t0()));
    assert_eq!(keys[1].activated_at, Some(t0() + secs(60)));
    assert_eq!(keys[1].retired_at, None);
    assert_eq!(keys[2].activated_at, None);
    assert_eq!(keys[2].sealed_private, newest.sealed_private);
}

pub(crate) async fn a_rotation_from_a_key_no_longer_current_writes_nothing<H: Harness>(
    f: Fixture<H>,
) {
    let (current, next) = (new_key(ED, t0()), new_key(ED, t0()));
    f.db.create_first_keys(current.clone(), next.clone())
        .await
        .unwrap();
    assert!(
        f.db.rotate_signing_keys(current.id, new_key(ED, t0()), t0() + secs(1))
            .await
            .unwrap()
    );
    let before = f.db.signing_keys(ED).await.unwrap();

    // Stale: `current` was retired by the rotation above; `next` is of the
    // other algorithm's set; an unknown id.
    let stale =
        f.db.rotate_signing_keys(current.id, new_key(ED, t0()), t0() + secs(2))
            .await
            .unwrap();
    let other_algorithm =
        f.db.rotate_signing_keys(next.id, new_key(ES, t0()), t0() + secs(2))
            .await
            .unwrap();
    let unknown =
        f.db.rotate_signing_keys(KeyId::generate(), new_key(ED, t0()), t0() + secs(2))
            .await
            .unwrap();

    assert!(!stale && !other_algorithm && !unknown);
    assert_eq!(f.db.signing_keys(ED).await.unwrap(), before);
    assert!(f.db.signing_keys(ES).await.unwrap().is_empty());
}

pub(crate) async fn concurrent_rotations_from_one_current_key_have_one_winner<H: Harness>(
    f: Fixture<H>,
) {
    const ROTATIONS: usize = 6;
    let (current, next) = (new_key(ES, t0()), new_key(ES, t0()));
    f.db.create_first_keys(current.clone(), next.clone())
        .await
        .unwrap();
    let handles = [Arc::new(f.db.clone()), Arc::new(f.another_handle())];

    let tasks: Vec<_> = (0..ROTATIONS)
        .map(|n| {
            let db = Arc::clone(&handles[n % 2]);
            let new_next = new_key(ES, t0() + secs(5));
            let id = new_next.id;
            let expected = current.id;
            tokio::spawn(async move {
                let won = db
                    .rotate_signing_keys(expected, new_next, t0() + secs(5))
                    .await
                    .unwrap();
                (won, id)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (won, id) = task.await.unwrap();
        if won {
            winners.push(id);
        }
    }

    assert_eq!(winners.len(), 1, "exactly one rotation wins");
    assert_eq!(
        states(&f.db.signing_keys(ES).await.unwrap()),
        vec![
            (current.id, KeyState::Retired),
            (next.id, KeyState::Current),
            (winners[0], KeyState::Next),
        ]
    );
}

pub(crate) async fn deleting_retired_keys_drops_only_those_retired_before<H: Harness>(
    f: Fixture<H>,
) {
    let (first, second) = (new_key(ED, t0()), new_key(ED, t0()));
    f.db.create_first_keys(first.clone(), second.clone())
        .await
        .unwrap();
    let third = new_key(ED, t0());
    let fourth = new_key(ED, t0());
    // `first` retired at t0 + 10 s, `second` at t0 + 20 s.
    f.db.rotate_signing_keys(first.id, third.clone(), t0() + secs(10))
        .await
        .unwrap();
    f.db.rotate_signing_keys(second.id, fourth.clone(), t0() + secs(20))
        .await
        .unwrap();
    let (es_current, es_next) = (new_key(ES, t0()), new_key(ES, t0()));
    f.db.create_first_keys(es_current.clone(), es_next)
        .await
        .unwrap();
    f.db.rotate_signing_keys(es_current.id, new_key(ES, t0()), t0())
        .await
        .unwrap();

    let deleted = f.db.delete_retired_keys(ED, t0() + secs(20)).await.unwrap();

    assert_eq!(deleted, 1);
    assert_eq!(
        states(&f.db.signing_keys(ED).await.unwrap()),
        vec![
            (second.id, KeyState::Retired),
            (third.id, KeyState::Current),
            (fourth.id, KeyState::Next),
        ]
    );
    // The other algorithm's retired key stays.
    assert_eq!(f.db.signing_keys(ES).await.unwrap().len(), 3);
    // Far in the future: every retired key goes, current and next stay.
    assert_eq!(
        f.db.delete_retired_keys(ED, t0() + secs(100_000))
            .await
            .unwrap(),
        1
    );
    assert_eq!(f.db.signing_keys(ED).await.unwrap().len(), 2);
}
