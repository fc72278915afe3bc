//! The admin routes against mocked services: the sign-in service
//! authenticates `ACCESS_TOKEN` as an account of a chosen role, and each
//! test scripts the administration service.

use std::sync::Arc;

use actix_web::test::TestRequest;
use adapters_http::{AppState, HttpApp, HttpConfig};
use application::{
    MockAccountService, MockAdministrationService, MockCredentialsService, MockSignInService,
    Principal,
};
use domain::ports::MockHealthProbe;
use domain::{AuthenticateError, Role, SessionId, User};
use serde_json::Value;

use crate::support::*;

/// An account of `role`, as the sign-in service loads it for a request.
pub fn account(role: Role) -> User {
    User { role, ..user() }
}

/// The admin who calls, in the tests that succeed.
pub fn admin() -> User {
    User {
        email: domain::Email::parse("root@example.com").unwrap(),
        ..account(Role::Admin)
    }
}

/// `ACCESS_TOKEN` authenticates as `caller`; any other token is invalid.
pub fn app_as(caller: User, administration: MockAdministrationService) -> HttpApp {
    let mut sign_in = MockSignInService::new();
    let principal = Principal {
        user: caller,
        session_id: SessionId::generate(),
    };
    sign_in.expect_authenticate().returning(move |query| {
        if query.access_token.expose() == ACCESS_TOKEN {
            Ok(principal.clone())
        } else {
            Err(AuthenticateError::InvalidToken)
        }
    });
    let state = AppState {
        sign_in: Arc::new(sign_in),
        credentials: Arc::new(MockCredentialsService::new()),
        account: Arc::new(MockAccountService::new()),
        administration: Arc::new(administration),
        health: Arc::new(MockHealthProbe::new()),
        rate_limits: None,
        keys: Arc::new(application::MockPublishedKeys::new()),
        metadata: metadata(),
    };
    HttpApp::new(state, &HttpConfig::default())
}

/// The admin calls; `administration` answers.
pub fn app(administration: MockAdministrationService) -> HttpApp {
    app_as(admin(), administration)
}

pub fn get(path: &str) -> TestRequest {
    bearer(TestRequest::get().uri(path))
}

pub fn post(path: &str) -> TestRequest {
    bearer(TestRequest::post().uri(path))
}

pub fn delete(path: &str) -> TestRequest {
    bearer(TestRequest::delete().uri(path))
}

/// A JSON body with `method`, bearer included.
pub fn with_json(request: TestRequest, path: &str, body: &Value) -> TestRequest {
    bearer(json_request(request, path, body))
}

pub fn user_path(user: &User) -> String {
    format!("/api/v1/users/{}", user.id)
}
