use domain::{
    Effects, EventKind, NewSecurityEvent, RefreshError, RefreshRetry, RefreshRotation,
    RefreshTokenState, RequestContext, Role, Secret, SecretToken, Session, Timestamp, TokenHash,
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
    /// concurrent refresh with the same token counts as such a reuse. Except
    /// within `refresh_reuse_grace_secs` of the rotation, while the successor
    /// is unused: then the answer is that same successor with a fresh access
    /// token (a client retrying a refresh whose answer it lost), and nothing
    /// is written.
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
            Some(RefreshTokenState::Rotated { session, retry }) => {
                return self.retry_or_revoke(&session, &old, retry, context).await;
            }
            Some(RefreshTokenState::Current(session)) => session,
        };
        if !session.is_live(now) || now >= session.refresh_expires_at {
            return Err(RefreshError::InvalidToken);
        }
        let role = self.require_active_user(&session).await?;
        let (new_token, new) = self.secrets.generate();
        let retry = match self.config.refresh_reuse_grace_secs {
            0 => None,
            grace => Some(RefreshRetry {
                successor: self.sealer.seal(new_token.expose(), &retry_context(&old))?,
                until: now + seconds(grace),
            }),
        };
        let rotation = RefreshRotation {
            session_id: session.id,
            old: old.clone(),
            new,
            now,
            refresh_expires_at: (now + seconds(self.config.refresh_ttl_secs))
                .min(session.expires_at),
            retry,
        };
        let event = NewSecurityEvent::new(session.user_id, EventKind::TokenRefreshed, now, context);
        match self
            .sessions
            .rotate_refresh(rotation, Effects::event(event))
            .await?
        {
            Some(rotated) => Ok(self.token_pair(&rotated, role, new_token, now)?),
            // Another refresh with the same token won (a retry, within the
            // grace window), or the session was ended meanwhile (a logout is
            // no reuse): read which.
            None => match self.sessions.find_by_refresh_hash(&old).await? {
                Some(RefreshTokenState::Rotated { session, retry }) => {
                    self.retry_or_revoke(&session, &old, retry, context).await
                }
                Some(RefreshTokenState::Current(current)) => {
                    Err(self.revoke_for_reuse(&current, context).await)
                }
                None => Err(RefreshError::InvalidToken),
            },
        }
    }

    /// A rotated token presented again: within its grace window, while its
    /// successor is unused, the successor with a fresh access token;
    /// otherwise a reuse.
    async fn retry_or_revoke(
        &self,
        session: &Session,
        old: &TokenHash,
        retry: Option<RefreshRetry>,
        context: &RequestContext,
    ) -> Result<TokenPair, RefreshError> {
        let now = self.clock.now();
        match self.successor_within_grace(session, old, retry.as_ref(), now) {
            Some(successor) => {
                let role = self.require_active_user(session).await?;
                Ok(self.token_pair(session, role, successor, now)?)
            }
            None => Err(self.revoke_for_reuse(session, context).await),
        }
    }

    /// The successor `retry` leads back to, if its window is open at `now`
    /// and the session can still refresh. A retry that does not open (the
    /// encryption key changed, or the stored bytes did) counts as none.
    fn successor_within_grace(
        &self,
        session: &Session,
        old: &TokenHash,
        retry: Option<&RefreshRetry>,
        now: Timestamp,
    ) -> Option<SecretToken> {
        let retry = retry?;
        let open = self.config.refresh_reuse_grace_secs > 0
            && now < retry.until
            && session.is_live(now)
            && now < session.refresh_expires_at;
        if !open {
            return None;
        }
        self.sealer
            .open(&retry.successor, &retry_context(old))
            .map(|successor| SecretToken::new(successor.expose().to_owned()))
    }

    /// `InvalidToken` unless the user of `session` exists and is active.
    async fn require_active_user(&self, session: &Session) -> Result<Role, RefreshError> {
        match self.users.find_by_id(session.user_id).await? {
            Some(user) if user.is_active => Ok(user.role),
            _ => Err(RefreshError::InvalidToken),
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

/// What a sealed successor is bound to: the rotated token it belongs to, so
/// that it opens on no other row.
fn retry_context(old: &TokenHash) -> String {
    format!("refresh successor of {}", old.expose())
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "refresh_grace_tests.rs"]
mod grace_tests;
