use domain::{PublishedKey, SigningAlgorithm};
use serde::Serialize;
use utoipa::ToSchema;

/// A JWK Set (RFC 7517 §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

/// A public signing key (RFC 7517 §4): Ed25519 (`kty: OKP`, `crv:
/// Ed25519`, RFC 8037) or P-256 (`kty: EC`, `crv: P-256`, with `y`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Jwk {
    /// The `kid` of the tokens this key signs.
    #[schema(example = "01939a4e-8f7c-7d2a-9b1e-3f5c6d7e8f90")]
    pub kid: String,
    pub kty: KeyType,
    pub crv: Curve,
    /// The only algorithm to accept with this key.
    pub alg: JwsAlgorithm,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub use_: KeyUse,
    /// base64url, no padding.
    pub x: String,
    /// base64url, no padding; P-256 keys only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub enum KeyType {
    #[serde(rename = "OKP")]
    Okp,
    #[serde(rename = "EC")]
    Ec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub enum Curve {
    #[serde(rename = "Ed25519")]
    Ed25519,
    #[serde(rename = "P-256")]
    P256,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub enum JwsAlgorithm {
    #[serde(rename = "EdDSA")]
    EdDsa,
    #[serde(rename = "ES256")]
    Es256,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyUse {
    Sig,
}

impl From<&PublishedKey> for Jwk {
    fn from(key: &PublishedKey) -> Self {
        let (kty, crv, alg) = match key.algorithm {
            SigningAlgorithm::EdDsa => (KeyType::Okp, Curve::Ed25519, JwsAlgorithm::EdDsa),
            SigningAlgorithm::Es256 => (KeyType::Ec, Curve::P256, JwsAlgorithm::Es256),
        };
        Self {
            kid: key.id.to_string(),
            kty,
            crv,
            alg,
            use_: KeyUse::Sig,
            x: key.public.x.clone(),
            y: key.public.y.clone(),
        }
    }
}

/// RFC 8414 authorization server metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuthorizationServerMetadata {
    /// The access tokens' `iss`.
    #[schema(example = "https://accounts.example.com")]
    pub issuer: String,
    #[schema(example = "https://accounts.example.com/api/v1/auth/token")]
    pub token_endpoint: String,
    #[schema(example = "https://accounts.example.com/.well-known/jwks.json")]
    pub jwks_uri: String,
    /// Exactly `password` and `refresh_token`.
    pub grant_types_supported: Vec<GrantTypeName>,
    /// Exactly `none`: public clients.
    pub token_endpoint_auth_methods_supported: Vec<TokenEndpointAuthMethod>,
    /// Empty: there is no authorization endpoint.
    pub response_types_supported: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantTypeName {
    Password,
    RefreshToken,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    None,
}
