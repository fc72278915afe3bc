//! `/api/v1/users` and `/api/v1/users/{id}...`: administration. Every
//! route takes the caller through [`AdminWith`](crate::extract::AdminWith),
//! so a non-admin gets 403 `forbidden` before anything else is looked at.

pub(crate) mod create_user;
pub(crate) mod delete_user;
pub(crate) mod disable_user_mfa;
pub(crate) mod end_user_sessions;
pub(crate) mod get_user;
pub(crate) mod list_user_events;
pub(crate) mod list_users;
pub(crate) mod send_password_reset;
pub(crate) mod update_user;

use domain::UserId;

use crate::extract::PathId;

/// The account a path names.
fn user_id(PathId(id): PathId) -> UserId {
    UserId::from_uuid(id)
}
