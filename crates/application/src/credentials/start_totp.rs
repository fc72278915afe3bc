use domain::{
    Effects, PlainPassword, RequestContext, Secret, StartTotpError, TotpStartError, totp_context,
};

use super::{Credentials, Principal};

/// Start a TOTP enrolment, giving the current password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartTotpCommand {
    pub current: PlainPassword,
}

/// A started enrolment: what the authenticator app needs, shown once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TotpEnrolmentStarted {
    /// The base32 secret.
    pub secret: Secret,
    /// `otpauth://totp/...`, which carries the secret too.
    pub otpauth_uri: Secret,
}

impl Credentials {
    /// Stores a pending enrolment with a new random secret (sealed at rest,
    /// bound to the user), replacing one not yet confirmed. The password is
    /// checked exactly as a login checks it, lockout included.
    ///
    /// # Errors
    /// `AlreadyEnabled` (checked first, and again by the write),
    /// `LockedOut`, `InvalidCredentials`, `Infra`.
    pub async fn start_totp(
        &self,
        principal: &Principal,
        command: StartTotpCommand,
        context: &RequestContext,
    ) -> Result<TotpEnrolmentStarted, StartTotpError> {
        let user = &principal.user;
        if user.mfa_enabled {
            return Err(StartTotpError::AlreadyEnabled);
        }
        self.passwords
            .check_current(principal, command.current, context)
            .await?;
        let secret = self.factor.new_secret();
        let sealed = self.sealer.seal(secret.expose(), &totp_context(user.id))?;
        let now = self.clock.now();
        match self
            .mfa
            .start_enrolment(user.id, sealed, now, Effects::none())
            .await
        {
            Ok(()) => {}
            Err(TotpStartError::AlreadyEnabled) => return Err(StartTotpError::AlreadyEnabled),
            // Deleted after this request authenticated.
            Err(TotpStartError::UserNotFound) => return Err(StartTotpError::InvalidCredentials),
            Err(TotpStartError::Infra(infra)) => return Err(infra.into()),
        }
        let otpauth_uri = otpauth_uri(&secret, &self.issuer, user.email.as_str());
        Ok(TotpEnrolmentStarted {
            secret,
            otpauth_uri,
        })
    }
}

/// The Key URI Format authenticator apps read:
/// `otpauth://totp/{issuer}:{account}?secret=...&issuer=...` with the
/// RFC 6238 parameters spelled out.
pub(crate) fn otpauth_uri(secret: &Secret, issuer: &str, account: &str) -> Secret {
    let issuer = percent_encode(issuer);
    Secret::from(format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        percent_encode(account),
        secret.expose(),
    ))
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The host of the public URL (`APP_PUBLIC_URL`), the `otpauth_uri` issuer:
/// no scheme, user info, port or path.
pub(crate) fn issuer_of(public_url: &str) -> String {
    let rest = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host).to_owned();
    }
    host.split(':').next().unwrap_or(host).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_the_host_of_the_public_url() {
        assert_eq!(issuer_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(
            issuer_of("https://accounts.example.com/base/"),
            "accounts.example.com"
        );
        assert_eq!(issuer_of("https://u@example.com:443"), "example.com");
        assert_eq!(issuer_of("http://[::1]:8080"), "[::1]");
    }

    #[test]
    fn the_uri_names_issuer_and_account_and_encodes_them() {
        let uri = otpauth_uri(
            &Secret::from("JBSWY3DPEHPK3PXP"),
            "example.com",
            "ada+x@example.com",
        );
        assert_eq!(
            uri.expose(),
            "otpauth://totp/example.com:ada%2Bx%40example.com?secret=JBSWY3DPEHPK3PXP\
             &issuer=example.com&algorithm=SHA1&digits=6&period=30"
        );
    }
}
