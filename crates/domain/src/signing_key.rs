//! Signing keys for access tokens that other services verify: an
//! asymmetric algorithm, keys that move `next` → `current` → `retired`, and
//! the set a process signs and verifies with.

use std::fmt;
use std::str::FromStr;

use crate::{KeyId, SealedSecret, Secret, Timestamp};

/// An asymmetric JWS algorithm (RFC 7518, RFC 8037). The shared-secret
/// HS256 has no keys to store, so it is not one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SigningAlgorithm {
    /// Ed25519 (`alg: EdDSA`, `kty: OKP`, `crv: Ed25519`).
    EdDsa,
    /// ECDSA on P-256 with SHA-256 (`alg: ES256`, `kty: EC`, `crv: P-256`).
    Es256,
}

impl SigningAlgorithm {
    /// The JWS `alg` name, as tokens, key sets and the database spell it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
        }
    }
}

impl fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlgorithm {
    type Err = String;

    /// The exact `alg` name (`EdDSA`, `ES256`).
    fn from_str(raw: &str) -> Result<Self, String> {
        match raw {
            "EdDSA" => Ok(Self::EdDsa),
            "ES256" => Ok(Self::Es256),
            _ => Err(format!("unknown signing algorithm `{raw}`")),
        }
    }
}

/// Where a key is in its life. Only `Current` signs; all three verify and
/// are published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyState {
    /// Published before it signs anything, so verifiers know it by the time
    /// it becomes current.
    Next,
    /// Signs every new token.
    Current,
    /// Signs nothing; published until every token it signed has expired.
    Retired,
}

impl KeyState {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Current => "current",
            Self::Retired => "retired",
        }
    }
}

impl FromStr for KeyState {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        match raw {
            "next" => Ok(Self::Next),
            "current" => Ok(Self::Current),
            "retired" => Ok(Self::Retired),
            _ => Err(format!("unknown key state `{raw}`")),
        }
    }
}

/// The public half of a key as its JWK parameters: `x` (and `y` for
/// P-256), base64url without padding. `kty` and `crv` follow from the
/// algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey {
    pub x: String,
    pub y: Option<String>,
}

/// A key as stored: the private half sealed by the
/// [`SecretSealer`](crate::ports::SecretSealer) under
/// [`signing_key_context`] of its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKey {
    pub id: KeyId,
    pub algorithm: SigningAlgorithm,
    pub state: KeyState,
    pub public: PublicKey,
    pub sealed_private: SealedSecret,
    pub created_at: Timestamp,
    /// When it became current (`None` while `next`).
    pub activated_at: Option<Timestamp>,
    /// When it was retired (`None` until then).
    pub retired_at: Option<Timestamp>,
}

/// A key about to be stored; its state is the storing method's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSigningKey {
    pub id: KeyId,
    pub algorithm: SigningAlgorithm,
    pub public: PublicKey,
    pub sealed_private: SealedSecret,
    pub created_at: Timestamp,
}

/// The associated data a key's private half is sealed with, so sealed
/// bytes moved to another key's row do not open.
#[must_use]
pub fn signing_key_context(id: KeyId) -> String {
    format!("signing-key:{id}")
}

/// A published key: what verifiers get (no private half).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublishedKey {
    pub id: KeyId,
    pub algorithm: SigningAlgorithm,
    pub public: PublicKey,
}

/// What a token codec signs and verifies with: the current key with its
/// private half opened, and every published key (the current one
/// included). `Debug` never shows the private half.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRing {
    pub algorithm: SigningAlgorithm,
    pub signing: PublishedKey,
    /// The private half of `signing`, as
    /// [`SigningKeyGenerator::generate`](crate::ports::SigningKeyGenerator::generate)
    /// made it.
    pub private: Secret,
    pub verifying: Vec<PublishedKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_and_states_read_back_their_names() {
        for alg in [SigningAlgorithm::EdDsa, SigningAlgorithm::Es256] {
            assert_eq!(alg.as_str().parse::<SigningAlgorithm>(), Ok(alg));
        }
        for state in [KeyState::Next, KeyState::Current, KeyState::Retired] {
            assert_eq!(state.as_str().parse::<KeyState>(), Ok(state));
        }
        assert!("HS256".parse::<SigningAlgorithm>().is_err());
        assert!("eddsa".parse::<SigningAlgorithm>().is_err());
        assert!("old".parse::<KeyState>().is_err());
    }

    #[test]
    fn the_sealing_context_names_the_key() {
        let id = KeyId::generate();
        assert_eq!(signing_key_context(id), format!("signing-key:{id}"));
    }
}
