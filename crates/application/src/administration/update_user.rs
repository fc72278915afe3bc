use domain::{
    AccessChange, AccessChangeError, Effects, EndSessions, EventKind, NewSecurityEvent,
    RequestContext, Role, UpdateUserError, User, UserChange, UserId, UserName,
};

use super::{Administration, by_admin};
use crate::Principal;

/// What an operator changes on an account; `None` fields stay as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateUserCommand {
    pub user_id: UserId,
    pub name: Option<UserName>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub email_verified: Option<bool>,
}

impl UpdateUserCommand {
    fn changes_profile(&self) -> bool {
        self.name.is_some() || self.role.is_some() || self.email_verified.is_some()
    }
}

impl Administration {
    /// Changes an account in one write, subject to the last-admin guard.
    /// Deactivating ends every session of the account in the same write, so
    /// its live tokens stop working at once. Each action is an event of the
    /// account whose `detail` names the acting admin: `updated_by_admin` for
    /// a name, role or verification change, `deactivated` or `reactivated`
    /// for the active flag. A command that changes nothing writes nothing
    /// and answers the account as it is.
    ///
    /// # Errors
    /// `NotFound`; `LastAdmin` when it would demote or deactivate the last
    /// active admin (the acting admin included); `Infra`.
    pub async fn update_user(
        &self,
        admin: &Principal,
        command: UpdateUserCommand,
        context: &RequestContext,
    ) -> Result<User, UpdateUserError> {
        let user_id = command.user_id;
        if !command.changes_profile() && command.is_active.is_none() {
            return self
                .users
                .find_by_id(user_id)
                .await?
                .ok_or(UpdateUserError::NotFound);
        }
        let now = self.clock.now();
        let event =
            |kind| NewSecurityEvent::new(user_id, kind, now, context).with_detail(by_admin(admin));
        let mut effects = Effects::none();
        if command.changes_profile() {
            effects.events.push(event(EventKind::UpdatedByAdmin));
        }
        match command.is_active {
            Some(false) => effects.events.push(event(EventKind::Deactivated)),
            Some(true) => effects.events.push(event(EventKind::Reactivated)),
            None => {}
        }
        let access = AccessChange {
            role: command.role,
            is_active: command.is_active,
        };
        let change = UserChange {
            name: command.name,
            email_verified: command.email_verified,
            end_sessions: if command.is_active == Some(false) {
                EndSessions::All
            } else {
                EndSessions::None
            },
            ..UserChange::new(user_id, now)
        };
        match self.users.change_access(access, change, effects).await {
            Ok(user) => Ok(user),
            Err(AccessChangeError::NotFound) => Err(UpdateUserError::NotFound),
            Err(AccessChangeError::LastAdmin) => Err(UpdateUserError::LastAdmin),
            Err(AccessChangeError::Infra(infra)) => Err(infra.into()),
        }
    }
}

#[cfg(test)]
#[path = "update_user_tests.rs"]
mod tests;
