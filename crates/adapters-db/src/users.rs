//! `UserRepository` on both backends.

use async_trait::async_trait;
use diesel::prelude::*;
use domain::ports::UserRepository;
use domain::{CreateUserError, Effects, Email, InfraError, NewUser, PasswordHash, User, UserId};

use crate::connection::write_transaction;
use crate::database::Database;
use crate::effects;
use crate::error::StoreError;
use crate::rows::{NewUserRow, UserRow, stored};
use crate::schema::users;

#[async_trait]
impl UserRepository for Database {
    async fn create(&self, user: NewUser, effects: Effects) -> Result<User, CreateUserError> {
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
        .map_err(CreateUserError::from)
    }

    async fn find_by_id(&self, id: UserId) -> Result<Option<User>, InfraError> {
        self.run(move |conn| {
            users::table
                .find(id.to_string())
                .select(UserRow::as_select())
                .first(conn)
                .optional()?
                .map(User::try_from)
                .transpose()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, InfraError> {
        let email = email.as_str().to_owned();
        self.run(move |conn| {
            users::table
                .filter(users::email.eq(email))
                .select(UserRow::as_select())
                .first(conn)
                .optional()?
                .map(User::try_from)
                .transpose()
        })
        .await
        .map_err(InfraError::from)
    }

    async fn update_password_hash(&self, id: UserId, hash: PasswordHash) -> Result<(), InfraError> {
        self.run(move |conn| {
            diesel::update(users::table.find(id.to_string()))
                .set(users::password_hash.eq(hash.expose()))
                .execute(conn)?;
            Ok(())
        })
        .await
        .map_err(InfraError::from)
    }
}
