//! The app on mocked ports, a fixed clock, fixtures and a request helper.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use actix_web::web::Bytes;
use adapters_http::{AppState, HttpApp, HttpConfig, ServerMetadata};
use application::{
    Account, Administration, AuthConfig, Credentials, MockPublishedKeys, Ports, SignIn,
};
use chrono::{Duration, TimeZone, Utc};
use domain::ports::{
    AccessClaims, MockClock, MockHealthProbe, MockLoginThrottle, MockMfaRepository,
    MockOneTimeTokenRepository, MockPasswordHasher, MockSecondFactor, MockSecretSealer,
    MockSecretTokens, MockSecurityEventRepository, MockSessionRepository, MockSigningKeyGenerator,
    MockSigningKeyStore, MockTokenCodec, MockUserRepository,
};
use domain::{
    Email, OneTimeToken, PasswordHash, Role, SecretToken, Session, SessionId, Timestamp,
    TokenDecodeError, TokenHash, TokenPurpose, User, UserId, UserName,
};
use serde_json::Value;

pub const ACCESS_TOKEN: &str = "access.token.value";
pub const REFRESH_TOKEN: &str = "refresh-token-0123456789abcdef";
pub const NEW_REFRESH_TOKEN: &str = "new-refresh-token-fedcba9876543210";
pub const STORED_HASH: &str = "$2b$12$storedhashstoredhashstoredhashstoredhashstoredhashst";
pub const PASSWORD: &str = "correct horse battery staple";
/// A one-time token as mailed in a link (verification, reset, email change).
pub const LINK_TOKEN: &str = "link-token-0123456789abcdef";

pub fn now() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

pub fn user() -> User {
    User {
        id: UserId::generate(),
        email: Email::parse("ada@example.com").unwrap(),
        name: UserName::parse("Ada Lovelace").unwrap(),
        role: Role::User,
        email_verified: true,
        is_active: true,
        password_hash: PasswordHash::new(STORED_HASH.into()),
        mfa_enabled: false,
        created_at: Utc.with_ymd_and_hms(2026, 11, 23, 19, 0, 0).unwrap(),
        updated_at: Utc.with_ymd_and_hms(2026, 11, 23, 19, 0, 0).unwrap(),
    }
}

pub fn session_of(user: &User) -> Session {
    Session {
        id: SessionId::generate(),
        user_id: user.id,
        created_at: now() - Duration::hours(1),
        last_used_at: now() - Duration::hours(1),
        refresh_expires_at: now() + Duration::days(30),
        expires_at: now() + Duration::days(90),
        revoked_at: None,
        user_agent: None,
        ip: None,
    }
}

/// A usable one-time token of `user` for `purpose`, stored under the hash
/// of `LINK_TOKEN`.
pub fn stored_token(user: &User, purpose: TokenPurpose) -> OneTimeToken {
    OneTimeToken {
        hash: TokenHash::new(format!("hash-of-{LINK_TOKEN}")),
        user_id: user.id,
        purpose,
        new_email: None,
        created_at: now() - Duration::minutes(5),
        expires_at: now() + Duration::minutes(25),
        used_at: None,
    }
}

/// Every port mocked (a call without an expectation fails the test), the
/// default auth config, and the default HTTP config.
pub struct Fixture {
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
    pub health: MockHealthProbe,
    pub signing_keys: MockSigningKeyStore,
    pub published_keys: MockPublishedKeys,
    pub metadata: ServerMetadata,
    pub auth: AuthConfig,
    pub http: HttpConfig,
}

/// The metadata of the test service.
pub fn metadata() -> ServerMetadata {
    ServerMetadata {
        issuer: "https://accounts.example".to_owned(),
        public_url: "https://app.example".to_owned(),
    }
}

impl Fixture {
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
            health: MockHealthProbe::new(),
            signing_keys: MockSigningKeyStore::new(),
            published_keys: MockPublishedKeys::new(),
            metadata: metadata(),
            auth: AuthConfig::default(),
            http: HttpConfig::default(),
        }
    }

    pub fn app(self) -> HttpApp {
        let (state, http) = self.into_parts();
        HttpApp::new(state, &http)
    }

    /// The state and config, for `adapters_http::server`.
    pub fn into_parts(self) -> (AppState, HttpConfig) {
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
            key_generator: Arc::new(MockSigningKeyGenerator::new()),
        };
        let state = AppState {
            sign_in: Arc::new(SignIn::new(&ports, self.auth.clone())),
            credentials: Arc::new(Credentials::new(&ports, self.auth.clone())),
            administration: Arc::new(Administration::new(&ports, self.auth.clone())),
            account: Arc::new(Account::new(&ports, self.auth)),
            health: Arc::new(self.health),
            rate_limits: None,
            keys: Arc::new(self.published_keys),
            metadata: self.metadata,
        };
        (state, self.http)
    }

    /// `ACCESS_TOKEN` authenticates as `user`, on a live session.
    pub fn authenticates(&mut self, user: &User) -> SessionId {
        self.authenticates_among(user, Vec::new())
    }

    /// As `authenticates`, with `others` also found by id (other sessions
    /// of this user or of others).
    pub fn authenticates_among(&mut self, user: &User, others: Vec<Session>) -> SessionId {
        let session = session_of(user);
        let session_id = session.id;
        let claims = AccessClaims {
            user_id: user.id,
            session_id,
            role: user.role,
            issued_at: now(),
            expires_at: now() + Duration::minutes(15),
        };
        self.tokens.expect_decode().returning(move |token, _| {
            if token == ACCESS_TOKEN {
                Ok(claims.clone())
            } else {
                Err(TokenDecodeError::Invalid)
            }
        });
        let authenticated = (session.clone(), user.clone());
        self.sessions
            .expect_find_with_user()
            .returning(move |id| Ok(Some(authenticated.clone()).filter(|(s, _)| s.id == id)));
        let mut known = others;
        known.push(session);
        self.sessions
            .expect_find()
            .returning(move |id| Ok(known.iter().find(|s| s.id == id).cloned()));
        let user = user.clone();
        self.users
            .expect_find_by_id()
            .returning(move |_| Ok(Some(user.clone())));
        session_id
    }

    /// `LINK_TOKEN` is the link token `stored` (or no stored token at all).
    pub fn link_token(&mut self, stored: Option<OneTimeToken>) {
        self.secrets
            .expect_hash()
            .returning(|token| TokenHash::new(format!("hash-of-{token}")));
        self.one_time_tokens.expect_find().returning(move |hash| {
            Ok(stored
                .clone()
                .filter(|_| hash.expose() == format!("hash-of-{LINK_TOKEN}")))
        });
    }

    /// Hashing a new password works, and so does generating a one-time
    /// token (`LINK_TOKEN`) for the link a new account or reset is mailed.
    pub fn hashing_works(&mut self) {
        self.hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::new(STORED_HASH.into())));
        self.secrets.expect_generate().returning(|| {
            (
                SecretToken::new(LINK_TOKEN.into()),
                TokenHash::new("link-hash".into()),
            )
        });
    }

    /// Issuing a pair works: `ACCESS_TOKEN` and `NEW_REFRESH_TOKEN`.
    pub fn issues_tokens(&mut self) {
        self.tokens
            .expect_issue()
            .returning(|_| Ok(SecretToken::new(ACCESS_TOKEN.into())));
        self.secrets.expect_generate().returning(|| {
            (
                SecretToken::new(NEW_REFRESH_TOKEN.into()),
                TokenHash::new("new-refresh-hash".into()),
            )
        });
    }

    /// The password check of a login: no lockout, `user` found (or not),
    /// the password verifies when `correct`.
    pub fn password_check(&mut self, user: Option<User>, correct: bool) {
        self.throttle
            .expect_begin_attempt()
            .returning(|_, _, _| Ok(domain::ports::Admission::Check));
        let found = user.clone();
        self.users.expect_find_by_email().returning(move |email| {
            Ok(found
                .clone()
                .filter(|user| user.email.as_str() == email.as_str()))
        });
        self.hasher
            .expect_verify()
            .returning(move |_, _| Ok(correct));
        self.hasher.expect_verify_dummy().returning(|_| Ok(()));
        // A check without a verdict (hashing overloaded) is released.
        self.throttle.expect_abandon().returning(|_| Ok(()));
        if user.is_some() && correct {
            self.throttle.expect_record_success().returning(|_| Ok(()));
        } else {
            self.throttle
                .expect_record_failure()
                .returning(|_, _, _, _, _| Ok(None));
        }
    }

    /// A login of `user` that succeeds and opens a session.
    pub fn login_succeeds(&mut self, user: &User) {
        self.password_check(Some(user.clone()), true);
        self.hasher.expect_needs_rehash().returning(|_| false);
        self.issues_tokens();
        self.sessions
            .expect_create()
            .returning(|session, _| Ok(session.to_session()));
    }

    /// `REFRESH_TOKEN` is the current refresh token of a session of `user`,
    /// and rotating it works.
    pub fn refresh_succeeds(&mut self, user: &User) {
        let session = session_of(user);
        self.secrets
            .expect_hash()
            .returning(|token| TokenHash::new(format!("hash-of-{token}")));
        let current = session.clone();
        self.sessions
            .expect_find_by_refresh_hash()
            .returning(move |hash| {
                Ok((hash.expose() == format!("hash-of-{REFRESH_TOKEN}"))
                    .then(|| domain::RefreshTokenState::Current(current.clone())))
            });
        let user = user.clone();
        self.users
            .expect_find_by_id()
            .returning(move |_| Ok(Some(user.clone())));
        self.issues_tokens();
        self.sessions
            .expect_rotate_refresh()
            .returning(move |_, _| Ok(Some(session.clone())));
    }
}

/// What came back.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// Asserts a 202 with an empty body and no content type.
    pub fn assert_accepted(&self) {
        assert_eq!(self.status, 202, "{}", self.text());
        assert!(self.body.is_empty(), "{}", self.text());
        assert_eq!(self.header("content-type"), None);
    }

    /// Asserts a 204 with an empty body.
    pub fn assert_no_content(&self) {
        assert_eq!(self.status, 204, "{}", self.text());
        assert!(self.body.is_empty(), "{}", self.text());
    }

    /// Asserts a problem+json answer with this status and code.
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let body = self.json();
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], status);
        assert!(body["type"].as_str().unwrap().starts_with("/problems/"));
        assert!(body["title"].is_string() && body["detail"].is_string());
        body
    }

    /// The `errors` of a validation problem as (field, code) pairs.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        let body = self.assert_problem(422, "validation_failed");
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(e["message"].is_string());
                (
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

/// Sends one request to a fresh instance of `app` (the rate limiter is
/// shared between instances of one `HttpApp`, as between workers).
pub async fn send(app: &HttpApp, request: TestRequest) -> Reply {
    let service = test::init_service(app.app()).await;
    let response = test::call_service(&service, request.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = test::read_body(response).await;
    Reply {
        status,
        headers,
        body,
    }
}

/// A JSON POST.
pub fn post_json(path: &str, body: &Value) -> TestRequest {
    json_request(TestRequest::post(), path, body)
}

/// `request` to `path` with a JSON body.
pub fn json_request(request: TestRequest, path: &str, body: &Value) -> TestRequest {
    request
        .uri(path)
        .insert_header(("content-type", "application/json"))
        .set_payload(body.to_string())
}

/// A form POST to the token endpoint.
pub fn post_form(body: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(body.to_owned())
}

/// A request with `Authorization: Bearer ACCESS_TOKEN`.
pub fn bearer(request: TestRequest) -> TestRequest {
    request.insert_header(("authorization", format!("Bearer {ACCESS_TOKEN}")))
}
