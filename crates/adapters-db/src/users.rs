//! `UserRepository` on both backends.

use async_trait::async_trait;
use diesel::prelude::*;
use domain::ports::UserRepository;
use domain::refusal::{LastAdmin, TokenUnusable, UserNotFound};
use domain::{
    AccessChange, AccessChangeError, ChangeEmailError, Effects, Email, InfraError, NewUser,
    PasswordHash, RedeemTokenError, Role, Timestamp, TokenHash, User, UserChange, UserChangeError,
    UserCreationError, UserCursor, UserDeletionError, UserFilter, UserId,
};

use crate::connection::{DbConnection, write_transaction};
use crate::database::Database;
use crate::error::StoreError;
use crate::rows::{NewUserRow, UserChangeRow, UserRow, stored, to_db};
use crate::schema::users;
use crate::user_listing::list_users;
use crate::{effects, one_time_tokens, sessions};

/// Why a change or a deletion rolled back: refused with an error the caller
/// can act on, or failed.
pub(crate) enum Abort<R> {
    Refused(R),
    Failed(StoreError),
}

impl<R> From<diesel::result::Error> for Abort<R> {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

impl<R> From<StoreError> for Abort<R> {
    fn from(error: StoreError) -> Self {
        Self::Failed(error)
    }
}

/// Runs `f` in a write transaction that a refusal rolls back like a failure;
/// the refusal is then the outcome, and a failure the error.
pub(crate) fn refusable<T, R, F>(conn: &mut DbConnection, f: F) -> Result<Result<T, R>, StoreError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, Abort<R>>,
{
    match write_transaction(conn, f) {
        Ok(value) => Ok(Ok(value)),
        Err(Abort::Refused(refusal)) => Ok(Err(refusal)),
        Err(Abort::Failed(error)) => Err(error),
    }
}

/// How [`lock_user`] locks the row on PostgreSQL.
#[derive(Clone, Copy)]
pub(crate) enum RowLock {
    /// For an update that keeps the id: concurrent inserts referencing the
    /// user (sessions, events) are not blocked.
    NoKeyUpdate,
    /// For a deletion.
    Update,
}

/// The ids of the active admins, in id order, locked on PostgreSQL until the
/// transaction ends, so that no concurrent demotion, deactivation or
/// deletion can remove one meanwhile: two such changes of two admins both
/// want both rows, and the second waits, then sees the first's outcome (an
/// admin demoted meanwhile drops out of its result). Locked in id order, so
/// two of them never deadlock. SQLite: `BEGIN IMMEDIATE` already lets one
/// writer in at a time.
///
/// Every transaction that takes this and a user row takes this first.
fn lock_active_admins(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    let admins = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::is_active.eq(true))
        .order(users::id)
        .select(users::id);
    match conn {
        DbConnection::Pg(pg) => admins.for_no_key_update().load(pg),
        DbConnection::Sqlite(sqlite) => admins.load(sqlite),
    }
}

/// The role and active flag of user `id`, or `None`, with the row locked on
/// PostgreSQL until the transaction ends, so what is read stays true (on
/// SQLite, `BEGIN IMMEDIATE` sees to that).
pub(crate) fn lock_user(
    conn: &mut DbConnection,
    id: &str,
    lock: RowLock,
) -> QueryResult<Option<(String, bool)>> {
    let user = users::table
        .find(id)
        .select((users::role, users::is_active));
    match (conn, lock) {
        (DbConnection::Pg(pg), RowLock::NoKeyUpdate) => {
            user.for_no_key_update().get_result(pg).optional()
        }
        (DbConnection::Pg(pg), RowLock::Update) => user.for_update().get_result(pg).optional(),
        (DbConnection::Sqlite(sqlite), _) => user.get_result(sqlite).optional(),
    }
}

/// Whether user `id`, with this role and active flag, is the only one left
/// among the locked `admins`.
fn is_last_admin(id: &str, (role, is_active): &(String, bool), admins: &[String]) -> bool {
    role == Role::Admin.as_str() && *is_active && admins.iter().all(|admin| admin == id)
}

pub(crate) fn load_user(conn: &mut DbConnection, id: &str) -> Result<Option<User>, StoreError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .get_result(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

/// The body of every change method, inside its write transaction: locks
/// the user's row (`NotFound` when it is missing, or deactivated and the
/// change requires an active account), runs `guard` (the method's own
/// check), then writes `row`, voids tokens, ends sessions and applies
/// `effects`.
fn change_user<R>(
    conn: &mut DbConnection,
    change: &UserChange,
    row: UserChangeRow<'_>,
    effects: &Effects,
    guard: impl FnOnce(&mut DbConnection, &(String, bool)) -> Result<(), Abort<R>>,
) -> Result<User, Abort<R>>
where
    R: From<UserNotFound>,
{
    let id = change.user_id.to_string();
    let at = to_db(change.at);
    let current = lock_user(conn, &id, RowLock::NoKeyUpdate)?
        .filter(|(_, is_active)| *is_active || !change.require_active)
        .ok_or_else(|| Abort::Refused(UserNotFound.into()))?;
    guard(conn, &current)?;
    one_time_tokens::void(conn, change.user_id, &change.void_tokens, at)?;
    // A taken email fails here, on the unique constraint; `change_email`
    // maps that failure to `EmailTaken`.
    diesel::update(users::table.find(&id))
        .set(row)
        .execute(conn)?;
    sessions::end_of_user(conn, change.user_id, change.end_sessions, at)?;
    effects::apply(conn, effects, change.at)?;
    // Read back, so the caller gets the row exactly as stored.
    Ok(load_user(conn, &id)?
        .ok_or_else(|| StoreError::corrupt("users", id, "missing right after update"))?)
}

/// A guard that uses up the token with hash `token` of the changed user,
/// or refuses with `TokenUnusable`.
fn consuming<R: From<TokenUnusable>>(
    token: &TokenHash,
    change: &UserChange,
) -> impl FnOnce(&mut DbConnection, &(String, bool)) -> Result<(), Abort<R>> {
    move |conn, _| {
        if one_time_tokens::consume(conn, token, change.user_id, to_db(change.at))? {
            Ok(())
        } else {
            Err(Abort::Refused(TokenUnusable.into()))
        }
    }
}

/// The body of `change_access`, inside its write transaction.
fn change_access(
    conn: &mut DbConnection,
    access: AccessChange,
    change: &UserChange,
    effects: &Effects,
) -> Result<User, Abort<AccessChangeError>> {
    let id = change.user_id.to_string();
    // The admin rows before the user's row: the order every writer keeps.
    let admins = if access.demotes() {
        Some(lock_active_admins(conn)?)
    } else {
        None
    };
    let row = UserChangeRow::from(change).with_access(access);
    change_user(conn, change, row, effects, |_, current| {
        if admins.is_some_and(|admins| is_last_admin(&id, current, &admins)) {
            Err(Abort::Refused(LastAdmin.into()))
        } else {
            Ok(())
        }
    })
}

/// The body of `delete`, inside its write transaction.
fn delete_user(
    conn: &mut DbConnection,
    id: UserId,
    at: Timestamp,
    effects: &Effects,
) -> Result<(), Abort<UserDeletionError>> {
    let key = id.to_string();
    // Whether this user is an admin is known only once the row is locked,
    // and the admin rows come first: lock them whatever the answer.
    let admins = lock_active_admins(conn)?;
    let current = lock_user(conn, &key, RowLock::Update)?
        .ok_or(Abort::Refused(UserDeletionError::NotFound))?;
    if is_last_admin(&key, &current, &admins) {
        return Err(Abort::Refused(UserDeletionError::LastAdmin));
    }
    // Sessions (and their refresh tokens), one-time tokens and security
    // events go with the user: their foreign keys cascade.
    diesel::delete(users::table.find(&key)).execute(conn)?;
    // After the deletion: an effect that refers to the deleted user (an
    // event, a token) breaks a foreign key and undoes it all.
    effects::apply(conn, effects, stored(at))?;
    Ok(())
}

#[async_trait]
impl UserRepository for Database {
    async fn create(&self, user: NewUser, effects: Effects) -> Result<User, UserCreationError> {
        let user = NewUser {
            created_at: stored(user.created_at),
            ..user
        };
        self.run(move |conn| {
            write_transaction(conn, |conn| {
                diesel::insert_into(users::table)
                    .values(NewUserRow::from(&user))
                    .execute(conn)?;
                effects::apply(conn, &effects, user.created_at)?;
                Ok::<_, StoreError>(())
            })?;
            Ok(user.into_user())
        })
        .await
        .map_err(UserCreationError::from)
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, InfraError> {
        self.run(move |conn| load_user(conn, &id.to_string()))
            .await
            .map_err(InfraError::from)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, InfraError> {
        let email = email.as_str().to_owned();
        self.run(move |conn| {
            users::table
                .filter(users::email.eq(email))
                .select(UserRow::as_select())
                .get_result(conn)
                .optional()?
                .map(User::try_from)
                .transpose()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn list(
        &self,
        filter: &UserFilter,
        limit: u32,
        after: Option<UserCursor>,
    ) -> Result<Vec<User>, InfraError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let filter = filter.clone();
        self.run(move |conn| list_users(conn, &filter, limit, after))
            .await
            .map_err(InfraError::from)
    }

    async fn update_password_hash(
        &self,
        id: UserId,
        old: PasswordHash,
        new: PasswordHash,
    ) -> Result<(), InfraError> {
        self.run(move |conn| {
            diesel::update(
                users::table
                    .find(id.to_string())
                    .filter(users::password_hash.eq(old.expose())),
            )
            .set(users::password_hash.eq(new.expose()))
            .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(InfraError::from)
    }

    async fn apply_change(
        &self,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, UserChangeError> {
        self.run(move |conn| {
            refusable(conn, |conn| {
                let row = UserChangeRow::from(&change);
                change_user(conn, &change, row, &effects, |_, _| Ok(()))
            })
        })
        .await
        .map_err(UserChangeError::from)?
    }

    async fn redeem_token(
        &self,
        token: TokenHash,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, RedeemTokenError> {
        self.run(move |conn| {
            refusable(conn, |conn| {
                let row = UserChangeRow::from(&change);
                change_user(conn, &change, row, &effects, consuming(&token, &change))
            })
        })
        .await
        .map_err(RedeemTokenError::from)?
    }

    async fn change_email(
        &self,
        token: TokenHash,
        email: Email,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, ChangeEmailError> {
        self.run(move |conn| {
            refusable(conn, |conn| {
                let row = UserChangeRow::from(&change).with_email(&email);
                change_user(conn, &change, row, &effects, consuming(&token, &change))
            })
        })
        .await
        .map_err(ChangeEmailError::from)?
    }

    async fn change_access(
        &self,
        access: AccessChange,
        change: UserChange,
        effects: Effects,
    ) -> Result<User, AccessChangeError> {
        self.run(move |conn| refusable(conn, |conn| change_access(conn, access, &change, &effects)))
            .await
            .map_err(AccessChangeError::from)?
    }

    async fn delete(
        &self,
        id: UserId,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), UserDeletionError> {
        self.run(move |conn| refusable(conn, |conn| delete_user(conn, id, at, &effects)))
            .await
            .map_err(UserDeletionError::from)?
    }
}
