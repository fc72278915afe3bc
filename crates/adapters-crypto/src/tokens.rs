//! `SecretTokens`: opaque refresh, reset and verification tokens.
//!
//! A token is 256 random bits, base64url without padding (43 characters, safe
//! in a URL). Only its SHA-256 is stored: the token is already
//! high-entropy, so a fast hash suffices and a lookup by hash stays an index
//! hit, while a leaked table gives nothing a client could present.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ports::SecretTokens;
use domain::{SecretToken, TokenHash};
use rand::rngs::OsRng;
use rand::{RngCore as _, TryRngCore as _};
use sha2::{Digest as _, Sha256};

/// Random bytes from the OS.
///
/// `SecretTokens::generate` cannot fail, but the OS source can (in theory:
/// not on Linux once the kernel is seeded). Then this falls back to rand's
/// thread-local ChaCha CSPRNG, seeded from the OS; rand panics rather than
/// hand out predictable bytes if that cannot be seeded either, so a token is
/// never guessable.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0_u8; N];
    if OsRng.try_fill_bytes(&mut bytes).is_err() {
        rand::rng().fill_bytes(&mut bytes);
    }
    bytes
}

/// 32 bytes from the OS CSPRNG, base64url; stored as SHA-256 hex.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomTokens;

impl RandomTokens {
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

impl SecretTokens for RandomTokens {
    fn generate(&self) -> (SecretToken, TokenHash) {
        let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>());
        let hash = self.hash(&token);
        (SecretToken::new(token), hash)
    }

    fn hash(&self, token: &str) -> TokenHash {
        let digest = Sha256::digest(token.as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
        }
        TokenHash::new(hex)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn a_token_is_43_url_safe_characters() {
        let (token, _) = RandomTokens.generate();

        assert_eq!(token.expose().len(), 43);
        assert!(
            token
                .expose()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn a_token_decodes_to_256_bits() {
        let (token, _) = RandomTokens.generate();

        let bytes = URL_SAFE_NO_PAD.decode(token.expose()).unwrap();

        assert_eq!(bytes.len(), 32);
    }

    #[test]
    fn no_two_of_ten_thousand_tokens_are_equal() {
        let tokens: HashSet<String> = (0..10_000)
            .map(|_| RandomTokens.generate().0.expose().to_owned())
            .collect();

        assert_eq!(tokens.len(), 10_000);
    }

    #[test]
    fn the_hash_is_the_sha256_hex_of_the_token_text() {
        let hash = RandomTokens.hash("abc");

        assert_eq!(
            hash.expose(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hashing_the_same_token_twice_gives_the_same_hash() {
        assert_eq!(RandomTokens.hash("a token"), RandomTokens.hash("a token"));
    }

    #[test]
    fn different_tokens_hash_differently() {
        assert_ne!(RandomTokens.hash("token-a"), RandomTokens.hash("token-b"));
    }

    #[test]
    fn malformed_input_hashes_without_error() {
        let hash = RandomTokens.hash("not base64 at all: \u{1f600} \0");

        assert_eq!(hash.expose().len(), 64);
    }

    #[test]
    fn the_generated_hash_is_the_hash_of_the_generated_token() {
        let (token, hash) = RandomTokens.generate();

        assert_eq!(RandomTokens.hash(token.expose()), hash);
    }
}
