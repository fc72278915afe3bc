//! The body shared by the changes guarded by the password and a code.

use application::MfaCode;
use domain::PlainPassword;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::FieldErrors;
use crate::extract::{JsonRequest, Secret, non_null_secret};

/// The current password and a second factor.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"current_password": "correct horse battery staple", "code": "123456"}))]
pub struct PasswordAndCodeRequest {
    /// Compared exactly as typed (after NFC normalisation), as at login.
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, format = Password, required = true)]
    pub current_password: Option<Secret>,
    /// A 6-digit TOTP code, or one of the recovery codes (which is then
    /// used up).
    #[serde(default, deserialize_with = "non_null_secret")]
    #[schema(value_type = String, required = true)]
    pub code: Option<Secret>,
}

impl JsonRequest for PasswordAndCodeRequest {
    const FIELDS: &'static [&'static str] = &["current_password", "code"];
}

/// The fields of a [`PasswordAndCodeRequest`], present.
pub(crate) struct PasswordAndCode {
    pub(crate) current: PlainPassword,
    pub(crate) code: MfaCode,
}

impl TryFrom<PasswordAndCodeRequest> for PasswordAndCode {
    type Error = FieldErrors;

    fn try_from(request: PasswordAndCodeRequest) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let current = errors
            .require("current_password", request.current_password)
            .map(|password| PlainPassword::new(password.expose()));
        let code = errors.require("code", request.code).map(MfaCode::either);
        let input = current
            .zip(code)
            .map(|(current, code)| Self { current, code });
        errors.finish(input)
    }
}
