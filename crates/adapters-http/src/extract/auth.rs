//! `Authorization: Bearer <access token>`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderMap};
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};
use application::{AuthenticateQuery, Principal};
use domain::Role;

use crate::app::AppState;
use crate::error::ApiError;

/// The caller of a request that needs a bearer token. Missing, blank or
/// non-Bearer credentials answer 401 `unauthenticated`; a token that does
/// not authenticate answers 401 `invalid_token`. Handlers take it through
/// [`AuthenticatedWith`], with their other inputs.
#[derive(Clone, Debug)]
struct Authenticated(Principal);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req.headers());
        let state = req.app_data::<Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token?;
            let state = state.ok_or_else(|| ApiError::internal("AppState is not registered"))?;
            let query = AuthenticateQuery {
                access_token: token.into(),
            };
            Ok(Self(state.sign_in.authenticate(query).await?))
        })
    }
}

/// The caller, then `T` (a query, or [`NoQuery`](super::NoQuery) around a
/// body, a path id or nothing), in that order: `T` is looked at only once
/// the caller is authenticated, so bad credentials answer 401 whatever else
/// is wrong with the request. (Handler arguments
/// are extracted concurrently: a body refused at once would otherwise win
/// over an authentication still waiting for the database.)
#[derive(Debug)]
pub struct AuthenticatedWith<T>(pub Principal, pub T);

impl<T> FromRequest for AuthenticatedWith<T>
where
    T: FromRequest<Error = ApiError> + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let authenticated = Authenticated::from_request(req, &mut Payload::None);
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let Authenticated(principal) = authenticated.await?;
            let value = T::from_request(&req, &mut payload).await?;
            Ok(Self(principal, value))
        })
    }
}

/// An admin caller, then `T`, as [`AuthenticatedWith`]: credentials are
/// checked first (401 as there), then the role of the user loaded for this
/// request (403 `forbidden` unless it is `admin`, so a demoted admin's
/// live token is refused at once), and only then is `T` looked at.
#[derive(Debug)]
pub struct AdminWith<T>(pub Principal, pub T);

impl<T> FromRequest for AdminWith<T>
where
    T: FromRequest<Error = ApiError> + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let authenticated = Authenticated::from_request(req, &mut Payload::None);
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let Authenticated(principal) = authenticated.await?;
            if principal.user.role != Role::Admin {
                return Err(ApiError::Forbidden);
            }
            let value = T::from_request(&req, &mut payload).await?;
            Ok(Self(principal, value))
        })
    }
}

/// The token of a `Bearer` credential (the scheme is case-insensitive).
fn bearer_token(headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated)?;
    let bytes = value.as_bytes();
    let scheme_end = bytes
        .iter()
        .position(|byte| *byte == b' ')
        .unwrap_or(bytes.len());
    if !bytes[..scheme_end].eq_ignore_ascii_case(b"bearer") {
        return Err(ApiError::Unauthenticated);
    }
    let token = bytes[scheme_end..].trim_ascii();
    if token.is_empty() {
        return Err(ApiError::Unauthenticated);
    }
    // A token was sent: from here on, anything wrong with it is
    // `invalid_token`. RFC 6750 tokens are token68: visible ASCII, no space.
    if !token.iter().all(u8::is_ascii_graphic) {
        return Err(ApiError::InvalidToken);
    }
    String::from_utf8(token.to_vec()).map_err(|_| ApiError::InvalidToken)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn token(value: &str) -> Result<String, &'static str> {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        bearer_token(&headers).map_err(|error| error.code())
    }

    #[test]
    fn the_scheme_is_case_insensitive() {
        assert_eq!(token("bearer abc.def").unwrap(), "abc.def");
        assert_eq!(token("BEARER  abc").unwrap(), "abc");
    }

    #[test]
    fn missing_blank_or_other_schemes_are_unauthenticated() {
        assert_eq!(
            bearer_token(&HeaderMap::new()).unwrap_err().code(),
            "unauthenticated"
        );
        for value in ["", "Bearer", "Bearer   ", "Basic YWRhOnB3", "Bearerabc"] {
            assert_eq!(token(value), Err("unauthenticated"), "{value:?}");
        }
    }

    #[test]
    fn a_token_with_inner_spaces_is_invalid() {
        assert_eq!(token("Bearer abc def"), Err("invalid_token"));
    }
}
