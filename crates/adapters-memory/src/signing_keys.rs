//! `SigningKeyStore`: the keys in order, under the store's lock. The lock
//! makes the first keys and each rotation one step with one winner.

use async_trait::async_trait;
use domain::ports::SigningKeyStore;
use domain::{InfraError, KeyId, KeyState, NewSigningKey, SigningAlgorithm, SigningKey, Timestamp};

use crate::store::{MemoryStore, stored};

fn key_of(new: NewSigningKey, state: KeyState, activated_at: Option<Timestamp>) -> SigningKey {
    SigningKey {
        id: new.id,
        algorithm: new.algorithm,
        state,
        public: new.public,
        sealed_private: new.sealed_private,
        created_at: stored(new.created_at),
        activated_at: activated_at.map(stored),
        retired_at: None,
    }
}

#[async_trait]
impl SigningKeyStore for MemoryStore {
    async fn signing_keys(
        &self,
        algorithm: SigningAlgorithm,
    ) -> Result<Vec<SigningKey>, InfraError> {
        self.with_state(|state| {
            let mut keys: Vec<SigningKey> = state
                .signing_keys
                .iter()
                .filter(|key| key.algorithm == algorithm)
                .cloned()
                .collect();
            keys.sort_by(|a, b| {
                a.created_at
                    .cmp(&b.created_at)
                    .then_with(|| a.id.cmp(&b.id))
            });
            Ok(keys)
        })
    }

    async fn create_first_keys(
        &self,
        current: NewSigningKey,
        next: NewSigningKey,
    ) -> Result<bool, InfraError> {
        self.with_state(|state| {
            let algorithm = current.algorithm;
            if state
                .signing_keys
                .iter()
                .any(|key| key.algorithm == algorithm && key.state != KeyState::Retired)
            {
                return Ok(false);
            }
            let activated_at = current.created_at;
            state
                .signing_keys
                .push(key_of(current, KeyState::Current, Some(activated_at)));
            state.signing_keys.push(key_of(next, KeyState::Next, None));
            Ok(true)
        })
    }

    async fn rotate_signing_keys(
        &self,
        expected_current: KeyId,
        new_next: NewSigningKey,
        now: Timestamp,
    ) -> Result<bool, InfraError> {
        let now = stored(now);
        self.with_state(|state| {
            let algorithm = new_next.algorithm;
            let position = |state: KeyState, keys: &[SigningKey]| {
                keys.iter()
                    .position(|key| key.algorithm == algorithm && key.state == state)
            };
            let (Some(current), Some(next)) = (
                position(KeyState::Current, &state.signing_keys),
                position(KeyState::Next, &state.signing_keys),
            ) else {
                return Ok(false);
            };
            if state.signing_keys[current].id != expected_current {
                return Ok(false);
            }
            let retired = &mut state.signing_keys[current];
            retired.state = KeyState::Retired;
            retired.retired_at = Some(now);
            let promoted = &mut state.signing_keys[next];
            promoted.state = KeyState::Current;
            promoted.activated_at = Some(now);
            state
                .signing_keys
                .push(key_of(new_next, KeyState::Next, None));
            Ok(true)
        })
    }

    async fn delete_retired_keys(
        &self,
        algorithm: SigningAlgorithm,
        retired_before: Timestamp,
    ) -> Result<u64, InfraError> {
        let before = stored(retired_before);
        self.with_state(|state| {
            let count = state.signing_keys.len();
            state.signing_keys.retain(|key| {
                !(key.algorithm == algorithm
                    && key.state == KeyState::Retired
                    && key.retired_at.is_some_and(|at| at < before))
            });
            Ok(u64::try_from(count - state.signing_keys.len()).unwrap_or(u64::MAX))
        })
    }
}
