//! Mocks of every port and a few fixtures for the use-case tests.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use domain::ports::{
    MockClock, MockLoginThrottle, MockMfaRepository, MockOneTimeTokenRepository,
    MockPasswordHasher, MockSecondFactor, MockSecretSealer, MockSecretTokens,
    MockSecurityEventRepository, MockSessionRepository, MockSigningKeyGenerator,
    MockSigningKeyStore, MockTokenCodec, MockUserRepository,
};
use domain::{
    Email, OneTimeToken, Password, PasswordHash, RequestContext, Role, SecretToken, Session,
    SessionId, Timestamp, TokenHash, TokenPurpose, User, UserId, UserName,
};
use mockall::predicate::eq;

use crate::support::one_time::Links;
use crate::support::password_check::PasswordCheck;
use crate::{Account, Administration, AuthConfig, Credentials, Ports, Principal, SignIn};

pub(crate) struct MockPorts {
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub one_time_tokens: MockOneTimeTokenRepository,
    pub events: MockSecurityEventRepository,
    pub throttle: MockLoginThrottle,
    pub hasher: MockPasswordHasher,
    pub tokens: MockTokenCodec,
    pub secrets: MockSecretTokens,
    pub sealer: MockSecretSealer,
    pub mfa: MockMfaRepository,
    pub second_factor: MockSecondFactor,
    pub signing_keys: MockSigningKeyStore,
    pub key_generator: MockSigningKeyGenerator,
    pub config: AuthConfig,
}

impl MockPorts {
    /// Mocks with no expectations (any call fails the test), the default
    /// config, and a clock stopped at [`now`].
    pub fn new() -> Self {
        Self {
            users: MockUserRepository::new(),
            sessions: MockSessionRepository::new(),
            one_time_tokens: MockOneTimeTokenRepository::new(),
            events: MockSecurityEventRepository::new(),
            throttle: MockLoginThrottle::new(),
            hasher: MockPasswordHasher::new(),
            tokens: MockTokenCodec::new(),
            secrets: MockSecretTokens::new(),
            sealer: MockSecretSealer::new(),
            mfa: MockMfaRepository::new(),
            second_factor: MockSecondFactor::new(),
            signing_keys: MockSigningKeyStore::new(),
            key_generator: MockSigningKeyGenerator::new(),
            config: AuthConfig::default(),
        }
    }

    /// The ports as a service takes them, with a clock stopped at [`now`].
    pub fn ports(self) -> (Ports, AuthConfig) {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        let ports = Ports {
            users: Arc::new(self.users),
            sessions: Arc::new(self.sessions),
            one_time_tokens: Arc::new(self.one_time_tokens),
            events: Arc::new(self.events),
            throttle: Arc::new(self.throttle),
            hasher: Arc::new(self.hasher),
            tokens: Arc::new(self.tokens),
            secrets: Arc::new(self.secrets),
            sealer: Arc::new(self.sealer),
            mfa: Arc::new(self.mfa),
            second_factor: Arc::new(self.second_factor),
            clock: Arc::new(clock),
            signing_keys: Arc::new(self.signing_keys),
            key_generator: Arc::new(self.key_generator),
        };
        (ports, self.config)
    }

    pub fn signing_keys_service(self) -> crate::SigningKeys {
        let (ports, config) = self.ports();
        crate::SigningKeys::new(&ports, &config)
    }

    pub fn sign_in(self) -> SignIn {
        let (ports, config) = self.ports();
        SignIn::new(&ports, config)
    }

    pub fn credentials(self) -> Credentials {
        let (ports, config) = self.ports();
        Credentials::new(&ports, config)
    }

    pub fn account(self) -> Account {
        let (ports, config) = self.ports();
        Account::new(&ports, config)
    }

    pub fn administration(self) -> Administration {
        let (ports, config) = self.ports();
        Administration::new(&ports, config)
    }

    pub fn links(self) -> Links {
        let (ports, config) = self.ports();
        Links::new(&ports, &config.public_url)
    }

    pub fn password_check(self) -> PasswordCheck {
        let (ports, config) = self.ports();
        PasswordCheck::new(&ports, config.lockout)
    }

    /// Token issuing and generation that just work, for tests about other
    /// things.
    pub fn with_working_tokens(mut self) -> Self {
        self.tokens
            .expect_issue()
            .returning(|_| Ok(SecretToken::new("access".into())));
        self.secrets.expect_generate().returning(|| {
            (
                SecretToken::new("new-refresh".into()),
                TokenHash::new("new-refresh-hash".into()),
            )
        });
        self
    }

    /// `SecretTokens::generate` hands out [`FRESH_TOKEN`] and its hash
    /// [`FRESH_HASH`], once.
    pub fn with_fresh_token(mut self) -> Self {
        self.secrets.expect_generate().times(1).returning(|| {
            (
                SecretToken::new(FRESH_TOKEN.into()),
                TokenHash::new(FRESH_HASH.into()),
            )
        });
        self
    }

    /// The client presents [`PRESENTED_TOKEN`], which hashes to
    /// [`PRESENTED_HASH`], and the repository finds `stored` under that hash.
    pub fn with_presented_token(mut self, stored: Option<OneTimeToken>) -> Self {
        self.secrets
            .expect_hash()
            .with(eq(PRESENTED_TOKEN))
            .returning(|_| TokenHash::new(PRESENTED_HASH.into()));
        self.one_time_tokens
            .expect_find()
            .withf(|hash| hash.expose() == PRESENTED_HASH)
            .return_once(move |_| Ok(stored));
        self
    }
}

/// A one-time token the service generates, as it appears in a link.
pub(crate) const FRESH_TOKEN: &str = "fresh-token";
pub(crate) const FRESH_HASH: &str = "fresh-token-hash";
/// A one-time token a client sends back.
pub(crate) const PRESENTED_TOKEN: &str = "presented-token";
pub(crate) const PRESENTED_HASH: &str = "presented-token-hash";

pub(crate) fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

pub(crate) fn email(raw: &str) -> Email {
    Email::parse(raw).unwrap()
}

pub(crate) fn name(raw: &str) -> UserName {
    UserName::parse(raw).unwrap()
}

pub(crate) fn strong_password() -> Password {
    Password::parse("correct horse battery staple", &[]).unwrap()
}

pub(crate) fn context() -> RequestContext {
    RequestContext {
        ip: Some("192.0.2.1".into()),
        user_agent: Some("test-agent".into()),
    }
}

pub(crate) fn user() -> User {
    User {
        id: UserId::generate(),
        email: email("ada@example.com"),
        name: name("Ada"),
        role: Role::User,
        email_verified: true,
        is_active: true,
        password_hash: PasswordHash::new("stored-hash".into()),
        mfa_enabled: false,
        created_at: now() - Duration::days(10),
        updated_at: now() - Duration::days(10),
    }
}

pub(crate) fn session_of(user: &User) -> Session {
    Session {
        id: SessionId::generate(),
        user_id: user.id,
        created_at: now() - Duration::hours(1),
        last_used_at: now() - Duration::hours(1),
        refresh_expires_at: now() + Duration::days(29),
        expires_at: now() + Duration::days(89),
        revoked_at: None,
        user_agent: None,
        ip: None,
    }
}

/// An active admin's principal, for the administration use cases.
pub(crate) fn admin() -> Principal {
    principal_of(&User {
        role: Role::Admin,
        ..user()
    })
}

pub(crate) fn principal_of(user: &User) -> Principal {
    Principal {
        user: user.clone(),
        session_id: SessionId::generate(),
    }
}

/// A usable token of `user` stored under [`PRESENTED_HASH`], issued an hour
/// ago and valid for another hour.
pub(crate) fn stored_token(user: &User, purpose: TokenPurpose) -> OneTimeToken {
    OneTimeToken {
        hash: TokenHash::new(PRESENTED_HASH.into()),
        user_id: user.id,
        purpose,
        new_email: None,
        created_at: now() - Duration::hours(1),
        expires_at: now() + Duration::hours(1),
        used_at: None,
    }
}

/// A stored key of `algorithm` in `state`, created at `created`, whose
/// sealed private half opens (the sealer mock answers every context).
pub(crate) fn stored_key(
    algorithm: domain::SigningAlgorithm,
    state: domain::KeyState,
    created: Timestamp,
) -> domain::SigningKey {
    domain::SigningKey {
        id: domain::KeyId::generate(),
        algorithm,
        state,
        public: domain::PublicKey {
            x: "x".to_owned(),
            y: None,
        },
        sealed_private: domain::SealedSecret::new(vec![1, 2, 3]),
        created_at: created,
        activated_at: (state != domain::KeyState::Next).then_some(created),
        retired_at: (state == domain::KeyState::Retired).then_some(created),
    }
}

/// A current and a next key as the store holds them, with the sealer mock
/// opening any private half.
pub(crate) fn signing_keys_in_store(
    ports: &mut MockPorts,
    algorithm: domain::SigningAlgorithm,
) -> Vec<domain::SigningKey> {
    ports
        .sealer
        .expect_open()
        .returning(|_, _| Some(domain::Secret::from("private")));
    vec![
        stored_key(algorithm, domain::KeyState::Current, now()),
        stored_key(algorithm, domain::KeyState::Next, now()),
    ]
}
