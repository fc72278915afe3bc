use domain::{AuthenticateError, Secret, TokenDecodeError};

use super::{Principal, SignIn};

/// A request's bearer token, to be authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticateQuery {
    pub access_token: Secret,
}

impl SignIn {
    /// The caller behind an access token. Besides the token itself, the
    /// session must still be live and the user still exist and be active, so
    /// logout, revocation and deactivation apply to the very next request.
    ///
    /// # Errors
    /// `InvalidToken`; `Infra`.
    pub async fn authenticate(
        &self,
        query: AuthenticateQuery,
    ) -> Result<Principal, AuthenticateError> {
        let now = self.clock.now();
        let token = query.access_token.expose();
        let claims = match self.tokens.decode(token, now) {
            // Signed by a key this process has not loaded yet (a rotation
            // elsewhere): reload once, at most every few seconds. Anyone can
            // send a `kid`, so a reload that fails (the store down, a key
            // that does not open) makes the token no more than unknown: the
            // failure is logged, never answered.
            Err(TokenDecodeError::UnknownKey) => match self.keys.reload_for_unknown_key().await {
                Ok(true) => self.tokens.decode(token, now)?,
                Ok(false) => return Err(AuthenticateError::InvalidToken),
                Err(error) => {
                    tracing::warn!(
                        error = &error as &dyn std::error::Error,
                        "a token named an unknown signing key, and reloading the keys failed"
                    );
                    return Err(AuthenticateError::InvalidToken);
                }
            },
            decoded => decoded?,
        };
        // One read for both: this runs on every authenticated request.
        match self.sessions.find_with_user(claims.session_id).await? {
            Some((session, user))
                if session.is_live(now) && session.user_id == claims.user_id && user.is_active =>
            {
                Ok(Principal {
                    user,
                    session_id: claims.session_id,
                })
            }
            _ => Err(AuthenticateError::InvalidToken),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use domain::ports::AccessClaims;
    use domain::{InfraError, Session, TokenDecodeError, User, UserId};

    use super::*;
    use crate::test_support::*;

    fn query() -> AuthenticateQuery {
        AuthenticateQuery {
            access_token: "token".into(),
        }
    }

    fn token_for(ports: &mut MockPorts, session: &Session) {
        let claims = AccessClaims {
            user_id: session.user_id,
            session_id: session.id,
            role: domain::Role::User,
            issued_at: now(),
            expires_at: now() + Duration::minutes(15),
        };
        ports
            .tokens
            .expect_decode()
            .return_once(move |_, _| Ok(claims));
    }

    fn found(ports: &mut MockPorts, session: Session, user: User) {
        ports
            .sessions
            .expect_find_with_user()
            .times(1)
            .return_once(move |_| Ok(Some((session, user))));
    }

    #[tokio::test]
    async fn a_valid_token_of_a_live_session_yields_the_freshly_loaded_user() {
        let mut ports = MockPorts::new();
        let user = user();
        let session = session_of(&user);
        token_for(&mut ports, &session);
        let session_id = session.id;
        let expected = user.clone();
        found(&mut ports, session, user);

        let principal = ports.sign_in().authenticate(query()).await.unwrap();

        assert_eq!(
            principal,
            Principal {
                user: expected,
                session_id
            }
        );
    }

    #[tokio::test]
    async fn a_token_the_codec_refuses_is_invalid() {
        let mut ports = MockPorts::new();
        ports
            .tokens
            .expect_decode()
            .returning(|_, _| Err(TokenDecodeError::Expired));

        let result = ports.sign_in().authenticate(query()).await;

        assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
    }

    #[tokio::test]
    async fn a_token_of_a_revoked_session_is_invalid() {
        let mut ports = MockPorts::new();
        let session = Session {
            revoked_at: Some(now()),
            ..session_of(&user())
        };
        token_for(&mut ports, &session);
        found(&mut ports, session, user());

        let result = ports.sign_in().authenticate(query()).await;

        assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
    }

    #[tokio::test]
    async fn a_token_whose_session_belongs_to_someone_else_is_invalid() {
        let mut ports = MockPorts::new();
        let session = session_of(&user());
        let mut claimed = session.clone();
        claimed.user_id = UserId::generate();
        token_for(&mut ports, &claimed);
        found(&mut ports, session, user());

        let result = ports.sign_in().authenticate(query()).await;

        assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
    }

    #[tokio::test]
    async fn a_token_of_a_deactivated_user_is_invalid() {
        let mut ports = MockPorts::new();
        let user = User {
            is_active: false,
            ..user()
        };
        let session = session_of(&user);
        token_for(&mut ports, &session);
        found(&mut ports, session, user);

        let result = ports.sign_in().authenticate(query()).await;

        assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
    }

    #[tokio::test]
    async fn a_token_of_a_deleted_session_or_user_is_invalid() {
        // A user's deletion takes their sessions with it.
        let mut ports = MockPorts::new();
        let session = session_of(&user());
        token_for(&mut ports, &session);
        ports
            .sessions
            .expect_find_with_user()
            .returning(|_| Ok(None));

        let result = ports.sign_in().authenticate(query()).await;

        assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
    }

    fn claims_of(session: &Session) -> AccessClaims {
        AccessClaims {
            user_id: session.user_id,
            session_id: session.id,
            role: domain::Role::User,
            issued_at: now(),
            expires_at: now() + Duration::minutes(15),
        }
    }

    #[tokio::test]
    async fn a_token_of_an_unknown_key_reloads_the_key_set_once_and_decodes_again() {
        let mut ports = MockPorts::new();
        ports.config.signing_algorithm = Some(domain::SigningAlgorithm::EdDsa);
        let user = user();
        let session = session_of(&user);
        let claims = claims_of(&session);
        let mut sequence = mockall::Sequence::new();
        ports
            .tokens
            .expect_decode()
            .times(1)
            .in_sequence(&mut sequence)
            .returning(|_, _| Err(TokenDecodeError::UnknownKey));
        let keys = signing_keys_in_store(&mut ports, domain::SigningAlgorithm::EdDsa);
        ports
            .signing_keys
            .expect_signing_keys()
            .times(1)
            .return_once(move |_| Ok(keys));
        ports
            .tokens
            .expect_install_keys()
            .times(1)
            .returning(|_| Ok(()));
        ports
            .tokens
            .expect_decode()
            .times(1)
            .in_sequence(&mut sequence)
            .return_once(move |_, _| Ok(claims));
        found(&mut ports, session, user);

        assert!(ports.sign_in().authenticate(query()).await.is_ok());
    }

    #[tokio::test]
    async fn unknown_keys_reload_at_most_once_per_interval() {
        let mut ports = MockPorts::new();
        ports.config.signing_algorithm = Some(domain::SigningAlgorithm::Es256);
        ports
            .tokens
            .expect_decode()
            .returning(|_, _| Err(TokenDecodeError::UnknownKey));
        let keys = signing_keys_in_store(&mut ports, domain::SigningAlgorithm::Es256);
        // The clock stands still: the second token finds the reload spent.
        ports
            .signing_keys
            .expect_signing_keys()
            .times(1)
            .return_once(move |_| Ok(keys));
        ports
            .tokens
            .expect_install_keys()
            .times(1)
            .returning(|_| Ok(()));
        let sign_in = ports.sign_in();

        for _ in 0..3 {
            let result = sign_in.authenticate(query()).await;
            assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
        }
    }

    #[tokio::test]
    async fn an_unknown_key_whose_reload_fails_is_an_invalid_token_not_a_failure() {
        let mut ports = MockPorts::new();
        ports.config.signing_algorithm = Some(domain::SigningAlgorithm::EdDsa);
        ports
            .tokens
            .expect_decode()
            .times(1)
            .returning(|_, _| Err(TokenDecodeError::UnknownKey));
        ports
            .signing_keys
            .expect_signing_keys()
            .times(1)
            .return_once(|_| Err(InfraError::unexpected("the store is broken")));

        let result = ports.sign_in().authenticate(query()).await;

        assert!(
            matches!(result, Err(AuthenticateError::InvalidToken)),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn under_hs256_an_unknown_key_reloads_nothing() {
        let mut ports = MockPorts::new();
        ports
            .tokens
            .expect_decode()
            .returning(|_, _| Err(TokenDecodeError::UnknownKey));

        let result = ports.sign_in().authenticate(query()).await;

        assert!(matches!(result, Err(AuthenticateError::InvalidToken)));
    }
}
