use domain::{GetUserError, User, UserId};

use super::Administration;

/// Which account to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GetUserQuery {
    pub user_id: UserId,
}

impl Administration {
    /// The account with this id.
    ///
    /// # Errors
    /// `NotFound`; `Infra`.
    pub async fn get_user(&self, query: GetUserQuery) -> Result<User, GetUserError> {
        self.users
            .find_by_id(query.user_id)
            .await?
            .ok_or(GetUserError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[tokio::test]
    async fn get_user_answers_the_stored_account() {
        let mut ports = MockPorts::new();
        let account = user();
        let (id, stored) = (account.id, account.clone());
        ports
            .users
            .expect_find_by_id()
            .withf(move |found| *found == id)
            .return_once(move |_| Ok(Some(stored)));

        let found = ports
            .administration()
            .get_user(GetUserQuery { user_id: id })
            .await
            .unwrap();

        assert_eq!(found, account);
    }

    #[tokio::test]
    async fn an_unknown_id_is_not_found() {
        let mut ports = MockPorts::new();
        ports.users.expect_find_by_id().returning(|_| Ok(None));

        let result = ports
            .administration()
            .get_user(GetUserQuery {
                user_id: UserId::generate(),
            })
            .await;

        assert!(matches!(result, Err(GetUserError::NotFound)));
    }
}
