//! `LoginThrottle` on both backends: failure counts per login key.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Timestamp as SqlTimestamp};
use domain::ports::{LockoutPolicy, LoginThrottle};
use domain::{Effects, InfraError, Timestamp};

use crate::connection::{DbConnection, on_backend, write_transaction};
use crate::database::Database;
use crate::effects;
use crate::error::StoreError;
use crate::rows::{from_db, seconds_after, to_db};
use crate::schema::login_throttle;

/// `now + policy.lockout_secs`, or an error when that cannot be represented.
fn lock_end(now: Timestamp, policy: LockoutPolicy) -> Result<Timestamp, InfraError> {
    seconds_after(now, policy.lockout_secs, "lockout_secs")
}

/// Whether `failures` have reached the limit.
fn reached(failures: i32, policy: LockoutPolicy) -> bool {
    u32::try_from(failures).is_ok_and(|n| n >= policy.max_failures)
}

/// Locks `key` until `until`, in the caller's transaction.
fn lock(conn: &mut DbConnection, key: &str, until: NaiveDateTime) -> QueryResult<()> {
    diesel::update(login_throttle::table.find(key))
        .set(login_throttle::locked_until.eq(until))
        .execute(conn)
        .map(drop)
}

#[async_trait]
impl LoginThrottle for Database {
    async fn begin_attempt(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
    ) -> Result<Option<Timestamp>, InfraError> {
        let key = key.to_owned();
        let lock_end = to_db(lock_end(now, policy)?);
        self.run(move |conn| {
            write_transaction(conn, |conn| {
                let now = to_db(now);
                let lock_ended = login_throttle::locked_until.le(now);
                // The increment happens in the store, so concurrent attempts
                // all count; a lockout that has ended starts a new count.
                on_backend!(&mut *conn, |inner| {
                    diesel::insert_into(login_throttle::table)
                        .values((
                            login_throttle::key.eq(&key),
                            login_throttle::failures.eq(1),
                            login_throttle::updated_at.eq(now),
                        ))
                        .on_conflict(login_throttle::key)
                        .do_update()
                        .set((
                            login_throttle::failures.eq(case_when(
                                lock_ended,
                                1.into_sql::<Integer>(),
                            )
                            .otherwise(login_throttle::failures + 1)),
                            login_throttle::locked_until.eq(case_when(
                                lock_ended,
                                None::<NaiveDateTime>.into_sql::<Nullable<SqlTimestamp>>(),
                            )
                            .otherwise(login_throttle::locked_until)),
                            login_throttle::updated_at.eq(now),
                        ))
                        .execute(inner)
                })?;
                // This transaction now holds the row (PostgreSQL's row lock,
                // SQLite's write lock), so what it reads is what it wrote.
                let (failures, locked_until) = read(conn, &key)?;
                if let Some(until) = locked_until {
                    return Ok::<_, StoreError>(Some(from_db(until)));
                }
                // More attempts than the limit at once: this one waits for
                // the lockout instead of being checked.
                if u32::try_from(failures).is_ok_and(|n| n > policy.max_failures) {
                    lock(conn, &key, lock_end)?;
                    return Ok(Some(from_db(lock_end)));
                }
                Ok(None)
            })
        })
        .await
        .map_err(InfraError::from)
    }

    async fn record_failure(
        &self,
        key: &str,
        now: Timestamp,
        policy: LockoutPolicy,
        effects: Effects,
        lock_effects: Effects,
    ) -> Result<Option<Timestamp>, InfraError> {
        let key = key.to_owned();
        let lock_end = to_db(lock_end(now, policy)?);
        self.run(move |conn| {
            write_transaction(conn, |conn| {
                // No row: a success cleared the count meanwhile.
                let row = read(conn, &key).optional()?;
                // Only the failure that reaches the limit locks (and reports
                // it); later ones during the lockout leave its end alone.
                let locked = match row {
                    Some((failures, None)) if reached(failures, policy) => {
                        lock(conn, &key, lock_end)?;
                        Some(from_db(lock_end))
                    }
                    _ => None,
                };
                let now = from_db(to_db(now));
                effects::apply(conn, &effects, now)?;
                if locked.is_some() {
                    effects::apply(conn, &lock_effects, now)?;
                }
                Ok::<_, StoreError>(locked)
            })
        })
        .await
        .map_err(InfraError::from)
    }

    async fn clear(&self, key: &str) -> Result<(), InfraError> {
        let key = key.to_owned();
        self.run(move |conn| {
            diesel::delete(login_throttle::table.find(key)).execute(conn)?;
            Ok(())
        })
        .await
        .map_err(InfraError::from)
    }
}

/// The failure count and lock end of `key` (`NotFound` when it has none).
fn read(conn: &mut DbConnection, key: &str) -> QueryResult<(i32, Option<NaiveDateTime>)> {
    login_throttle::table
        .find(key)
        .select((login_throttle::failures, login_throttle::locked_until))
        .first(conn)
}
