//! Fixtures: a store with what tests need to look behind its ports, and
//! values to store.

use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{OneTimeTokenRepository, SessionRepository, UserRepository};
use domain::{
    Effects, Email, EventKind, MailKind, NewOneTimeToken, NewSecurityEvent, NewSession, NewUser,
    OneTimeToken, OutgoingMail, PasswordHash, RequestContext, Role, Session, SessionId, Timestamp,
    TokenHash, TokenPurpose, User, UserId, UserName,
};

use crate::{Harness, OutboxEntry};

/// A fresh store for one test (`db`), and what tests need to look behind
/// its ports.
pub(crate) struct Fixture<H: Harness> {
    // Dropped first: the store's handle goes before the harness cleans up.
    pub db: H::Store,
    harness: H,
}

impl<H: Harness> Fixture<H> {
    pub fn new(harness: H) -> Self {
        Self {
            db: harness.store().clone(),
            harness,
        }
    }

    /// Another handle on the same store, as a second process would have.
    pub fn another_handle(&self) -> H::Store {
        self.harness.another_handle()
    }

    /// Every event of `user`, oldest first.
    pub async fn events(&self, user: UserId) -> Vec<NewSecurityEvent> {
        self.harness.events(user).await
    }

    /// Every outbox message, oldest first.
    pub async fn outbox(&self) -> Vec<OutboxEntry> {
        self.harness.outbox().await
    }

    /// A stored user with a unique email.
    pub async fn user(&self) -> User {
        let user = new_user(&format!("{}@example.com", UserId::generate()));
        UserRepository::create(&self.db, user, Effects::none())
            .await
            .unwrap()
    }

    /// A stored, active admin with a unique email.
    pub async fn admin(&self) -> User {
        let mut user = new_user(&format!("{}@example.com", UserId::generate()));
        user.role = Role::Admin;
        UserRepository::create(&self.db, user, Effects::none())
            .await
            .unwrap()
    }

    /// The one-time token with this hash, as stored.
    pub async fn stored_token(&self, hash: &TokenHash) -> Option<OneTimeToken> {
        OneTimeTokenRepository::find(&self.db, hash).await.unwrap()
    }

    /// The session with this id, as stored.
    pub async fn stored_session(&self, id: SessionId) -> Option<Session> {
        SessionRepository::find(&self.db, id).await.unwrap()
    }
}

/// A message to queue, with a link unique to it.
pub(crate) fn mail(kind: MailKind, to: &str) -> OutgoingMail {
    OutgoingMail {
        kind,
        to: Email::parse(to).unwrap(),
        recipient_name: "Ada Lovelace".into(),
        link: Some(format!(
            "https://app.example.com/verify-email?token={}",
            UserId::generate()
        )),
    }
}

/// A fixed instant with microseconds, which every store keeps.
pub(crate) fn t0() -> Timestamp {
    at("2026-01-01T12:00:00.123456Z")
}

pub(crate) fn at(rfc3339: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

pub(crate) fn context() -> RequestContext {
    RequestContext {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("contract-test/1.0".into()),
    }
}

pub(crate) fn new_user(email: &str) -> NewUser {
    NewUser {
        id: UserId::generate(),
        email: Email::parse(email).unwrap(),
        name: UserName::parse("Ada Lovelace").unwrap(),
        role: Role::User,
        email_verified: false,
        is_active: true,
        password_hash: stored_hash(),
        created_at: t0(),
    }
}

pub(crate) fn event(user: UserId, kind: EventKind, at: Timestamp) -> NewSecurityEvent {
    NewSecurityEvent::new(user, kind, at, &context())
}

/// The password hash of every user [`new_user`] makes. Any fixed string:
/// nothing here hashes or verifies.
pub(crate) fn stored_hash() -> PasswordHash {
    PasswordHash::new("$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234".into())
}

/// A session for `user`, opened with [`stored_hash`] checked.
pub(crate) fn new_session(user: UserId, refresh_hash: &str) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        user_id: user,
        refresh_hash: hash(refresh_hash),
        created_at: t0(),
        refresh_expires_at: t0() + TimeDelta::days(30),
        expires_at: t0() + TimeDelta::days(90),
        user_agent: context().user_agent,
        ip: context().ip,
        opened_with: stored_hash(),
    }
}

pub(crate) fn hash(text: &str) -> TokenHash {
    TokenHash::new(text.to_owned())
}

/// A token of `user` for `purpose`, created at `created_at` and valid for an
/// hour; `ChangeEmail` tokens carry a new address.
pub(crate) fn token(
    user: UserId,
    purpose: TokenPurpose,
    hash_text: &str,
    created_at: Timestamp,
) -> NewOneTimeToken {
    NewOneTimeToken {
        hash: hash(hash_text),
        user_id: user,
        purpose,
        new_email: (purpose == TokenPurpose::ChangeEmail)
            .then(|| Email::parse("new.address@example.com").unwrap()),
        created_at,
        expires_at: created_at + TimeDelta::hours(1),
    }
}
