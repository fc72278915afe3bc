//! `TokenCodec`: HS256 JWT access tokens in the RFC 9068 profile.
//!
//! The header says `typ: at+jwt` and the claims say `typ: access`; decoding
//! insists on both, so a token minted for any other purpose with the same
//! key is never accepted as an access token. Only HS256 is accepted, whatever
//! the header asks for. Expiry is checked against the caller's clock, not
//! the system's, so tests and the application agree on what "now" is.

use std::fmt;

use chrono::DateTime;
use domain::ports::{AccessClaims, TokenCodec};
use domain::{InfraError, SecretToken, SessionId, Timestamp, TokenDecodeError, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::CryptoConfigError;

/// The JOSE header `typ` of an access token (RFC 9068 §2.1).
const HEADER_TYP: &str = "at+jwt";
/// The `typ` claim that names the token's purpose.
const PURPOSE: &str = "access";
/// How far past `exp` a token is still accepted, for clock skew.
const LEEWAY: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// The claims as they travel.
#[derive(Serialize, Deserialize)]
struct WireClaims {
    sub: Uuid,
    sid: Uuid,
    iat: i64,
    exp: i64,
    typ: String,
}

/// Signs and checks HS256 access tokens with one shared secret
/// (`APP_AUTH__TOKEN_SECRET`). `Debug` never shows the secret.
pub struct JwtCodec {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtCodec {
    /// # Errors
    /// `EmptySecret` for an empty secret, which would let anyone sign.
    /// (Length and "not the development default" are the server's checks.)
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, CryptoConfigError> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(CryptoConfigError::EmptySecret("token secret"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is ours to check, against the `now` we are given; the
        // library's check would use the system clock and a 60 s leeway.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        })
    }
}

impl TokenCodec for JwtCodec {
    fn issue(&self, claims: &AccessClaims) -> Result<SecretToken, InfraError> {
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(HEADER_TYP.to_owned());
        let wire = WireClaims {
            sub: *claims.user_id.as_uuid(),
            sid: *claims.session_id.as_uuid(),
            iat: claims.issued_at.timestamp(),
            exp: claims.expires_at.timestamp(),
            typ: PURPOSE.to_owned(),
        };
        jsonwebtoken::encode(&header, &wire, &self.encoding)
            .map(SecretToken::new)
            .map_err(InfraError::unexpected)
    }

    fn decode(&self, token: &str, now: Timestamp) -> Result<AccessClaims, TokenDecodeError> {
        // Any failure here (malformed, `alg` other than HS256 or `none`, bad
        // signature, missing or mistyped claim) is the same to a caller.
        let data = jsonwebtoken::decode::<WireClaims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenDecodeError::Invalid)?;
        if !is_access_token_type(data.header.typ.as_deref()) || data.claims.typ != PURPOSE {
            return Err(TokenDecodeError::Invalid);
        }
        let claims = data.claims;
        let issued_at = from_unix(claims.iat)?;
        let expires_at = from_unix(claims.exp)?;
        if now > expires_at + LEEWAY {
            return Err(TokenDecodeError::Expired);
        }
        Ok(AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            issued_at,
            expires_at,
        })
    }
}

/// `at+jwt`, or its long form `application/at+jwt`; media types compare
/// case-insensitively (RFC 9068 §4).
fn is_access_token_type(typ: Option<&str>) -> bool {
    typ.is_some_and(|typ| {
        let short = match typ.split_at_checked(12) {
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("application/") => rest,
            _ => typ,
        };
        short.eq_ignore_ascii_case(HEADER_TYP)
    })
}

fn from_unix(seconds: i64) -> Result<Timestamp, TokenDecodeError> {
    DateTime::from_timestamp(seconds, 0).ok_or(TokenDecodeError::Invalid)
}

impl fmt::Debug for JwtCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtCodec")
            .field("algorithm", &"HS256")
            .field("secret", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;
