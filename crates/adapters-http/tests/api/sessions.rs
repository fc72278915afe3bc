//! `GET /api/v1/users/me/sessions` and `DELETE .../sessions/{id}`.

use actix_web::test::TestRequest;
use chrono::Duration;
use domain::{EventKind, InfraError, Session, UserId};
use mockall::predicate::always;

use crate::support::*;

fn list() -> TestRequest {
    bearer(TestRequest::get().uri("/api/v1/users/me/sessions"))
}

fn revoke(id: &str) -> TestRequest {
    bearer(TestRequest::delete().uri(&format!("/api/v1/users/me/sessions/{id}")))
}

fn nothing_revoked(fixture: &mut Fixture) {
    fixture
        .sessions
        .expect_revoke()
        .with(always(), always(), always())
        .never();
}

#[actix_web::test]
async fn list_sessions_answers_every_live_session_and_marks_the_current_one() {
    let mut fixture = Fixture::new();
    let account = user();
    let other = Session {
        last_used_at: now() - Duration::minutes(5),
        user_agent: Some("other-agent/2.0".into()),
        ip: Some("198.51.100.7".into()),
        ..session_of(&account)
    };
    let other_id = other.id;
    let current_id = fixture.authenticates(&account);
    let user_id = account.id;
    fixture
        .sessions
        .expect_list_live()
        .times(1)
        .returning(move |id, at| {
            assert_eq!((id, at), (user_id, now()));
            let current = Session {
                id: current_id,
                ..session_of(&account)
            };
            Ok(vec![other.clone(), current])
        });

    let reply = send(&fixture.app(), list()).await;

    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], other_id.to_string());
    assert_eq!(items[0]["current"], false);
    assert_eq!(items[0]["created_at"], "2026-11-24T11:00:00Z");
    assert_eq!(items[0]["last_used_at"], "2026-11-24T11:55:00Z");
    assert_eq!(items[0]["user_agent"], "other-agent/2.0");
    assert_eq!(items[0]["ip"], "198.51.100.7");
    assert_eq!(items[0].as_object().unwrap().len(), 6, "{}", items[0]);
    assert_eq!(items[1]["id"], current_id.to_string());
    assert_eq!(items[1]["current"], true);
    assert!(items[1]["user_agent"].is_null() && items[1]["ip"].is_null());
}

#[actix_web::test]
async fn list_sessions_without_a_token_answers_401() {
    let request = TestRequest::get().uri("/api/v1/users/me/sessions");

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn list_sessions_with_any_query_parameter_answers_422_naming_it_and_lists_nothing() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    fixture
        .sessions
        .expect_list_live()
        .with(always(), always())
        .never();
    let app = fixture.app();

    for (query, expected) in [
        ("?limit=5", vec!["limit"]),
        ("?cursor=x&all", vec!["cursor", "all"]),
        ("?limit=1&limit=2", vec!["limit"]),
    ] {
        let request = bearer(TestRequest::get().uri(&format!("/api/v1/users/me/sessions{query}")));

        let reply = send(&app, request).await;

        let errors = reply.field_errors();
        let fields: Vec<&str> = errors.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(fields, expected, "{query}");
        assert!(
            errors.iter().all(|(_, code)| code == "unknown_parameter"),
            "{query}"
        );
    }
}

#[actix_web::test]
async fn list_sessions_checks_credentials_before_the_query() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    let app = fixture.app();
    let uri = "/api/v1/users/me/sessions?limit=5";

    let missing = send(&app, TestRequest::get().uri(uri)).await;
    let bad = send(
        &app,
        TestRequest::get()
            .uri(uri)
            .insert_header(("authorization", "Bearer forged.token.value")),
    )
    .await;

    missing.assert_problem(401, "unauthenticated");
    bad.assert_problem(401, "invalid_token");
}

#[actix_web::test]
async fn list_sessions_when_the_database_is_down_answers_503_not_ready() {
    let mut fixture = Fixture::new();
    fixture.authenticates(&user());
    fixture
        .sessions
        .expect_list_live()
        .returning(|_, _| Err(InfraError::Unavailable("pool timed out".into())));

    let reply = send(&fixture.app(), list()).await;

    reply.assert_problem(503, "not_ready");
}

#[actix_web::test]
async fn revoking_another_session_of_the_caller_ends_it_and_answers_204() {
    let mut fixture = Fixture::new();
    let account = user();
    let other = session_of(&account);
    let other_id = other.id;
    fixture.authenticates_among(&account, vec![other]);
    fixture
        .sessions
        .expect_revoke()
        .times(1)
        .returning(move |id, _, effects| {
            assert_eq!(id, other_id);
            assert_eq!(effects.events[0].kind, EventKind::SessionRevoked);
            Ok(())
        });

    let reply = send(&fixture.app(), revoke(&other_id.to_string())).await;

    reply.assert_no_content();
}

#[actix_web::test]
async fn revoking_the_current_session_is_a_logout() {
    let mut fixture = Fixture::new();
    let current = fixture.authenticates(&user());
    fixture
        .sessions
        .expect_revoke()
        .times(1)
        .returning(move |id, _, _| {
            assert_eq!(id, current);
            Ok(())
        });

    let reply = send(&fixture.app(), revoke(&current.to_string())).await;

    reply.assert_no_content();
}

#[actix_web::test]
async fn revoking_a_session_of_another_user_answers_404_and_revokes_nothing() {
    let mut fixture = Fixture::new();
    let theirs = Session {
        user_id: UserId::generate(),
        ..session_of(&user())
    };
    let their_id = theirs.id;
    fixture.authenticates_among(&user(), vec![theirs]);
    nothing_revoked(&mut fixture);

    let reply = send(&fixture.app(), revoke(&their_id.to_string())).await;

    reply.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn revoking_an_ended_or_unknown_session_answers_404() {
    let mut fixture = Fixture::new();
    let account = user();
    let ended = Session {
        revoked_at: Some(now() - Duration::minutes(1)),
        ..session_of(&account)
    };
    let ended_id = ended.id;
    fixture.authenticates_among(&account, vec![ended]);
    nothing_revoked(&mut fixture);
    let app = fixture.app();

    for id in [ended_id.to_string(), uuid::Uuid::now_v7().to_string()] {
        let reply = send(&app, revoke(&id)).await;

        reply.assert_problem(404, "not_found");
    }
}

#[actix_web::test]
async fn a_malformed_session_id_answers_404_without_a_lookup() {
    let mut fixture = Fixture::new();
    let current = fixture.authenticates(&user());
    nothing_revoked(&mut fixture);
    let app = fixture.app();

    for id in [
        "not-a-uuid".to_owned(),
        "42".to_owned(),
        current.as_uuid().simple().to_string(),
        format!("{current}0"),
    ] {
        let reply = send(&app, revoke(&id)).await;

        reply.assert_problem(404, "not_found");
    }
}

#[actix_web::test]
async fn revoking_without_a_token_answers_401_even_for_a_malformed_id() {
    let request = TestRequest::delete().uri("/api/v1/users/me/sessions/not-a-uuid");

    let reply = send(&Fixture::new().app(), request).await;

    reply.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn a_session_path_with_another_method_answers_405_with_allow() {
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri(&format!(
            "/api/v1/users/me/sessions/{}",
            uuid::Uuid::now_v7()
        )),
    )
    .await;

    reply.assert_problem(405, "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("DELETE"));
}
