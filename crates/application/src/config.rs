use domain::ports::LockoutPolicy;

/// The policy knobs of authentication, from configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthConfig {
    pub access_ttl_secs: u64,
    /// Each refresh token lives this long from its issue (sliding).
    pub refresh_ttl_secs: u64,
    /// A session ends this long after its login, whatever happens (absolute).
    pub session_max_secs: u64,
    pub require_verified_email: bool,
    pub lockout: LockoutPolicy,
}

impl Default for AuthConfig {
    /// The defaults of the REST contract.
    fn default() -> Self {
        Self {
            access_ttl_secs: 900,
            refresh_ttl_secs: 2_592_000,
            session_max_secs: 7_776_000,
            require_verified_email: false,
            lockout: LockoutPolicy {
                max_failures: 5,
                lockout_secs: 900,
            },
        }
    }
}
