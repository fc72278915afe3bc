//! Ports: what the application needs from the outside world. Adapters
//! implement them; `mocks` (or `cfg(test)`) adds a mockall `Mock*` for each.
//!
//! Every state-changing method takes [`Effects`](crate::Effects) and MUST
//! apply them in the same transaction as its own write.

mod clock;
mod crypto;
mod health;
mod login_throttle;
mod mailer;
mod mfa;
mod one_time_tokens;
mod outbox;
mod rate_limits;
mod security_events;
mod sessions;
mod signing_keys;
mod users;

pub use clock::{Clock, SystemClock};
pub use crypto::{
    AccessClaims, PasswordHasher, SecondFactor, SecretSealer, SecretTokens, SigningKeyGenerator,
    TokenCodec,
};
pub use health::{CheckStatus, HealthProbe, Readiness};
pub use login_throttle::{
    Admission, LockoutPolicy, LoginThrottle, STALE_CHECK_SECS, ThrottleState,
};
pub use mailer::{MailError, Mailer};
pub use mfa::MfaRepository;
pub use one_time_tokens::OneTimeTokenRepository;
pub use outbox::Outbox;
pub use rate_limits::RateLimitCounter;
pub use security_events::SecurityEventRepository;
pub use sessions::SessionRepository;
pub use signing_keys::SigningKeyStore;
pub use users::UserRepository;

#[cfg(any(test, feature = "mocks"))]
pub use {
    clock::MockClock,
    crypto::{
        MockPasswordHasher, MockSecondFactor, MockSecretSealer, MockSecretTokens,
        MockSigningKeyGenerator, MockTokenCodec,
    },
    health::MockHealthProbe,
    login_throttle::MockLoginThrottle,
    mailer::MockMailer,
    mfa::MockMfaRepository,
    one_time_tokens::MockOneTimeTokenRepository,
    outbox::MockOutbox,
    rate_limits::MockRateLimitCounter,
    security_events::MockSecurityEventRepository,
    sessions::MockSessionRepository,
    signing_keys::MockSigningKeyStore,
    users::MockUserRepository,
};
