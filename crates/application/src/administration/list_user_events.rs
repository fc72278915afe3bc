use domain::{EventCursor, ListUserEventsError, UserId};

use super::Administration;
use crate::support::event_pages::{EventPage, event_page};

/// Which page of which account's security trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListUserEventsQuery {
    pub user_id: UserId,
    /// At least 1.
    pub limit: u32,
    /// Only events strictly older than this position.
    pub after: Option<EventCursor>,
}

impl Administration {
    /// A page of the account's security events, paged as the owner's own
    /// (see [`Account::list_events`](crate::Account::list_events)).
    ///
    /// # Errors
    /// `NotFound` when no account has this id; `Infra`.
    pub async fn list_user_events(
        &self,
        query: ListUserEventsQuery,
    ) -> Result<EventPage, ListUserEventsError> {
        if self.users.find_by_id(query.user_id).await?.is_none() {
            return Err(ListUserEventsError::NotFound);
        }
        Ok(event_page(
            self.events.as_ref(),
            query.user_id,
            query.limit,
            query.after,
        )
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::always;

    use super::*;
    use crate::test_support::*;

    fn query(user_id: UserId) -> ListUserEventsQuery {
        ListUserEventsQuery {
            user_id,
            limit: 20,
            after: None,
        }
    }

    #[tokio::test]
    async fn the_events_of_an_existing_account_are_paged_like_the_owners() {
        let mut ports = MockPorts::new();
        let account = user();
        let user_id = account.id;
        ports
            .users
            .expect_find_by_id()
            .return_once(move |_| Ok(Some(account)));
        ports
            .events
            .expect_list_for_user()
            .withf(move |id, limit, after| *id == user_id && *limit == 21 && after.is_none())
            .times(1)
            .returning(|_, _, _| Ok(Vec::new()));

        let page = ports
            .administration()
            .list_user_events(query(user_id))
            .await
            .unwrap();

        assert_eq!(page.items, []);
        assert_eq!(page.next_cursor, None);
    }

    #[tokio::test]
    async fn an_unknown_account_is_not_found_and_no_event_is_read() {
        let mut ports = MockPorts::new();
        ports.users.expect_find_by_id().returning(|_| Ok(None));
        ports
            .events
            .expect_list_for_user()
            .with(always(), always(), always())
            .never();

        let result = ports
            .administration()
            .list_user_events(query(UserId::generate()))
            .await;

        assert!(matches!(result, Err(ListUserEventsError::NotFound)));
    }
}
