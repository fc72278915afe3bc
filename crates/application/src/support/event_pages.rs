//! Pages of a user's security trail, as the owner and an admin read them.

use domain::ports::SecurityEventRepository;
use domain::{EventCursor, InfraError, SecurityEvent, UserId};

/// One page of a user's security trail, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventPage {
    pub items: Vec<SecurityEvent>,
    /// Where the next page starts: set exactly when more events follow.
    pub next_cursor: Option<EventCursor>,
}

/// Up to `limit` (at least 1) events of `user_id`, newest first, strictly
/// older than `after` when given. One extra event is asked for, so the page
/// knows whether another follows without a second query.
pub(crate) async fn event_page(
    events: &dyn SecurityEventRepository,
    user_id: UserId,
    limit: u32,
    after: Option<EventCursor>,
) -> Result<EventPage, InfraError> {
    let mut items = events
        .list_for_user(user_id, limit.saturating_add(1), after)
        .await?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = items.last().filter(|_| more).map(|last| EventCursor {
        at: last.at,
        id: last.id,
    });
    Ok(EventPage { items, next_cursor })
}
