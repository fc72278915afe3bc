//! Fixtures and the macro that instantiates each test per backend.

use std::time::Duration;

use adapters_db::Database;
use adapters_db::testing::{self, TestDatabase};
use chrono::{DateTime, TimeDelta, Utc};
use domain::ports::UserRepository;
use domain::{
    Effects, Email, EventKind, MailKind, NewOneTimeToken, NewSecurityEvent, NewUser, OneTimeToken,
    OutgoingMail, PasswordHash, RequestContext, Role, Timestamp, TokenHash, TokenPurpose, User,
    UserId, UserName,
};

/// Declares tests per backend: for each `async fn name(f: Fixture)` in
/// scope, a `sqlite::name` and a `postgres::name` test on a fresh, migrated
/// database.
macro_rules! backend_tests {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let test_db = adapters_db::testing::TestDatabase::sqlite();
                    super::$name($crate::support::Fixture::new(test_db).await).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(test_db) = adapters_db::testing::TestDatabase::postgres() else {
                        return;
                    };
                    super::$name($crate::support::Fixture::new(test_db).await).await;
                }
            )+
        }
    };
}

/// A migrated database for one test, and what tests need to look behind
/// the ports.
pub struct Fixture {
    // Dropped first: the pool closes before its database is dropped.
    pub db: Database,
    test_db: TestDatabase,
}

impl Fixture {
    pub async fn new(test_db: TestDatabase) -> Self {
        let db = test_db.migrated().await;
        Self { db, test_db }
    }

    pub fn url(&self) -> &str {
        self.test_db.url()
    }

    /// A second pool on the same database.
    pub fn connect(&self, max_connections: u32, acquire_timeout: Duration) -> Database {
        Database::connect(self.url(), max_connections, acquire_timeout).unwrap()
    }

    pub async fn sql(&self, sql: &str) {
        testing::execute_sql(&self.db, sql).await.unwrap();
    }

    /// A stored user with a unique email.
    pub async fn user(&self) -> User {
        let user = new_user(&format!("{}@example.com", UserId::generate()));
        self.db.create(user, Effects::none()).await.unwrap()
    }

    /// The one-time token with this hash, as stored.
    pub async fn stored_token(&self, hash: &TokenHash) -> Option<OneTimeToken> {
        domain::ports::OneTimeTokenRepository::find(&self.db, hash)
            .await
            .unwrap()
    }
}

/// A message to queue, with a link unique to it.
pub fn mail(kind: MailKind, to: &str) -> OutgoingMail {
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

/// A fixed instant with microseconds, which every backend keeps.
pub fn t0() -> Timestamp {
    at("2026-01-01T12:00:00.123456Z")
}

pub fn at(rfc3339: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

pub fn new_user(email: &str) -> NewUser {
    NewUser {
        id: UserId::generate(),
        email: Email::parse(email).unwrap(),
        name: UserName::parse("Ada Lovelace").unwrap(),
        role: Role::User,
        email_verified: false,
        is_active: true,
        // Any fixed string: nothing here hashes or verifies.
        password_hash: PasswordHash::new(
            "$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234".into(),
        ),
        created_at: t0(),
    }
}

pub fn event(user: UserId, kind: EventKind, at: Timestamp) -> NewSecurityEvent {
    let context = RequestContext {
        ip: Some("203.0.113.7".into()),
        user_agent: Some("contract-test/1.0".into()),
    };
    NewSecurityEvent::new(user, kind, at, &context)
}

pub fn hash(text: &str) -> TokenHash {
    TokenHash::new(text.to_owned())
}

/// A token of `user` for `purpose`, created at `created_at` and valid for an
/// hour; `ChangeEmail` tokens carry a new address.
pub fn token(
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
