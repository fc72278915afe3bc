use chrono::Duration;
use domain::{KeyState, PublicKey, SealedSecret, Secret, SigningAlgorithm, signing_key_context};
use mockall::predicate::eq;

use super::*;
use crate::test_support::*;

pub(super) const ED: SigningAlgorithm = SigningAlgorithm::EdDsa;

pub(super) fn asymmetric(mut ports: MockPorts) -> MockPorts {
    ports.config.signing_algorithm = Some(ED);
    ports
}

fn generating(ports: &mut MockPorts) {
    ports.key_generator.expect_generate().returning(|_| {
        Ok((
            PublicKey {
                x: "new".to_owned(),
                y: None,
            },
            Secret::from("private"),
        ))
    });
    ports
        .sealer
        .expect_seal()
        .returning(|_, context| Ok(SealedSecret::new(context.as_bytes().to_vec())));
}

pub(super) fn opening(ports: &mut MockPorts) {
    ports
        .sealer
        .expect_open()
        .returning(|_, _| Some(Secret::from("private")));
}

#[tokio::test]
async fn under_hs256_nothing_is_loaded_published_or_rotated() {
    // No expectations: any port call fails the test.
    let keys = MockPorts::new().signing_keys_service();

    keys.start().await.unwrap();
    keys.reload().await.unwrap();
    assert_eq!(keys.upkeep().await.unwrap(), KeyUpkeep::default());
    assert!(!keys.reload_for_unknown_key().await.unwrap());
    assert_eq!(keys.published_keys(), Some(Vec::new()));
    assert!(matches!(
        keys.rotate().await,
        Err(RotateKeysError::NothingToRotate)
    ));
}

#[tokio::test]
async fn the_first_start_makes_a_current_and_a_next_key_sealed_to_their_ids_and_installs_them() {
    let mut ports = asymmetric(MockPorts::new());
    generating(&mut ports);
    opening(&mut ports);
    let mut sequence = mockall::Sequence::new();
    ports
        .signing_keys
        .expect_signing_keys()
        .with(eq(ED))
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_| Ok(Vec::new()));
    let stored = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = stored.clone();
    ports
        .signing_keys
        .expect_create_first_keys()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(move |current, next| {
            for key in [&current, &next] {
                assert_eq!(key.algorithm, ED);
                assert_eq!(key.created_at, now());
                assert_eq!(
                    key.sealed_private.as_bytes(),
                    signing_key_context(key.id).as_bytes()
                );
            }
            assert_ne!(current.id, next.id);
            kept.lock().unwrap().extend([current, next]);
            Ok(true)
        });
    let read = stored.clone();
    ports
        .signing_keys
        .expect_signing_keys()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(move |_| {
            let made = read.lock().unwrap();
            let key = |new: &NewSigningKey, state| SigningKey {
                id: new.id,
                algorithm: new.algorithm,
                state,
                public: new.public.clone(),
                sealed_private: new.sealed_private.clone(),
                created_at: new.created_at,
                activated_at: None,
                retired_at: None,
            };
            Ok(vec![
                key(&made[0], KeyState::Current),
                key(&made[1], KeyState::Next),
            ])
        });
    let made = stored.clone();
    ports
        .tokens
        .expect_install_keys()
        .times(1)
        .returning(move |ring| {
            let made = made.lock().unwrap();
            assert_eq!(ring.signing.id, made[0].id);
            assert_eq!(ring.private.expose(), "private");
            assert_eq!(ring.verifying.len(), 2);
            Ok(())
        });
    let keys = ports.signing_keys_service();

    keys.start().await.unwrap();

    let published: Vec<KeyId> = keys
        .published_keys()
        .unwrap()
        .iter()
        .map(|k| k.id)
        .collect();
    let made = stored.lock().unwrap();
    assert_eq!(published, vec![made[0].id, made[1].id]);
}

#[tokio::test]
async fn a_start_that_loses_the_first_keys_race_loads_the_winners() {
    let mut ports = asymmetric(MockPorts::new());
    generating(&mut ports);
    opening(&mut ports);
    let winners = vec![
        stored_key(ED, KeyState::Current, now()),
        stored_key(ED, KeyState::Next, now()),
    ];
    let current = winners[0].id;
    let mut sequence = mockall::Sequence::new();
    ports
        .signing_keys
        .expect_signing_keys()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_| Ok(Vec::new()));
    ports
        .signing_keys
        .expect_create_first_keys()
        .times(1)
        .in_sequence(&mut sequence)
        .returning(|_, _| Ok(false));
    ports
        .signing_keys
        .expect_signing_keys()
        .times(1)
        .in_sequence(&mut sequence)
        .return_once(move |_| Ok(winners));
    ports
        .tokens
        .expect_install_keys()
        .times(1)
        .returning(move |ring| {
            assert_eq!(ring.signing.id, current);
            Ok(())
        });

    ports.signing_keys_service().start().await.unwrap();
}

#[tokio::test]
async fn a_start_with_keys_present_makes_none() {
    let mut ports = asymmetric(MockPorts::new());
    let keys = signing_keys_in_store(&mut ports, ED);
    ports
        .signing_keys
        .expect_signing_keys()
        .times(2)
        .returning(move |_| Ok(keys.clone()));
    ports
        .tokens
        .expect_install_keys()
        .times(1)
        .returning(|_| Ok(()));

    ports.signing_keys_service().start().await.unwrap();
}

#[tokio::test]
async fn a_current_key_that_does_not_open_installs_nothing() {
    let mut ports = asymmetric(MockPorts::new());
    ports.sealer.expect_open().returning(|_, _| None);
    let keys = vec![
        stored_key(ED, KeyState::Current, now()),
        stored_key(ED, KeyState::Next, now()),
    ];
    ports
        .signing_keys
        .expect_signing_keys()
        .returning(move |_| Ok(keys.clone()));
    // No install expected.

    let service = ports.signing_keys_service();

    assert!(service.reload().await.is_err());
    assert_eq!(service.published_keys(), None, "not loaded yet");
}

#[tokio::test]
async fn the_published_set_is_current_then_next_then_retired_newest_first() {
    let mut ports = asymmetric(MockPorts::new());
    opening(&mut ports);
    let older = stored_key(ED, KeyState::Retired, now() - Duration::minutes(20));
    let newer = stored_key(ED, KeyState::Retired, now() - Duration::minutes(10));
    let current = stored_key(ED, KeyState::Current, now());
    let next = stored_key(ED, KeyState::Next, now());
    let expected = vec![current.id, next.id, newer.id, older.id];
    let stored = vec![older, next, newer, current];
    ports
        .signing_keys
        .expect_signing_keys()
        .return_once(move |_| Ok(stored));
    ports.tokens.expect_install_keys().returning(|ring| {
        assert_eq!(ring.verifying.len(), 4);
        Ok(())
    });
    let service = ports.signing_keys_service();

    service.reload().await.unwrap();

    let published: Vec<KeyId> = service
        .published_keys()
        .unwrap()
        .iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(published, expected);
}

fn aged_keys(days: i64) -> Vec<SigningKey> {
    vec![
        stored_key(ED, KeyState::Current, now() - Duration::days(days)),
        stored_key(ED, KeyState::Next, now() - Duration::days(days)),
    ]
}

#[tokio::test]
async fn upkeep_rotates_a_current_key_that_has_been_current_for_the_rotation_period() {
    let mut ports = asymmetric(MockPorts::new());
    ports.config.key_rotation_days = 30;
    generating(&mut ports);
    opening(&mut ports);
    let keys = aged_keys(30);
    let (current, next) = (keys[0].id, keys[1].id);
    ports
        .signing_keys
        .expect_signing_keys()
        .returning(move |_| Ok(keys.clone()));
    ports
        .signing_keys
        .expect_rotate_signing_keys()
        .withf(move |expected, new_next, at| {
            *expected == current && new_next.algorithm == ED && *at == now()
        })
        .times(1)
        .returning(|_, _, _| Ok(true));
    ports.tokens.expect_install_keys().returning(|_| Ok(()));

    let done = ports.signing_keys_service().upkeep().await.unwrap();

    let rotation = done.rotated.unwrap();
    assert_eq!((rotation.retired, rotation.current), (current, next));
}

#[tokio::test]
async fn upkeep_does_not_rotate_a_younger_key_or_with_rotation_off() {
    for (days, rotation_days) in [(29, 30), (400, 0)] {
        let mut ports = asymmetric(MockPorts::new());
        ports.config.key_rotation_days = rotation_days;
        opening(&mut ports);
        let keys = aged_keys(days);
        ports
            .signing_keys
            .expect_signing_keys()
            .returning(move |_| Ok(keys.clone()));
        // No rotation expected.
        ports.tokens.expect_install_keys().returning(|_| Ok(()));

        let done = ports.signing_keys_service().upkeep().await.unwrap();

        assert_eq!(done, KeyUpkeep::default());
    }
}

#[tokio::test]
async fn upkeep_that_loses_the_rotation_race_rotates_nothing() {
    let mut ports = asymmetric(MockPorts::new());
    generating(&mut ports);
    opening(&mut ports);
    let keys = aged_keys(31);
    ports
        .signing_keys
        .expect_signing_keys()
        .returning(move |_| Ok(keys.clone()));
    ports
        .signing_keys
        .expect_rotate_signing_keys()
        .times(1)
        .returning(|_, _, _| Ok(false));
    ports.tokens.expect_install_keys().returning(|_| Ok(()));

    let done = ports.signing_keys_service().upkeep().await.unwrap();

    assert_eq!(done.rotated, None);
}

#[tokio::test]
async fn upkeep_deletes_retired_keys_once_no_token_they_signed_can_be_live() {
    let mut ports = asymmetric(MockPorts::new());
    ports.config.access_ttl_secs = 900;
    opening(&mut ports);
    let mut keys = aged_keys(1);
    // Retired just over the access TTL plus the propagation bound ago.
    keys.push(stored_key(
        ED,
        KeyState::Retired,
        now() - Duration::seconds(900 + 60 + 2),
    ));
    ports
        .signing_keys
        .expect_signing_keys()
        .returning(move |_| Ok(keys.clone()));
    ports
        .signing_keys
        .expect_delete_retired_keys()
        .withf(|algorithm, before| {
            *algorithm == ED && *before == now() - Duration::seconds(900 + 60 + 1)
        })
        .times(1)
        .returning(|_, _| Ok(1));
    ports.tokens.expect_install_keys().returning(|_| Ok(()));

    let done = ports.signing_keys_service().upkeep().await.unwrap();

    assert_eq!(done.deleted, 1);
}

#[tokio::test]
async fn a_retired_key_within_its_retention_is_kept() {
    let mut ports = asymmetric(MockPorts::new());
    opening(&mut ports);
    let mut keys = aged_keys(1);
    keys.push(stored_key(
        ED,
        KeyState::Retired,
        now() - Duration::seconds(900),
    ));
    ports
        .signing_keys
        .expect_signing_keys()
        .returning(move |_| Ok(keys.clone()));
    // No deletion expected.
    ports.tokens.expect_install_keys().returning(|_| Ok(()));

    assert_eq!(
        ports.signing_keys_service().upkeep().await.unwrap().deleted,
        0
    );
}

#[tokio::test]
async fn a_manual_rotation_moves_every_key_one_step() {
    let mut ports = asymmetric(MockPorts::new());
    generating(&mut ports);
    opening(&mut ports);
    let keys = aged_keys(1);
    let (current, next) = (keys[0].id, keys[1].id);
    ports
        .signing_keys
        .expect_signing_keys()
        .returning(move |_| Ok(keys.clone()));
    ports
        .signing_keys
        .expect_rotate_signing_keys()
        .withf(move |expected, _, _| *expected == current)
        .times(1)
        .returning(|_, _, _| Ok(true));
    ports.tokens.expect_install_keys().returning(|_| Ok(()));

    let rotation = ports.signing_keys_service().rotate().await.unwrap();

    assert_eq!((rotation.retired, rotation.current), (current, next));
    assert_ne!(rotation.next, next);
}

#[tokio::test]
async fn a_manual_rotation_that_loses_a_race_says_so() {
    let mut ports = asymmetric(MockPorts::new());
    generating(&mut ports);
    opening(&mut ports);
    let keys = aged_keys(1);
    ports
        .signing_keys
        .expect_signing_keys()
        .returning(move |_| Ok(keys.clone()));
    ports
        .signing_keys
        .expect_rotate_signing_keys()
        .returning(|_, _, _| Ok(false));
    ports.tokens.expect_install_keys().returning(|_| Ok(()));

    assert!(matches!(
        ports.signing_keys_service().rotate().await,
        Err(RotateKeysError::Raced)
    ));
}
