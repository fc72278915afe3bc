//! `MfaRepository` on both backends: TOTP enrolments, recovery codes and
//! the `mfa_token`s of logins waiting for their second step.
//!
//! Every write locks the user's row first (PostgreSQL; SQLite's
//! `BEGIN IMMEDIATE` lets one writer in), the order every account change
//! keeps, so these never deadlock with a reset or a deletion. Codes are used
//! up by conditional updates (`last_used_step < step`, `used_at IS NULL`):
//! of two concurrent uses, the second re-reads the row after the first
//! commits and matches nothing.

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::ports::MfaRepository;
use domain::{
    CodeUse, CodeUseError, Effects, InfraError, MfaLogin, MfaLoginError, MfaRemoval, MfaToken,
    NewMfaToken, SealedSecret, Session, Timestamp, TokenHash, TotpConfirmation, TotpEnrolment,
    TotpStartError, UserId,
};

use crate::connection::DbConnection;
use crate::database::Database;
use crate::error::StoreError;
use crate::rows::{from_db, stored, to_db};
use crate::schema::{mfa_tokens, recovery_codes, totp_enrolments, users};
use crate::users::{Abort, RowLock, lock_user, refusable};
use crate::{effects, sessions};

/// Why a two-factor write was refused.
#[derive(Clone, Copy)]
enum Refused {
    UserNotFound,
    AlreadyEnabled,
    Code,
    Token,
    CredentialsChanged,
}

type Outcome<T> = Result<T, Abort<Refused>>;

fn step_to_db(step: u64) -> Result<i64, StoreError> {
    i64::try_from(step)
        .map_err(|_| StoreError::corrupt("totp_enrolments", "-", "step out of range"))
}

/// Deletes every `mfa_token` of `user_id` (their logins must start again).
pub(crate) fn delete_login_tokens_of(
    conn: &mut DbConnection,
    user_id: UserId,
) -> QueryResult<usize> {
    diesel::delete(mfa_tokens::table.filter(mfa_tokens::user_id.eq(user_id.to_string())))
        .execute(conn)
}

/// Locks the user's row (`NotFound` when missing).
fn lock(conn: &mut DbConnection, user_id: UserId, lock: RowLock) -> Outcome<()> {
    lock_user(conn, &user_id.to_string(), lock)?
        .map(|_| ())
        .ok_or(Abort::Refused(Refused::UserNotFound))
}

/// Whether the user's enrolment is confirmed.
fn is_on(conn: &mut DbConnection, user_id: &str) -> QueryResult<bool> {
    let confirmed: Option<Option<NaiveDateTime>> = totp_enrolments::table
        .find(user_id)
        .select(totp_enrolments::confirmed_at)
        .get_result(conn)
        .optional()?;
    Ok(matches!(confirmed, Some(Some(_))))
}

/// Uses up `code` of a user whose two-factor is on, or refuses.
fn use_code(
    conn: &mut DbConnection,
    user_id: &str,
    code: &CodeUse,
    at: NaiveDateTime,
) -> Outcome<()> {
    let used = match code {
        CodeUse::TotpStep(step) => {
            let step = step_to_db(*step)?;
            diesel::update(
                totp_enrolments::table
                    .find(user_id)
                    .filter(totp_enrolments::confirmed_at.is_not_null())
                    .filter(
                        totp_enrolments::last_used_step
                            .is_null()
                            .or(totp_enrolments::last_used_step.lt(step)),
                    ),
            )
            .set(totp_enrolments::last_used_step.eq(step))
            .execute(conn)?
        }
        CodeUse::RecoveryCode(hash) => {
            if !is_on(conn, user_id)? {
                return Err(Abort::Refused(Refused::Code));
            }
            diesel::update(
                recovery_codes::table
                    .find((user_id, hash.expose()))
                    .filter(recovery_codes::used_at.is_null()),
            )
            .set(recovery_codes::used_at.eq(at))
            .execute(conn)?
        }
    };
    if used == 1 {
        Ok(())
    } else {
        Err(Abort::Refused(Refused::Code))
    }
}

/// Replaces the user's recovery codes by `codes`, unused.
fn store_codes(
    conn: &mut DbConnection,
    user_id: &str,
    codes: &[TokenHash],
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    let rows: Vec<_> = codes
        .iter()
        .map(|hash| {
            (
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(hash.expose()),
                recovery_codes::created_at.eq(at),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(recovery_codes::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

fn set_mfa_enabled(conn: &mut DbConnection, user_id: &str, on: bool) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::mfa_enabled.eq(on))
        .execute(conn)
}

#[derive(Queryable)]
struct EnrolmentRow {
    user_id: String,
    sealed_secret: Vec<u8>,
    created_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
    last_used_step: Option<i64>,
}

impl TryFrom<EnrolmentRow> for TotpEnrolment {
    type Error = StoreError;

    fn try_from(row: EnrolmentRow) -> Result<Self, StoreError> {
        let corrupt = |problem: &str| StoreError::corrupt("totp_enrolments", &row.user_id, problem);
        Ok(Self {
            user_id: row
                .user_id
                .parse::<UserId>()
                .map_err(|_| corrupt("bad user id"))?,
            sealed_secret: SealedSecret::new(row.sealed_secret),
            created_at: from_db(row.created_at),
            confirmed_at: row.confirmed_at.map(from_db),
            last_used_step: row
                .last_used_step
                .map(u64::try_from)
                .transpose()
                .map_err(|_| corrupt("negative step"))?,
        })
    }
}

fn code_use_error(result: Result<Result<(), Refused>, StoreError>) -> Result<(), CodeUseError> {
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(CodeUseError::CodeRefused),
        Err(error) => Err(CodeUseError::Infra(error.into())),
    }
}

#[async_trait]
impl MfaRepository for Database {
    async fn find_enrolment(&self, user_id: UserId) -> Result<Option<TotpEnrolment>, InfraError> {
        self.run(move |conn| {
            totp_enrolments::table
                .find(user_id.to_string())
                .select((
                    totp_enrolments::user_id,
                    totp_enrolments::sealed_secret,
                    totp_enrolments::created_at,
                    totp_enrolments::confirmed_at,
                    totp_enrolments::last_used_step,
                ))
                .get_result::<EnrolmentRow>(conn)
                .optional()?
                .map(TotpEnrolment::try_from)
                .transpose()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn start_enrolment(
        &self,
        user_id: UserId,
        sealed_secret: SealedSecret,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), TotpStartError> {
        let result = self
            .run(move |conn| {
                refusable(conn, |conn| {
                    lock(conn, user_id, RowLock::NoKeyUpdate)?;
                    let id = user_id.to_string();
                    if is_on(conn, &id)? {
                        return Err(Abort::Refused(Refused::AlreadyEnabled));
                    }
                    diesel::delete(totp_enrolments::table.find(&id)).execute(conn)?;
                    diesel::insert_into(totp_enrolments::table)
                        .values((
                            totp_enrolments::user_id.eq(&id),
                            totp_enrolments::sealed_secret.eq(sealed_secret.as_bytes()),
                            totp_enrolments::created_at.eq(to_db(at)),
                        ))
                        .execute(conn)?;
                    effects::apply(conn, &effects, at)?;
                    Ok(())
                })
            })
            .await;
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Refused::AlreadyEnabled)) => Err(TotpStartError::AlreadyEnabled),
            Ok(Err(_)) => Err(TotpStartError::UserNotFound),
            Err(error) => Err(TotpStartError::Infra(error.into())),
        }
    }

    async fn confirm_enrolment(
        &self,
        confirmation: TotpConfirmation,
        effects: Effects,
    ) -> Result<(), CodeUseError> {
        let result = self
            .run(move |conn| {
                refusable(conn, |conn| {
                    let c = &confirmation;
                    lock(conn, c.user_id, RowLock::NoKeyUpdate)?;
                    let id = c.user_id.to_string();
                    let at = to_db(c.at);
                    let confirmed = diesel::update(
                        totp_enrolments::table
                            .find(&id)
                            .filter(totp_enrolments::confirmed_at.is_null())
                            .filter(totp_enrolments::sealed_secret.eq(c.sealed_secret.as_bytes())),
                    )
                    .set((
                        totp_enrolments::confirmed_at.eq(at),
                        totp_enrolments::last_used_step.eq(step_to_db(c.step)?),
                    ))
                    .execute(conn)?;
                    if confirmed != 1 {
                        return Err(Abort::Refused(Refused::Code));
                    }
                    store_codes(conn, &id, &c.recovery_codes, at)?;
                    set_mfa_enabled(conn, &id, true)?;
                    sessions::end_of_user(conn, c.user_id, c.end_sessions, at)?;
                    effects::apply(conn, &effects, c.at)?;
                    Ok(())
                })
            })
            .await;
        code_use_error(result)
    }

    async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        code: CodeUse,
        codes: Vec<TokenHash>,
        at: Timestamp,
        effects: Effects,
    ) -> Result<(), CodeUseError> {
        let result = self
            .run(move |conn| {
                refusable(conn, |conn| {
                    lock(conn, user_id, RowLock::NoKeyUpdate)
                        .map_err(|_| Abort::Refused(Refused::Code))?;
                    let id = user_id.to_string();
                    use_code(conn, &id, &code, to_db(at))?;
                    store_codes(conn, &id, &codes, to_db(at))?;
                    effects::apply(conn, &effects, at)?;
                    Ok(())
                })
            })
            .await;
        code_use_error(result)
    }

    async fn remove(&self, removal: MfaRemoval, effects: Effects) -> Result<(), CodeUseError> {
        let result = self
            .run(move |conn| {
                refusable(conn, |conn| {
                    let r = &removal;
                    lock(conn, r.user_id, RowLock::NoKeyUpdate)
                        .map_err(|_| Abort::Refused(Refused::Code))?;
                    let id = r.user_id.to_string();
                    let at = to_db(r.at);
                    if !is_on(conn, &id)? {
                        return Err(Abort::Refused(Refused::Code));
                    }
                    if let Some(code) = &r.code {
                        use_code(conn, &id, code, at)?;
                    }
                    diesel::delete(totp_enrolments::table.find(&id)).execute(conn)?;
                    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(&id)))
                        .execute(conn)?;
                    set_mfa_enabled(conn, &id, false)?;
                    sessions::end_of_user(conn, r.user_id, r.end_sessions, at)?;
                    effects::apply(conn, &effects, r.at)?;
                    Ok(())
                })
            })
            .await;
        code_use_error(result)
    }

    async fn issue_login_token(&self, token: NewMfaToken) -> Result<(), InfraError> {
        self.run(move |conn| {
            let id = token.user_id.to_string();
            let now = to_db(token.created_at);
            diesel::delete(
                mfa_tokens::table
                    .filter(mfa_tokens::user_id.eq(&id))
                    .filter(mfa_tokens::expires_at.le(now)),
            )
            .execute(conn)?;
            diesel::insert_into(mfa_tokens::table)
                .values((
                    mfa_tokens::token_hash.eq(token.hash.expose()),
                    mfa_tokens::user_id.eq(&id),
                    mfa_tokens::created_at.eq(now),
                    mfa_tokens::expires_at.eq(to_db(token.expires_at)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(InfraError::from)
    }

    async fn find_login_token(&self, hash: &TokenHash) -> Result<Option<MfaToken>, InfraError> {
        let hash = hash.expose().to_owned();
        self.run(move |conn| {
            let row: Option<(String, NaiveDateTime, NaiveDateTime, Option<NaiveDateTime>)> =
                mfa_tokens::table
                    .find(&hash)
                    .select((
                        mfa_tokens::user_id,
                        mfa_tokens::created_at,
                        mfa_tokens::expires_at,
                        mfa_tokens::used_at,
                    ))
                    .get_result(conn)
                    .optional()?;
            row.map(|(user_id, created_at, expires_at, used_at)| {
                Ok(MfaToken {
                    user_id: user_id
                        .parse::<UserId>()
                        .map_err(|_| StoreError::corrupt("mfa_tokens", "-", "bad user id"))?,
                    created_at: from_db(created_at),
                    expires_at: from_db(expires_at),
                    used_at: used_at.map(from_db),
                })
            })
            .transpose()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn complete_login(
        &self,
        login: MfaLogin,
        effects: Effects,
    ) -> Result<Session, MfaLoginError> {
        let login = MfaLogin {
            session: domain::NewSession {
                created_at: stored(login.session.created_at),
                ..login.session
            },
            ..login
        };
        let result = self
            .run(move |conn| {
                refusable(conn, |conn| {
                    let session = &login.session;
                    let id = session.user_id.to_string();
                    let at = to_db(session.created_at);
                    // The user's row first (held FOR SHARE by this check).
                    if !sessions::still_opens(conn, session)? {
                        return Err(Abort::Refused(Refused::CredentialsChanged));
                    }
                    let used = diesel::update(
                        mfa_tokens::table
                            .find(login.token.expose())
                            .filter(mfa_tokens::user_id.eq(&id))
                            .filter(mfa_tokens::used_at.is_null())
                            .filter(mfa_tokens::expires_at.gt(at)),
                    )
                    .set(mfa_tokens::used_at.eq(at))
                    .execute(conn)?;
                    if used != 1 {
                        return Err(Abort::Refused(Refused::Token));
                    }
                    use_code(conn, &id, &login.code, at)?;
                    sessions::insert_session(conn, session, &effects)?
                        .ok_or(Abort::Refused(Refused::CredentialsChanged))
                })
            })
            .await;
        match result {
            Ok(Ok(session)) => Ok(session),
            Ok(Err(Refused::Code)) => Err(MfaLoginError::CodeRefused),
            Ok(Err(Refused::Token)) => Err(MfaLoginError::TokenUnusable),
            Ok(Err(_)) => Err(MfaLoginError::CredentialsChanged),
            Err(error) => Err(MfaLoginError::Infra(error.into())),
        }
    }
}
