//! `/api/v1/users/*`.

pub(crate) mod change_email;
pub(crate) mod change_password;
pub(crate) mod delete_me;
pub(crate) mod list_events;
pub(crate) mod list_sessions;
pub(crate) mod me;
pub(crate) mod revoke_session;
pub(crate) mod update_me;
