//! `OneTimeTokenRepository` on both backends, and the storing of tokens that
//! travel in `Effects` (through [`effects::apply`]).

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ports::OneTimeTokenRepository;
use domain::{Effects, InfraError, NewOneTimeToken, OneTimeToken, TokenHash, TokenPurpose, UserId};

use crate::connection::{DbConnection, write_transaction};
use crate::database::Database;
use crate::effects;
use crate::rows::{NewOneTimeTokenRow, OneTimeTokenRow, to_db};
use crate::schema::one_time_tokens;

/// Stores `tokens` on `conn`, which the caller has inside its transaction:
/// each first voids (marks used at its `created_at`) every unused token of
/// the same user and purpose, so only the newest link works.
pub(crate) fn store(conn: &mut DbConnection, tokens: &[NewOneTimeToken]) -> QueryResult<()> {
    for token in tokens {
        void(
            conn,
            token.user_id,
            &[token.purpose],
            to_db(token.created_at),
        )?;
        diesel::insert_into(one_time_tokens::table)
            .values(NewOneTimeTokenRow::from(token))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks every unused token of `user_id` with one of `purposes` used at
/// `at`: those links stop working.
pub(crate) fn void(
    conn: &mut DbConnection,
    user_id: UserId,
    purposes: &[TokenPurpose],
    at: NaiveDateTime,
) -> QueryResult<()> {
    if purposes.is_empty() {
        return Ok(());
    }
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::user_id.eq(user_id.to_string()))
            .filter(one_time_tokens::purpose.eq_any(purposes.iter().map(|p| p.as_str())))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(at))
    .execute(conn)?;
    Ok(())
}

/// Uses up the token `hash` of `user_id` at `at`, if it is still usable
/// then: a compare-and-swap, so of two concurrent consumers one wins.
/// Whether it did.
pub(crate) fn consume(
    conn: &mut DbConnection,
    hash: &TokenHash,
    user_id: UserId,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let consumed = diesel::update(
        one_time_tokens::table
            .find(hash.expose())
            .filter(one_time_tokens::user_id.eq(user_id.to_string()))
            .filter(one_time_tokens::used_at.is_null())
            .filter(one_time_tokens::expires_at.gt(at)),
    )
    .set(one_time_tokens::used_at.eq(at))
    .execute(conn)?;
    Ok(consumed == 1)
}

#[async_trait]
impl OneTimeTokenRepository for Database {
    async fn issue(&self, token: NewOneTimeToken, effects: Effects) -> Result<(), InfraError> {
        self.run(move |conn| {
            write_transaction(conn, |conn| {
                // The same path as a token carried in `Effects::tokens`.
                store(conn, std::slice::from_ref(&token))?;
                effects::apply(conn, &effects, token.created_at)?;
                Ok(())
            })
        })
        .await
        .map_err(InfraError::from)
    }

    async fn find(&self, hash: &TokenHash) -> Result<Option<OneTimeToken>, InfraError> {
        let hash = hash.expose().to_owned();
        self.run(move |conn| {
            one_time_tokens::table
                .find(hash)
                .select(OneTimeTokenRow::as_select())
                .get_result(conn)
                .optional()?
                .map(OneTimeToken::try_from)
                .transpose()
        })
        .await
        .map_err(InfraError::from)
    }
}
