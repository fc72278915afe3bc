//! The problem catalogue: for every way a request can fail, its status,
//! code, type, title, detail and headers, in one table. `ApiError::kind`,
//! `ApiError::detail` and `ApiError::headers` are generated from it, and the
//! OpenAPI examples are errors rendered through it, so none of them can
//! drift from another.

use actix_web::HttpResponseBuilder;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};

use super::{ApiError, OVERLOADED_RETRY_AFTER_SECS};

/// The fixed parts of a problem: status, code, type and title.
pub(super) struct Kind {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) type_: &'static str,
    pub(super) title: &'static str,
}

/// Each entry: a pattern over `ApiError` (its bindings serve `detail` and
/// the header values), then the problem's status, code, type and title,
/// its `detail`, and the headers the answer carries besides the body.
macro_rules! catalogue {
    ($(
        $pattern:pat => {
            status: $status:ident,
            code: $code:literal,
            type: $type_:literal,
            title: $title:literal,
            detail: $detail:expr
            $(, headers: [$($header:ident: $value:expr),+ $(,)?])?
            $(,)?
        }
    )+) => {
        impl ApiError {
            #[allow(unused_variables, reason = "a pattern binds what only some columns use")]
            pub(super) fn kind(&self) -> Kind {
                match self {
                    $($pattern => Kind {
                        status: StatusCode::$status,
                        code: $code,
                        type_: $type_,
                        title: $title,
                    },)+
                }
            }

            #[allow(unused_variables, reason = "a pattern binds what only some columns use")]
            pub(super) fn detail(&self) -> String {
                match self {
                    $($pattern => ($detail).into(),)+
                }
            }

            #[allow(unused_variables, reason = "a pattern binds what only some columns use")]
            pub(super) fn headers(&self, builder: &mut HttpResponseBuilder) {
                match self {
                    $($pattern => {
                        $($(builder.insert_header((header::$header, $value));)+)?
                    })+
                }
            }
        }

        /// Every code of the catalogue (empty for grant errors).
        #[cfg(test)]
        pub(crate) const CODES: &[&str] = &[$($code),+];
    };
}

catalogue! {
    Self::Malformed(detail) => {
        status: BAD_REQUEST,
        code: "malformed_request",
        type: "/problems/malformed-request",
        title: "Malformed request",
        detail: detail.clone(),
    }
    Self::Grant(_) => {
        status: BAD_REQUEST,
        code: "",
        type: "",
        title: "",
        detail: "",
        // RFC 6749 §5.1/§5.2: token endpoint answers are never cached.
        headers: [CACHE_CONTROL: "no-store", PRAGMA: "no-cache"],
    }
    Self::Validation(errors) => {
        status: UNPROCESSABLE_ENTITY,
        code: "validation_failed",
        type: "/problems/validation",
        title: "Request validation failed",
        detail: match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        },
    }
    Self::Unauthenticated => {
        status: UNAUTHORIZED,
        code: "unauthenticated",
        type: "/problems/unauthenticated",
        title: "Authentication required",
        detail: "send `Authorization: Bearer <access token>`",
        headers: [WWW_AUTHENTICATE: "Bearer"],
    }
    Self::InvalidToken => {
        status: UNAUTHORIZED,
        code: "invalid_token",
        type: "/problems/invalid-token",
        title: "Invalid token",
        detail: "the token is invalid, expired or revoked",
        headers: [WWW_AUTHENTICATE: r#"Bearer error="invalid_token""#],
    }
    Self::InvalidCredentials => {
        status: UNAUTHORIZED,
        code: "invalid_credentials",
        type: "/problems/invalid-credentials",
        title: "Invalid credentials",
        detail: "the email or the password is wrong",
        headers: [WWW_AUTHENTICATE: "Bearer"],
    }
    Self::Forbidden => {
        status: FORBIDDEN,
        code: "forbidden",
        type: "/problems/forbidden",
        title: "Forbidden",
        detail: "your role does not allow this",
    }
    Self::AccountDisabled => {
        status: FORBIDDEN,
        code: "account_disabled",
        type: "/problems/account-disabled",
        title: "Account disabled",
        detail: "this account is deactivated",
    }
    Self::EmailUnverified => {
        status: FORBIDDEN,
        code: "email_unverified",
        type: "/problems/email-unverified",
        title: "Email not verified",
        detail: "verify your email address before logging in",
    }
    Self::MfaRequired { .. } => {
        status: FORBIDDEN,
        code: "mfa_required",
        type: "/problems/mfa-required",
        title: "Second factor required",
        detail: "the password is right; send `mfa_token` with a code to POST /api/v1/auth/mfa",
        // The one problem that carries a token.
        headers: [CACHE_CONTROL: "no-store"],
    }
    Self::InvalidMfaCode => {
        status: UNAUTHORIZED,
        code: "invalid_mfa_code",
        type: "/problems/invalid-mfa-code",
        title: "Invalid code",
        detail: "the code is wrong, already used or expired",
        headers: [WWW_AUTHENTICATE: "Bearer"],
    }
    Self::MfaAlreadyEnabled => {
        status: CONFLICT,
        code: "mfa_already_enabled",
        type: "/problems/mfa-already-enabled",
        title: "Two-factor authentication already on",
        detail: "two-factor authentication is already on; turn it off first",
    }
    Self::NotFound => {
        status: NOT_FOUND,
        code: "not_found",
        type: "/problems/not-found",
        title: "Not found",
        detail: "no such resource",
    }
    Self::MethodNotAllowed { allow } => {
        status: METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        type: "/problems/method-not-allowed",
        title: "Method not allowed",
        detail: format!("this path allows only {allow}"),
        headers: [ALLOW: HeaderValue::from_static(allow)],
    }
    Self::EmailTaken => {
        status: CONFLICT,
        code: "email_taken",
        type: "/problems/email-taken",
        title: "Email already registered",
        detail: "this email is already registered",
    }
    Self::LastAdmin => {
        status: CONFLICT,
        code: "last_admin",
        type: "/problems/last-admin",
        title: "Last active admin",
        detail: "the change would leave no active admin",
    }
    Self::PayloadTooLarge => {
        status: PAYLOAD_TOO_LARGE,
        code: "payload_too_large",
        type: "/problems/payload-too-large",
        title: "Payload too large",
        detail: format!("the body exceeds {} bytes", crate::MAX_BODY_BYTES),
    }
    Self::UnsupportedMediaType(expected) => {
        status: UNSUPPORTED_MEDIA_TYPE,
        code: "unsupported_media_type",
        type: "/problems/unsupported-media-type",
        title: "Unsupported media type",
        detail: format!("expected Content-Type {expected}"),
    }
    Self::InvalidOrExpiredToken => {
        status: UNPROCESSABLE_ENTITY,
        code: "invalid_or_expired_token",
        type: "/problems/invalid-or-expired-token",
        title: "Invalid or expired token",
        detail: "the token is unknown, used or expired",
    }
    Self::TooManyRequests { retry_after_secs } => {
        status: TOO_MANY_REQUESTS,
        code: "too_many_requests",
        type: "/problems/too-many-requests",
        title: "Too many requests",
        detail: format!("too many requests; retry after {retry_after_secs} seconds"),
        headers: [RETRY_AFTER: retry_after_secs.to_string()],
    }
    Self::Overloaded => {
        status: SERVICE_UNAVAILABLE,
        code: "overloaded",
        type: "/problems/overloaded",
        title: "Service overloaded",
        detail: format!("the service is busy; retry after {OVERLOADED_RETRY_AFTER_SECS} second"),
        headers: [RETRY_AFTER: OVERLOADED_RETRY_AFTER_SECS.to_string()],
    }
    Self::NotReady { checks, .. } => {
        status: SERVICE_UNAVAILABLE,
        code: "not_ready",
        type: "/problems/not-ready",
        title: "Service not ready",
        detail: match checks {
            Some(checks) => format!("failing checks: {}", checks.failing().join(", ")),
            None => "the database cannot be reached; retry later".to_owned(),
        },
    }
    Self::Internal(_) => {
        status: INTERNAL_SERVER_ERROR,
        code: "internal",
        type: "/problems/internal",
        title: "Internal server error",
        detail: "an unexpected error occurred; quote the x-request-id",
    }
}
