//! Reusable error responses (`#/components/responses/...`) for the
//! operations' `responses(...)`.

#![allow(dead_code, reason = "types that exist only to describe responses")]

use domain::PasswordError;
use serde_json::Value;
use utoipa::ToResponse;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::AnyOfBuilder;
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

use crate::error::{
    ApiError, FieldErrors, GrantError, PROBLEM_JSON, Problem, ReadinessProblem, ValidationProblem,
};
use crate::pagination::ParamError;

/// The body `error` answers with. Every problem example here is an error
/// rendered through the catalogue (`error/kind.rs`), never written out by
/// hand, so an example cannot drift from the answer.
fn example(error: ApiError) -> Value {
    serde_json::to_value(error.body()).unwrap_or_default()
}

/// A `validation_failed` answer to a bad query string.
fn invalid_query() -> Value {
    let mut errors = FieldErrors::new();
    errors.invalid("limit", &ParamError::OutOfRange);
    errors.unknown_parameter("role");
    example(ApiError::Validation(errors))
}

/// `malformed_request`: the body is not JSON, is not a JSON object, has a
/// member more than once, or a field has the wrong JSON type (`null` for a
/// required field included).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::Malformed(
        "`email` has the wrong JSON type".to_owned()
    )))
)]
pub struct MalformedRequest(Problem);

/// `validation_failed`: `errors` lists every failing field. A missing
/// field has code `required`; a member the body may not have has code
/// `unknown_field`; a broken rule has its own code (some, such as a
/// password too easy to guess, no schema can state); a query parameter,
/// which the operation does not take, has code `unknown_parameter`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct ValidationFailed(ValidationProblem);

/// `unauthenticated` (no, blank or non-Bearer credentials; `WWW-Authenticate:
/// Bearer`) or `invalid_token` (a bearer token that is malformed, expired,
/// revoked, or whose user is gone or deactivated; `WWW-Authenticate: Bearer
/// error="invalid_token"`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`, or `Bearer error=\"invalid_token\"` when a token was sent (RFC 6750)")),
    examples(
        ("unauthenticated" = (value = json!(example(ApiError::Unauthenticated)))),
        ("invalid_token" = (value = json!(example(ApiError::InvalidToken))))
    )
)]
pub struct Unauthorized(Problem);

/// `invalid_credentials`: unknown email or wrong password (the same answer
/// either way). Every such failure counts towards the account's lockout.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`")),
    example = json!(example(ApiError::InvalidCredentials))
)]
pub struct InvalidCredentials(Problem);

/// `invalid_token`: the refresh token is unknown, expired, already used
/// (which also ends its session: reuse detection) or belongs to an ended
/// session or a deactivated user.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer error=\"invalid_token\"`")),
    example = json!(example(ApiError::InvalidToken))
)]
pub struct InvalidRefreshToken(Problem);

/// `unauthenticated` or `invalid_token` (the bearer token, as everywhere),
/// or `invalid_credentials`: the current password given in the body is
/// wrong. That failure counts towards the account's lockout; the bearer
/// token is still good, so do not refresh or log out on it.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`, or `Bearer error=\"invalid_token\"` when the bearer token is bad (RFC 6750)")),
    examples(
        ("unauthenticated" = (value = json!(example(ApiError::Unauthenticated)))),
        ("invalid_token" = (value = json!(example(ApiError::InvalidToken)))),
        ("invalid_credentials" = (value = json!(example(ApiError::InvalidCredentials))))
    )
)]
pub struct UnauthorizedOrInvalidCredentials(Problem);

/// `account_disabled` or `email_unverified` (when verification is
/// required); both only ever after a correct password.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    examples(
        ("account_disabled" = (value = json!(example(ApiError::AccountDisabled)))),
        ("email_unverified" = (value = json!(example(ApiError::EmailUnverified))))
    )
)]
pub struct LoginForbidden(Problem);

/// `email_taken`: the email is already registered (case-insensitively).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::EmailTaken))
)]
pub struct EmailTaken(Problem);

/// `last_admin`: the change would leave no active admin.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::LastAdmin))
)]
pub struct LastAdmin(Problem);

/// `forbidden`: the caller is authenticated, but the account's role (as
/// it is now, not when the token was issued) is not `admin`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::Forbidden))
)]
pub struct Forbidden(Problem);

/// `not_found`: no such resource. A malformed id answers the same.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::NotFound))
)]
pub struct NotFound(Problem);

/// `payload_too_large`: the body exceeds 65,536 bytes (by `Content-Length`,
/// or while reading a chunked body). The body is not read further.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::PayloadTooLarge))
)]
pub struct PayloadTooLarge(Problem);

/// `unsupported_media_type`: `Content-Type` is missing or is not the
/// operation's request media type (a `charset` parameter, if any, must be
/// `utf-8`), or the body has a `Content-Encoding` (compressed bodies are
/// not accepted).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::UnsupportedMediaType("application/json")))
)]
pub struct UnsupportedMediaType(Problem);

/// `too_many_requests`: this client address sent more requests to
/// `/api/v1/auth/*` this minute than allowed (`APP_RATE_LIMIT__AUTH_PER_MINUTE`),
/// or, on login and the password grant, the account is locked out after
/// too many failed passwords (whatever the password now).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying")),
    example = json!(example(ApiError::TooManyRequests {
        retry_after_secs: 42
    }))
)]
pub struct TooManyRequests(Problem);

/// `too_many_requests`: the account is locked out after
/// `APP_AUTH__MAX_FAILED_LOGINS` failed password checks in a row (logins,
/// the password grant, wrong current passwords), whatever the password now,
/// until `Retry-After` seconds have passed. Existing sessions keep working.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds until the lockout ends")),
    example = json!(example(ApiError::TooManyRequests {
        retry_after_secs: 840
    }))
)]
pub struct LockedOut(Problem);

/// `validation_failed` on the query string: `errors[].field` names each
/// failing parameter. `not_an_integer` (`limit` empty or not plain decimal
/// digits), `out_of_range` (`limit` outside 1 to 100), `invalid_cursor`
/// (not a cursor this listing issued, or empty), `repeated` (a parameter
/// given twice), `unknown_parameter` (a parameter the operation does not
/// take); on the accounts listing also `empty` (`q` given empty), `email`
/// (`email` not a valid address), `role` (neither `user` nor `admin`) and
/// `not_a_boolean` (`is_active` neither `true` nor `false`).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(invalid_query())
)]
pub struct InvalidQuery(ValidationProblem);

/// `invalid_or_expired_token` (the token is unknown, already used, voided by
/// a newer link, expired, or from another kind of link) or
/// `validation_failed` (a field is missing or unknown, or a query parameter
/// is given; on a password reset with a usable token, also a new password
/// that breaks the rules, with `errors[].field` = `new_password`).
pub struct TokenRejected;

impl<'r> ToResponse<'r> for TokenRejected {
    fn response() -> (&'r str, RefOr<Response>) {
        let schema = AnyOfBuilder::new()
            .item(Ref::from_schema_name("Problem"))
            .item(Ref::from_schema_name("ValidationProblem"));
        let invalid_token = example(ApiError::InvalidOrExpiredToken);
        let validation = example(ApiError::Validation(FieldErrors::one(
            "new_password",
            &PasswordError::TooShort,
        )));
        let content = ContentBuilder::new()
            .schema(Some(schema))
            .examples_from_iter([
                (
                    "invalid_or_expired_token",
                    ExampleBuilder::new().value(Some(invalid_token)).build(),
                ),
                (
                    "validation_failed",
                    ExampleBuilder::new().value(Some(validation)).build(),
                ),
            ])
            .build();
        let response = ResponseBuilder::new()
            .description(
                "`invalid_or_expired_token` (the token is unknown, already used, voided by a \
                 newer link, expired, or from another kind of link) or `validation_failed` (a \
                 field is missing or unknown, or a query parameter is given; on a password \
                 reset with a usable token, also a new password that breaks the rules, with \
                 `errors[].field` = `new_password`).",
            )
            .content(PROBLEM_JSON, content)
            .build();
        ("TokenRejected", response.into())
    }
}

/// `not_ready`: the database cannot be reached in time.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::NotReady {
        checks: None,
        cause: None
    }))
)]
pub struct Unavailable(Problem);

/// `overloaded` (the password-hashing queue is full; with `Retry-After`) or
/// `not_ready` (the database cannot be reached in time).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying (on `overloaded`)")),
    examples(
        ("overloaded" = (value = json!(example(ApiError::Overloaded)))),
        ("not_ready" = (value = json!(example(ApiError::NotReady {
        checks: None,
        cause: None
    }))))
    )
)]
pub struct UnavailableOrOverloaded(Problem);

/// `not_ready`: a readiness check fails; `checks` names it.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotReady(ReadinessProblem);

/// `internal`: something unexpected. The details are only in the server's
/// log, under the response's `x-request-id`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::Internal("example".into())))
)]
pub struct Internal(Problem);

/// A grant failure (RFC 6749 §5.2), `application/json` rather than a
/// problem: `invalid_request` (a parameter missing, empty or repeated, or
/// the body is not form data), `invalid_grant` (wrong credentials, a
/// malformed username, a disabled account, an unverified email when
/// verification is required, or a bad refresh token),
/// `unsupported_grant_type`.
#[derive(ToResponse)]
#[response(
    content_type = "application/json",
    headers(
        ("Cache-Control" = String, description = "`no-store`"),
        ("Pragma" = String, description = "`no-cache`")
    ),
    examples(
        ("invalid_grant" = (value = json!({"error": "invalid_grant", "error_description": "invalid username or password"}))),
        ("invalid_request" = (value = json!({"error": "invalid_request", "error_description": "parameter `password` is required"}))),
        ("unsupported_grant_type" = (value = json!({"error": "unsupported_grant_type", "error_description": "grant_type must be `password` or `refresh_token`"})))
    )
)]
pub struct GrantFailed(GrantError);

/// A problem answer whose examples are `errors` rendered through the
/// catalogue, under a schema that is any of `schemas`.
fn problem_response(
    name: &'static str,
    description: &str,
    schemas: &[&str],
    errors: Vec<(&'static str, ApiError)>,
) -> (&'static str, RefOr<Response>) {
    let mut schema = AnyOfBuilder::new();
    for name in schemas {
        schema = schema.item(Ref::from_schema_name(*name));
    }
    let content = ContentBuilder::new()
        .schema(Some(schema))
        .examples_from_iter(errors.into_iter().map(|(name, error)| {
            (
                name,
                ExampleBuilder::new().value(Some(example(error))).build(),
            )
        }))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, content)
        .build();
    (name, response.into())
}

/// `account_disabled` or `email_unverified` (when verification is
/// required), both only ever after a correct password; or `mfa_required`:
/// the password is right and the account has two-factor authentication on,
/// so no session opened yet. That body carries `mfa_token` (see
/// `MfaRequiredProblem`) for `POST /api/v1/auth/mfa`, and the answer
/// `Cache-Control: no-store`.
pub struct LoginForbiddenOrMfaRequired;

impl<'r> ToResponse<'r> for LoginForbiddenOrMfaRequired {
    fn response() -> (&'r str, RefOr<Response>) {
        problem_response(
            "LoginForbiddenOrMfaRequired",
            "`account_disabled` or `email_unverified` (when verification is required), both \
             only ever after a correct password; or `mfa_required`: the password is right and \
             the account has two-factor authentication on, so no session opened yet. That body \
             carries `mfa_token` (see `MfaRequiredProblem`) for `POST /api/v1/auth/mfa`, and \
             the answer `Cache-Control: no-store`.",
            &["Problem", "MfaRequiredProblem"],
            vec![
                ("account_disabled", ApiError::AccountDisabled),
                ("email_unverified", ApiError::EmailUnverified),
                (
                    "mfa_required",
                    ApiError::MfaRequired {
                        mfa_token: "Jk3v9QmZr1xT0bWc8yHn2LsA5dEfGpUq7oIaRtYw4Ve".to_owned(),
                    },
                ),
            ],
        )
    }
}

/// `invalid_mfa_code` (a wrong, reused or expired TOTP or recovery code;
/// counted towards the account's lockout) or `invalid_token` (the
/// `mfa_token` is unknown, used or expired: log in again).
pub struct InvalidMfaTokenOrCode;

impl<'r> ToResponse<'r> for InvalidMfaTokenOrCode {
    fn response() -> (&'r str, RefOr<Response>) {
        problem_response(
            "InvalidMfaTokenOrCode",
            "`invalid_mfa_code` (a wrong, reused or expired TOTP or recovery code; counted \
             towards the account's lockout) or `invalid_token` (the `mfa_token` is unknown, \
             used or expired: log in again).",
            &["Problem"],
            vec![
                ("invalid_mfa_code", ApiError::InvalidMfaCode),
                ("invalid_token", ApiError::InvalidToken),
            ],
        )
    }
}

/// `unauthenticated` or `invalid_token` (the bearer token, as everywhere),
/// or `invalid_mfa_code`: the code in the body is wrong, already used or
/// expired (the bearer token is still good).
pub struct UnauthorizedOrInvalidMfaCode;

impl<'r> ToResponse<'r> for UnauthorizedOrInvalidMfaCode {
    fn response() -> (&'r str, RefOr<Response>) {
        problem_response(
            "UnauthorizedOrInvalidMfaCode",
            "`unauthenticated` or `invalid_token` (the bearer token, as everywhere), or \
             `invalid_mfa_code`: the code in the body is wrong, already used or expired (the \
             bearer token is still good).",
            &["Problem"],
            vec![
                ("unauthenticated", ApiError::Unauthenticated),
                ("invalid_token", ApiError::InvalidToken),
                ("invalid_mfa_code", ApiError::InvalidMfaCode),
            ],
        )
    }
}

/// `unauthenticated` or `invalid_token` (the bearer token, as everywhere),
/// `invalid_credentials` (the current password is wrong) or
/// `invalid_mfa_code` (the code is wrong, used or expired). Both failures
/// count towards the account's lockout; the bearer token is still good.
pub struct UnauthorizedOrInvalidCredentialsOrCode;

impl<'r> ToResponse<'r> for UnauthorizedOrInvalidCredentialsOrCode {
    fn response() -> (&'r str, RefOr<Response>) {
        problem_response(
            "UnauthorizedOrInvalidCredentialsOrCode",
            "`unauthenticated` or `invalid_token` (the bearer token, as everywhere), \
             `invalid_credentials` (the current password is wrong) or `invalid_mfa_code` (the \
             code is wrong, used or expired). Both failures count towards the account's \
             lockout; the bearer token is still good.",
            &["Problem"],
            vec![
                ("unauthenticated", ApiError::Unauthenticated),
                ("invalid_token", ApiError::InvalidToken),
                ("invalid_credentials", ApiError::InvalidCredentials),
                ("invalid_mfa_code", ApiError::InvalidMfaCode),
            ],
        )
    }
}

/// `mfa_already_enabled`: two-factor authentication is on already; turn it
/// off first to enrol another device.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!(example(ApiError::MfaAlreadyEnabled))
)]
pub struct MfaAlreadyEnabled(Problem);
