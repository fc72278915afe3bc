//! Why an adapter could not be built from its configuration.

/// A constructor's refusal. Each case names the setting that is wrong, so the
/// server can report it against the configuration key.
#[derive(Debug, thiserror::Error)]
pub enum CryptoConfigError {
    /// `APP_AUTH__BCRYPT_COST` outside what bcrypt accepts.
    #[error("bcrypt cost {0} is out of range (4 to 31)")]
    CostOutOfRange(u32),
    /// A pool with no worker could never hash anything.
    #[error("the password hashing pool needs at least one worker")]
    NoWorkers,
    /// An empty key would make the HMAC (pepper or token signature) keyless.
    #[error("the {0} must not be empty")]
    EmptySecret(&'static str),
    /// `APP_AUTH__ENCRYPTION_KEY` is not base64 of 32 bytes.
    #[error("the encryption key must be 32 bytes in standard base64")]
    EncryptionKey,
    /// The dummy hash made at start-up failed (the OS random source, most
    /// likely).
    #[error("could not prepare the dummy password hash")]
    DummyHash(#[source] bcrypt::BcryptError),
}
