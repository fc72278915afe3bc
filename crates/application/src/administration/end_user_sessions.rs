use domain::{
    Effects, EndSessions, EndUserSessionsError, EventKind, NewSecurityEvent, RequestContext,
    UserChange, UserChangeError, UserId,
};

use super::{Administration, by_admin};
use crate::Principal;

/// Whose sessions an operator ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EndUserSessionsCommand {
    pub user_id: UserId,
}

impl Administration {
    /// Ends every session of the account in one write, with a
    /// `session_revoked` event naming the admin: its access and refresh
    /// tokens stop working on the very next request. (The write is an
    /// account change, so the account's `updated_at` moves too.)
    ///
    /// # Errors
    /// `NotFound`; `Infra`.
    pub async fn end_user_sessions(
        &self,
        admin: &Principal,
        command: EndUserSessionsCommand,
        context: &RequestContext,
    ) -> Result<(), EndUserSessionsError> {
        let now = self.clock.now();
        let change = UserChange {
            end_sessions: EndSessions::All,
            ..UserChange::new(command.user_id, now)
        };
        let event = NewSecurityEvent::new(command.user_id, EventKind::SessionRevoked, now, context)
            .with_detail(by_admin(admin));
        match self.users.apply_change(change, Effects::event(event)).await {
            Ok(_) => Ok(()),
            Err(UserChangeError::NotFound) => Err(EndUserSessionsError::NotFound),
            Err(UserChangeError::Infra(infra)) => Err(infra.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::InfraError;

    use super::*;
    use crate::test_support::*;

    #[tokio::test]
    async fn every_session_ends_in_one_write_with_an_event_naming_the_admin() {
        let mut ports = MockPorts::new();
        let admin = admin();
        let (admin_id, user_id) = (admin.user.id, UserId::generate());
        ports
            .users
            .expect_apply_change()
            .times(1)
            .returning(move |change, effects| {
                assert_eq!(change.user_id, user_id);
                assert_eq!(change.end_sessions, EndSessions::All);
                assert_eq!(change.name, None);
                assert_eq!(effects.events[0].kind, EventKind::SessionRevoked);
                assert_eq!(
                    effects.events[0].detail,
                    Some(format!("by admin {admin_id}"))
                );
                Ok(user())
            });

        let result = ports
            .administration()
            .end_user_sessions(&admin, EndUserSessionsCommand { user_id }, &context())
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn an_unknown_account_is_not_found() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::NotFound));

        let result = ports
            .administration()
            .end_user_sessions(
                &admin(),
                EndUserSessionsCommand {
                    user_id: UserId::generate(),
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(EndUserSessionsError::NotFound)));
    }

    #[tokio::test]
    async fn a_store_failure_is_infra() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_apply_change()
            .returning(|_, _| Err(UserChangeError::Infra(InfraError::unexpected("down"))));

        let result = ports
            .administration()
            .end_user_sessions(
                &admin(),
                EndUserSessionsCommand {
                    user_id: UserId::generate(),
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(EndUserSessionsError::Infra(_))));
    }
}
