//! `/api/v1/users/*`.

pub(crate) mod change_email;
pub(crate) mod change_password;
pub(crate) mod confirm_totp;
pub(crate) mod delete_me;
pub(crate) mod disable_mfa;
pub(crate) mod list_events;
pub(crate) mod list_sessions;
pub(crate) mod me;
pub(crate) mod mfa_code;
pub(crate) mod regenerate_recovery_codes;
pub(crate) mod revoke_session;
pub(crate) mod start_totp;
pub(crate) mod update_me;
