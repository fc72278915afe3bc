//! `SessionRepository` on both backends: sessions and their refresh tokens.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ports::SessionRepository;
use domain::{
    Effects, EndSessions, InfraError, NewSession, RefreshRetry, RefreshRotation, RefreshTokenState,
    SealedSecret, Session, SessionCreationError, SessionId, Timestamp, TokenHash, User, UserId,
};

use crate::connection::{DbConnection, on_backend, write_transaction};
use crate::database::Database;
use crate::effects;
use crate::error::StoreError;
use crate::rows::{NewSessionRow, SessionRow, UserRow, from_db, to_db};
use crate::schema::{refresh_tokens, sessions, users};

/// Why a rotation's transaction rolled back.
enum Rotation {
    /// The token was not current, or the session is revoked: not an error.
    Lost,
    Failed(StoreError),
}

impl From<diesel::result::Error> for Rotation {
    fn from(error: diesel::result::Error) -> Self {
        Self::Failed(error.into())
    }
}

fn load_session(conn: &mut DbConnection, id: &str) -> Result<Option<Session>, StoreError> {
    sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .get_result(conn)
        .optional()?
        .map(Session::try_from)
        .transpose()
}

fn insert_refresh_token(
    conn: &mut DbConnection,
    hash: &TokenHash,
    session_id: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(hash.expose()),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::created_at.eq(at),
        ))
        .execute(conn)
}

/// Erases the retries kept on the tokens of session `id` (but `except`).
fn erase_retries_of(
    conn: &mut DbConnection,
    id: &str,
    except: Option<&TokenHash>,
) -> QueryResult<usize> {
    let kept = refresh_tokens::table
        .filter(refresh_tokens::session_id.eq(id))
        .filter(refresh_tokens::retry_until.is_not_null())
        // No stored hash is empty: `""` excepts nothing.
        .filter(refresh_tokens::token_hash.ne(except.map_or("", TokenHash::expose)));
    diesel::update(kept)
        .set((
            refresh_tokens::successor_sealed.eq(None::<Vec<u8>>),
            refresh_tokens::retry_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// Revokes at `at` every unrevoked session of `user_id` that `which` names,
/// on `conn`, which the caller has inside its transaction. Their refresh
/// tokens die with them: a rotation needs an unrevoked session.
pub(crate) fn end_of_user(
    conn: &mut DbConnection,
    user_id: UserId,
    which: EndSessions,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    // Pending `mfa_token`s (logins waiting for their second step) go
    // too: no session may open from before the change.
    if which != EndSessions::None {
        crate::mfa::delete_login_tokens_of(conn, user_id)?;
    }
    let of_user = sessions::table
        .filter(sessions::user_id.eq(user_id.to_string()))
        .filter(sessions::revoked_at.is_null());
    match which {
        EndSessions::None => Ok(0),
        EndSessions::All => diesel::update(of_user)
            .set(sessions::revoked_at.eq(at))
            .execute(conn),
        EndSessions::AllExcept(keep) => {
            diesel::update(of_user.filter(sessions::id.ne(keep.to_string())))
                .set(sessions::revoked_at.eq(at))
                .execute(conn)
        }
    }
}

/// Whether the user of `session` still exists, is active and has the
/// password hash the login checked, with the user's row held (`FOR SHARE`
/// on PostgreSQL: a reset's or change's update waits for this transaction,
/// and then ends the session it inserts; SQLite's write transaction holds
/// the file).
pub(crate) fn still_opens(conn: &mut DbConnection, session: &NewSession) -> QueryResult<bool> {
    let user = users::table
        .find(session.user_id.to_string())
        .select((users::password_hash, users::is_active));
    let found: Option<(String, bool)> = match conn {
        DbConnection::Pg(pg) => user.for_share().get_result(pg).optional()?,
        DbConnection::Sqlite(sqlite) => user.get_result(sqlite).optional()?,
    };
    Ok(found.is_some_and(|(hash, is_active)| is_active && hash == session.opened_with.expose()))
}

/// Inserts `session` with its first refresh token and applies `effects`,
/// on `conn`, inside the caller's transaction, when [`still_opens`] holds;
/// `None` (nothing written) when it does not.
pub(crate) fn insert_session(
    conn: &mut DbConnection,
    session: &NewSession,
    effects: &Effects,
) -> Result<Option<Session>, StoreError> {
    if !still_opens(conn, session)? {
        return Ok(None);
    }
    let row = NewSessionRow::from(session);
    diesel::insert_into(sessions::table)
        .values(&row)
        .execute(conn)?;
    let id = session.id.to_string();
    insert_refresh_token(conn, &session.refresh_hash, &id, to_db(session.created_at))?;
    effects::apply(conn, effects, session.created_at)?;
    // Read back rather than echo `session`, so the caller gets the
    // timestamps exactly as stored.
    load_session(conn, &id)?
        .ok_or_else(|| StoreError::corrupt("sessions", id, "missing right after insert"))
        .map(Some)
}

#[async_trait]
impl SessionRepository for Database {
    async fn create(
        &self,
        session: NewSession,
        effects: Effects,
    ) -> Result<Session, SessionCreationError> {
        self.run(move |conn| {
            write_transaction(conn, |conn| insert_session(conn, &session, &effects))
        })
        .await
        .map_err(InfraError::from)?
        .ok_or(SessionCreationError::CredentialsChanged)
    }

    async fn find(&self, id: SessionId) -> Result<Option<Session>, InfraError> {
        self.run(move |conn| load_session(conn, &id.to_string()))
            .await
            .map_err(InfraError::from)
    }

    async fn find_with_user(&self, id: SessionId) -> Result<Option<(Session, User)>, InfraError> {
        // Every authenticated request: the short read that may run inline.
        self.read(move |conn| {
            let found: Option<(SessionRow, UserRow)> = sessions::table
                .inner_join(users::table)
                .filter(sessions::id.eq(id.to_string()))
                .select((SessionRow::as_select(), UserRow::as_select()))
                .get_result(conn)
                .optional()?;
            found
                .map(|(session, user)| Ok((Session::try_from(session)?, User::try_from(user)?)))
                .transpose()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn find_by_refresh_hash(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<RefreshTokenState>, InfraError> {
        let hash = hash.expose().to_owned();
        self.run(move |conn| {
            type Found = (
                SessionRow,
                Option<NaiveDateTime>,
                Option<Vec<u8>>,
                Option<NaiveDateTime>,
            );
            let found: Option<Found> = refresh_tokens::table
                .inner_join(sessions::table)
                .filter(refresh_tokens::token_hash.eq(hash))
                .select((
                    SessionRow::as_select(),
                    refresh_tokens::rotated_at,
                    refresh_tokens::successor_sealed,
                    refresh_tokens::retry_until,
                ))
                .get_result(conn)
                .optional()?;
            found
                .map(|(row, rotated_at, sealed, until)| {
                    let session = Session::try_from(row)?;
                    Ok(match rotated_at {
                        None => RefreshTokenState::Current(session),
                        Some(_) => RefreshTokenState::Rotated {
                            session,
                            retry: sealed.zip(until).map(|(sealed, until)| RefreshRetry {
                                successor: SealedSecret::new(sealed),
                                until: from_db(until),
                            }),
                        },
                    })
                })
                .transpose()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn rotate_refresh(
        &self,
        rotation: RefreshRotation,
        effects: Effects,
    ) -> Result<Option<Session>, InfraError> {
        let rotated = self
            .run(move |conn| {
                let outcome = write_transaction(conn, |conn| {
                    let id = rotation.session_id.to_string();
                    let now = to_db(rotation.now);
                    // The session row first: this takes its row lock on
                    // PostgreSQL, so a concurrent revoke or rotation of the
                    // same session waits here and then sees the outcome. It
                    // comes back as updated (nothing below changes it), so
                    // no read closes the transaction.
                    let live: Option<SessionRow> = on_backend!(&mut *conn, |inner| {
                        diesel::update(
                            sessions::table
                                .find(&id)
                                .filter(sessions::revoked_at.is_null()),
                        )
                        .set((
                            sessions::last_used_at.eq(now),
                            sessions::refresh_expires_at.eq(to_db(rotation.refresh_expires_at)),
                        ))
                        .returning(SessionRow::as_returning())
                        .get_result(inner)
                        .optional()
                    })?;
                    let Some(live) = live else {
                        return Err(Rotation::Lost);
                    };
                    // The compare-and-swap proper: only the session's current
                    // token is replaced.
                    let (sealed, until) = rotation.retry.as_ref().map_or((None, None), |retry| {
                        (
                            Some(retry.successor.as_bytes().to_vec()),
                            Some(to_db(retry.until)),
                        )
                    });
                    let swapped = diesel::update(
                        refresh_tokens::table
                            .filter(refresh_tokens::token_hash.eq(rotation.old.expose()))
                            .filter(refresh_tokens::session_id.eq(&id))
                            .filter(refresh_tokens::rotated_at.is_null()),
                    )
                    .set((
                        refresh_tokens::rotated_at.eq(now),
                        refresh_tokens::successor_sealed.eq(sealed),
                        refresh_tokens::retry_until.eq(until),
                    ))
                    .execute(conn)?;
                    if swapped == 0 {
                        // Rolls back the session update above.
                        return Err(Rotation::Lost);
                    }
                    // `old` was the successor of the token before it: used.
                    erase_retries_of(conn, &id, Some(&rotation.old))?;
                    insert_refresh_token(conn, &rotation.new, &id, now)?;
                    effects::apply(conn, &effects, rotation.now)?;
                    Session::try_from(live).map(Some).map_err(Rotation::Failed)
                });
                match outcome {
                    Ok(session) => Ok(session),
                    Err(Rotation::Lost) => Ok(None),
                    Err(Rotation::Failed(error)) => Err(error),
                }
            })
            .await;
        rotated.map_err(InfraError::from)
    }

    async fn revoke(
        &self,
        id: SessionId,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), InfraError> {
        self.run(move |conn| {
            write_transaction(conn, |conn| {
                // Only a live session changes: revoking twice keeps the first
                // revocation time.
                diesel::update(
                    sessions::table
                        .find(id.to_string())
                        .filter(sessions::revoked_at.is_null()),
                )
                .set(sessions::revoked_at.eq(to_db(at)))
                .execute(conn)?;
                erase_retries_of(conn, &id.to_string(), None)?;
                effects::apply(conn, &effects, at)?;
                Ok(())
            })
        })
        .await
        .map_err(InfraError::from)
    }

    async fn list_live(&self, user_id: UserId, now: Timestamp) -> Result<Vec<Session>, InfraError> {
        self.run(move |conn| {
            sessions::table
                .filter(sessions::user_id.eq(user_id.to_string()))
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::expires_at.gt(to_db(now)))
                .order((sessions::last_used_at.desc(), sessions::id.desc()))
                .select(SessionRow::as_select())
                .load(conn)?
                .into_iter()
                .map(Session::try_from)
                .collect()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn erase_ended_retries(&self, now: Timestamp) -> Result<u64, InfraError> {
        self.run(move |conn| {
            let ended = refresh_tokens::table.filter(refresh_tokens::retry_until.le(to_db(now)));
            let erased = diesel::update(ended)
                .set((
                    refresh_tokens::successor_sealed.eq(None::<Vec<u8>>),
                    refresh_tokens::retry_until.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
            Ok(u64::try_from(erased).unwrap_or(u64::MAX))
        })
        .await
        .map_err(InfraError::from)
    }
}
