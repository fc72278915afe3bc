use domain::{EventCursor, ListEventsError, UserId};

use super::Account;
use crate::support::event_pages::{EventPage, event_page};

/// Which page of whose security trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListEventsQuery {
    pub user_id: UserId,
    /// At least 1.
    pub limit: u32,
    /// Only events strictly older than this position.
    pub after: Option<EventCursor>,
}

impl Account {
    /// Up to `limit` (at least 1) security events of `user_id`, newest
    /// first, strictly older than `after` when given (see [`event_page`]).
    ///
    /// # Errors
    /// `Infra` only.
    pub async fn list_events(&self, query: ListEventsQuery) -> Result<EventPage, ListEventsError> {
        let ListEventsQuery {
            user_id,
            limit,
            after,
        } = query;
        Ok(event_page(self.events.as_ref(), user_id, limit, after).await?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use domain::{EventKind, InfraError, SecurityEvent};
    use uuid::Uuid;

    use super::*;
    use crate::test_support::*;

    /// `count` events of `user_id`, newest first, one minute apart.
    fn events(user_id: UserId, count: i64) -> Vec<SecurityEvent> {
        (0..count)
            .map(|minutes| SecurityEvent {
                id: Uuid::now_v7(),
                user_id,
                kind: EventKind::LoginSucceeded,
                at: now() - Duration::minutes(minutes),
                ip: None,
                user_agent: None,
                detail: None,
            })
            .collect()
    }

    #[tokio::test]
    async fn list_events_asks_for_one_more_than_the_limit_after_the_cursor() {
        let mut ports = MockPorts::new();
        let user_id = UserId::generate();
        let after = EventCursor {
            at: now(),
            id: Uuid::now_v7(),
        };
        ports
            .events
            .expect_list_for_user()
            .withf(move |id, limit, cursor| {
                *id == user_id && *limit == 21 && *cursor == Some(after)
            })
            .times(1)
            .returning(|_, _, _| Ok(Vec::new()));

        let page = ports
            .account()
            .list_events(ListEventsQuery {
                user_id,
                limit: 20,
                after: Some(after),
            })
            .await
            .unwrap();

        assert_eq!(
            page,
            EventPage {
                items: Vec::new(),
                next_cursor: None
            }
        );
    }

    #[tokio::test]
    async fn a_page_followed_by_more_events_is_cut_to_the_limit_and_points_past_its_last_item() {
        let mut ports = MockPorts::new();
        let user_id = UserId::generate();
        let stored = events(user_id, 3);
        let expected = stored[..2].to_vec();
        ports
            .events
            .expect_list_for_user()
            .return_once(move |_, _, _| Ok(stored));

        let page = ports
            .account()
            .list_events(ListEventsQuery {
                user_id,
                limit: 2,
                after: None,
            })
            .await
            .unwrap();

        assert_eq!(
            page.next_cursor,
            Some(EventCursor {
                at: expected[1].at,
                id: expected[1].id
            })
        );
        assert_eq!(page.items, expected);
    }

    #[tokio::test]
    async fn a_page_that_holds_the_last_events_has_no_next_cursor() {
        let mut ports = MockPorts::new();
        let user_id = UserId::generate();
        let stored = events(user_id, 2);
        let expected = stored.clone();
        ports
            .events
            .expect_list_for_user()
            .return_once(move |_, _, _| Ok(stored));

        let page = ports
            .account()
            .list_events(ListEventsQuery {
                user_id,
                limit: 2,
                after: None,
            })
            .await
            .unwrap();

        assert_eq!(
            page,
            EventPage {
                items: expected,
                next_cursor: None
            }
        );
    }

    #[tokio::test]
    async fn list_events_passes_a_store_failure_on() {
        let mut ports = MockPorts::new();
        ports
            .events
            .expect_list_for_user()
            .returning(|_, _, _| Err(InfraError::unexpected("down")));

        let result = ports
            .account()
            .list_events(ListEventsQuery {
                user_id: UserId::generate(),
                limit: 20,
                after: None,
            })
            .await;

        assert!(result.is_err());
    }
}
