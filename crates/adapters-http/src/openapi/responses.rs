//! Reusable error responses (`#/components/responses/...`) for the
//! operations' `responses(...)`.

#![allow(dead_code, reason = "types that exist only to describe responses")]

use serde_json::json;
use utoipa::ToResponse;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::AnyOfBuilder;
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

use crate::error::{GrantError, PROBLEM_JSON, Problem, ReadinessProblem, ValidationProblem};

/// `malformed_request`: the body is not JSON, is not a JSON object, has a
/// member more than once, or a field has the wrong JSON type (`null` for a
/// required field included).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/malformed-request", "title": "Malformed request", "status": 400,
        "detail": "`email` has the wrong JSON type", "code": "malformed_request"
    })
)]
pub struct MalformedRequest(Problem);

/// `validation_failed`: `errors` lists every failing field. A missing
/// field has code `required`; a member the body may not have has code
/// `unknown_field`; a broken rule has its own code.
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
        ("unauthenticated" = (value = json!({
            "type": "/problems/unauthenticated", "title": "Authentication required", "status": 401,
            "detail": "send `Authorization: Bearer <access token>`", "code": "unauthenticated"
        }))),
        ("invalid_token" = (value = json!({
            "type": "/problems/invalid-token", "title": "Invalid token", "status": 401,
            "detail": "the token is invalid, expired or revoked", "code": "invalid_token"
        })))
    )
)]
pub struct Unauthorized(Problem);

/// `invalid_credentials`: unknown email or wrong password (the same answer
/// either way). Every such failure counts towards the account's lockout.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer`")),
    example = json!({
        "type": "/problems/invalid-credentials", "title": "Invalid credentials", "status": 401,
        "detail": "the email or the password is wrong", "code": "invalid_credentials"
    })
)]
pub struct InvalidCredentials(Problem);

/// `invalid_token`: the refresh token is unknown, expired, already used
/// (which also ends its session: reuse detection) or belongs to an ended
/// session or a deactivated user.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer error=\"invalid_token\"`")),
    example = json!({
        "type": "/problems/invalid-token", "title": "Invalid token", "status": 401,
        "detail": "the token is invalid, expired or revoked", "code": "invalid_token"
    })
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
        ("unauthenticated" = (value = json!({
            "type": "/problems/unauthenticated", "title": "Authentication required", "status": 401,
            "detail": "send `Authorization: Bearer <access token>`", "code": "unauthenticated"
        }))),
        ("invalid_token" = (value = json!({
            "type": "/problems/invalid-token", "title": "Invalid token", "status": 401,
            "detail": "the token is invalid, expired or revoked", "code": "invalid_token"
        }))),
        ("invalid_credentials" = (value = json!({
            "type": "/problems/invalid-credentials", "title": "Invalid credentials", "status": 401,
            "detail": "the email or the password is wrong", "code": "invalid_credentials"
        })))
    )
)]
pub struct UnauthorizedOrInvalidCredentials(Problem);

/// `account_disabled` or `email_unverified` (when verification is
/// required); both only ever after a correct password.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    examples(
        ("account_disabled" = (value = json!({
            "type": "/problems/account-disabled", "title": "Account disabled", "status": 403,
            "detail": "this account is deactivated", "code": "account_disabled"
        }))),
        ("email_unverified" = (value = json!({
            "type": "/problems/email-unverified", "title": "Email not verified", "status": 403,
            "detail": "verify your email address before logging in", "code": "email_unverified"
        })))
    )
)]
pub struct LoginForbidden(Problem);

/// `email_taken`: the email is already registered (case-insensitively).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/email-taken", "title": "Email already registered", "status": 409,
        "detail": "this email is already registered", "code": "email_taken"
    })
)]
pub struct EmailTaken(Problem);

/// `last_admin`: the change would leave no active admin.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/last-admin", "title": "Last active admin", "status": 409,
        "detail": "the change would leave no active admin", "code": "last_admin"
    })
)]
pub struct LastAdmin(Problem);

/// `not_found`: no such resource. A malformed id answers the same.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/not-found", "title": "Not found", "status": 404,
        "detail": "no such resource", "code": "not_found"
    })
)]
pub struct NotFound(Problem);

/// `payload_too_large`: the body exceeds 65,536 bytes (by `Content-Length`,
/// or while reading a chunked body). The body is not read further.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/payload-too-large", "title": "Payload too large", "status": 413,
        "detail": "the body exceeds 65536 bytes", "code": "payload_too_large"
    })
)]
pub struct PayloadTooLarge(Problem);

/// `unsupported_media_type`: `Content-Type` is missing or is not the
/// operation's request media type (a `charset` parameter, if any, must be
/// `utf-8`), or the body has a `Content-Encoding` (compressed bodies are
/// not accepted).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/unsupported-media-type", "title": "Unsupported media type",
        "status": 415, "detail": "expected Content-Type application/json",
        "code": "unsupported_media_type"
    })
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
    example = json!({
        "type": "/problems/too-many-requests", "title": "Too many requests", "status": 429,
        "detail": "too many requests; retry after 42 seconds", "code": "too_many_requests"
    })
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
    example = json!({
        "type": "/problems/too-many-requests", "title": "Too many requests", "status": 429,
        "detail": "too many requests; retry after 840 seconds", "code": "too_many_requests"
    })
)]
pub struct LockedOut(Problem);

/// `validation_failed` on the query string: `errors[].field` names each
/// failing parameter. `not_an_integer` (`limit` empty or not plain decimal
/// digits), `out_of_range` (`limit` outside 1 to 100), `invalid_cursor`
/// (not a cursor this listing issued, or empty), `repeated` (a parameter
/// given twice), `unknown_parameter` (a parameter the operation does not
/// take).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({
        "type": "/problems/validation", "title": "Request validation failed", "status": 422,
        "detail": "2 fields are invalid", "code": "validation_failed",
        "errors": [
            {"field": "limit", "code": "out_of_range", "message": "must be from 1 to 100"},
            {"field": "role", "code": "unknown_parameter", "message": "this query parameter is not allowed here"}
        ]
    })
)]
pub struct InvalidQuery(ValidationProblem);

/// `invalid_or_expired_token` (the token is unknown, already used, voided by
/// a newer link, expired, or from another kind of link) or
/// `validation_failed` (a field is missing or unknown; on a password reset
/// with a usable token, also a new password that breaks the rules, with
/// `errors[].field` = `new_password`).
pub struct TokenRejected;

impl<'r> ToResponse<'r> for TokenRejected {
    fn response() -> (&'r str, RefOr<Response>) {
        let schema = AnyOfBuilder::new()
            .item(Ref::from_schema_name("Problem"))
            .item(Ref::from_schema_name("ValidationProblem"));
        let invalid_token = json!({
            "type": "/problems/invalid-or-expired-token", "title": "Invalid or expired token",
            "status": 422, "detail": "the token is unknown, used or expired",
            "code": "invalid_or_expired_token"
        });
        let validation = json!({
            "type": "/problems/validation", "title": "Request validation failed",
            "status": 422, "detail": "1 field is invalid", "code": "validation_failed",
            "errors": [{"field": "new_password", "code": "password_too_short", "message": "at least 12 characters"}]
        });
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
                 field is missing or unknown; on a password reset with a usable token, also a \
                 new password that breaks the rules, with `errors[].field` = `new_password`).",
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
    example = json!({
        "type": "/problems/not-ready", "title": "Service not ready", "status": 503,
        "detail": "the database cannot be reached; retry later", "code": "not_ready"
    })
)]
pub struct Unavailable(Problem);

/// `overloaded` (the password-hashing queue is full; with `Retry-After`) or
/// `not_ready` (the database cannot be reached in time).
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying (on `overloaded`)")),
    examples(
        ("overloaded" = (value = json!({
            "type": "/problems/overloaded", "title": "Service overloaded", "status": 503,
            "detail": "the service is busy; retry after 1 second", "code": "overloaded"
        }))),
        ("not_ready" = (value = json!({
            "type": "/problems/not-ready", "title": "Service not ready", "status": 503,
            "detail": "the database cannot be reached; retry later", "code": "not_ready"
        })))
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
    example = json!({
        "type": "/problems/internal", "title": "Internal server error", "status": 500,
        "detail": "an unexpected error occurred; quote the x-request-id", "code": "internal"
    })
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
