use domain::{Effects, EventKind, LogoutError, NewSecurityEvent, RequestContext};

use super::{Principal, SignIn};

impl SignIn {
    /// Ends the caller's session: its access and refresh tokens stop working
    /// on the very next request.
    ///
    /// # Errors
    /// `Infra` only.
    pub async fn logout(
        &self,
        principal: &Principal,
        context: &RequestContext,
    ) -> Result<(), LogoutError> {
        let now = self.clock.now();
        let event = NewSecurityEvent::new(principal.user.id, EventKind::LoggedOut, now, context);
        self.sessions
            .revoke(principal.session_id, now, Effects::event(event))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use domain::SessionId;

    use super::*;
    use crate::test_support::*;

    #[tokio::test]
    async fn logout_revokes_the_current_session_with_a_logged_out_event() {
        let mut ports = MockPorts::new();
        let principal = Principal {
            user: user(),
            session_id: SessionId::generate(),
        };
        let session_id = principal.session_id;
        ports
            .sessions
            .expect_revoke()
            .times(1)
            .returning(move |id, at, effects| {
                assert_eq!(id, session_id);
                assert_eq!(at, now());
                assert_eq!(effects.events[0].kind, EventKind::LoggedOut);
                Ok(())
            });

        ports
            .sign_in()
            .logout(&principal, &context())
            .await
            .unwrap();
    }
}
