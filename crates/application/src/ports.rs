use std::sync::Arc;

use domain::ports::{
    Clock, LoginThrottle, MfaRepository, OneTimeTokenRepository, PasswordHasher, SecondFactor,
    SecretSealer, SecretTokens, SecurityEventRepository, SessionRepository, SigningKeyGenerator,
    SigningKeyStore, TokenCodec, UserRepository,
};

/// Every port a service may drive, as the server wires them. Each service
/// keeps only those it uses (see its `new`).
#[derive(Clone)]
pub struct Ports {
    pub users: Arc<dyn UserRepository>,
    pub sessions: Arc<dyn SessionRepository>,
    pub one_time_tokens: Arc<dyn OneTimeTokenRepository>,
    pub events: Arc<dyn SecurityEventRepository>,
    pub throttle: Arc<dyn LoginThrottle>,
    /// TOTP enrolments, recovery codes and the `mfa_token`s of logins.
    pub mfa: Arc<dyn MfaRepository>,
    pub hasher: Arc<dyn PasswordHasher>,
    pub tokens: Arc<dyn TokenCodec>,
    pub secrets: Arc<dyn SecretTokens>,
    pub sealer: Arc<dyn SecretSealer>,
    pub second_factor: Arc<dyn SecondFactor>,
    pub clock: Arc<dyn Clock>,
    /// The signing keys of access tokens under an asymmetric algorithm.
    pub signing_keys: Arc<dyn SigningKeyStore>,
    pub key_generator: Arc<dyn SigningKeyGenerator>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports").finish_non_exhaustive()
    }
}
