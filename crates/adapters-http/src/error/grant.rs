//! RFC 6749 §5.2 error responses of the OAuth 2.0 token endpoint.

use serde::Serialize;
use utoipa::ToSchema;

/// The `error` codes the token endpoint uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OAuthErrorCode)]
pub enum GrantErrorCode {
    /// A required parameter is missing or empty, a parameter is repeated,
    /// or the body is not valid form data.
    InvalidRequest,
    /// Wrong username or password, a malformed username, a disabled
    /// account, an unverified email (when verification is required), or an
    /// unknown, expired, reused or revoked refresh token.
    InvalidGrant,
    /// `grant_type` is neither `password` nor `refresh_token`.
    UnsupportedGrantType,
}

/// An OAuth 2.0 error (RFC 6749 §5.2), sent as `application/json` with
/// status 400. `error_description` is for humans and never echoes a
/// credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = OAuthError, example = json!({"error": "invalid_grant", "error_description": "invalid username or password"}))]
pub struct GrantError {
    pub error: GrantErrorCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = false)]
    pub error_description: Option<String>,
}

impl GrantError {
    #[must_use]
    pub fn new(error: GrantErrorCode, description: impl Into<String>) -> Self {
        Self {
            error,
            error_description: Some(description.into()),
        }
    }

    #[must_use]
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(GrantErrorCode::InvalidRequest, description)
    }

    #[must_use]
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(GrantErrorCode::InvalidGrant, description)
    }
}
