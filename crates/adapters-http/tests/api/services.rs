//! Handlers against mocked services: one expectation per request, no
//! ports scripted. What a use case decides is tested in `application`;
//! these pin what the HTTP layer makes of its answer.

use std::sync::Arc;

use adapters_http::{AppState, HttpApp, HttpConfig};
use application::{
    MockAccountService, MockAdministrationService, MockCredentialsService, MockSignInService,
};
use domain::ports::MockHealthProbe;
use domain::{ForgotPasswordError, InfraError, LoginError};
use serde_json::json;

use crate::support::*;

fn app(sign_in: MockSignInService, credentials: MockCredentialsService) -> HttpApp {
    let state = AppState {
        sign_in: Arc::new(sign_in),
        credentials: Arc::new(credentials),
        account: Arc::new(MockAccountService::new()),
        administration: Arc::new(MockAdministrationService::new()),
        health: Arc::new(MockHealthProbe::new()),
        rate_limits: None,
        keys: Arc::new(application::MockPublishedKeys::new()),
        metadata: metadata(),
    };
    HttpApp::new(state, &HttpConfig::default())
}

#[actix_web::test]
async fn a_lockout_from_the_sign_in_service_answers_429_with_retry_after() {
    let mut sign_in = MockSignInService::new();
    sign_in
        .expect_login()
        .withf(|command, _| command.email.as_str() == "ada@example.com")
        .times(1)
        .returning(|_, _| {
            Err(LoginError::LockedOut {
                retry_after_secs: 42,
            })
        });
    let request = post_json(
        "/api/v1/auth/login",
        &json!({"email": "Ada@Example.com", "password": PASSWORD}),
    );

    let reply = send(&app(sign_in, MockCredentialsService::new()), request).await;

    reply.assert_problem(429, "too_many_requests");
    assert_eq!(reply.header("retry-after"), Some("42"));
}

#[actix_web::test]
async fn a_store_outage_in_forgot_password_answers_503_not_ready() {
    let mut credentials = MockCredentialsService::new();
    credentials
        .expect_forgot_password()
        .times(1)
        .returning(|_, _| {
            Err(ForgotPasswordError::Infra(InfraError::Unavailable(
                "database down".into(),
            )))
        });
    let request = post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "ada@example.com"}),
    );

    let reply = send(&app(MockSignInService::new(), credentials), request).await;

    reply.assert_problem(503, "not_ready");
}
