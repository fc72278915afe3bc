//! `GET /api/v1/users/me/events`: the page, its cursor, and the strict
//! query parameters.

use actix_web::test::TestRequest;
use chrono::Duration;
use domain::{EventCursor, EventKind, SecurityEvent, UserId};
use mockall::predicate::always;

use crate::support::*;

fn events(query: &str) -> TestRequest {
    bearer(TestRequest::get().uri(&format!("/api/v1/users/me/events{query}")))
}

/// `count` events of `user_id`, newest first, a minute (and a few
/// microseconds) apart.
fn trail(user_id: UserId, count: i64) -> Vec<SecurityEvent> {
    (0..count)
        .map(|n| SecurityEvent {
            id: uuid::Uuid::now_v7(),
            user_id,
            kind: EventKind::LoginSucceeded,
            at: now() - Duration::minutes(n) + Duration::microseconds(123_456),
            ip: Some("192.0.2.10".into()),
            user_agent: None,
            detail: None,
        })
        .collect()
}

fn nothing_listed(fixture: &mut Fixture) {
    fixture
        .events
        .expect_list_for_user()
        .with(always(), always(), always())
        .never();
}

#[actix_web::test]
async fn events_answers_the_first_page_of_twenty_by_default() {
    let mut fixture = Fixture::new();
    let account = user();
    let user_id = account.id;
    fixture.authenticates(&account);
    let stored = vec![SecurityEvent {
        kind: EventKind::PasswordChanged,
        detail: Some("by the user".into()),
        ..trail(user_id, 1).remove(0)
    }];
    let expected = stored[0].clone();
    fixture
        .events
        .expect_list_for_user()
        .times(1)
        .returning(move |id, limit, after| {
            assert_eq!((id, limit, after), (user_id, 21, None));
            Ok(stored.clone())
        });

    let reply = send(&fixture.app(), events("")).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert!(body["next_cursor"].is_null(), "{body}");
    let item = &body["items"][0];
    assert_eq!(item["id"], expected.id.to_string());
    assert_eq!(item["kind"], "password_changed");
    assert_eq!(item["at"], "2026-11-24T12:00:00.123456Z");
    assert_eq!(item["ip"], "192.0.2.10");
    assert!(item["user_agent"].is_null());
    assert_eq!(item["detail"], "by the user");
    assert_eq!(item.as_object().unwrap().len(), 6, "{item}");
}

#[actix_web::test]
async fn next_cursor_leads_to_the_page_after_the_last_item() {
    let mut fixture = Fixture::new();
    let account = user();
    fixture.authenticates(&account);
    let stored = trail(account.id, 3);
    let last_of_first_page = EventCursor {
        at: stored[1].at,
        id: stored[1].id,
    };
    fixture
        .events
        .expect_list_for_user()
        .times(2)
        .returning(move |_, limit, after| {
            assert_eq!(limit, 3);
            match after {
                None => Ok(stored.clone()),
                Some(cursor) => {
                    assert_eq!(cursor, last_of_first_page);
                    Ok(stored[2..].to_vec())
                }
            }
        });
    let app = fixture.app();

    let first = send(&app, events("?limit=2")).await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["items"].as_array().unwrap().len(), 2);
    let cursor = first.json()["next_cursor"].as_str().unwrap().to_owned();
    assert!(
        cursor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{cursor}"
    );
    let second = send(&app, events(&format!("?cursor={cursor}&limit=2"))).await;

    assert_eq!(second.status, 200, "{}", second.text());
    assert_eq!(second.json()["items"].as_array().unwrap().len(), 1);
    assert!(second.json()["next_cursor"].is_null());
}

#[actix_web::test]
async fn each_bad_query_parameter_answers_422_naming_it() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    nothing_listed(&mut fixture);
    let app = fixture.app();

    for (query, field, code) in [
        ("?limit=0", "limit", "out_of_range"),
        ("?limit=101", "limit", "out_of_range"),
        ("?limit=99999999999999999999", "limit", "out_of_range"),
        ("?limit=abc", "limit", "not_an_integer"),
        ("?limit=", "limit", "not_an_integer"),
        ("?limit", "limit", "not_an_integer"),
        ("?limit=-1", "limit", "not_an_integer"),
        ("?limit=+5", "limit", "not_an_integer"),
        ("?limit=2.0", "limit", "not_an_integer"),
        ("?cursor=not-a-cursor", "cursor", "invalid_cursor"),
        ("?cursor=", "cursor", "invalid_cursor"),
        (
            "?cursor=4QAAAABrBXxAB1vKAAGTobJ8PX5PipsMHS4_Slx",
            "cursor",
            "invalid_cursor",
        ),
        ("?role=admin", "role", "unknown_parameter"),
        ("?Limit=5", "Limit", "unknown_parameter"),
        ("?limit=5&limit=6", "limit", "repeated"),
    ] {
        let reply = send(&app, events(query)).await;

        assert_eq!(
            reply.field_errors(),
            [(field.into(), code.into())],
            "{query}"
        );
    }
}

#[actix_web::test]
async fn every_bad_query_parameter_is_listed_at_once() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    nothing_listed(&mut fixture);

    let reply = send(&fixture.app(), events("?limit=0&cursor=x&q=ada")).await;

    assert_eq!(
        reply.field_errors(),
        [
            ("limit".into(), "out_of_range".into()),
            ("cursor".into(), "invalid_cursor".into()),
            ("q".into(), "unknown_parameter".into()),
        ]
    );
    assert_eq!(reply.json()["detail"], "3 fields are invalid");
}

#[actix_web::test]
async fn limits_from_one_to_a_hundred_are_passed_on_with_one_more_to_see_past_the_page() {
    for (query, asked) in [("?limit=1", 2), ("?limit=100", 101), ("?limit=020", 21)] {
        let mut fixture = Fixture::new();
        fixture.authenticates(&user());
        fixture
            .events
            .expect_list_for_user()
            .times(1)
            .returning(move |_, limit, _| {
                assert_eq!(limit, asked, "{query}");
                Ok(Vec::new())
            });

        let reply = send(&fixture.app(), events(query)).await;

        assert_eq!(reply.status, 200, "{query}: {}", reply.text());
    }
}

#[actix_web::test]
async fn events_without_a_token_answers_401_even_with_a_bad_query() {
    let request = TestRequest::get().uri("/api/v1/users/me/events?limit=0");

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(401, "unauthenticated");
}
