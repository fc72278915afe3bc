//! `/api/v1/auth/*`.

pub(crate) mod confirm_email;
pub(crate) mod forgot_password;
pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod mfa;
pub(crate) mod refresh;
pub(crate) mod register;
pub(crate) mod resend_verification;
pub(crate) mod reset_password;
pub(crate) mod token;
pub(crate) mod verify_email;
