use domain::SigningAlgorithm;
use domain::ports::LockoutPolicy;

/// The policy knobs of authentication, from configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthConfig {
    pub access_ttl_secs: u64,
    /// Each refresh token lives this long from its issue (sliding).
    pub refresh_ttl_secs: u64,
    /// A session ends this long after its login, whatever happens (absolute).
    pub session_max_secs: u64,
    /// How long after a rotation the rotated refresh token, presented
    /// again while its successor is unused, answers that same successor
    /// instead of counting as a reuse; 0: never.
    pub refresh_reuse_grace_secs: u64,
    /// A password-reset link works this long.
    pub reset_ttl_secs: u64,
    /// An email-verification or email-change link works this long.
    pub verify_ttl_secs: u64,
    /// Where the service is reached from outside (`APP_PUBLIC_URL`); every
    /// link in an email starts with it, never with a request's Host header.
    /// A trailing slash is ignored.
    pub public_url: String,
    pub require_verified_email: bool,
    pub lockout: LockoutPolicy,
    /// The asymmetric algorithm access tokens are signed with, from keys in
    /// the store (`APP_AUTH__SIGNING_ALG`); `None`: HS256 with the shared
    /// secret, nothing stored or published.
    pub signing_algorithm: Option<SigningAlgorithm>,
    /// Days between automatic rotations of the signing keys; 0: only
    /// `server keys rotate` rotates.
    pub key_rotation_days: u32,
}

impl Default for AuthConfig {
    /// The defaults of the REST contract.
    fn default() -> Self {
        Self {
            access_ttl_secs: 900,
            refresh_ttl_secs: 2_592_000,
            session_max_secs: 7_776_000,
            refresh_reuse_grace_secs: 0,
            reset_ttl_secs: 1_800,
            verify_ttl_secs: 86_400,
            public_url: "http://127.0.0.1:8080".to_owned(),
            require_verified_email: false,
            lockout: LockoutPolicy {
                max_failures: 5,
                lockout_secs: 900,
            },
            signing_algorithm: None,
            key_rotation_days: 30,
        }
    }
}
