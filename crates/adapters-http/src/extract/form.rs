//! `application/x-www-form-urlencoded` bodies of the OAuth 2.0 token
//! endpoint.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::body::{MediaType, check_media_type, read_limited};
use crate::error::{ApiError, GrantError};

/// The parameters of a form body. Media type and size failures are problem
/// details (415, 413); a body that is not form data is an RFC 6749
/// `invalid_request`.
pub struct FormBody {
    params: Vec<(String, String)>,
}

impl fmt::Debug for FormBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values are credentials: only the names are shown.
        let names: Vec<&str> = self.params.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("FormBody").field("names", &names).finish()
    }
}

impl FormBody {
    /// The value of parameter `name`. RFC 6749 §3.1: a parameter sent
    /// without a value is treated as omitted, and none may be repeated.
    ///
    /// # Errors
    /// `invalid_request` when `name` is repeated.
    pub fn get(&self, name: &str) -> Result<Option<&str>, GrantError> {
        let mut values = self
            .params
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(GrantError::invalid_request(format!(
                "parameter `{name}` is repeated"
            )));
        }
        Ok(first.filter(|value| !value.is_empty()))
    }

    /// The value of a required parameter.
    ///
    /// # Errors
    /// `invalid_request` when it is missing, empty or repeated.
    pub fn require(&self, name: &str) -> Result<&str, GrantError> {
        self.get(name)?
            .ok_or_else(|| GrantError::invalid_request(format!("parameter `{name}` is required")))
    }
}

impl FromRequest for FormBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            check_media_type(&req, MediaType::Form)?;
            let bytes = read_limited(&req, payload).await?;
            let params = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .map_err(|_| GrantError::invalid_request("the body is not valid form data"))?;
            Ok(Self { params })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormBody {
        FormBody {
            params: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn an_empty_value_counts_as_omitted() {
        assert_eq!(form(&[("password", "")]).get("password").unwrap(), None);
    }

    #[test]
    fn a_repeated_parameter_is_an_invalid_request() {
        let error = form(&[("username", "a"), ("username", "b")])
            .get("username")
            .unwrap_err();
        assert_eq!(error.error, crate::error::GrantErrorCode::InvalidRequest);
    }

    #[test]
    fn debug_shows_names_but_never_values() {
        let shown = format!("{:?}", form(&[("password", "hunter2hunter2")]));
        assert!(shown.contains("password"));
        assert!(!shown.contains("hunter2"));
    }
}
