//! `SigningKeyGenerator`: new Ed25519 and P-256 key pairs from the OS
//! random source. The private half is PKCS#8 DER in standard base64, which
//! [`JwtCodec`](crate::JwtCodec) reads back; the public half is the JWK's
//! `x` (and `y`), base64url without padding (RFC 8037, RFC 7518 §6.2).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use domain::ports::SigningKeyGenerator;
use domain::{InfraError, PublicKey, Secret, SigningAlgorithm};
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;

use crate::tokens::random_bytes;

/// Makes signing key pairs. Stateless.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyGenerator;

impl KeyGenerator {
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

impl SigningKeyGenerator for KeyGenerator {
    fn generate(&self, algorithm: SigningAlgorithm) -> Result<(PublicKey, Secret), InfraError> {
        match algorithm {
            SigningAlgorithm::EdDsa => ed25519(),
            SigningAlgorithm::Es256 => p256_key(),
        }
    }
}

fn ed25519() -> Result<(PublicKey, Secret), InfraError> {
    let key = ed25519_dalek::SigningKey::from_bytes(&random_bytes::<32>());
    let der = key.to_pkcs8_der().map_err(InfraError::unexpected)?;
    Ok((
        PublicKey {
            x: URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
            y: None,
        },
        Secret::from(STANDARD.encode(der.as_bytes())),
    ))
}

fn p256_key() -> Result<(PublicKey, Secret), InfraError> {
    // 32 random bytes are a valid scalar unless zero or at least the group
    // order: a chance of about 2^-128 per draw.
    let key = (0..8)
        .find_map(|_| p256::SecretKey::from_slice(&random_bytes::<32>()).ok())
        .ok_or_else(|| InfraError::unexpected("the random source gave no valid P-256 key"))?;
    let der = key.to_pkcs8_der().map_err(InfraError::unexpected)?;
    let point = key.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(InfraError::unexpected(
            "a P-256 public key without coordinates",
        ));
    };
    Ok((
        PublicKey {
            x: URL_SAFE_NO_PAD.encode(x),
            y: Some(URL_SAFE_NO_PAD.encode(y)),
        },
        Secret::from(STANDARD.encode(der.as_bytes())),
    ))
}
