use domain::{ListSessionsError, Session};

use super::{Principal, SignIn};

/// One of the caller's live sessions, and whether the request came through
/// it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    pub session: Session,
    pub current: bool,
}

impl SignIn {
    /// The caller's live sessions, most recently used first.
    ///
    /// # Errors
    /// `Infra` only.
    pub async fn list_sessions(
        &self,
        principal: &Principal,
    ) -> Result<Vec<SessionView>, ListSessionsError> {
        let now = self.clock.now();
        let sessions = self.sessions.list_live(principal.user.id, now).await?;
        Ok(sessions
            .into_iter()
            .map(|session| SessionView {
                current: session.id == principal.session_id,
                session,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use domain::InfraError;

    use super::*;
    use crate::test_support::*;

    #[tokio::test]
    async fn list_sessions_returns_the_live_sessions_in_order_and_marks_the_current_one() {
        let mut ports = MockPorts::new();
        let user = user();
        let (other, current) = (session_of(&user), session_of(&user));
        let principal = Principal {
            user: user.clone(),
            session_id: current.id,
        };
        let user_id = user.id;
        let listed = vec![other.clone(), current.clone()];
        ports
            .sessions
            .expect_list_live()
            .withf(move |id, at| *id == user_id && *at == now())
            .times(1)
            .return_once(move |_, _| Ok(listed));

        let views = ports.sign_in().list_sessions(&principal).await.unwrap();

        assert_eq!(
            views,
            vec![
                SessionView {
                    session: other,
                    current: false
                },
                SessionView {
                    session: current,
                    current: true
                },
            ]
        );
    }

    #[tokio::test]
    async fn list_sessions_passes_a_store_failure_on() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_list_live()
            .returning(|_, _| Err(InfraError::unexpected("down")));

        let result = ports.sign_in().list_sessions(&principal_of(&user())).await;

        assert!(result.is_err());
    }
}
