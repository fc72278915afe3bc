//! Query strings, read strictly: every parameter must be one the operation
//! takes, and none may be repeated. Nothing is silently ignored.

use std::fmt;
use std::future::{Future, Ready, ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::error::{ApiError, FieldErrors};

/// The decoded parameters of a request's query string, in order.
pub struct QueryParams {
    params: Vec<(String, String)>,
}

impl fmt::Debug for QueryParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be cursors or search terms: only the names are shown.
        let names: Vec<&str> = self.params.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("QueryParams")
            .field("names", &names)
            .finish()
    }
}

impl QueryParams {
    /// Parses a raw query string (`a=1&b=2`, percent-decoded; a parameter
    /// without `=` has the empty value).
    ///
    /// # Errors
    /// `Malformed` when the string cannot be decoded at all.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(|params| Self { params })
            .map_err(|_| ApiError::Malformed("the query string could not be read".to_owned()))
    }

    /// The value of parameter `name`, if given (the first, when repeated:
    /// [`QueryParams::check`] reports the repetition).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Records `unknown_parameter` for each parameter not in `known`, and
    /// `repeated` for each known one given more than once; each name once,
    /// in the order they first appear.
    pub fn check(&self, known: &[&str], errors: &mut FieldErrors) {
        let mut reported: Vec<&str> = Vec::new();
        for (index, (name, _)) in self.params.iter().enumerate() {
            if reported.contains(&name.as_str()) {
                continue;
            }
            if !known.contains(&name.as_str()) {
                errors.unknown_parameter(name);
                reported.push(name);
            } else if self.params[index + 1..].iter().any(|(key, _)| key == name) {
                errors.repeated(name);
                reported.push(name);
            }
        }
    }
}

impl FromRequest for QueryParams {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.query_string()))
    }
}

/// The inputs `T` (a body, a path id, or nothing: `()`) of an operation
/// that takes no query parameters. Any parameter answers 422
/// `validation_failed` (`unknown_parameter`, each named), as on operations
/// that take some: the query string is checked first, then `T` is
/// extracted. Put it inside [`AuthenticatedWith`](super::AuthenticatedWith)
/// so that credentials are still checked before anything else.
#[derive(Debug)]
pub struct NoQuery<T = ()>(pub T);

/// Checks that the raw query string `query` has no parameter.
fn no_parameters(query: &str) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    QueryParams::parse(query)?.check(&[], &mut errors);
    errors.finish(Some(())).map_err(ApiError::from)
}

impl<T> FromRequest for NoQuery<T>
where
    T: FromRequest + 'static,
    ApiError: From<T::Error>,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if let Err(error) = no_parameters(req.query_string()) {
            return Box::pin(ready(Err(error)));
        }
        let inputs = T::from_request(req, payload);
        Box::pin(async move { Ok(Self(inputs.await?)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(query: &str, known: &[&str]) -> Vec<(String, String)> {
        let mut errors = FieldErrors::new();
        QueryParams::parse(query).unwrap().check(known, &mut errors);
        errors
            .into_vec()
            .into_iter()
            .map(|error| (error.field, error.code))
            .collect()
    }

    #[test]
    fn values_are_percent_decoded_and_a_bare_name_has_the_empty_value() {
        let query = QueryParams::parse("cursor=a%2Db&limit").unwrap();
        assert_eq!(query.get("cursor"), Some("a-b"));
        assert_eq!(query.get("limit"), Some(""));
        assert_eq!(query.get("other"), None);
    }

    #[test]
    fn known_parameters_given_once_pass() {
        assert!(checked("limit=5&cursor=x", &["limit", "cursor"]).is_empty());
        assert!(checked("", &["limit"]).is_empty());
    }

    #[test]
    fn unknown_and_repeated_parameters_are_each_reported_once() {
        assert_eq!(
            checked("limit=1&role=root&limit=2&role=x&limit=3", &["limit"]),
            [
                ("limit".to_owned(), "repeated".to_owned()),
                ("role".to_owned(), "unknown_parameter".to_owned()),
            ]
        );
    }

    #[test]
    fn names_are_case_sensitive() {
        assert_eq!(
            checked("Limit=5", &["limit"]),
            [("Limit".to_owned(), "unknown_parameter".to_owned())]
        );
    }

    #[test]
    fn no_parameters_allows_only_an_empty_query() {
        assert!(no_parameters("").is_ok());
        assert!(no_parameters("&").is_ok());
        let Err(ApiError::Validation(errors)) = no_parameters("a=1&b&a=2") else {
            panic!("expected a validation error");
        };
        let fields: Vec<String> = errors.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["a", "b"]);
    }

    #[test]
    fn debug_shows_names_but_never_values() {
        let shown = format!("{:?}", QueryParams::parse("cursor=secret-ish").unwrap());
        assert!(shown.contains("cursor"));
        assert!(!shown.contains("secret-ish"));
    }
}
