//! `/.well-known/*`: what other services need to verify this service's
//! access tokens offline: the published key set (RFC 7517) and the
//! authorization server metadata (RFC 8414). Both are public and cacheable
//! (`Cache-Control: public, max-age=300`): a verifier that refreshes its
//! copy once per rotation never meets an unknown key, since the next key is
//! published before it signs anything.

pub(crate) mod jwks;
pub(crate) mod metadata;

/// How long verifiers may keep a copy.
pub(crate) const CACHE_CONTROL: &str = "public, max-age=300";

pub(crate) const JWKS_PATH: &str = "/.well-known/jwks.json";
pub(crate) const METADATA_PATH: &str = "/.well-known/oauth-authorization-server";

/// Whether `path` answers with its own `Cache-Control` (the request
/// observer stamps `no-store` on everything else).
pub(crate) fn is_cacheable(path: &str) -> bool {
    path == JWKS_PATH || path == METADATA_PATH
}
