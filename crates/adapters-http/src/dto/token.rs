use application::TokenPair;
use serde::Serialize;
use utoipa::ToSchema;

/// Always `Bearer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub enum TokenType {
    Bearer,
}

/// A new access token and refresh token (also the RFC 6749 §5.1 token
/// response). A client treats both as opaque strings; another service may
/// verify the access token itself (see `access_token`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = TokenPair, example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "q3Vb7m1cX0w9kYp2rT8sLq4nH6jD5fGa",
    "refresh_expires_in": 2_592_000
}))]
pub struct TokenPairResponse {
    /// Send as `Authorization: Bearer <access_token>`. A JWT access token
    /// (RFC 9068): header `typ: at+jwt`; claims `iss`, `sub` (the user
    /// id), `aud` (when configured), `exp`, `iat`, `jti`, `client_id`,
    /// `sid` (the session id) and `role`. Under `EdDSA` or `ES256` its
    /// `kid` names a key of `/.well-known/jwks.json`; under `HS256` (a
    /// shared secret, nothing published) it has no `kid`.
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Single use: `POST /api/v1/auth/refresh` (or the token endpoint's
    /// `refresh_token` grant) returns a new pair and retires this token.
    pub refresh_token: String,
    /// Seconds until the refresh token expires (never past the session's
    /// absolute end).
    pub refresh_expires_in: u64,
}

impl From<TokenPair> for TokenPairResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token.expose().to_owned(),
            token_type: TokenType::Bearer,
            expires_in: pair.expires_in,
            refresh_token: pair.refresh_token.expose().to_owned(),
            refresh_expires_in: pair.refresh_expires_in,
        }
    }
}
