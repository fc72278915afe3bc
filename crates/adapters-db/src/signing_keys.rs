//! `SigningKeyStore` on both backends: one row per key. The first keys
//! are made once by a partial unique index (one `current` and one `next`
//! per algorithm): of processes racing on an empty table, the second insert
//! waits for the first (PostgreSQL) or for the write lock (SQLite's `BEGIN
//! IMMEDIATE`), then fails or finds the keys, and writes nothing. A
//! rotation is a compare-and-swap on the current key's row (`state =
//! 'current'` and its id): a concurrent rotation re-reads the row after
//! the first commits and matches nothing.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::ports::SigningKeyStore;
use domain::{
    InfraError, KeyId, KeyState, NewSigningKey, PublicKey, SealedSecret, SigningAlgorithm,
    SigningKey, Timestamp,
};

use crate::connection::{DbConnection, write_transaction};
use crate::database::Database;
use crate::error::StoreError;
use crate::rows::{from_db, to_db};
use crate::schema::signing_keys;

#[derive(Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
struct SigningKeyRow {
    id: String,
    algorithm: String,
    state: String,
    public_x: String,
    public_y: Option<String>,
    sealed_private: Vec<u8>,
    created_at: NaiveDateTime,
    activated_at: Option<NaiveDateTime>,
    retired_at: Option<NaiveDateTime>,
}

impl TryFrom<SigningKeyRow> for SigningKey {
    type Error = StoreError;

    fn try_from(row: SigningKeyRow) -> Result<Self, StoreError> {
        let corrupt =
            |problem: String| StoreError::corrupt("signing_keys", row.id.clone(), problem);
        Ok(Self {
            id: row
                .id
                .parse()
                .map_err(|e: uuid::Error| corrupt(e.to_string()))?,
            algorithm: row.algorithm.parse().map_err(corrupt)?,
            state: row.state.parse().map_err(corrupt)?,
            public: PublicKey {
                x: row.public_x,
                y: row.public_y,
            },
            sealed_private: SealedSecret::new(row.sealed_private),
            created_at: from_db(row.created_at),
            activated_at: row.activated_at.map(from_db),
            retired_at: row.retired_at.map(from_db),
        })
    }
}

/// Inserts `key` in `state`, activated at `activated_at`.
fn insert(
    conn: &mut DbConnection,
    key: &NewSigningKey,
    state: KeyState,
    activated_at: Option<Timestamp>,
) -> QueryResult<usize> {
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::id.eq(key.id.to_string()),
            signing_keys::algorithm.eq(key.algorithm.as_str()),
            signing_keys::state.eq(state.as_str()),
            signing_keys::public_x.eq(&key.public.x),
            signing_keys::public_y.eq(key.public.y.as_deref()),
            signing_keys::sealed_private.eq(key.sealed_private.as_bytes()),
            signing_keys::created_at.eq(to_db(key.created_at)),
            signing_keys::activated_at.eq(activated_at.map(to_db)),
        ))
        .execute(conn)
}

/// Why a write was rolled back.
enum Abort {
    /// Another process's write came first; nothing was written.
    Lost,
    Db(DieselError),
}

impl From<DieselError> for Abort {
    fn from(error: DieselError) -> Self {
        Self::Db(error)
    }
}

/// `Ok(false)` for a lost race, the error otherwise.
fn outcome(result: Result<(), Abort>) -> Result<bool, StoreError> {
    match result {
        Ok(()) => Ok(true),
        Err(Abort::Lost) => Ok(false),
        Err(Abort::Db(error)) => Err(error.into()),
    }
}

fn count_of(rows: usize) -> u64 {
    u64::try_from(rows).unwrap_or(u64::MAX)
}

#[async_trait]
impl SigningKeyStore for Database {
    async fn signing_keys(
        &self,
        algorithm: SigningAlgorithm,
    ) -> Result<Vec<SigningKey>, InfraError> {
        self.run(move |conn| {
            signing_keys::table
                .filter(signing_keys::algorithm.eq(algorithm.as_str()))
                .order((signing_keys::created_at.asc(), signing_keys::id.asc()))
                .select(SigningKeyRow::as_select())
                .load(conn)?
                .into_iter()
                .map(SigningKey::try_from)
                .collect::<Result<Vec<_>, StoreError>>()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn create_first_keys(
        &self,
        current: NewSigningKey,
        next: NewSigningKey,
    ) -> Result<bool, InfraError> {
        self.run(move |conn| {
            outcome(write_transaction(conn, |conn| {
                let taken: i64 = signing_keys::table
                    .filter(signing_keys::algorithm.eq(current.algorithm.as_str()))
                    .filter(signing_keys::state.ne(KeyState::Retired.as_str()))
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    return Err(Abort::Lost);
                }
                for (key, state, activated_at) in [
                    (&current, KeyState::Current, Some(current.created_at)),
                    (&next, KeyState::Next, None),
                ] {
                    match insert(conn, key, state, activated_at) {
                        // A concurrent first start inserted the same state
                        // and committed while this insert waited on it.
                        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                            return Err(Abort::Lost);
                        }
                        other => other?,
                    };
                }
                Ok(())
            }))
        })
        .await
        .map_err(InfraError::from)
    }

    async fn rotate_signing_keys(
        &self,
        expected_current: KeyId,
        new_next: NewSigningKey,
        now: Timestamp,
    ) -> Result<bool, InfraError> {
        self.run(move |conn| {
            outcome(write_transaction(conn, |conn| {
                let algorithm = new_next.algorithm.as_str();
                let at = to_db(now);
                let retired = diesel::update(
                    signing_keys::table
                        .filter(signing_keys::id.eq(expected_current.to_string()))
                        .filter(signing_keys::algorithm.eq(algorithm))
                        .filter(signing_keys::state.eq(KeyState::Current.as_str())),
                )
                .set((
                    signing_keys::state.eq(KeyState::Retired.as_str()),
                    signing_keys::retired_at.eq(Some(at)),
                ))
                .execute(conn)?;
                if retired != 1 {
                    return Err(Abort::Lost);
                }
                let promoted = diesel::update(
                    signing_keys::table
                        .filter(signing_keys::algorithm.eq(algorithm))
                        .filter(signing_keys::state.eq(KeyState::Next.as_str())),
                )
                .set((
                    signing_keys::state.eq(KeyState::Current.as_str()),
                    signing_keys::activated_at.eq(Some(at)),
                ))
                .execute(conn)?;
                if promoted != 1 {
                    return Err(Abort::Lost);
                }
                insert(conn, &new_next, KeyState::Next, None)?;
                Ok(())
            }))
        })
        .await
        .map_err(InfraError::from)
    }

    async fn delete_retired_keys(
        &self,
        algorithm: SigningAlgorithm,
        retired_before: Timestamp,
    ) -> Result<u64, InfraError> {
        self.run(move |conn| {
            let deleted = diesel::delete(
                signing_keys::table
                    .filter(signing_keys::algorithm.eq(algorithm.as_str()))
                    .filter(signing_keys::state.eq(KeyState::Retired.as_str()))
                    .filter(signing_keys::retired_at.lt(to_db(retired_before))),
            )
            .execute(conn)?;
            Ok(count_of(deleted))
        })
        .await
        .map_err(InfraError::from)
    }
}
