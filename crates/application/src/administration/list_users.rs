use domain::{ListUsersError, User, UserCursor, UserFilter};

use super::Administration;

/// Which page of which accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListUsersQuery {
    pub filter: UserFilter,
    /// At least 1.
    pub limit: u32,
    /// Only accounts strictly older than this position.
    pub after: Option<UserCursor>,
}

/// One page of accounts, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserPage {
    pub items: Vec<User>,
    /// Where the next page starts: set exactly when more accounts follow.
    pub next_cursor: Option<UserCursor>,
}

impl Administration {
    /// Up to `limit` accounts matching the filter, newest first by
    /// `(created_at, id)`, strictly older than `after` when given. One extra
    /// account is asked for, so the page knows whether another follows
    /// without a second query.
    ///
    /// # Errors
    /// `Infra` only.
    pub async fn list_users(&self, query: ListUsersQuery) -> Result<UserPage, ListUsersError> {
        let ListUsersQuery {
            filter,
            limit,
            after,
        } = query;
        let mut items = self
            .users
            .list(&filter, limit.saturating_add(1), after)
            .await?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = items.last().filter(|_| more).map(|last| UserCursor {
            created_at: last.created_at,
            id: last.id,
        });
        Ok(UserPage { items, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use domain::{InfraError, Role, UserId};

    use super::*;
    use crate::test_support::*;

    /// `count` accounts, newest first, one minute apart.
    fn accounts(count: i64) -> Vec<User> {
        (0..count)
            .map(|minutes| User {
                id: UserId::generate(),
                created_at: now() - Duration::minutes(minutes),
                ..user()
            })
            .collect()
    }

    fn query(limit: u32) -> ListUsersQuery {
        ListUsersQuery {
            filter: UserFilter::default(),
            limit,
            after: None,
        }
    }

    #[tokio::test]
    async fn list_users_passes_the_filter_and_cursor_on_and_asks_for_one_more() {
        let mut ports = MockPorts::new();
        let after = UserCursor {
            created_at: now(),
            id: UserId::generate(),
        };
        let filter = UserFilter {
            q: Some("ada".into()),
            role: Some(Role::Admin),
            ..UserFilter::default()
        };
        let expected = filter.clone();
        ports
            .users
            .expect_list()
            .withf(move |f, limit, a| *f == expected && *limit == 21 && *a == Some(after))
            .times(1)
            .returning(|_, _, _| Ok(Vec::new()));

        let page = ports
            .administration()
            .list_users(ListUsersQuery {
                filter,
                limit: 20,
                after: Some(after),
            })
            .await
            .unwrap();

        assert_eq!(
            page,
            UserPage {
                items: Vec::new(),
                next_cursor: None,
            }
        );
    }

    #[tokio::test]
    async fn a_full_page_with_more_behind_it_points_at_its_last_account() {
        let mut ports = MockPorts::new();
        let listed = accounts(3);
        let (first_two, last) = (listed[..2].to_vec(), listed[1].clone());
        ports
            .users
            .expect_list()
            .return_once(move |_, _, _| Ok(listed));

        let page = ports.administration().list_users(query(2)).await.unwrap();

        assert_eq!(page.items, first_two);
        assert_eq!(
            page.next_cursor,
            Some(UserCursor {
                created_at: last.created_at,
                id: last.id,
            })
        );
    }

    #[tokio::test]
    async fn an_exactly_full_last_page_has_no_next_cursor() {
        let mut ports = MockPorts::new();
        let listed = accounts(2);
        ports
            .users
            .expect_list()
            .return_once(move |_, _, _| Ok(listed));

        let page = ports.administration().list_users(query(2)).await.unwrap();

        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_cursor, None);
    }

    #[tokio::test]
    async fn a_store_failure_is_infra() {
        let mut ports = MockPorts::new();
        ports
            .users
            .expect_list()
            .returning(|_, _, _| Err(InfraError::unexpected("down")));

        let result = ports.administration().list_users(query(20)).await;

        assert!(matches!(result, Err(ListUsersError::Infra(_))));
    }
}
