//! The status, code, type and title of every problem: the status-code map.

use actix_web::http::StatusCode;

use super::ApiError;

/// The fixed parts of a problem: status, code, type and title.
pub(super) struct Kind {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) type_: &'static str,
    pub(super) title: &'static str,
}

const fn kind(
    status: StatusCode,
    code: &'static str,
    type_: &'static str,
    title: &'static str,
) -> Kind {
    Kind {
        status,
        code,
        type_,
        title,
    }
}

impl ApiError {
    pub(super) fn kind(&self) -> Kind {
        use StatusCode as S;
        match self {
            Self::Malformed(_) => kind(
                S::BAD_REQUEST,
                "malformed_request",
                "/problems/malformed-request",
                "Malformed request",
            ),
            Self::Grant(_) => kind(S::BAD_REQUEST, "", "", ""),
            Self::Validation(_) => kind(
                S::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "/problems/validation",
                "Request validation failed",
            ),
            Self::Unauthenticated => kind(
                S::UNAUTHORIZED,
                "unauthenticated",
                "/problems/unauthenticated",
                "Authentication required",
            ),
            Self::InvalidToken => kind(
                S::UNAUTHORIZED,
                "invalid_token",
                "/problems/invalid-token",
                "Invalid token",
            ),
            Self::InvalidCredentials => kind(
                S::UNAUTHORIZED,
                "invalid_credentials",
                "/problems/invalid-credentials",
                "Invalid credentials",
            ),
            Self::Forbidden => kind(
                S::FORBIDDEN,
                "forbidden",
                "/problems/forbidden",
                "Forbidden",
            ),
            Self::AccountDisabled => kind(
                S::FORBIDDEN,
                "account_disabled",
                "/problems/account-disabled",
                "Account disabled",
            ),
            Self::EmailUnverified => kind(
                S::FORBIDDEN,
                "email_unverified",
                "/problems/email-unverified",
                "Email not verified",
            ),
            Self::NotFound => kind(
                S::NOT_FOUND,
                "not_found",
                "/problems/not-found",
                "Not found",
            ),
            Self::MethodNotAllowed { .. } => kind(
                S::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "/problems/method-not-allowed",
                "Method not allowed",
            ),
            Self::EmailTaken => kind(
                S::CONFLICT,
                "email_taken",
                "/problems/email-taken",
                "Email already registered",
            ),
            Self::LastAdmin => kind(
                S::CONFLICT,
                "last_admin",
                "/problems/last-admin",
                "Last active admin",
            ),
            Self::PayloadTooLarge => kind(
                S::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "/problems/payload-too-large",
                "Payload too large",
            ),
            Self::UnsupportedMediaType(_) => kind(
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "/problems/unsupported-media-type",
                "Unsupported media type",
            ),
            Self::InvalidOrExpiredToken => kind(
                S::UNPROCESSABLE_ENTITY,
                "invalid_or_expired_token",
                "/problems/invalid-or-expired-token",
                "Invalid or expired token",
            ),
            Self::TooManyRequests { .. } => kind(
                S::TOO_MANY_REQUESTS,
                "too_many_requests",
                "/problems/too-many-requests",
                "Too many requests",
            ),
            Self::Overloaded => kind(
                S::SERVICE_UNAVAILABLE,
                "overloaded",
                "/problems/overloaded",
                "Service overloaded",
            ),
            Self::NotReady { .. } => kind(
                S::SERVICE_UNAVAILABLE,
                "not_ready",
                "/problems/not-ready",
                "Service not ready",
            ),
            Self::Internal(_) => kind(
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "/problems/internal",
                "Internal server error",
            ),
        }
    }
}
