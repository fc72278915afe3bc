use domain::{
    Effects, EventKind, NewSecurityEvent, RefreshError, RefreshRotation, RefreshTokenState,
    RequestContext, Secret, Session,
};

use super::{SignIn, TokenPair, seconds};

/// A refresh token presented for a new pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshCommand {
    pub refresh_token: Secret,
}

impl SignIn {
    /// Rotates a refresh token: the presented token stops working and a new
    /// pair is issued. The new refresh token lives `refresh_ttl_secs` from
    /// now, but never past the session's absolute end.
    ///
    /// Presenting a token that an earlier refresh already replaced means it
    /// leaked: the whole session is revoked. Losing a race against a
    /// concurrent refresh with the same token counts as such a reuse.
    ///
    /// # Errors
    /// `InvalidToken` for unknown, expired, reused or revoked tokens and for
    /// inactive or deleted users; `Infra`.
    pub async fn refresh(
        &self,
        command: RefreshCommand,
        context: &RequestContext,
    ) -> Result<TokenPair, RefreshError> {
        let now = self.clock.now();
        let old = self.secrets.hash(command.refresh_token.expose());
        let session = match self.sessions.find_by_refresh_hash(&old).await? {
            None => return Err(RefreshError::InvalidToken),
            Some(RefreshTokenState::Rotated(session)) => {
                return Err(self.revoke_for_reuse(&session, context).await);
            }
            Some(RefreshTokenState::Current(session)) => session,
        };
        if !session.is_live(now) || now >= session.refresh_expires_at {
            return Err(RefreshError::InvalidToken);
        }
        match self.users.find_by_id(session.user_id).await? {
            Some(user) if user.is_active => {}
            _ => return Err(RefreshError::InvalidToken),
        }
        let (new_token, new) = self.secrets.generate();
        let rotation = RefreshRotation {
            session_id: session.id,
            old,
            new,
            now,
            refresh_expires_at: (now + seconds(self.config.refresh_ttl_secs))
                .min(session.expires_at),
        };
        let event = NewSecurityEvent::new(session.user_id, EventKind::TokenRefreshed, now, context);
        match self
            .sessions
            .rotate_refresh(rotation, Effects::event(event))
            .await?
        {
            Some(rotated) => Ok(self.token_pair(&rotated, new_token, now)?),
            // Another refresh with the same token won, or the session was
            // ended meanwhile (a logout is no reuse): read which.
            None => match self.sessions.find(session.id).await? {
                Some(current) => Err(self.revoke_for_reuse(&current, context).await),
                None => Err(RefreshError::InvalidToken),
            },
        }
    }

    /// Ends `session` because one of its refresh tokens was presented twice,
    /// and returns the error the caller answers with. A session that has
    /// already ended is left alone: replaying its old tokens must not fill
    /// the owner's trail with events.
    async fn revoke_for_reuse(&self, session: &Session, context: &RequestContext) -> RefreshError {
        if session.revoked_at.is_some() {
            return RefreshError::InvalidToken;
        }
        let now = self.clock.now();
        let event = NewSecurityEvent::new(
            session.user_id,
            EventKind::RefreshReuseDetected,
            now,
            context,
        );
        match self
            .sessions
            .revoke(session.id, now, Effects::event(event))
            .await
        {
            Ok(()) => RefreshError::InvalidToken,
            Err(infra) => RefreshError::Infra(infra),
        }
    }
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
