//! Fixtures shared by the modules, and `Snapshot`: everything a test can
//! read about the store, to compare before and after a refused call.

use adapters_memory::MemoryStore;
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::{OneTimeTokenRepository, SessionRepository, UserRepository};
use domain::{
    Effects, Email, EventKind, MailKind, NewOneTimeToken, NewSecurityEvent, NewSession, NewUser,
    OutgoingMail, PasswordHash, RefreshTokenState, RequestContext, Role, Session, SessionId,
    Timestamp, TokenHash, TokenPurpose, User, UserId, UserName,
};

pub fn t0() -> Timestamp {
    DateTime::parse_from_rfc3339("2026-01-01T12:00:00.123456Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

pub fn hash(text: &str) -> TokenHash {
    TokenHash::new(text.to_owned())
}

pub fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        id: UserId::generate(),
        email: Email::parse(email).unwrap(),
        name: UserName::parse("Ada Lovelace").unwrap(),
        role,
        email_verified: false,
        is_active: true,
        password_hash: PasswordHash::new("$2b$04$fixed".into()),
        created_at: t0(),
    }
}

pub async fn user(store: &MemoryStore, role: Role) -> User {
    let new = new_user(&format!("{}@example.com", UserId::generate()), role);
    UserRepository::create(store, new, Effects::none())
        .await
        .unwrap()
}

pub fn event(user: UserId, kind: EventKind, at: Timestamp) -> NewSecurityEvent {
    NewSecurityEvent::new(user, kind, at, &RequestContext::default())
}

pub fn mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        kind: MailKind::PasswordChanged,
        to: Email::parse(to).unwrap(),
        recipient_name: "Ada".into(),
        link: Some(format!(
            "https://app.example.com/x?token={}",
            UserId::generate()
        )),
    }
}

pub fn token(user: UserId, purpose: TokenPurpose, text: &str, at: Timestamp) -> NewOneTimeToken {
    NewOneTimeToken {
        hash: hash(text),
        user_id: user,
        purpose,
        new_email: None,
        created_at: at,
        expires_at: at + TimeDelta::hours(1),
    }
}

pub fn new_session(user: UserId, refresh: &str) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        user_id: user,
        refresh_hash: hash(refresh),
        created_at: t0(),
        refresh_expires_at: t0() + TimeDelta::days(30),
        expires_at: t0() + TimeDelta::days(90),
        user_agent: None,
        ip: None,
        // What `new_user` stores.
        opened_with: PasswordHash::new("$2b$04$fixed".into()),
    }
}

pub async fn session(store: &MemoryStore, user: UserId, refresh: &str) -> Session {
    SessionRepository::create(store, new_session(user, refresh), Effects::none())
        .await
        .unwrap()
}

/// Effects of every kind, all writable, for `user`.
pub fn every_effect(user: UserId, at: Timestamp, token_text: &str) -> Effects {
    Effects::event(event(user, EventKind::UpdatedByAdmin, at))
        .with_mail(mail("notice@example.com"))
        .with_token(token(user, TokenPurpose::ResetPassword, token_text, at))
}

/// Everything a test can read about `users` and the store, to compare
/// before and after a refused or failed call.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    users: Vec<Option<User>>,
    by_email: Vec<Option<User>>,
    sessions: Vec<Option<Session>>,
    refresh: Vec<Option<RefreshTokenState>>,
    tokens: Vec<Option<domain::OneTimeToken>>,
    events: Vec<Vec<NewSecurityEvent>>,
    outbox: Vec<adapters_memory::testing::OutboxEntry>,
}

pub async fn snapshot(
    store: &MemoryStore,
    users: &[&User],
    sessions: &[&Session],
    refresh: &[&str],
    tokens: &[&str],
) -> Snapshot {
    let mut snap = Snapshot {
        users: Vec::new(),
        by_email: Vec::new(),
        sessions: Vec::new(),
        refresh: Vec::new(),
        tokens: Vec::new(),
        events: Vec::new(),
        outbox: store.outbox_entries().unwrap(),
    };
    for user in users {
        snap.users.push(store.find_by_id(user.id).await.unwrap());
        snap.by_email
            .push(store.find_by_email(&user.email).await.unwrap());
        snap.events.push(store.security_events(user.id).unwrap());
    }
    for s in sessions {
        snap.sessions
            .push(SessionRepository::find(store, s.id).await.unwrap());
    }
    for text in refresh {
        snap.refresh
            .push(store.find_by_refresh_hash(&hash(text)).await.unwrap());
    }
    for text in tokens {
        snap.tokens.push(
            OneTimeTokenRepository::find(store, &hash(text))
                .await
                .unwrap(),
        );
    }
    snap
}
