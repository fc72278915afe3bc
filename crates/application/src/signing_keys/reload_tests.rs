//! Overlapping reloads of the key set: the newest read wins.

use std::sync::Arc;

use domain::ports::SigningKeyStore;
use domain::{InfraError, KeyId, KeyState, NewSigningKey, SigningAlgorithm, SigningKey, Timestamp};

use super::tests::{ED, asymmetric, opening};
use super::{PublishedKeys, SigningKeys};
use crate::test_support::*;

/// A store whose first read answers `old` only once `gate` opens; every
/// later read answers `new` at once.
struct GatedStore {
    gate: std::sync::Mutex<Option<tokio::sync::oneshot::Receiver<()>>>,
    old: Vec<SigningKey>,
    new: Vec<SigningKey>,
}

#[async_trait::async_trait]
impl SigningKeyStore for GatedStore {
    async fn signing_keys(&self, _: SigningAlgorithm) -> Result<Vec<SigningKey>, InfraError> {
        let gate = self.gate.lock().unwrap().take();
        match gate {
            Some(gate) => {
                gate.await.unwrap();
                Ok(self.old.clone())
            }
            None => Ok(self.new.clone()),
        }
    }
    async fn create_first_keys(
        &self,
        _: NewSigningKey,
        _: NewSigningKey,
    ) -> Result<bool, InfraError> {
        unreachable!()
    }
    async fn rotate_signing_keys(
        &self,
        _: KeyId,
        _: NewSigningKey,
        _: Timestamp,
    ) -> Result<bool, InfraError> {
        unreachable!()
    }
    async fn delete_retired_keys(
        &self,
        _: SigningAlgorithm,
        _: Timestamp,
    ) -> Result<u64, InfraError> {
        unreachable!()
    }
}

#[tokio::test]
async fn a_reload_whose_read_began_first_never_replaces_a_newer_set_installed_meanwhile() {
    let mut ports = asymmetric(MockPorts::new());
    opening(&mut ports);
    let old = vec![
        stored_key(ED, KeyState::Current, now()),
        stored_key(ED, KeyState::Next, now()),
    ];
    let new = vec![
        stored_key(ED, KeyState::Retired, now()),
        stored_key(ED, KeyState::Current, now()),
        stored_key(ED, KeyState::Next, now()),
    ];
    let new_current = new[1].id;
    ports
        .tokens
        .expect_install_keys()
        .times(1)
        .returning(move |ring| {
            assert_eq!(ring.signing.id, new_current);
            Ok(())
        });
    let (open, gate) = tokio::sync::oneshot::channel();
    let (mut wired, config) = ports.ports();
    let store = Arc::new(GatedStore {
        gate: std::sync::Mutex::new(Some(gate)),
        old,
        new,
    });
    wired.signing_keys = store.clone();
    let service = Arc::new(SigningKeys::new(&wired, &config));

    // The first reload reads, and waits for its answer; the second reads
    // the newer set and installs it; then the first one's older read
    // answers.
    let first = tokio::spawn({
        let service = service.clone();
        async move { service.reload().await }
    });
    while store.gate.lock().unwrap().is_some() {
        tokio::task::yield_now().await;
    }
    service.reload().await.unwrap();
    open.send(()).unwrap();
    first.await.unwrap().unwrap();

    let published = service.published_keys().unwrap();
    assert_eq!(published[0].id, new_current);
    assert_eq!(published.len(), 3);
}
