use async_trait::async_trait;

use crate::{InfraError, KeyId, NewSigningKey, SigningAlgorithm, SigningKey, Timestamp};

/// The signing keys of access tokens, shared by every process on the
/// store. Each algorithm has its own keys: at most one `current` and one
/// `next` each, any number `retired`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    /// Every key of `algorithm`, in every state, oldest first.
    async fn signing_keys(
        &self,
        algorithm: SigningAlgorithm,
    ) -> Result<Vec<SigningKey>, InfraError>;

    /// Stores `current` (state `current`, activated at its creation) and
    /// `next` (state `next`) when `current.algorithm` has neither a current
    /// nor a next key; `true` when it stored them. MUST have one winner
    /// under concurrency: of calls racing on an empty store (from any
    /// number of processes), exactly one answers `true`; the others answer
    /// `false` and write nothing, and read the winner's keys afterwards.
    async fn create_first_keys(
        &self,
        current: NewSigningKey,
        next: NewSigningKey,
    ) -> Result<bool, InfraError>;

    /// One rotation step, a compare-and-swap on the current key: only
    /// while `expected_current` is still the current key of
    /// `new_next.algorithm` and a next key exists, it is retired
    /// (`retired_at = now`), the next key becomes current (`activated_at =
    /// now`) and `new_next` is stored as the next key, all together;
    /// `true` then. Otherwise (another rotation won) `false`, and nothing
    /// is written. Of two concurrent calls with the same `expected_current`,
    /// at most one answers `true`.
    async fn rotate_signing_keys(
        &self,
        expected_current: KeyId,
        new_next: NewSigningKey,
        now: Timestamp,
    ) -> Result<bool, InfraError>;

    /// Deletes the retired keys of `algorithm` retired before
    /// `retired_before`, and answers how many. Never a current or next key.
    async fn delete_retired_keys(
        &self,
        algorithm: SigningAlgorithm,
        retired_before: Timestamp,
    ) -> Result<u64, InfraError>;
}
