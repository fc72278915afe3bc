//! `SecretSealer`: XChaCha20-Poly1305 under `APP_AUTH__ENCRYPTION_KEY`.
//!
//! A sealed value is the 24-byte random nonce followed by the ciphertext and
//! its 16-byte tag. The extended nonce makes random nonces safe for any
//! number of seals under one key; the caller's context is the associated
//! data, so a value copied to another row (another context) does not open.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use domain::ports::SecretSealer;
use domain::{InfraError, SealedSecret, Secret};

use crate::error::CryptoConfigError;
use crate::tokens::random_bytes;

const NONCE_LEN: usize = 24;

/// Seals with one 256-bit key.
#[derive(Clone)]
pub struct AeadSealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for AeadSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AeadSealer([redacted])")
    }
}

impl AeadSealer {
    /// A sealer under `key`: 32 bytes, standard base64 (padded), as
    /// `openssl rand -base64 32` prints them.
    ///
    /// # Errors
    /// `EncryptionKey` when `key` is not base64 of exactly 32 bytes.
    pub fn from_base64(key: &Secret) -> Result<Self, CryptoConfigError> {
        let bytes = STANDARD
            .decode(key.expose().trim())
            .map_err(|_| CryptoConfigError::EncryptionKey)?;
        // `new_from_slice` refuses any length but 32.
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| CryptoConfigError::EncryptionKey)?;
        Ok(Self { cipher })
    }
}

impl SecretSealer for AeadSealer {
    fn seal(&self, plaintext: &str, context: &str) -> Result<SealedSecret, InfraError> {
        let nonce = random_bytes::<NONCE_LEN>();
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context.as_bytes(),
        };
        let ciphertext = self
            .cipher
            .encrypt(&XNonce::from(nonce), payload)
            .map_err(|_| InfraError::unexpected("the AEAD refused to seal a secret"))?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(SealedSecret::new(sealed))
    }

    fn open(&self, sealed: &SealedSecret, context: &str) -> Option<Secret> {
        let (nonce, ciphertext) = sealed.as_bytes().split_at_checked(NONCE_LEN)?;
        let nonce = XNonce::from(<[u8; NONCE_LEN]>::try_from(nonce).ok()?);
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        let plaintext = self.cipher.decrypt(&nonce, payload).ok()?;
        String::from_utf8(plaintext).ok().map(Secret::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Secret {
        Secret::from(STANDARD.encode([byte; 32]))
    }

    fn sealer(byte: u8) -> AeadSealer {
        AeadSealer::from_base64(&key(byte)).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_and_context() {
        let sealed = sealer(1).seal("the successor", "row 1").unwrap();

        let opened = sealer(1).open(&sealed, "row 1").unwrap();

        assert_eq!(opened.expose(), "the successor");
    }

    #[test]
    fn the_sealed_bytes_do_not_contain_the_plaintext() {
        let sealed = sealer(1).seal("plain-text-secret", "row 1").unwrap();

        assert!(
            !sealed
                .as_bytes()
                .windows(5)
                .any(|w| w == b"plain" || w == b"secre")
        );
    }

    #[test]
    fn sealing_twice_gives_different_bytes() {
        let s = sealer(1);

        assert_ne!(
            s.seal("same", "ctx").unwrap(),
            s.seal("same", "ctx").unwrap()
        );
    }

    #[test]
    fn another_context_does_not_open() {
        let sealed = sealer(1).seal("secret", "row 1").unwrap();

        assert_eq!(sealer(1).open(&sealed, "row 2"), None);
    }

    #[test]
    fn another_key_does_not_open() {
        let sealed = sealer(1).seal("secret", "row 1").unwrap();

        assert_eq!(sealer(2).open(&sealed, "row 1"), None);
    }

    #[test]
    fn any_flipped_bit_does_not_open() {
        let sealed = sealer(1).seal("secret", "row 1").unwrap();
        for index in 0..sealed.as_bytes().len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[index] ^= 0x01;

            assert_eq!(sealer(1).open(&SealedSecret::new(bytes), "row 1"), None);
        }
    }

    #[test]
    fn truncated_or_empty_bytes_do_not_open() {
        let sealed = sealer(1).seal("secret", "row 1").unwrap();
        let s = sealer(1);

        assert_eq!(s.open(&SealedSecret::new(Vec::new()), "row 1"), None);
        assert_eq!(
            s.open(
                &SealedSecret::new(sealed.as_bytes()[..30].to_vec()),
                "row 1"
            ),
            None
        );
    }

    #[test]
    fn a_key_that_is_not_base64_of_32_bytes_is_refused() {
        for bad in [
            "",
            "not base64!",
            &STANDARD.encode([0_u8; 31]),
            &STANDARD.encode([0_u8; 33]),
        ] {
            assert!(matches!(
                AeadSealer::from_base64(&Secret::from(bad)),
                Err(CryptoConfigError::EncryptionKey)
            ));
        }
    }

    #[test]
    fn debug_does_not_show_the_key() {
        assert_eq!(format!("{:?}", sealer(7)), "AeadSealer([redacted])");
    }
}
