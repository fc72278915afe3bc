//! `GET /api/v1/users`: the page, its cursor, the filters, and the strict
//! query parameters.

use application::{MockAdministrationService, UserPage};
use chrono::Duration;
use domain::{Role, User, UserCursor, UserFilter, UserId};

use crate::admin_support::{account, app, get};
use crate::support::*;

/// `count` accounts, newest first, an hour (and a few microseconds) apart.
fn accounts(count: i64) -> Vec<User> {
    (0..count)
        .map(|n| User {
            id: UserId::generate(),
            created_at: now() - Duration::hours(n) + Duration::microseconds(654_321),
            ..account(Role::User)
        })
        .collect()
}

/// The service is never asked: the request is refused first.
fn never_listed() -> MockAdministrationService {
    let mut administration = MockAdministrationService::new();
    administration.expect_list_users().never();
    administration
}

async fn field_errors(query: &str) -> Vec<(String, String)> {
    send(&app(never_listed()), get(&format!("/api/v1/users{query}")))
        .await
        .field_errors()
}

fn errors(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(field, code)| ((*field).to_owned(), (*code).to_owned()))
        .collect()
}

#[actix_web::test]
async fn the_first_page_is_twenty_accounts_of_any_kind_by_default() {
    let stored = accounts(1);
    let expected = stored[0].clone();
    let mut administration = MockAdministrationService::new();
    administration
        .expect_list_users()
        .times(1)
        .returning(move |query| {
            assert_eq!(query.filter, UserFilter::default());
            assert_eq!((query.limit, query.after), (20, None));
            Ok(UserPage {
                items: stored.clone(),
                next_cursor: None,
            })
        });

    let reply = send(&app(administration), get("/api/v1/users")).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    assert!(body["next_cursor"].is_null(), "{body}");
    let item = &body["items"][0];
    assert_eq!(item["id"], expected.id.to_string());
    assert_eq!(item["email"], "ada@example.com");
    assert_eq!(item["role"], "user");
    assert_eq!(item["created_at"], "2026-11-24T12:00:00.654321Z");
    assert!(item.get("password_hash").is_none(), "{item}");
}

#[actix_web::test]
async fn every_filter_is_passed_on_as_parsed() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_list_users()
        .times(1)
        .returning(|query| {
            assert_eq!(
                query.filter,
                UserFilter {
                    q: Some("50% Ada_".to_owned()),
                    email: Some(domain::Email::parse("ada@example.com").unwrap()),
                    role: Some(Role::Admin),
                    is_active: Some(false),
                }
            );
            assert_eq!(query.limit, 5);
            Ok(UserPage {
                items: Vec::new(),
                next_cursor: None,
            })
        });
    let query = "?limit=5&q=50%25%20Ada_&email=Ada%40Example.com&role=admin&is_active=false";

    let reply = send(&app(administration), get(&format!("/api/v1/users{query}"))).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["items"], serde_json::json!([]));
}

#[actix_web::test]
async fn next_cursor_leads_to_the_page_after_the_last_item() {
    let first = accounts(3);
    let last = first[1].clone();
    let mut administration = MockAdministrationService::new();
    let page = first[..2].to_vec();
    administration
        .expect_list_users()
        .times(1)
        .withf(|query| query.after.is_none())
        .returning(move |_| {
            Ok(UserPage {
                items: page.clone(),
                next_cursor: Some(UserCursor::of(&last)),
            })
        });
    let expected = UserCursor::of(&first[1]);
    let rest = vec![first[2].clone()];
    administration
        .expect_list_users()
        .times(1)
        .withf(move |query| query.after == Some(expected) && query.limit == 2)
        .returning(move |_| {
            Ok(UserPage {
                items: rest.clone(),
                next_cursor: None,
            })
        });
    let app = app(administration);

    let page = send(&app, get("/api/v1/users?limit=2")).await.json();
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = send(&app, get(&format!("/api/v1/users?limit=2&cursor={cursor}"))).await;

    assert_eq!(next.status, 200, "{}", next.text());
    let next = next.json();
    assert_eq!(next["items"][0]["id"], first[2].id.to_string());
    assert!(next["next_cursor"].is_null());
}

#[actix_web::test]
async fn a_bad_limit_answers_422_naming_it() {
    for (query, code) in [
        ("?limit=0", "out_of_range"),
        ("?limit=101", "out_of_range"),
        ("?limit=abc", "not_an_integer"),
        ("?limit=", "not_an_integer"),
    ] {
        assert_eq!(
            field_errors(query).await,
            errors(&[("limit", code)]),
            "{query}"
        );
    }
}

#[actix_web::test]
async fn a_cursor_the_server_did_not_issue_for_this_listing_answers_422() {
    // The documented example of the events listing's cursors.
    let events_cursor = "4QAAAABrBXxAB1vKAAGTobJ8PX5PipsMHS4_Slw";
    for query in [
        "?cursor=garbage".to_owned(),
        "?cursor=".to_owned(),
        format!("?cursor={events_cursor}"),
    ] {
        assert_eq!(
            field_errors(&query).await,
            errors(&[("cursor", "invalid_cursor")]),
            "{query}"
        );
    }
}

#[actix_web::test]
async fn a_bad_filter_answers_422_naming_it() {
    for (query, field, code) in [
        ("?q=", "q", "empty"),
        ("?email=not-an-email", "email", "email"),
        ("?email=", "email", "email"),
        ("?role=root", "role", "role"),
        ("?role=Admin", "role", "role"),
        ("?is_active=yes", "is_active", "not_a_boolean"),
        ("?is_active=", "is_active", "not_a_boolean"),
    ] {
        assert_eq!(
            field_errors(query).await,
            errors(&[(field, code)]),
            "{query}"
        );
    }
}

#[actix_web::test]
async fn every_bad_parameter_is_reported_at_once() {
    assert_eq!(
        field_errors("?limit=0&q=&role=root&is_active=1&cursor=x").await,
        errors(&[
            ("limit", "out_of_range"),
            ("cursor", "invalid_cursor"),
            ("q", "empty"),
            ("role", "role"),
            ("is_active", "not_a_boolean"),
        ])
    );
}

#[actix_web::test]
async fn unknown_and_repeated_parameters_answer_422() {
    assert_eq!(
        field_errors("?name=ada&role=user&role=admin").await,
        errors(&[("name", "unknown_parameter"), ("role", "repeated")])
    );
}
