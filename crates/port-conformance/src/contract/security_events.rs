//! `SecurityEventRepository` contract: reading a user's trail, a page at a
//! time.

use domain::ports::{SecurityEventRepository, UserRepository};
use domain::{
    Effects, EventCursor, EventKind, NewSecurityEvent, SecurityEvent, UserChange, UserId,
};
use uuid::Uuid;

use crate::Harness;
use crate::contract::support::*;

/// Writes `events` (of one user), each in a change of its own.
async fn write<H: Harness>(f: &Fixture<H>, events: &[NewSecurityEvent]) {
    for event in events {
        f.db.apply_change(
            UserChange::new(event.user_id, event.at),
            Effects::event(event.clone()),
        )
        .await
        .unwrap();
    }
}

fn written(event: &SecurityEvent) -> NewSecurityEvent {
    NewSecurityEvent {
        user_id: event.user_id,
        kind: event.kind,
        at: event.at,
        ip: event.ip.clone(),
        user_agent: event.user_agent.clone(),
        detail: event.detail.clone(),
    }
}

fn cursor(event: &SecurityEvent) -> EventCursor {
    EventCursor {
        at: event.at,
        id: event.id,
    }
}

pub(crate) async fn events_are_listed_newest_first_up_to_the_limit_with_every_field<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let login = event(user.id, EventKind::LoginSucceeded, t0() + secs(1));
    let changed = event(user.id, EventKind::PasswordChanged, t0() + secs(3))
        .with_detail("changed by the user");
    let logout = NewSecurityEvent {
        ip: None,
        user_agent: None,
        ..event(user.id, EventKind::LoggedOut, t0() + secs(2))
    };
    write(&f, &[login.clone(), changed.clone(), logout.clone()]).await;

    let all = f.db.list_for_user(user.id, 10, None).await.unwrap();
    let two = f.db.list_for_user(user.id, 2, None).await.unwrap();

    assert_eq!(
        all.iter().map(written).collect::<Vec<_>>(),
        vec![changed, logout, login]
    );
    assert_eq!(two, all[..2]);
    for event in &all {
        assert_eq!(event.id.get_version_num(), 7);
    }
}

pub(crate) async fn only_the_events_of_the_user_are_listed<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    let other = f.user().await;
    let mine = event(user.id, EventKind::LoginSucceeded, t0());
    write(&f, std::slice::from_ref(&mine)).await;
    write(&f, &[event(other.id, EventKind::LoginSucceeded, t0())]).await;

    let listed = f.db.list_for_user(user.id, 10, None).await.unwrap();

    assert_eq!(listed.iter().map(written).collect::<Vec<_>>(), vec![mine]);
    assert_eq!(
        f.db.list_for_user(UserId::generate(), 10, None)
            .await
            .unwrap(),
        vec![]
    );
}

pub(crate) async fn paging_with_after_continues_exactly_where_the_previous_page_ended_even_within_one_instant<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    // Eleven events over three instants: five share the middle one (written
    // in one change), so pages end and start inside it.
    let mut events = vec![event(user.id, EventKind::LoginSucceeded, t0())];
    let middle = t0() + secs(5);
    let shared: Vec<_> = (0..5)
        .map(|_| event(user.id, EventKind::TokenRefreshed, middle))
        .collect();
    let mut effects = Effects::none();
    effects.events.clone_from(&shared);
    f.db.apply_change(UserChange::new(user.id, middle), effects)
        .await
        .unwrap();
    events
        .extend((0..5).map(|i| event(user.id, EventKind::LoginFailed, t0() + secs(10) + secs(i))));
    write(&f, &events).await;
    let all = f.db.list_for_user(user.id, 100, None).await.unwrap();
    assert_eq!(all.len(), 11);
    assert!(
        all.windows(2)
            .all(|pair| (pair[0].at, pair[0].id) > (pair[1].at, pair[1].id)),
        "not in (at, id) descending order: {all:?}"
    );

    for limit in 1..=4 {
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = f.db.list_for_user(user.id, limit, after).await.unwrap();
            assert!(page.len() <= limit as usize);
            let Some(last) = page.last() else { break };
            after = Some(cursor(last));
            paged.extend(page);
        }

        assert_eq!(paged, all, "pages of {limit}");
    }
}

pub(crate) async fn after_is_a_position_and_need_not_name_a_stored_event<H: Harness>(
    f: Fixture<H>,
) {
    let user = f.user().await;
    let early = event(user.id, EventKind::LoginSucceeded, t0());
    let late = event(user.id, EventKind::LoggedOut, t0() + secs(10));
    write(&f, &[early.clone(), late.clone()]).await;
    let between = EventCursor {
        at: t0() + secs(5),
        id: Uuid::now_v7(),
    };
    // At the very instant of `late`, with an id above every stored one.
    let at_late = EventCursor {
        at: late.at,
        id: Uuid::max(),
    };

    let after_between =
        f.db.list_for_user(user.id, 10, Some(between))
            .await
            .unwrap();
    let after_late =
        f.db.list_for_user(user.id, 10, Some(at_late))
            .await
            .unwrap();

    assert_eq!(
        after_between.iter().map(written).collect::<Vec<_>>(),
        vec![early.clone()]
    );
    assert_eq!(
        after_late.iter().map(written).collect::<Vec<_>>(),
        vec![late, early]
    );
}

pub(crate) async fn a_limit_of_zero_lists_nothing<H: Harness>(f: Fixture<H>) {
    let user = f.user().await;
    write(&f, &[event(user.id, EventKind::LoginSucceeded, t0())]).await;

    assert_eq!(f.db.list_for_user(user.id, 0, None).await.unwrap(), vec![]);
}
