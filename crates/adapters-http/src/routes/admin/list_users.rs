use std::fmt;

use actix_web::HttpResponse;
use actix_web::web::Data;
use application::ListUsersQuery;
use domain::{Email, Role, UserFilter};
use utoipa::IntoParams;

use crate::app::AppState;
use crate::dto::{RoleName, UserPageResponse};
use crate::error::{ApiError, FieldCode, FieldErrors};
use crate::extract::{AdminWith, QueryParams};
use crate::openapi::responses as r;
use crate::pagination::{CursorKind, PageParams, PageRequest};

/// The filters of the accounts listing, as documented.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(
    dead_code,
    reason = "documents the query; the handler reads QueryParams"
)]
pub struct UserFilterParams {
    /// Only accounts whose email or name contains this literal text,
    /// case-insensitively (`%` and `_` are not wildcards). Must not be
    /// empty: `q=` answers 422 with `errors[].field` = `q`.
    #[param(min_length = 1)]
    q: Option<String>,
    /// Only the account with exactly this address (case-insensitive). Not
    /// a valid address: 422 with `errors[].field` = `email`.
    #[param(format = "email")]
    email: Option<String>,
    /// Only accounts with this role: `user` or `admin`. Anything else: 422
    /// with `errors[].field` = `role`.
    #[param(value_type = Option<RoleName>)]
    role: Option<String>,
    /// Only active (`true`) or deactivated (`false`) accounts. Anything
    /// else: 422 with `errors[].field` = `is_active`.
    is_active: Option<bool>,
}

/// Why a filter parameter was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FilterError {
    /// `q` given with the empty value.
    Empty,
    /// Neither `true` nor `false`.
    NotABoolean,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("must not be empty"),
            Self::NotABoolean => f.write_str("must be `true` or `false`"),
        }
    }
}

impl FieldCode for FilterError {
    fn field_code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NotABoolean => "not_a_boolean",
        }
    }
}

/// The query parameters of the listing.
const PARAMS: [&str; 6] = ["limit", "cursor", "q", "email", "role", "is_active"];

/// `Some(parsed)` when `name` is given and parses, `Some(None)` when it is
/// not given, `None` after recording its error.
fn optional<T, E: FieldCode>(
    query: &QueryParams,
    name: &str,
    errors: &mut FieldErrors,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<Option<T>> {
    match query.get(name) {
        None => Some(None),
        Some(raw) => errors.check(name, parse(raw)).map(Some),
    }
}

/// Reads the filter of `query`, recording each failure under its name.
fn parse_filter(query: &QueryParams, errors: &mut FieldErrors) -> Option<UserFilter> {
    let q = optional(query, "q", errors, |raw| {
        if raw.is_empty() {
            Err(FilterError::Empty)
        } else {
            Ok(raw.to_owned())
        }
    });
    let email = optional(query, "email", errors, Email::parse);
    let role = optional(query, "role", errors, str::parse::<Role>);
    let is_active = optional(query, "is_active", errors, |raw| match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(FilterError::NotABoolean),
    });
    Some(UserFilter {
        q: q?,
        email: email?,
        role: role?,
        is_active: is_active?,
    })
}

/// List users
///
/// Every account matching the filters (they combine with AND), newest
/// first by (`created_at`, `id`), a page at a time: follow `next_cursor`
/// until it is `null`, with the same filters. Query parameters other than
/// these, or one given twice, answer 422 naming the parameter.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "admin",
    operation_id = "list_users",
    security(("bearer" = []), ("oauth2" = [])),
    params(PageParams, UserFilterParams),
    responses(
        (status = 200, description = "A page of accounts", body = UserPageResponse),
        (status = 401, response = r::Unauthorized),
        (status = 403, response = r::Forbidden),
        (status = 422, response = r::InvalidQuery),
        (status = 500, response = r::Internal),
        (status = 503, response = r::Unavailable),
    )
)]
pub(crate) async fn list_users(
    state: Data<AppState>,
    AdminWith(_admin, query): AdminWith<QueryParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let page = PageRequest::parse(&query, CursorKind::Users, &mut errors);
    let filter = parse_filter(&query, &mut errors);
    query.check(&PARAMS, &mut errors);
    let (page, filter) = errors.finish(page.zip(filter))?;
    let users = state
        .administration
        .list_users(ListUsersQuery {
            filter,
            limit: page.limit,
            after: page.cursor.map(Into::into),
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserPageResponse::from(users)))
}
