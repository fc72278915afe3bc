//! The signing keys of access tokens under an asymmetric algorithm: the
//! first keys at start-up, the copy every process signs and verifies with
//! (loaded into the [`TokenCodec`]), rotation by hand and by age, the
//! deletion of retired keys no token can need any more, and the published
//! key set.
//!
//! Under HS256 (`AuthConfig::signing_algorithm` `None`) there are no keys:
//! loading does nothing, the published set is empty and a rotation is
//! refused with [`RotateKeysError::NothingToRotate`].

use std::sync::{Arc, Mutex, PoisonError};

use domain::ports::{Clock, SecretSealer, SigningKeyGenerator, SigningKeyStore, TokenCodec};
use domain::{
    InfraError, KeyId, KeyRing, KeyState, NewSigningKey, PublishedKey, SigningAlgorithm,
    SigningKey, Timestamp, signing_key_context,
};

use crate::{AuthConfig, Ports};

/// A rotation by one process is honoured by every process within this
/// many seconds (each reloads the key set far more often: see the server's
/// upkeep). Retired keys stay published this much longer than the access
/// token lifetime, since a process may still sign with a key this long
/// after another retired it.
pub const KEY_PROPAGATION_SECS: u64 = 60;

/// The fewest seconds between two reloads caused by a token naming an
/// unknown key, so a flood of forged `kid`s costs one read per interval.
pub const UNKNOWN_KEY_RELOAD_SECS: i64 = 5;

/// Why `server keys rotate` did not rotate.
#[derive(Debug, thiserror::Error)]
pub enum RotateKeysError {
    /// HS256: one shared secret, no key set.
    #[error(
        "nothing to rotate: APP_AUTH__SIGNING_ALG is HS256, which signs with the shared secret \
         (APP_AUTH__TOKEN_SECRET) and keeps no signing keys"
    )]
    NothingToRotate,
    /// Another process rotated between this one's read and its write; the
    /// keys moved one step, just not by this call.
    #[error(
        "another process rotated the signing keys at the same moment; nothing more was changed"
    )]
    Raced,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The keys after a rotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    pub retired: KeyId,
    pub current: KeyId,
    pub next: KeyId,
}

/// What one upkeep round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyUpkeep {
    /// This process rotated the keys (their age was due).
    pub rotated: Option<Rotation>,
    /// Retired keys deleted.
    pub deleted: u64,
}

/// The published key set, for the HTTP layer (a trait so that its tests
/// can mock it).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait PublishedKeys: Send + Sync {
    /// The keys a verifier may meet, current first, then next, then
    /// retired (newest first); empty under HS256. `None` under an
    /// asymmetric algorithm until the set was first loaded: an empty set
    /// would be cached by verifiers, who would then refuse every token.
    fn published_keys(&self) -> Option<Vec<PublishedKey>>;
}

/// The signing-key service. One per process is shared (`Arc`) by the
/// sign-in service, the server's upkeep and the published key set.
pub struct SigningKeys {
    store: Arc<dyn SigningKeyStore>,
    generator: Arc<dyn SigningKeyGenerator>,
    sealer: Arc<dyn SecretSealer>,
    tokens: Arc<dyn TokenCodec>,
    clock: Arc<dyn Clock>,
    algorithm: Option<SigningAlgorithm>,
    rotation_days: u32,
    access_ttl_secs: u64,
    loaded: Mutex<Loaded>,
}

#[derive(Default)]
struct Loaded {
    /// `None` until the first load.
    published: Option<Vec<PublishedKey>>,
    /// The current key and when it became current, as last loaded.
    current: Option<(KeyId, Timestamp)>,
    /// When a token with an unknown key last caused a reload.
    unknown_key_reload_at: Option<Timestamp>,
    /// Reads of the store begun by [`SigningKeys::reload`], and the number
    /// of the read whose set is installed: reloads may overlap (the upkeep
    /// and a token with an unknown key), and a read begun earlier may hold
    /// an older set, so it never replaces one begun later.
    reads_begun: u64,
    installed_read: u64,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("algorithm", &self.algorithm)
            .field("rotation_days", &self.rotation_days)
            .finish_non_exhaustive()
    }
}

impl SigningKeys {
    #[must_use]
    pub fn new(ports: &Ports, config: &AuthConfig) -> Self {
        Self {
            store: ports.signing_keys.clone(),
            generator: ports.key_generator.clone(),
            sealer: ports.sealer.clone(),
            tokens: ports.tokens.clone(),
            clock: ports.clock.clone(),
            algorithm: config.signing_algorithm,
            rotation_days: config.key_rotation_days,
            access_ttl_secs: config.access_ttl_secs,
            loaded: Mutex::new(Loaded::default()),
        }
    }

    /// The configured asymmetric algorithm; `None` under HS256.
    #[must_use]
    pub fn algorithm(&self) -> Option<SigningAlgorithm> {
        self.algorithm
    }

    fn loaded(&self) -> std::sync::MutexGuard<'_, Loaded> {
        self.loaded.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// At start-up: makes the first keys (a current and a next) when the
    /// store has none, then loads the set into the token codec. Of several
    /// processes starting together one makes them; the others load them.
    ///
    /// # Errors
    /// `Infra` when the store fails or the current key does not open (the
    /// encryption key changed).
    pub async fn start(&self) -> Result<(), InfraError> {
        let Some(algorithm) = self.algorithm else {
            return Ok(());
        };
        let keys = self.store.signing_keys(algorithm).await?;
        if !keys
            .iter()
            .any(|key| matches!(key.state, KeyState::Current | KeyState::Next))
        {
            let now = self.clock.now();
            let current = self.new_key(algorithm, now)?;
            let next = self.new_key(algorithm, now)?;
            if self.store.create_first_keys(current, next).await? {
                tracing::info!(algorithm = %algorithm, "made the first signing keys");
            }
        }
        self.reload().await
    }

    /// Reads the key set again and installs it in the token codec (the
    /// upkeep calls this every few seconds). Of overlapping reloads, one
    /// whose read began before the installed set's installs nothing.
    ///
    /// # Errors
    /// As for [`start`](Self::start); the keys installed before stay.
    pub async fn reload(&self) -> Result<(), InfraError> {
        let Some(algorithm) = self.algorithm else {
            return Ok(());
        };
        let read = {
            let mut loaded = self.loaded();
            loaded.reads_begun += 1;
            loaded.reads_begun
        };
        let keys = self.store.signing_keys(algorithm).await?;
        let ring = self.ring(algorithm, &keys)?;
        let current = keys
            .iter()
            .find(|key| key.state == KeyState::Current)
            .map(|key| (key.id, key.activated_at.unwrap_or(key.created_at)));
        let mut loaded = self.loaded();
        if read < loaded.installed_read {
            return Ok(());
        }
        self.tokens.install_keys(&ring)?;
        loaded.installed_read = read;
        loaded.published = Some(published(&keys));
        loaded.current = current;
        Ok(())
    }

    /// A token named a key this process does not know: reload, unless a
    /// reload for the same reason ran less than
    /// [`UNKNOWN_KEY_RELOAD_SECS`] ago. `true` when it reloaded (the caller
    /// may decode once more).
    ///
    /// # Errors
    /// As for [`reload`](Self::reload).
    pub async fn reload_for_unknown_key(&self) -> Result<bool, InfraError> {
        if self.algorithm.is_none() {
            return Ok(false);
        }
        let now = self.clock.now();
        {
            let mut loaded = self.loaded();
            if loaded
                .unknown_key_reload_at
                .is_some_and(|at| now < at + chrono::TimeDelta::seconds(UNKNOWN_KEY_RELOAD_SECS))
            {
                return Ok(false);
            }
            loaded.unknown_key_reload_at = Some(now);
        }
        self.reload().await?;
        Ok(true)
    }

    /// `server keys rotate`: every key moves one step (current → retired,
    /// next → current, a new next), then the set is reloaded here. Other
    /// processes follow within [`KEY_PROPAGATION_SECS`].
    ///
    /// # Errors
    /// `NothingToRotate` under HS256; `Raced` when another process rotated
    /// at the same moment; `Infra`.
    pub async fn rotate(&self) -> Result<Rotation, RotateKeysError> {
        let algorithm = self.algorithm.ok_or(RotateKeysError::NothingToRotate)?;
        self.start().await?;
        let keys = self.store.signing_keys(algorithm).await?;
        match self.rotate_from(algorithm, &keys).await? {
            Some(rotation) => Ok(rotation),
            None => Err(RotateKeysError::Raced),
        }
    }

    /// One round of the server's upkeep: rotate when the current key has
    /// been current for `key_rotation_days` (one process wins, by the
    /// store's compare-and-swap); delete the retired keys that no unexpired
    /// token can name; reload. The reload runs whatever the first two did:
    /// it is what keeps this process within [`KEY_PROPAGATION_SECS`] of a
    /// rotation elsewhere.
    ///
    /// # Errors
    /// `Infra`, the first failure; what was done before it stays done.
    pub async fn upkeep(&self) -> Result<KeyUpkeep, InfraError> {
        let Some(algorithm) = self.algorithm else {
            return Ok(KeyUpkeep::default());
        };
        let maintained = self.rotate_and_prune(algorithm).await;
        let reloaded = self.reload().await;
        let done = maintained?;
        reloaded?;
        Ok(done)
    }

    /// The rotation by age and the deletion of the upkeep.
    async fn rotate_and_prune(&self, algorithm: SigningAlgorithm) -> Result<KeyUpkeep, InfraError> {
        let now = self.clock.now();
        let keys = self.store.signing_keys(algorithm).await?;
        let mut done = KeyUpkeep::default();
        let due = self.rotation_days > 0
            && keys.iter().any(|key| {
                key.state == KeyState::Current
                    && key.activated_at.unwrap_or(key.created_at)
                        + chrono::TimeDelta::days(i64::from(self.rotation_days))
                        <= now
            });
        if due {
            done.rotated = self.rotate_from(algorithm, &keys).await?;
            if let Some(rotation) = &done.rotated {
                tracing::info!(current = %rotation.current, "rotated the signing keys (their age was due)");
            }
        }
        let retention = self
            .access_ttl_secs
            .saturating_add(KEY_PROPAGATION_SECS)
            .saturating_add(1);
        let cutoff =
            now - chrono::TimeDelta::seconds(i64::try_from(retention).unwrap_or(i64::MAX / 2));
        if keys
            .iter()
            .any(|key| key.retired_at.is_some_and(|at| at < cutoff))
        {
            done.deleted = self.store.delete_retired_keys(algorithm, cutoff).await?;
        }
        Ok(done)
    }

    /// Rotates from `keys` as read: a compare-and-swap on their current
    /// key. `None` when another rotation won.
    async fn rotate_from(
        &self,
        algorithm: SigningAlgorithm,
        keys: &[SigningKey],
    ) -> Result<Option<Rotation>, InfraError> {
        let current = keys
            .iter()
            .find(|key| key.state == KeyState::Current)
            .ok_or_else(|| InfraError::unexpected("the signing keys have no current key"))?;
        let next = keys
            .iter()
            .find(|key| key.state == KeyState::Next)
            .ok_or_else(|| InfraError::unexpected("the signing keys have no next key"))?;
        let now = self.clock.now();
        let new_next = self.new_key(algorithm, now)?;
        let new_next_id = new_next.id;
        if !self
            .store
            .rotate_signing_keys(current.id, new_next, now)
            .await?
        {
            return Ok(None);
        }
        self.reload().await?;
        Ok(Some(Rotation {
            retired: current.id,
            current: next.id,
            next: new_next_id,
        }))
    }

    /// A fresh key pair, its private half sealed to its id.
    fn new_key(
        &self,
        algorithm: SigningAlgorithm,
        now: Timestamp,
    ) -> Result<NewSigningKey, InfraError> {
        let id = KeyId::generate();
        let (public, private) = self.generator.generate(algorithm)?;
        let sealed_private = self
            .sealer
            .seal(private.expose(), &signing_key_context(id))?;
        Ok(NewSigningKey {
            id,
            algorithm,
            public,
            sealed_private,
            created_at: now,
        })
    }

    /// The set as the codec takes it: the current key opened, every key
    /// published.
    fn ring(
        &self,
        algorithm: SigningAlgorithm,
        keys: &[SigningKey],
    ) -> Result<KeyRing, InfraError> {
        let current = keys
            .iter()
            .find(|key| key.state == KeyState::Current)
            .ok_or_else(|| InfraError::unexpected("the signing keys have no current key"))?;
        let private = self
            .sealer
            .open(&current.sealed_private, &signing_key_context(current.id))
            .ok_or_else(|| {
                InfraError::unexpected(
                    "the current signing key does not open: was APP_AUTH__ENCRYPTION_KEY changed?",
                )
            })?;
        Ok(KeyRing {
            algorithm,
            signing: published_key(current),
            private,
            verifying: keys.iter().map(published_key).collect(),
        })
    }
}

fn published_key(key: &SigningKey) -> PublishedKey {
    PublishedKey {
        id: key.id,
        algorithm: key.algorithm,
        public: key.public.clone(),
    }
}

/// Current, next, then retired newest first.
fn published(keys: &[SigningKey]) -> Vec<PublishedKey> {
    let rank = |key: &SigningKey| match key.state {
        KeyState::Current => 0,
        KeyState::Next => 1,
        KeyState::Retired => 2,
    };
    let mut ordered: Vec<&SigningKey> = keys.iter().collect();
    ordered.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.retired_at.cmp(&a.retired_at))
    });
    ordered.into_iter().map(published_key).collect()
}

impl PublishedKeys for SigningKeys {
    fn published_keys(&self) -> Option<Vec<PublishedKey>> {
        match self.algorithm {
            None => Some(Vec::new()),
            Some(_) => self.loaded().published.clone(),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

#[cfg(test)]
#[path = "reload_tests.rs"]
mod reload_tests;
