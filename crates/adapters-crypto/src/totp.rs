//! `SecondFactor`: RFC 6238 TOTP through `totp-rs` (HMAC-SHA-1, 6 digits,
//! 30-second steps, one step either side), and recovery codes stored as
//! HMAC-SHA256 under a key derived from `APP_AUTH__ENCRYPTION_KEY`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use domain::ports::SecondFactor;
use domain::{RECOVERY_CODES, Secret, Timestamp, TokenHash};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use totp_rs::{Algorithm, Builder, Totp};

use crate::error::CryptoConfigError;
use crate::tokens::random_bytes;

type HmacSha256 = Hmac<Sha256>;

/// The length of a step, in seconds (RFC 6238's default, what every
/// authenticator app assumes).
const STEP_SECS: u64 = 30;
/// What the recovery-code key is derived with: a key of its own, so a
/// hash never equals anything the AEAD under the same key produces.
const RECOVERY_KEY_LABEL: &[u8] = b"user-accounts/recovery-codes/v1";
/// Recovery codes: ten characters of RFC 4648's base32 alphabet (50
/// random bits), shown as two groups of five.
const CODE_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const CODE_CHARS: usize = 10;

/// TOTP and recovery codes.
#[derive(Clone)]
pub struct TotpFactor {
    /// Keyed once; each hash clones it.
    recovery_mac: HmacSha256,
}

impl std::fmt::Debug for TotpFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpFactor([redacted])")
    }
}

impl TotpFactor {
    /// Recovery codes hashed under a key derived from the encryption key
    /// (`APP_AUTH__ENCRYPTION_KEY`: 32 bytes, standard base64): HMAC-SHA256
    /// of a fixed label under it. The key lives outside the database, so a
    /// dump alone does not let anyone test guesses; changing it voids every
    /// recovery code, as it voids every sealed TOTP secret.
    ///
    /// # Errors
    /// `EncryptionKey` when `key` is not base64 of exactly 32 bytes.
    pub fn from_encryption_key(key: &Secret) -> Result<Self, CryptoConfigError> {
        let bytes = STANDARD
            .decode(key.expose().trim())
            .map_err(|_| CryptoConfigError::EncryptionKey)?;
        if bytes.len() != 32 {
            return Err(CryptoConfigError::EncryptionKey);
        }
        let mut mac =
            HmacSha256::new_from_slice(&bytes).map_err(|_| CryptoConfigError::EncryptionKey)?;
        mac.update(RECOVERY_KEY_LABEL);
        let recovery_key = mac.finalize().into_bytes();
        let recovery_mac = HmacSha256::new_from_slice(&recovery_key)
            .map_err(|_| CryptoConfigError::EncryptionKey)?;
        Ok(Self { recovery_mac })
    }

    fn totp(secret: &Secret) -> Option<Totp> {
        let bytes = totp_rs::Secret::try_from_base32(secret.expose().trim()).ok()?;
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(STEP_SECS)
            // Each step is checked on its own, below.
            .with_skew(0)
            .with_secret(bytes)
            .build()
            .ok()
    }
}

/// The recovery code as it is hashed: lower case, without the spaces and
/// hyphens people type or copy.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

impl SecondFactor for TotpFactor {
    fn new_secret(&self) -> Secret {
        let bytes = random_bytes::<20>();
        Secret::from(totp_rs::Secret::from(bytes).to_base32())
    }

    fn verify(
        &self,
        secret: &Secret,
        code: &str,
        now: Timestamp,
        after: Option<u64>,
    ) -> Option<u64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let totp = Self::totp(secret)?;
        let current = u64::try_from(now.timestamp()).ok()? / STEP_SECS;
        // Every step of the window is computed and compared (in constant
        // time, by `totp-rs`), whatever matched before.
        let mut matched = None;
        for step in current.saturating_sub(1)..=current.saturating_add(1) {
            let time = step.checked_mul(STEP_SECS)?;
            let hit = totp.check(code, time).is_some();
            if hit && after.is_none_or(|used| step > used) {
                matched = Some(step);
            }
        }
        matched
    }

    fn new_recovery_codes(&self) -> Vec<(Secret, TokenHash)> {
        (0..RECOVERY_CODES)
            .map(|_| {
                let bytes = random_bytes::<CODE_CHARS>();
                // 256 is a multiple of 32: each character is uniform.
                let chars: String = bytes
                    .iter()
                    .map(|b| char::from(CODE_ALPHABET[usize::from(b % 32)]))
                    .collect();
                let (head, tail) = chars.split_at(CODE_CHARS / 2);
                let code = format!("{head}-{tail}");
                let hash = self.recovery_code_hash(&code);
                (Secret::from(code), hash)
            })
            .collect()
    }

    fn recovery_code_hash(&self, code: &str) -> TokenHash {
        let mut mac = self.recovery_mac.clone();
        mac.update(normalise(code).as_bytes());
        let digest = mac.finalize().into_bytes();
        TokenHash::new(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

#[cfg(test)]
#[path = "totp_tests.rs"]
mod tests;
