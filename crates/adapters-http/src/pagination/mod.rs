//! Keyset pagination as every listing takes it: `limit` (1 to 100, default
//! 20) and an opaque `cursor` from the previous page's `next_cursor`. Bad
//! values are never clamped or ignored: each fails validation under its own
//! parameter name.

mod base64url;
mod cursor;

use std::fmt;

use serde::Deserialize;
use utoipa::IntoParams;

pub use cursor::{Cursor, CursorKind};

use crate::error::{FieldCode, FieldErrors};
use crate::extract::QueryParams;

/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 20;
/// The smallest `limit`.
pub const MIN_LIMIT: u32 = 1;
/// The largest `limit`.
pub const MAX_LIMIT: u32 = 100;

/// Why a pagination parameter was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// Empty, or not plain decimal digits (no sign, space or fraction).
    NotAnInteger,
    /// Digits, but outside `MIN_LIMIT..=MAX_LIMIT`.
    OutOfRange,
    /// Not a cursor this listing issued.
    InvalidCursor,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnInteger => f.write_str("must be plain decimal digits"),
            Self::OutOfRange => write!(f, "must be from {MIN_LIMIT} to {MAX_LIMIT}"),
            Self::InvalidCursor => {
                f.write_str("not a cursor from this listing; pass `next_cursor` as given")
            }
        }
    }
}

impl FieldCode for ParamError {
    fn field_code(&self) -> &'static str {
        match self {
            Self::NotAnInteger => "not_an_integer",
            Self::OutOfRange => "out_of_range",
            Self::InvalidCursor => "invalid_cursor",
        }
    }
}

/// A `limit` value: plain decimal digits, from 1 to 100.
///
/// # Errors
/// `NotAnInteger` or `OutOfRange`.
pub fn parse_limit(raw: &str) -> Result<u32, ParamError> {
    if raw.is_empty() || !raw.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ParamError::NotAnInteger);
    }
    // Digits only, so the one failure left is overflow: out of range too.
    raw.parse::<u32>()
        .ok()
        .filter(|limit| (MIN_LIMIT..=MAX_LIMIT).contains(limit))
        .ok_or(ParamError::OutOfRange)
}

/// Where a page starts and how long it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    /// `None` for the first page.
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    /// The query parameters [`PageRequest::parse`] reads.
    pub const PARAMS: [&'static str; 2] = ["limit", "cursor"];

    /// Reads `limit` and `cursor` (of `kind`) from `query`, recording each
    /// failure under its parameter's name. The caller checks the query's
    /// parameter names ([`QueryParams::check`]) with its own filters added.
    pub fn parse(query: &QueryParams, kind: CursorKind, errors: &mut FieldErrors) -> Option<Self> {
        let limit = match query.get("limit") {
            None => Some(DEFAULT_LIMIT),
            Some(raw) => errors.check("limit", parse_limit(raw)),
        };
        let cursor = match query.get("cursor") {
            None => Some(None),
            Some(raw) => errors.check("cursor", Cursor::decode(raw, kind)).map(Some),
        };
        Some(Self {
            limit: limit?,
            cursor: cursor?,
        })
    }
}

/// The pagination parameters, as documented on every listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "documents the query; handlers read QueryParams")]
pub struct PageParams {
    /// How many items at most: plain decimal digits from 1 to 100; 20 when
    /// omitted. Anything else (`0`, `101`, `abc`, an empty value) answers
    /// 422 with `errors[].field` = `limit`.
    #[param(minimum = 1, maximum = 100, default = 20)]
    limit: Option<u32>,
    /// Omit for the first page; then pass the previous page's `next_cursor`
    /// exactly as given. It is opaque: build none and parse none. One the
    /// server did not issue for this listing answers 422 with
    /// `errors[].field` = `cursor`; so does an empty one.
    #[param(min_length = 1)]
    cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn limits_from_one_to_a_hundred_parse() {
        assert_eq!(parse_limit("1"), Ok(1));
        assert_eq!(parse_limit("100"), Ok(100));
        assert_eq!(parse_limit("020"), Ok(20));
    }

    #[test]
    fn limits_outside_the_range_are_out_of_range() {
        for raw in ["0", "101", "4294967296", "99999999999999999999999"] {
            assert_eq!(parse_limit(raw), Err(ParamError::OutOfRange), "{raw}");
        }
    }

    #[test]
    fn anything_but_plain_digits_is_not_an_integer() {
        for raw in ["", "abc", "-1", "+5", " 5", "5 ", "1.0", "1e2", "٣"] {
            assert_eq!(parse_limit(raw), Err(ParamError::NotAnInteger), "{raw:?}");
        }
    }

    fn page(query: &str) -> Result<PageRequest, Vec<(String, String)>> {
        let query = QueryParams::parse(query).unwrap();
        let mut errors = FieldErrors::new();
        let page = PageRequest::parse(&query, CursorKind::Events, &mut errors);
        errors.finish(page).map_err(|errors| {
            errors
                .into_vec()
                .into_iter()
                .map(|error| (error.field, error.code))
                .collect()
        })
    }

    #[test]
    fn omitted_parameters_mean_the_first_page_of_twenty() {
        assert_eq!(
            page(""),
            Ok(PageRequest {
                limit: 20,
                cursor: None
            })
        );
    }

    #[test]
    fn a_cursor_is_decoded_for_its_listing() {
        let cursor = Cursor {
            at: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap(),
            id: uuid::Uuid::now_v7(),
        };
        let encoded = cursor.encode(CursorKind::Events);

        assert_eq!(
            page(&format!("limit=5&cursor={encoded}")),
            Ok(PageRequest {
                limit: 5,
                cursor: Some(cursor)
            })
        );
    }

    #[test]
    fn every_bad_parameter_is_reported_under_its_name() {
        assert_eq!(
            page("limit=0&cursor=nope"),
            Err(vec![
                ("limit".to_owned(), "out_of_range".to_owned()),
                ("cursor".to_owned(), "invalid_cursor".to_owned()),
            ])
        );
        assert_eq!(
            page("cursor="),
            Err(vec![("cursor".to_owned(), "invalid_cursor".to_owned())])
        );
    }
}
