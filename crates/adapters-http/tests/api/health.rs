use actix_web::test::TestRequest;
use domain::ports::{CheckStatus, Readiness};
use serde_json::json;

use crate::support::*;

fn readiness(database: CheckStatus, migrations: CheckStatus) -> Fixture {
    let mut fixture = Fixture::new();
    fixture
        .health
        .expect_readiness()
        .returning(move || Readiness {
            database,
            migrations,
        });
    fixture
}

#[actix_web::test]
async fn live_answers_ok_without_asking_the_database() {
    // The probe has no expectation: asking it would fail the test.
    let reply = send(
        &Fixture::new().app(),
        TestRequest::get().uri("/health/live"),
    )
    .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"status": "ok"}));
}

#[actix_web::test]
async fn ready_answers_ok_when_every_check_passes() {
    let fixture = readiness(CheckStatus::Ok, CheckStatus::Ok);

    let reply = send(&fixture.app(), TestRequest::get().uri("/health/ready")).await;

    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"status": "ok", "checks": {"database": "ok", "migrations": "ok"}})
    );
}

#[actix_web::test]
async fn ready_answers_503_not_ready_naming_the_failing_check() {
    let fixture = readiness(CheckStatus::Ok, CheckStatus::Failing);

    let reply = send(&fixture.app(), TestRequest::get().uri("/health/ready")).await;

    let problem = reply.assert_problem(503, "not_ready");
    assert_eq!(
        problem["checks"],
        json!({"database": "ok", "migrations": "failing"})
    );
    assert_eq!(problem["detail"], "failing checks: migrations");
}
