//! `RateLimitCounter` on both backends: one row per key holding the count
//! of its latest window, bumped by one upsert.

use async_trait::async_trait;
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel::upsert::excluded;
use domain::ports::RateLimitCounter;
use domain::{InfraError, Timestamp};

use crate::connection::{on_backend, write_transaction};
use crate::database::Database;
use crate::error::StoreError;
use crate::rows::to_db;
use crate::schema::rate_limits;

#[async_trait]
impl RateLimitCounter for Database {
    async fn hit(&self, key: &str, window_start: Timestamp) -> Result<u32, InfraError> {
        let key = key.to_owned();
        let window_start = to_db(window_start);
        self.run(move |conn| {
            write_transaction(conn, |conn| {
                // One atomic upsert: the same window counts on, a newer one
                // starts again at 1. The row stays locked (PostgreSQL) or
                // the file (SQLite) until the read below.
                on_backend!(&mut *conn, |inner| {
                    diesel::insert_into(rate_limits::table)
                        .values((
                            rate_limits::key.eq(&key),
                            rate_limits::window_start.eq(window_start),
                            rate_limits::hits.eq(1),
                        ))
                        .on_conflict(rate_limits::key)
                        .do_update()
                        .set((
                            rate_limits::hits.eq(case_when(
                                rate_limits::window_start.eq(excluded(rate_limits::window_start)),
                                rate_limits::hits + 1,
                            )
                            .otherwise(1.into_sql::<Integer>())),
                            rate_limits::window_start.eq(excluded(rate_limits::window_start)),
                        ))
                        .execute(inner)
                })?;
                let hits: i32 = rate_limits::table
                    .find(&key)
                    .select(rate_limits::hits)
                    .get_result(conn)?;
                Ok::<_, StoreError>(u32::try_from(hits).unwrap_or(u32::MAX))
            })
        })
        .await
        .map_err(InfraError::from)
    }

    async fn forget_before(&self, before: Timestamp) -> Result<u64, InfraError> {
        self.run(move |conn| {
            let deleted = diesel::delete(
                rate_limits::table.filter(rate_limits::window_start.lt(to_db(before))),
            )
            .execute(conn)?;
            Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
        })
        .await
        .map_err(InfraError::from)
    }
}
