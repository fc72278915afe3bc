//! `LoginThrottle` on both backends: failures and checks in flight per
//! login key, by the rules of `domain::ports::ThrottleState`, each change
//! one write transaction that holds the key's row.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ports::{Admission, LockoutPolicy, LoginThrottle, ThrottleState};
use domain::{Effects, InfraError, Timestamp};

use crate::connection::{DbConnection, write_transaction};
use crate::database::Database;
use crate::effects;
use crate::error::StoreError;
use crate::rows::{from_db, seconds_after, to_db};
use crate::schema::login_throttle;

/// `now + policy.lockout_secs`, or an error when that cannot be represented.
fn lock_end(now: Timestamp, policy: LockoutPolicy) -> Result<Timestamp, InfraError> {
    seconds_after(now, policy.lockout_secs, "lockout_secs")
}

type Row = (i32, i32, Option<NaiveDateTime>, Option<NaiveDateTime>);

/// The state of `key`, its row locked until the transaction ends
/// (PostgreSQL's row lock; SQLite's write transaction holds the file).
fn read(conn: &mut DbConnection, key: &str) -> QueryResult<ThrottleState> {
    let query = login_throttle::table.find(key).select((
        login_throttle::failures,
        login_throttle::in_flight,
        login_throttle::in_flight_at,
        login_throttle::locked_until,
    ));
    let row: Option<Row> = match conn {
        DbConnection::Pg(pg) => query.for_update().get_result(pg).optional()?,
        DbConnection::Sqlite(sqlite) => query.get_result(sqlite).optional()?,
    };
    Ok(
        row.map_or_else(ThrottleState::default, |row| ThrottleState {
            failures: u32::try_from(row.0).unwrap_or(0),
            in_flight: u32::try_from(row.1).unwrap_or(0),
            in_flight_at: row.2.map(from_db),
            locked_until: row.3.map(from_db),
        }),
    )
}

/// Writes `state` to the row of `key` (deleting it when empty), in the
/// caller's transaction.
fn write(
    conn: &mut DbConnection,
    key: &str,
    state: &ThrottleState,
    now: Timestamp,
) -> QueryResult<()> {
    if state.is_empty() {
        diesel::delete(login_throttle::table.find(key)).execute(conn)?;
        return Ok(());
    }
    let values = (
        login_throttle::failures.eq(i32::try_from(state.failures).unwrap_or(i32::MAX)),
        login_throttle::in_flight.eq(i32::try_from(state.in_flight).unwrap_or(i32::MAX)),
        login_throttle::in_flight_at.eq(state.in_flight_at.map(to_db)),
        login_throttle::locked_until.eq(state.locked_until.map(to_db)),
        login_throttle::updated_at.eq(to_db(now)),
    );
    diesel::update(login_throttle::table.find(key))
        .set(values)
        .execute(conn)?;
    Ok(())
}

impl Database {
    /// Applies `change` to the state of `key` in one write transaction, with
    /// `apply` run in it too (for effects) given the change's result.
    async fn throttle_change<T, F>(
        &self,
        key: &str,
        now: Timestamp,
        change: F,
    ) -> Result<T, InfraError>
    where
        F: FnOnce(&mut DbConnection, &mut ThrottleState) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let key = key.to_owned();
        self.run(move |conn| {
            write_transaction(conn, |conn| {
                // There is always a row to lock: on PostgreSQL an insert
                // that meets another transaction's uncommitted one waits for
                // it, so two first checks of a key cannot both read "none".
                crate::connection::on_backend!(&mut *conn, |inner| {
                    diesel::insert_into(login_throttle::table)
                        .values((
                            login_throttle::key.eq(&key),
                            login_throttle::failures.eq(0),
                            login_throttle::updated_at.eq(to_db(now)),
                        ))
                        .on_conflict_do_nothing()
                        .execute(inner)
                })?;
                let mut state = read(conn, &key)?;
                let result = change(conn, &mut state)?;
                write(conn, &key, &state, now)?;
                Ok::<_, StoreError>(result)
            })
        })
        .await
        .map_err(InfraError::from)
    }
}

#[async_trait]
impl LoginThrottle for Database {
    async fn begin_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
    ) -> Result<Admission, InfraError> {
        let now = from_db(to_db(now));
        self.throttle_change(key, now, move |_, state| Ok(state.admit(now, policy)))
            .await
    }

    async fn record_failure(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
        effects: Effects,
        lock_effects: Effects,
    ) -> Result<Option<Timestamp>, InfraError> {
        let lock_end = from_db(to_db(lock_end(now, policy)?));
        let now = from_db(to_db(now));
        self.throttle_change(key, now, move |conn, state| {
            // Only the failure that reaches the limit locks (and reports
            // it); later ones during the lockout leave its end alone.
            let locked = state.fail(policy, lock_end);
            effects::apply(conn, &effects, now)?;
            if locked.is_some() {
                effects::apply(conn, &lock_effects, now)?;
            }
            Ok(locked)
        })
        .await
    }

    async fn record_success(&self, key: &str) -> Result<(), InfraError> {
        self.throttle_change(key, chrono::Utc::now(), |_, state| {
            state.succeed();
            Ok(())
        })
        .await
    }

    async fn abandon(&self, key: &str) -> Result<(), InfraError> {
        self.throttle_change(key, chrono::Utc::now(), |_, state| {
            state.release();
            Ok(())
        })
        .await
    }

    async fn clear(&self, key: &str) -> Result<(), InfraError> {
        self.throttle_change(key, chrono::Utc::now(), |_, state| {
            state.clear();
            Ok(())
        })
        .await
    }
}
