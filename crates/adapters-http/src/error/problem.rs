//! The bodies of RFC 9457 problem details, as sent and as documented.

use serde::Serialize;
use utoipa::ToSchema;

use domain::{EmailError, PasswordError};

use super::{ApiError, FieldErrors, ProblemBody};
use crate::dto::{CheckState, ReadinessChecks};

/// An RFC 9457 problem detail (`application/problem+json`), the body of
/// every 4xx and 5xx answer except the token endpoint's grant failures.
///
/// `code` is the stable, machine-readable member to branch on; `type` is a
/// relative URI reference that identifies the problem kind (it is not
/// guaranteed to be dereferenceable); `title` is fixed per `code`; `detail`
/// is a human-readable explanation of this occurrence and may change
/// wording. A problem never echoes a password, token, hash, SQL or stack
/// trace. Clients must ignore members they do not know (more extension
/// members may be added).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!(ApiError::InvalidCredentials.body()))]
pub struct Problem {
    /// Identifies the problem kind, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    #[schema(format = "uri-reference")]
    pub type_: String,
    /// A short summary, the same for every occurrence of this `code`.
    pub title: String,
    /// The HTTP status code of this answer.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong this time, for humans.
    pub detail: String,
    /// The stable error code: `malformed_request`, `unauthenticated`,
    /// `invalid_token`, `invalid_credentials`, `forbidden`,
    /// `account_disabled`, `email_unverified`, `mfa_required`,
    /// `invalid_mfa_code`, `mfa_already_enabled`, `not_found`,
    /// `method_not_allowed`, `email_taken`, `last_admin`,
    /// `payload_too_large`, `unsupported_media_type`, `validation_failed`,
    /// `invalid_or_expired_token`, `too_many_requests`, `overloaded`,
    /// `not_ready` or `internal`. New codes may be added; treat an unknown
    /// code by its HTTP status.
    #[schema(example = "invalid_credentials")]
    pub code: String,
}

/// One failing field of a request body, or parameter of its query string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!(field_error_example()))]
pub struct FieldError {
    /// The name of the field as sent (a top-level member of the body), or
    /// of the query parameter.
    pub field: String,
    /// The stable field error code. Body fields: `required`,
    /// `unknown_field`, `email`, `email_too_long`, `name_empty`,
    /// `name_too_long`, `name_control_characters`, `password_too_short`,
    /// `password_too_long`, `password_too_weak`, `role`, `exclusive` (two
    /// members of which only one may be sent). Query parameters:
    /// `unknown_parameter`, `repeated`, `not_an_integer`, `out_of_range`,
    /// `invalid_cursor`. New codes may be added.
    pub code: String,
    /// What the rule is, for humans. Never contains the value sent.
    pub message: String,
}

/// A `validation_failed` problem: `errors` lists every failing field, not
/// just the first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!(validation_example()))]
pub struct ValidationProblem {
    #[serde(flatten)]
    pub problem: Problem,
    pub errors: Vec<FieldError>,
}

/// A `not_ready` problem from `/health/ready`, naming the failing checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!(readiness_example()))]
pub struct ReadinessProblem {
    #[serde(flatten)]
    pub problem: Problem,
    pub checks: ReadinessChecks,
}

/// An `mfa_required` problem (403): the password was right and the
/// account has two-factor authentication on, so no session is open yet.
/// `mfa_token` is the one token an error body ever carries: send it with a
/// TOTP or recovery code to `POST /api/v1/auth/mfa`. It is single use,
/// valid for 5 minutes, bound to this account, and stays valid when a newer
/// one is issued. The answer carries `Cache-Control: no-store`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!(mfa_required_example()))]
pub struct MfaRequiredProblem {
    #[serde(flatten)]
    pub problem: Problem,
    /// Opaque; at least 128 random bits.
    pub mfa_token: String,
}

fn mfa_required_example() -> ProblemBody {
    ApiError::MfaRequired {
        mfa_token: "Jk3v9QmZr1xT0bWc8yHn2LsA5dEfGpUq7oIaRtYw4Ve".to_owned(),
    }
    .body()
}

// The schemas' examples are errors rendered through the catalogue, like the
// responses' examples.

fn field_error_example() -> Option<FieldError> {
    FieldErrors::one("password", &PasswordError::TooShort)
        .into_vec()
        .into_iter()
        .next()
}

fn validation_example() -> ProblemBody {
    let mut errors = FieldErrors::new();
    errors.invalid("email", &EmailError::Invalid);
    errors.invalid("password", &PasswordError::TooShort);
    ApiError::Validation(errors).body()
}

fn readiness_example() -> ProblemBody {
    ApiError::NotReady {
        checks: Some(ReadinessChecks {
            database: CheckState::Failing,
            migrations: CheckState::Failing,
        }),
        cause: None,
    }
    .body()
}
