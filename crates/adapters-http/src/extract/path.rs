//! Ids in paths. The raw match is read (not a `Path` extractor, whose
//! failures would answer outside `ApiError`).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use uuid::Uuid;

use crate::error::ApiError;

/// The length of a hyphenated UUID, the only form ids are written in.
const HYPHENATED_LEN: usize = 36;

/// The `{id}` segment of the matched path: a UUID in its hyphenated form
/// (either case). Anything else answers 404 `not_found`, as for an id that
/// names nothing: no such resource can exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathId(pub Uuid);

impl PathId {
    /// The `{id}` of `req`, for handlers that take it after other inputs.
    ///
    /// # Errors
    /// `NotFound` when it is not a hyphenated UUID.
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        parse(req.match_info().get("id")).map(Self)
    }
}

impl FromRequest for PathId {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.match_info().get("id")).map(Self))
    }
}

fn parse(raw: Option<&str>) -> Result<Uuid, ApiError> {
    raw.filter(|raw| raw.len() == HYPHENATED_LEN)
        .and_then(|raw| Uuid::try_parse(raw).ok())
        .ok_or(ApiError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hyphenated_uuid_parses_in_either_case() {
        let id = Uuid::now_v7();
        assert_eq!(parse(Some(&id.to_string())).unwrap(), id);
        assert_eq!(parse(Some(&id.to_string().to_uppercase())).unwrap(), id);
    }

    #[test]
    fn other_forms_and_garbage_are_not_found() {
        let id = Uuid::now_v7();
        for raw in [
            id.simple().to_string(),
            id.braced().to_string(),
            id.urn().to_string(),
            "not-a-uuid".to_owned(),
            String::new(),
            format!("{id} "),
        ] {
            assert_eq!(parse(Some(&raw)).unwrap_err().code(), "not_found", "{raw}");
        }
        assert_eq!(parse(None).unwrap_err().code(), "not_found");
    }
}
