//! `ApiError`: the one place where failures become status codes and bodies.

mod field;
mod from;
mod grant;
mod kind;
mod problem;

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use domain::BoxError;
use serde::Serialize;

pub(crate) use field::FieldCode;
pub use field::FieldErrors;
pub use grant::{GrantError, GrantErrorCode};
#[cfg(test)]
pub(crate) use kind::CODES;
pub use problem::{FieldError, MfaRequiredProblem, Problem, ReadinessProblem, ValidationProblem};

use crate::dto::ReadinessChecks;

/// How long a client should wait after `overloaded`: the hashing queue
/// drains in well under a second.
pub const OVERLOADED_RETRY_AFTER_SECS: u64 = 1;

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// Every way a request can fail, as the HTTP layer answers it. The status,
/// code, title, detail and headers of each are in the catalogue (`kind.rs`).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `malformed_request`; `detail` names the problem, never a value.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// 422 `validation_failed` with every failing field.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// 401 `unauthenticated`: no usable bearer credentials.
    #[error("unauthenticated")]
    Unauthenticated,
    /// 401 `invalid_token`: a token was sent but is bad, expired or revoked.
    #[error("invalid token")]
    InvalidToken,
    /// 401 `invalid_credentials`.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 403 `forbidden`.
    #[error("forbidden")]
    Forbidden,
    /// 403 `account_disabled`.
    #[error("account disabled")]
    AccountDisabled,
    /// 403 `email_unverified`.
    #[error("email unverified")]
    EmailUnverified,
    /// 403 `mfa_required`: the right password, two-factor on; the body
    /// carries `mfa_token` for the second step.
    #[error("a second factor is required")]
    MfaRequired { mfa_token: String },
    /// 401 `invalid_mfa_code`.
    #[error("invalid mfa code")]
    InvalidMfaCode,
    /// 409 `mfa_already_enabled`.
    #[error("mfa already enabled")]
    MfaAlreadyEnabled,
    /// 404 `not_found`.
    #[error("not found")]
    NotFound,
    /// 405 `method_not_allowed`, with the methods for `Allow`.
    #[error("method not allowed")]
    MethodNotAllowed { allow: &'static str },
    /// 409 `email_taken`.
    #[error("email taken")]
    EmailTaken,
    /// 409 `last_admin`.
    #[error("last admin")]
    LastAdmin,
    /// 413 `payload_too_large`.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415 `unsupported_media_type`; `detail` says what is accepted.
    #[error("unsupported media type")]
    UnsupportedMediaType(&'static str),
    /// 422 `invalid_or_expired_token`.
    #[error("invalid or expired token")]
    InvalidOrExpiredToken,
    /// 429 `too_many_requests`, with `Retry-After`.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 503 `overloaded`, with `Retry-After`.
    #[error("overloaded")]
    Overloaded,
    /// 503 `not_ready`: the database cannot be reached (`cause`), or a
    /// readiness check fails (`checks`).
    #[error("not ready")]
    NotReady {
        checks: Option<ReadinessChecks>,
        #[source]
        cause: Option<BoxError>,
    },
    /// 500 `internal`; the cause goes to the log only.
    #[error("internal error")]
    Internal(#[source] BoxError),
    /// 400 with an RFC 6749 §5.2 body: grant failures of the token endpoint.
    #[error("token endpoint grant error")]
    Grant(GrantError),
}

impl ApiError {
    /// An unexpected failure with its cause, for the log.
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::Internal(cause.into())
    }

    /// The stable `code` of the problem (empty for grant errors).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.kind().code
    }

    fn problem(&self) -> Problem {
        let kind = self.kind();
        Problem {
            type_: kind.type_.to_owned(),
            title: kind.title.to_owned(),
            status: kind.status.as_u16(),
            detail: self.detail(),
            code: kind.code.to_owned(),
        }
    }

    /// The problem+json body this error answers with (grant errors answer
    /// RFC 6749 JSON instead, see [`GrantError`]). The OpenAPI examples are
    /// rendered from it too.
    pub(crate) fn body(&self) -> ProblemBody {
        let problem = self.problem();
        match self {
            Self::Validation(errors) => ProblemBody::Validation(ValidationProblem {
                problem,
                errors: errors.clone().into_vec(),
            }),
            Self::NotReady {
                checks: Some(checks),
                ..
            } => ProblemBody::Readiness(ReadinessProblem {
                problem,
                checks: *checks,
            }),
            Self::MfaRequired { mfa_token } => ProblemBody::MfaRequired(MfaRequiredProblem {
                problem,
                mfa_token: mfa_token.clone(),
            }),
            _ => ProblemBody::Plain(problem),
        }
    }

    /// Logs a server-side failure once, inside the request's span (which
    /// carries the request id). Client errors are not logged here: the
    /// request line already has their status.
    fn log(&self) {
        match self {
            Self::Internal(cause) => {
                tracing::error!(error.chain = %Chain(cause.as_ref()), "request failed unexpectedly");
            }
            Self::NotReady {
                cause: Some(cause), ..
            } => {
                tracing::warn!(error.chain = %Chain(cause.as_ref()), "storage unavailable");
            }
            Self::Overloaded => tracing::warn!("password hashing queue full"),
            _ => {}
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().status
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let mut builder = HttpResponse::build(self.status_code());
        self.headers(&mut builder);
        if let Self::Grant(grant) = self {
            return builder.json(grant);
        }
        let body = serde_json::to_vec(&self.body());
        // Serialising these plain structs cannot fail; an empty body would
        // still carry the status.
        builder
            .content_type(PROBLEM_JSON)
            .body(body.unwrap_or_default())
    }
}

/// A problem+json body: the plain problem, or one with its extension
/// members.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum ProblemBody {
    Plain(Problem),
    Validation(ValidationProblem),
    Readiness(ReadinessProblem),
    MfaRequired(MfaRequiredProblem),
}

/// Displays an error and its sources, `outer: inner: root`.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_lists_every_cause_from_outer_to_root() {
        let error = Outer(std::io::Error::other("root"));
        assert_eq!(Chain(&error).to_string(), "outer: root");
    }

    #[test]
    fn a_validation_problem_counts_its_fields() {
        let mut errors = FieldErrors::new();
        errors.required("email");
        errors.required("name");
        assert_eq!(
            ApiError::Validation(errors).detail(),
            "2 fields are invalid"
        );
    }
}
