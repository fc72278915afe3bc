//! `DELETE /api/v1/users/{id}`, `POST /api/v1/users/{id}/password-reset`,
//! `DELETE /api/v1/users/{id}/sessions` and `GET /api/v1/users/{id}/events`.

use application::{EventPage, MockAdministrationService};
use chrono::Duration;
use domain::{
    DeleteUserError, EndUserSessionsError, EventCursor, EventKind, ListUserEventsError,
    SecurityEvent, SendPasswordResetError, User,
};

use crate::admin_support::{admin, app, app_as, delete, get, post, user_path};
use crate::support::*;

fn events_of(target: &User, count: i64) -> Vec<SecurityEvent> {
    (0..count)
        .map(|n| SecurityEvent {
            id: uuid::Uuid::now_v7(),
            user_id: target.id,
            kind: EventKind::UpdatedByAdmin,
            at: now() - Duration::minutes(n),
            ip: None,
            user_agent: None,
            detail: Some("by admin someone".into()),
        })
        .collect()
}

#[actix_web::test]
async fn delete_answers_204() {
    let target = user();
    let id = target.id;
    let mut administration = MockAdministrationService::new();
    administration
        .expect_delete_user()
        .times(1)
        .withf(move |command| command.user_id == id)
        .returning(|_| Ok(()));

    send(&app(administration), delete(&user_path(&target)))
        .await
        .assert_no_content();
}

#[actix_web::test]
async fn delete_of_the_last_active_admin_answers_409_last_admin() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_delete_user()
        .returning(|_| Err(DeleteUserError::LastAdmin));

    send(&app(administration), delete(&user_path(&admin())))
        .await
        .assert_problem(409, "last_admin");
}

#[actix_web::test]
async fn delete_of_an_unknown_or_malformed_id_answers_404() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_delete_user()
        .times(1)
        .returning(|_| Err(DeleteUserError::NotFound));
    let app = app(administration);

    send(&app, delete(&user_path(&user())))
        .await
        .assert_problem(404, "not_found");
    send(&app, delete("/api/v1/users/nope"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn password_reset_queues_a_link_and_answers_202_empty() {
    let target = user();
    let id = target.id;
    let caller = admin();
    let caller_id = caller.id;
    let mut administration = MockAdministrationService::new();
    administration
        .expect_send_password_reset()
        .times(1)
        .withf(move |admin, command, _| admin.user.id == caller_id && command.user_id == id)
        .returning(|_, _, _| Ok(()));

    let reply = send(
        &app_as(caller, administration),
        post(&format!("{}/password-reset", user_path(&target))),
    )
    .await;

    reply.assert_accepted();
}

#[actix_web::test]
async fn password_reset_for_an_unknown_or_malformed_id_answers_404() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_send_password_reset()
        .times(1)
        .returning(|_, _, _| Err(SendPasswordResetError::NotFound));
    let app = app(administration);

    send(
        &app,
        post(&format!("{}/password-reset", user_path(&user()))),
    )
    .await
    .assert_problem(404, "not_found");
    send(&app, post("/api/v1/users/nope/password-reset"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn password_reset_takes_no_query_parameters() {
    let reply = send(
        &app(MockAdministrationService::new()),
        post(&format!("{}/password-reset?notify=1", user_path(&user()))),
    )
    .await;

    assert_eq!(
        reply.field_errors(),
        [("notify".to_owned(), "unknown_parameter".to_owned())]
    );
}

#[actix_web::test]
async fn ending_the_sessions_answers_204() {
    let target = user();
    let id = target.id;
    let mut administration = MockAdministrationService::new();
    administration
        .expect_end_user_sessions()
        .times(1)
        .withf(move |_, command, _| command.user_id == id)
        .returning(|_, _, _| Ok(()));

    let reply = send(
        &app(administration),
        delete(&format!("{}/sessions", user_path(&target))),
    )
    .await;

    reply.assert_no_content();
}

#[actix_web::test]
async fn ending_the_sessions_of_an_unknown_or_malformed_id_answers_404() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_end_user_sessions()
        .times(1)
        .returning(|_, _, _| Err(EndUserSessionsError::NotFound));
    let app = app(administration);

    send(&app, delete(&format!("{}/sessions", user_path(&user()))))
        .await
        .assert_problem(404, "not_found");
    send(&app, delete("/api/v1/users/nope/sessions"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn events_answer_a_page_whose_cursor_leads_to_the_next() {
    let target = user();
    let id = target.id;
    let trail = events_of(&target, 3);
    let last = EventCursor {
        at: trail[1].at,
        id: trail[1].id,
    };
    let mut administration = MockAdministrationService::new();
    let first = trail[..2].to_vec();
    administration
        .expect_list_user_events()
        .times(1)
        .withf(move |query| query.user_id == id && query.limit == 2 && query.after.is_none())
        .returning(move |_| {
            Ok(EventPage {
                items: first.clone(),
                next_cursor: Some(last),
            })
        });
    let rest = vec![trail[2].clone()];
    administration
        .expect_list_user_events()
        .times(1)
        .withf(move |query| query.after == Some(last))
        .returning(move |_| {
            Ok(EventPage {
                items: rest.clone(),
                next_cursor: None,
            })
        });
    let app = app(administration);
    let path = format!("{}/events", user_path(&target));

    let page = send(&app, get(&format!("{path}?limit=2"))).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let page = page.json();
    assert_eq!(page["items"][0]["kind"], "updated_by_admin");
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = send(&app, get(&format!("{path}?limit=2&cursor={cursor}"))).await;

    assert_eq!(next.status, 200, "{}", next.text());
    let next = next.json();
    assert_eq!(next["items"][0]["id"], trail[2].id.to_string());
    assert!(next["next_cursor"].is_null());
}

#[actix_web::test]
async fn events_refuse_bad_parameters_naming_each() {
    let mut administration = MockAdministrationService::new();
    administration.expect_list_user_events().never();
    let app = app(administration);
    let path = format!("{}/events", user_path(&user()));
    // A cursor of the accounts listing is not one of the events listing.
    let users_cursor = "oQAAAABrBXxAB1vKAAGTobJ8PX5PipsMHS4_Slw";

    for (query, field, code) in [
        ("limit=0", "limit", "out_of_range"),
        ("limit=101", "limit", "out_of_range"),
        ("limit=abc", "limit", "not_an_integer"),
        ("cursor=garbage", "cursor", "invalid_cursor"),
        (
            &format!("cursor={users_cursor}") as &str,
            "cursor",
            "invalid_cursor",
        ),
        ("role=admin", "role", "unknown_parameter"),
    ] {
        let reply = send(&app, get(&format!("{path}?{query}"))).await;

        assert_eq!(
            reply.field_errors(),
            [(field.to_owned(), code.to_owned())],
            "{query}"
        );
    }
}

#[actix_web::test]
async fn events_of_an_unknown_or_malformed_id_answer_404() {
    let mut administration = MockAdministrationService::new();
    administration
        .expect_list_user_events()
        .times(1)
        .returning(|_| Err(ListUserEventsError::NotFound));
    let app = app(administration);

    send(&app, get(&format!("{}/events", user_path(&user()))))
        .await
        .assert_problem(404, "not_found");
    send(&app, get("/api/v1/users/nope/events"))
        .await
        .assert_problem(404, "not_found");
}
