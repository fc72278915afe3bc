//! `TokenCodec`: JWT access tokens in the RFC 9068 profile, signed with
//! HS256 (one shared secret) or with an asymmetric key of a published set
//! (EdDSA or ES256).
//!
//! The header says `typ: at+jwt` and the claims say `typ: access`; decoding
//! insists on both, so a token minted for any other purpose with the same
//! key is never accepted as an access token. Only the configured algorithm
//! is accepted, whatever the header asks for, and the key is always the
//! codec's own: under an asymmetric algorithm the header's `kid` chooses
//! among the installed keys (an unknown one is `UnknownKey`), and a header
//! that points elsewhere for a key (`jku`, `jwk`, `x5u`, `x5c`, `x5t`) or
//! asks for extensions (`crit`) is refused outright. Expiry is checked
//! against the caller's clock, not the system's, so tests and the
//! application agree on what "now" is.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::DateTime;
use domain::ports::{AccessClaims, TokenCodec};
use domain::{
    InfraError, KeyRing, PublicKey, Role, SecretToken, SessionId, SigningAlgorithm, Timestamp,
    TokenDecodeError, UserId,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::CryptoConfigError;
use crate::tokens::random_bytes;

/// The JOSE header `typ` of an access token (RFC 9068 §2.1).
const HEADER_TYP: &str = "at+jwt";
/// The `typ` claim that names the token's purpose.
const PURPOSE: &str = "access";
/// How far past `exp` a token is still accepted, for clock skew.
const LEEWAY: chrono::TimeDelta = chrono::TimeDelta::seconds(1);

/// Who issues the tokens and for whom: the `iss`, `aud` and `client_id`
/// claims, written on every token and required on every token decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenProfile {
    /// `iss` (`APP_AUTH__ISSUER`, by default `APP_PUBLIC_URL`).
    pub issuer: String,
    /// `aud` (`APP_AUTH__AUDIENCE`): absent when `None`, and then a token
    /// that has one is refused.
    pub audience: Option<String>,
    /// `client_id` (`APP_AUTH__CLIENT_ID`).
    pub client_id: String,
}

/// The claims as they travel.
#[derive(Serialize, Deserialize)]
struct WireClaims {
    iss: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aud: Option<String>,
    sub: Uuid,
    client_id: String,
    sid: Uuid,
    role: String,
    iat: i64,
    exp: i64,
    jti: String,
    typ: String,
}

/// Signs and checks access tokens. `Debug` never shows a secret or a
/// private key.
pub struct JwtCodec {
    profile: TokenProfile,
    keys: Keys,
}

enum Keys {
    /// HS256 under `APP_AUTH__TOKEN_SECRET`: nothing published, no `kid`.
    Shared {
        encoding: EncodingKey,
        decoding: DecodingKey,
    },
    /// An asymmetric algorithm with the key set installed last.
    Published {
        algorithm: SigningAlgorithm,
        installed: RwLock<Option<Arc<Installed>>>,
    },
}

/// One installed key set: the key that signs, and every key that verifies.
struct Installed {
    kid: String,
    encoding: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
}

impl JwtCodec {
    /// HS256 with one shared secret (`APP_AUTH__TOKEN_SECRET`).
    ///
    /// # Errors
    /// `EmptySecret` for an empty secret, which would let anyone sign.
    /// (Length and "not the development default" are the server's checks.)
    pub fn hs256(
        secret: impl AsRef<[u8]>,
        profile: TokenProfile,
    ) -> Result<Self, CryptoConfigError> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(CryptoConfigError::EmptySecret("token secret"));
        }
        Ok(Self {
            profile,
            keys: Keys::Shared {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
            },
        })
    }

    /// `algorithm` with keys installed later ([`TokenCodec::install_keys`]);
    /// until then it signs and accepts nothing.
    #[must_use]
    pub fn asymmetric(algorithm: SigningAlgorithm, profile: TokenProfile) -> Self {
        Self {
            profile,
            keys: Keys::Published {
                algorithm,
                installed: RwLock::new(None),
            },
        }
    }

    fn algorithm(&self) -> Algorithm {
        match &self.keys {
            Keys::Shared { .. } => Algorithm::HS256,
            Keys::Published { algorithm, .. } => jws_algorithm(*algorithm),
        }
    }

    fn installed(&self) -> Option<Arc<Installed>> {
        match &self.keys {
            Keys::Shared { .. } => None,
            Keys::Published { installed, .. } => installed
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }

    fn validation(&self) -> Validation {
        let mut validation = Validation::new(self.algorithm());
        // Expiry, issuer and audience are ours to check, against the `now`
        // we are given; the library's check would use the system clock and
        // a 60 s leeway.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation
    }

    /// The key `header` may be verified with: the codec's own, never one
    /// the header supplies or points to.
    fn decoding_key<'a>(
        &'a self,
        header: &Header,
        installed: Option<&'a Installed>,
    ) -> Result<&'a DecodingKey, TokenDecodeError> {
        if header.jku.is_some()
            || header.jwk.is_some()
            || header.x5u.is_some()
            || header.x5c.is_some()
            || header.x5t.is_some()
            || header.x5t_s256.is_some()
            || header.crit.is_some()
            || header.alg != self.algorithm()
        {
            return Err(TokenDecodeError::Invalid);
        }
        match &self.keys {
            // Nothing is published under HS256: no key to name.
            Keys::Shared { decoding, .. } => match header.kid {
                None => Ok(decoding),
                Some(_) => Err(TokenDecodeError::Invalid),
            },
            Keys::Published { .. } => {
                let kid = header.kid.as_deref().ok_or(TokenDecodeError::Invalid)?;
                installed
                    .and_then(|keys| keys.verifying.get(kid))
                    .ok_or(TokenDecodeError::UnknownKey)
            }
        }
    }

    fn check_profile(&self, claims: &WireClaims) -> Result<(), TokenDecodeError> {
        let profile = &self.profile;
        if claims.typ != PURPOSE
            || claims.iss != profile.issuer
            || claims.client_id != profile.client_id
            || claims.aud != profile.audience
        {
            return Err(TokenDecodeError::Invalid);
        }
        Ok(())
    }
}

/// The library's name for `algorithm`.
fn jws_algorithm(algorithm: SigningAlgorithm) -> Algorithm {
    match algorithm {
        SigningAlgorithm::EdDsa => Algorithm::EdDSA,
        SigningAlgorithm::Es256 => Algorithm::ES256,
    }
}

/// The verifying key of a published key.
fn decoding_key(
    algorithm: SigningAlgorithm,
    public: &PublicKey,
) -> Result<DecodingKey, InfraError> {
    let key = match (algorithm, &public.y) {
        (SigningAlgorithm::EdDsa, None) => DecodingKey::from_ed_components(&public.x),
        (SigningAlgorithm::Es256, Some(y)) => DecodingKey::from_ec_components(&public.x, y),
        _ => {
            return Err(InfraError::unexpected(
                "a public key does not fit its algorithm",
            ));
        }
    };
    key.map_err(InfraError::unexpected)
}

/// The signing key of a private half, as [`KeyGenerator`](crate::KeyGenerator)
/// makes it (PKCS#8 DER, standard base64).
fn encoding_key(algorithm: SigningAlgorithm, private: &str) -> Result<EncodingKey, InfraError> {
    let der = STANDARD
        .decode(private.trim())
        .map_err(|_| InfraError::unexpected("a private signing key is not base64"))?;
    Ok(match algorithm {
        SigningAlgorithm::EdDsa => EncodingKey::from_ed_der(&der),
        SigningAlgorithm::Es256 => EncodingKey::from_ec_der(&der),
    })
}

impl TokenCodec for JwtCodec {
    fn issue(&self, claims: &AccessClaims) -> Result<SecretToken, InfraError> {
        let installed = self.installed();
        let mut header = Header::new(self.algorithm());
        header.typ = Some(HEADER_TYP.to_owned());
        let key = match (&self.keys, &installed) {
            (Keys::Shared { encoding, .. }, _) => encoding,
            (Keys::Published { .. }, Some(keys)) => {
                header.kid = Some(keys.kid.clone());
                &keys.encoding
            }
            // The key set could not be read yet (the database is down at
            // start-up): like the database itself, unavailable.
            (Keys::Published { .. }, None) => {
                return Err(InfraError::Unavailable(
                    "no signing key is loaded yet (the key set could not be read)".into(),
                ));
            }
        };
        let wire = WireClaims {
            iss: self.profile.issuer.clone(),
            aud: self.profile.audience.clone(),
            sub: *claims.user_id.as_uuid(),
            client_id: self.profile.client_id.clone(),
            sid: *claims.session_id.as_uuid(),
            role: claims.role.as_str().to_owned(),
            iat: claims.issued_at.timestamp(),
            exp: claims.expires_at.timestamp(),
            jti: URL_SAFE_NO_PAD.encode(random_bytes::<16>()),
            typ: PURPOSE.to_owned(),
        };
        jsonwebtoken::encode(&header, &wire, key)
            .map(SecretToken::new)
            .map_err(InfraError::unexpected)
    }

    fn decode(&self, token: &str, now: Timestamp) -> Result<AccessClaims, TokenDecodeError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenDecodeError::Invalid)?;
        if !is_access_token_type(header.typ.as_deref()) {
            return Err(TokenDecodeError::Invalid);
        }
        let installed = self.installed();
        let key = self.decoding_key(&header, installed.as_deref())?;
        // Any failure here (malformed, another algorithm, `none`, bad
        // signature, missing or mistyped claim) is the same to a caller.
        let data = jsonwebtoken::decode::<WireClaims>(token, key, &self.validation())
            .map_err(|_| TokenDecodeError::Invalid)?;
        let claims = data.claims;
        self.check_profile(&claims)?;
        let role: Role = claims.role.parse().map_err(|_| TokenDecodeError::Invalid)?;
        let issued_at = from_unix(claims.iat)?;
        let expires_at = from_unix(claims.exp)?;
        // `exp` is the signer's word, so near the end of time: no overflow.
        if expires_at
            .checked_add_signed(LEEWAY)
            .is_some_and(|end| now > end)
        {
            return Err(TokenDecodeError::Expired);
        }
        Ok(AccessClaims {
            user_id: UserId::from_uuid(claims.sub),
            session_id: SessionId::from_uuid(claims.sid),
            role,
            issued_at,
            expires_at,
        })
    }

    fn install_keys(&self, keys: &KeyRing) -> Result<(), InfraError> {
        let Keys::Published {
            algorithm,
            installed,
        } = &self.keys
        else {
            return Err(InfraError::unexpected(
                "HS256 signs with the shared secret: there are no keys to install",
            ));
        };
        if keys.algorithm != *algorithm
            || keys.signing.algorithm != *algorithm
            || keys.verifying.iter().any(|key| key.algorithm != *algorithm)
        {
            return Err(InfraError::unexpected(
                "the key set is not of the configured algorithm",
            ));
        }
        let encoding = encoding_key(*algorithm, keys.private.expose())?;
        let mut verifying = HashMap::with_capacity(keys.verifying.len() + 1);
        for key in keys.verifying.iter().chain(std::iter::once(&keys.signing)) {
            verifying.insert(key.id.to_string(), decoding_key(*algorithm, &key.public)?);
        }
        // The private half must be the public half's: sign a probe and
        // verify it, before the pair signs anything real.
        let probe = jsonwebtoken::encode(
            &Header::new(jws_algorithm(*algorithm)),
            &Probe {},
            &encoding,
        )
        .map_err(InfraError::unexpected)?;
        let signing_key = decoding_key(*algorithm, &keys.signing.public)?;
        let mut validation = Validation::new(jws_algorithm(*algorithm));
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Probe>(&probe, &signing_key, &validation).map_err(|_| {
            InfraError::unexpected("the current key's private half does not match its public half")
        })?;
        let new = Arc::new(Installed {
            kid: keys.signing.id.to_string(),
            encoding,
            verifying,
        });
        *installed.write().unwrap_or_else(PoisonError::into_inner) = Some(new);
        Ok(())
    }
}

/// The claims of the probe token that checks a key pair.
#[derive(Serialize, Deserialize)]
struct Probe {}

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
        let algorithm = match &self.keys {
            Keys::Shared { .. } => "HS256",
            Keys::Published { algorithm, .. } => algorithm.as_str(),
        };
        f.debug_struct("JwtCodec")
            .field("algorithm", &algorithm)
            .field("profile", &self.profile)
            .field("keys", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
#[path = "jwt_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "jwt_key_tests.rs"]
mod key_tests;
