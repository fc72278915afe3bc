//! Domain and use-case errors as API errors. Status codes stay in `mod.rs`.

use domain::{
    AuthenticateError, ChangePasswordError, CompleteMfaLoginError, ConfirmEmailChangeError,
    ConfirmTotpError, CreateUserError, DeleteAccountError, DeleteUserError, DisableMfaError,
    DisableUserMfaError, EndUserSessionsError, ForgotPasswordError, GetUserError, InfraError,
    ListEventsError, ListSessionsError, ListUserEventsError, ListUsersError, LoginError,
    LogoutError, PasswordError, RefreshError, RegenerateRecoveryCodesError, RegisterError,
    RequestEmailChangeError, ResendVerificationError, ResetPasswordError, RevokeSessionError,
    SendPasswordResetError, StartTotpError, UpdateProfileError, UpdateUserError, VerifyEmailError,
};

use super::{ApiError, FieldErrors, GrantError};

/// The body field that carries a new password, in both reset and change:
/// the use cases check its rules, so their rule failures come back here.
const NEW_PASSWORD: &str = "new_password";

fn new_password_rejected(error: &PasswordError) -> ApiError {
    FieldErrors::one(NEW_PASSWORD, error).into()
}

impl From<InfraError> for ApiError {
    fn from(error: InfraError) -> Self {
        match error {
            InfraError::Overloaded => Self::Overloaded,
            InfraError::Unavailable(cause) => Self::NotReady {
                checks: None,
                cause: Some(cause),
            },
            InfraError::Unexpected(cause) => Self::Internal(cause),
        }
    }
}

/// For extractors that cannot fail (`()`), wrapped by ours.
impl From<std::convert::Infallible> for ApiError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

/// Use-case errors whose only case is infrastructure.
macro_rules! infra_only {
    ($($error:ident),+ $(,)?) => {$(
        impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                let $error::Infra(infra) = error;
                infra.into()
            }
        }
    )+};
}

infra_only!(
    LogoutError,
    ListSessionsError,
    ForgotPasswordError,
    ResendVerificationError,
    ListEventsError,
    ListUsersError,
);

/// Use-case errors whose only cases are `NotFound` and infrastructure.
macro_rules! not_found_or_infra {
    ($($error:ident),+ $(,)?) => {$(
        impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                match error {
                    $error::NotFound => Self::NotFound,
                    $error::Infra(infra) => infra.into(),
                }
            }
        }
    )+};
}

not_found_or_infra!(
    DisableUserMfaError,
    GetUserError,
    SendPasswordResetError,
    EndUserSessionsError,
    ListUserEventsError,
);

impl From<CreateUserError> for ApiError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::EmailTaken => Self::EmailTaken,
            CreateUserError::Infra(infra) => infra.into(),
        }
    }
}

impl From<DeleteUserError> for ApiError {
    fn from(error: DeleteUserError) -> Self {
        match error {
            DeleteUserError::NotFound => Self::NotFound,
            DeleteUserError::LastAdmin => Self::LastAdmin,
            DeleteUserError::Infra(infra) => infra.into(),
        }
    }
}

impl From<UpdateUserError> for ApiError {
    fn from(error: UpdateUserError) -> Self {
        match error {
            UpdateUserError::NotFound => Self::NotFound,
            UpdateUserError::LastAdmin => Self::LastAdmin,
            UpdateUserError::Infra(infra) => infra.into(),
        }
    }
}

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::EmailTaken => Self::EmailTaken,
            RegisterError::Infra(infra) => infra.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => Self::InvalidCredentials,
            LoginError::AccountDisabled => Self::AccountDisabled,
            LoginError::EmailUnverified => Self::EmailUnverified,
            LoginError::LockedOut { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            LoginError::MfaRequired { mfa_token } => Self::MfaRequired {
                mfa_token: mfa_token.expose().to_owned(),
            },
            LoginError::Infra(infra) => infra.into(),
        }
    }
}

impl From<CompleteMfaLoginError> for ApiError {
    fn from(error: CompleteMfaLoginError) -> Self {
        match error {
            CompleteMfaLoginError::InvalidToken => Self::InvalidToken,
            CompleteMfaLoginError::InvalidCode => Self::InvalidMfaCode,
            CompleteMfaLoginError::LockedOut { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            CompleteMfaLoginError::Infra(infra) => infra.into(),
        }
    }
}

impl From<StartTotpError> for ApiError {
    fn from(error: StartTotpError) -> Self {
        match error {
            StartTotpError::AlreadyEnabled => Self::MfaAlreadyEnabled,
            StartTotpError::InvalidCredentials => Self::InvalidCredentials,
            StartTotpError::LockedOut { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            StartTotpError::Infra(infra) => infra.into(),
        }
    }
}

impl From<ConfirmTotpError> for ApiError {
    fn from(error: ConfirmTotpError) -> Self {
        match error {
            ConfirmTotpError::NotStarted => Self::NotFound,
            ConfirmTotpError::AlreadyEnabled => Self::MfaAlreadyEnabled,
            ConfirmTotpError::InvalidCode => Self::InvalidMfaCode,
            ConfirmTotpError::Infra(infra) => infra.into(),
        }
    }
}

/// Use-case errors of the changes guarded by the password and a code.
macro_rules! password_and_code {
    ($($error:ident),+ $(,)?) => {$(
        impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                match error {
                    $error::NotEnabled => Self::NotFound,
                    $error::InvalidCredentials => Self::InvalidCredentials,
                    $error::LockedOut { retry_after_secs } => {
                        Self::TooManyRequests { retry_after_secs }
                    }
                    $error::InvalidCode => Self::InvalidMfaCode,
                    $error::Infra(infra) => infra.into(),
                }
            }
        }
    )+};
}

password_and_code!(RegenerateRecoveryCodesError, DisableMfaError);

impl From<RefreshError> for ApiError {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::InvalidToken => Self::InvalidToken,
            RefreshError::Infra(infra) => infra.into(),
        }
    }
}

impl From<AuthenticateError> for ApiError {
    fn from(error: AuthenticateError) -> Self {
        match error {
            AuthenticateError::InvalidToken => Self::InvalidToken,
            AuthenticateError::Infra(infra) => infra.into(),
        }
    }
}

impl From<VerifyEmailError> for ApiError {
    fn from(error: VerifyEmailError) -> Self {
        match error {
            VerifyEmailError::InvalidOrExpired => Self::InvalidOrExpiredToken,
            VerifyEmailError::Infra(infra) => infra.into(),
        }
    }
}

impl From<ResetPasswordError> for ApiError {
    fn from(error: ResetPasswordError) -> Self {
        match error {
            ResetPasswordError::InvalidOrExpired => Self::InvalidOrExpiredToken,
            ResetPasswordError::InvalidPassword(password) => new_password_rejected(&password),
            ResetPasswordError::Infra(infra) => infra.into(),
        }
    }
}

impl From<ChangePasswordError> for ApiError {
    fn from(error: ChangePasswordError) -> Self {
        match error {
            ChangePasswordError::InvalidCredentials => Self::InvalidCredentials,
            ChangePasswordError::LockedOut { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            ChangePasswordError::InvalidPassword(password) => new_password_rejected(&password),
            ChangePasswordError::Infra(infra) => infra.into(),
        }
    }
}

impl From<RequestEmailChangeError> for ApiError {
    fn from(error: RequestEmailChangeError) -> Self {
        match error {
            RequestEmailChangeError::InvalidCredentials => Self::InvalidCredentials,
            RequestEmailChangeError::LockedOut { retry_after_secs } => {
                Self::TooManyRequests { retry_after_secs }
            }
            RequestEmailChangeError::EmailTaken => Self::EmailTaken,
            RequestEmailChangeError::Infra(infra) => infra.into(),
        }
    }
}

impl From<ConfirmEmailChangeError> for ApiError {
    fn from(error: ConfirmEmailChangeError) -> Self {
        match error {
            ConfirmEmailChangeError::InvalidOrExpired => Self::InvalidOrExpiredToken,
            ConfirmEmailChangeError::EmailTaken => Self::EmailTaken,
            ConfirmEmailChangeError::Infra(infra) => infra.into(),
        }
    }
}

impl From<UpdateProfileError> for ApiError {
    fn from(error: UpdateProfileError) -> Self {
        match error {
            // The account was deleted after this request authenticated, and
            // its sessions with it: the caller's token no longer works.
            UpdateProfileError::NotFound => Self::InvalidToken,
            UpdateProfileError::Infra(infra) => infra.into(),
        }
    }
}

impl From<DeleteAccountError> for ApiError {
    fn from(error: DeleteAccountError) -> Self {
        match error {
            DeleteAccountError::LastAdmin => Self::LastAdmin,
            DeleteAccountError::Infra(infra) => infra.into(),
        }
    }
}

impl From<RevokeSessionError> for ApiError {
    fn from(error: RevokeSessionError) -> Self {
        match error {
            RevokeSessionError::NotFound => Self::NotFound,
            RevokeSessionError::Infra(infra) => infra.into(),
        }
    }
}

impl From<GrantError> for ApiError {
    fn from(error: GrantError) -> Self {
        Self::Grant(error)
    }
}

impl ApiError {
    /// A failed password grant of the token endpoint: credential and
    /// account failures are RFC 6749 `invalid_grant`; lockout and
    /// infrastructure failures answer as everywhere else.
    #[must_use]
    pub fn from_password_grant(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => {
                GrantError::invalid_grant("invalid username or password").into()
            }
            LoginError::AccountDisabled => {
                GrantError::invalid_grant("the account is deactivated").into()
            }
            LoginError::EmailUnverified => {
                GrantError::invalid_grant("the email address is not verified").into()
            }
            // The password grant has no second step.
            LoginError::MfaRequired { .. } => GrantError::invalid_grant(
                "two-factor authentication is on for this account: log in with \
                 POST /api/v1/auth/login, then POST /api/v1/auth/mfa",
            )
            .into(),
            other => other.into(),
        }
    }

    /// A failed refresh-token grant of the token endpoint.
    #[must_use]
    pub fn from_refresh_grant(error: RefreshError) -> Self {
        match error {
            RefreshError::InvalidToken => {
                GrantError::invalid_grant("the refresh token is invalid, expired or revoked").into()
            }
            RefreshError::Infra(infra) => infra.into(),
        }
    }
}
