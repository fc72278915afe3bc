use domain::{Effects, EventKind, NewSecurityEvent, RequestContext, RevokeSessionError, SessionId};

use super::{Principal, SignIn};

/// Which of the caller's sessions to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevokeSessionCommand {
    pub session_id: SessionId,
}

impl SignIn {
    /// Ends one of the caller's live sessions, with a `session_revoked`
    /// event. Ending the current one is a logout.
    ///
    /// # Errors
    /// `NotFound` when the session does not exist, is not the caller's, or
    /// has already ended (indistinguishable, so no one learns of another
    /// user's sessions); `Infra`.
    pub async fn revoke_session(
        &self,
        principal: &Principal,
        command: RevokeSessionCommand,
        context: &RequestContext,
    ) -> Result<(), RevokeSessionError> {
        let RevokeSessionCommand { session_id } = command;
        let now = self.clock.now();
        match self.sessions.find(session_id).await? {
            Some(session) if session.user_id == principal.user.id && session.is_live(now) => {}
            _ => return Err(RevokeSessionError::NotFound),
        }
        let event =
            NewSecurityEvent::new(principal.user.id, EventKind::SessionRevoked, now, context);
        Ok(self
            .sessions
            .revoke(session_id, now, Effects::event(event))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use domain::{InfraError, Session, UserId};
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;

    fn found(ports: &mut MockPorts, session: Option<Session>) {
        ports
            .sessions
            .expect_find()
            .return_once(move |_| Ok(session));
    }

    fn nothing_revoked(ports: &mut MockPorts) {
        ports
            .sessions
            .expect_revoke()
            .with(always(), always(), always())
            .never();
    }

    #[tokio::test]
    async fn revoke_session_ends_another_session_of_the_caller_with_an_event() {
        let mut ports = MockPorts::new();
        let principal = principal_of(&user());
        let other = session_of(&principal.user);
        let (other_id, user_id) = (other.id, principal.user.id);
        found(&mut ports, Some(other));
        ports
            .sessions
            .expect_revoke()
            .times(1)
            .returning(move |id, at, effects| {
                assert_eq!(id, other_id);
                assert_eq!(at, now());
                assert_eq!(effects.events.len(), 1);
                assert_eq!(effects.events[0].kind, EventKind::SessionRevoked);
                assert_eq!(effects.events[0].user_id, user_id);
                assert_eq!(effects.events[0].ip.as_deref(), Some("192.0.2.1"));
                assert!(effects.mails.is_empty());
                Ok(())
            });

        let result = ports
            .sign_in()
            .revoke_session(
                &principal,
                RevokeSessionCommand {
                    session_id: other_id,
                },
                &context(),
            )
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn revoking_the_current_session_ends_it_like_a_logout() {
        let mut ports = MockPorts::new();
        let user = user();
        let current = session_of(&user);
        let principal = Principal {
            user,
            session_id: current.id,
        };
        let current_id = current.id;
        found(&mut ports, Some(current));
        ports
            .sessions
            .expect_revoke()
            .withf(move |id, _, _| *id == current_id)
            .times(1)
            .returning(|_, _, _| Ok(()));

        let result = ports
            .sign_in()
            .revoke_session(
                &principal,
                RevokeSessionCommand {
                    session_id: current_id,
                },
                &context(),
            )
            .await;

        assert!(result.is_ok());
    }

    #[tokio::test]
    async fn revoking_an_unknown_session_is_not_found() {
        let mut ports = MockPorts::new();
        found(&mut ports, None);
        nothing_revoked(&mut ports);

        let result = ports
            .sign_in()
            .revoke_session(
                &principal_of(&user()),
                RevokeSessionCommand {
                    session_id: SessionId::generate(),
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(RevokeSessionError::NotFound)));
    }

    #[tokio::test]
    async fn revoking_someone_elses_session_is_not_found_and_revokes_nothing() {
        let mut ports = MockPorts::new();
        let theirs = Session {
            user_id: UserId::generate(),
            ..session_of(&user())
        };
        let their_id = theirs.id;
        found(&mut ports, Some(theirs));
        nothing_revoked(&mut ports);

        let result = ports
            .sign_in()
            .revoke_session(
                &principal_of(&user()),
                RevokeSessionCommand {
                    session_id: their_id,
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(RevokeSessionError::NotFound)));
    }

    #[tokio::test]
    async fn revoking_an_ended_session_is_not_found() {
        let mut ports = MockPorts::new();
        let principal = principal_of(&user());
        let ended = Session {
            revoked_at: Some(now()),
            ..session_of(&principal.user)
        };
        let ended_id = ended.id;
        found(&mut ports, Some(ended));
        nothing_revoked(&mut ports);

        let result = ports
            .sign_in()
            .revoke_session(
                &principal,
                RevokeSessionCommand {
                    session_id: ended_id,
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(RevokeSessionError::NotFound)));
    }

    #[tokio::test]
    async fn revoke_session_passes_a_store_failure_on() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Err(InfraError::unexpected("down")));

        let result = ports
            .sign_in()
            .revoke_session(
                &principal_of(&user()),
                RevokeSessionCommand {
                    session_id: SessionId::generate(),
                },
                &context(),
            )
            .await;

        assert!(matches!(result, Err(RevokeSessionError::Infra(_))));
    }
}
