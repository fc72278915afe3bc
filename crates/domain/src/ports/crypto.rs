use async_trait::async_trait;

use crate::{
    InfraError, KeyRing, PasswordHash, PlainPassword, PublicKey, Role, SealedSecret, Secret,
    SecretToken, SessionId, SigningAlgorithm, Timestamp, TokenDecodeError, TokenHash, UserId,
};

/// Slow, salted password hashing on a bounded pool.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password at the configured cost. It takes a
    /// [`PlainPassword`] because a re-hash after login must not re-apply the
    /// rules for new passwords; callers hashing a new password pass
    /// [`Password::as_plain`](crate::Password::as_plain).
    ///
    /// MUST return `InfraError::Overloaded` at once, without hashing, when
    /// the hashing queue is full.
    async fn hash(&self, password: &PlainPassword) -> Result<PasswordHash, InfraError>;

    /// Whether `password` matches `hash`. A hash that cannot be parsed is
    /// `Ok(false)`, not an error. `Overloaded` as for `hash`.
    async fn verify(
        &self,
        password: &PlainPassword,
        hash: &PasswordHash,
    ) -> Result<bool, InfraError>;

    /// Spends as long as `verify` against a real hash at the configured cost,
    /// so that an unknown email costs the same as a wrong password.
    /// `Overloaded` as for `hash`.
    async fn verify_dummy(&self, password: &PlainPassword) -> Result<(), InfraError>;

    /// Whether `hash` was made with a lower cost than the configured one (or
    /// another scheme) and should be replaced after the next successful
    /// verify.
    fn needs_rehash(&self, hash: &PasswordHash) -> bool;
}

/// What an access token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub session_id: SessionId,
    /// The user's role when the token was issued (the `role` claim, for
    /// other services); this service reads the role fresh on every request.
    pub role: Role,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Signs and checks access tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenCodec: Send + Sync {
    /// A signed access token for `claims`, which names its purpose (access)
    /// so that no other kind of token is ever accepted as one.
    ///
    /// # Errors
    /// MUST return `InfraError::Unavailable` while an asymmetric codec has
    /// no keys installed yet, and `InfraError::Unexpected` when the claims
    /// cannot be signed (a key the signing library refuses); nothing else.
    fn issue(&self, claims: &AccessClaims) -> Result<SecretToken, InfraError>;

    /// The claims of a token this codec issued.
    ///
    /// MUST return `Invalid` for a bad signature, any algorithm but the
    /// configured one (`none` included), a token of another purpose, or
    /// malformed input; and `Expired` once `now` is more than one second past
    /// its expiry.
    ///
    /// With an asymmetric algorithm the token MUST name (`kid`) a key of
    /// the installed [`KeyRing`] (`UnknownKey` otherwise) and MUST carry no
    /// header that chooses a key by other means or that it does not
    /// understand (`jku`, `jwk`, `x5u`, `x5c`, `x5t`, `x5t#S256`, `crit`:
    /// `Invalid`); under HS256 a `kid` is `Invalid` too. The issuer,
    /// audience and client id MUST be the configured ones.
    fn decode(&self, token: &str, now: Timestamp) -> Result<AccessClaims, TokenDecodeError>;

    /// Replaces the keys the codec signs with (`keys.signing`) and accepts
    /// (`keys.verifying`), atomically for concurrent `issue` and `decode`
    /// calls. Before the first install, an asymmetric codec signs nothing
    /// (`issue` is `Unavailable`) and accepts nothing.
    ///
    /// # Errors
    /// MUST return `InfraError::Unexpected`, keeping the keys it had, when
    /// the codec does not use `keys.algorithm` (HS256 included) or a key
    /// does not parse.
    fn install_keys(&self, keys: &KeyRing) -> Result<(), InfraError>;
}

/// Makes the key pairs of an asymmetric signing algorithm.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SigningKeyGenerator: Send + Sync {
    /// A new random key pair for `algorithm`: the public half as JWK
    /// parameters, the private half as text (to be sealed before it is
    /// stored) that [`TokenCodec::install_keys`] accepts.
    ///
    /// # Errors
    /// MUST return `InfraError::Unexpected` when the system's random source
    /// or the encoding fails; nothing else.
    fn generate(&self, algorithm: SigningAlgorithm) -> Result<(PublicKey, Secret), InfraError>;
}

/// Opaque one-time and refresh tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretTokens: Send + Sync {
    /// A new token of at least 128 random bits, URL-safe, and its hash.
    fn generate(&self) -> (SecretToken, TokenHash);

    /// The hash under which `token` would have been stored. Deterministic;
    /// any input (even malformed) hashes without error.
    fn hash(&self, token: &str) -> TokenHash;
}

/// Authenticated encryption of secrets kept at rest (an AEAD under
/// `APP_AUTH__ENCRYPTION_KEY`): what must be recoverable later, unlike a
/// token kept only as its hash.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecretSealer: Send + Sync {
    /// `plaintext` encrypted and authenticated together with `context`,
    /// which is not stored: the same context MUST be given to `open`, so a
    /// sealed value moved to another row (another context) does not open.
    /// MUST use a fresh random nonce each call: sealing the same plaintext
    /// twice gives different bytes.
    ///
    /// # Errors
    /// MUST return `InfraError::Unexpected` when the cipher refuses the
    /// input (never for input of a sane size); nothing else.
    fn seal(&self, plaintext: &str, context: &str) -> Result<SealedSecret, InfraError>;

    /// The plaintext of `sealed`, or `None` when it was not sealed under
    /// this key with this `context`, or was altered since.
    fn open(&self, sealed: &SealedSecret, context: &str) -> Option<Secret>;
}

/// The second factor's arithmetic: RFC 6238 TOTP (HMAC-SHA-1, 6 digits,
/// 30-second steps) and recovery codes. Pure and synchronous: the time is
/// given (the `Clock` port's), and sealing the secret at rest is the
/// `SecretSealer`'s job.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait SecondFactor: Send + Sync {
    /// A new random 160-bit secret, base32 (RFC 4648, upper case, no
    /// padding), as authenticator apps read it.
    fn new_secret(&self) -> Secret;

    /// The step of `code` when it is the TOTP of `secret` for the step of
    /// `now` or the one on either side, and that step is later than
    /// `after` (a step used already is never accepted again); else `None`.
    /// Of several matching steps, the latest. MUST compare in constant time
    /// and MUST answer `None`, never panic, for a malformed code or secret.
    fn verify(
        &self,
        secret: &Secret,
        code: &str,
        now: Timestamp,
        after: Option<u64>,
    ) -> Option<u64>;

    /// [`RECOVERY_CODES`](crate::RECOVERY_CODES) new random recovery codes
    /// as shown to the user, each with the keyed hash it is stored under.
    fn new_recovery_codes(&self) -> Vec<(Secret, TokenHash)>;

    /// The keyed hash a recovery code as typed would be stored under:
    /// deterministic, after normalising case, spaces and hyphens; any input
    /// hashes without error.
    fn recovery_code_hash(&self, code: &str) -> TokenHash;
}
