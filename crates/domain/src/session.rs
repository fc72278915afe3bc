use crate::{PasswordHash, SealedSecret, SessionId, Timestamp, TokenHash, UserId};

/// A login session: created by a login, extended by each refresh, ended by
/// logout, revocation or its absolute expiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    /// When the current refresh token stops working (sliding).
    pub refresh_expires_at: Timestamp,
    /// When the session ends whatever happens (absolute).
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

impl Session {
    /// Live: not revoked and not past its absolute end. Access tokens are
    /// honoured only for live sessions.
    #[must_use]
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// A session about to be inserted, with the hash of its first refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub refresh_hash: TokenHash,
    pub created_at: Timestamp,
    pub refresh_expires_at: Timestamp,
    pub expires_at: Timestamp,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The password hash the login checked: the session opens only while
    /// the user still has it and is active (a reset or change that
    /// committed during the check refuses it).
    pub opened_with: PasswordHash,
}

impl NewSession {
    /// The entity as it reads back right after insertion.
    #[must_use]
    pub fn to_session(&self) -> Session {
        Session {
            id: self.id,
            user_id: self.user_id,
            created_at: self.created_at,
            last_used_at: self.created_at,
            refresh_expires_at: self.refresh_expires_at,
            expires_at: self.expires_at,
            revoked_at: None,
            user_agent: self.user_agent.clone(),
            ip: self.ip.clone(),
        }
    }
}

/// What a presented refresh token turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshTokenState {
    /// The session's current refresh token.
    Current(Session),
    /// A token of this session that an earlier refresh already replaced:
    /// presenting it again means it leaked, unless `retry` still holds the
    /// way back to its unused successor (a client retrying a refresh whose
    /// answer it lost).
    Rotated {
        session: Session,
        retry: Option<RefreshRetry>,
    },
}

/// A rotated refresh token's way back to its successor, kept for
/// `APP_AUTH__REFRESH_REUSE_GRACE_SECS` after the rotation and only while the
/// successor is unused: the successor token sealed (encrypted and
/// authenticated) under the encryption key, never in plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRetry {
    pub successor: SealedSecret,
    /// The end of the window: from then on, the rotated token is a reuse.
    pub until: Timestamp,
}

/// Replace the current refresh token `old` of a session by `new`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshRotation {
    pub session_id: SessionId,
    pub old: TokenHash,
    pub new: TokenHash,
    pub now: Timestamp,
    pub refresh_expires_at: Timestamp,
    /// Kept on `old` once it is rotated, when a grace window is configured.
    pub retry: Option<RefreshRetry>,
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    fn session(revoked_at: Option<Timestamp>) -> Session {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        Session {
            id: SessionId::generate(),
            user_id: UserId::generate(),
            created_at: start,
            last_used_at: start,
            refresh_expires_at: start + Duration::days(30),
            expires_at: start + Duration::days(90),
            revoked_at,
            user_agent: None,
            ip: None,
        }
    }

    #[test]
    fn a_session_is_live_until_its_absolute_end() {
        let s = session(None);
        assert!(s.is_live(s.expires_at - Duration::seconds(1)));
        assert!(!s.is_live(s.expires_at));
    }

    #[test]
    fn a_revoked_session_is_not_live() {
        let s = session(Some(Utc::now()));
        assert!(!s.is_live(s.created_at));
    }
}
