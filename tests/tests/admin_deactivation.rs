//! Deactivation by an admin end to end: sessions end at once, login and
//! forgot-password treat the account as disabled, reactivation restores it.
//! On SQLite and PostgreSQL (`create-admin` refuses the in-memory store).

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use e2e::serde_json::{Value, json};
use e2e::{
    Backend, PASSWORD, TestServer, admin_creates_user, admin_patches_user, as_user, create_admin,
    e2e_tests, mails, me, problem_code, token_of, wait_for_mail,
};

e2e_tests!(
    deactivating_a_user_ends_their_sessions_at_once,
    a_deactivated_user_hears_account_disabled_only_after_the_right_password,
    forgot_password_sends_no_mail_to_a_deactivated_account,
    a_reactivated_user_can_log_in_again,
    an_admin_reset_link_for_a_deactivated_account_works_only_after_reactivation,
);

/// A server with an admin and `ada@example.com` signed in; returns the
/// server, the admin's pair, Ada's id and Ada's pair.
fn setup(backend: Backend) -> Option<(TestServer, Value, String, Value)> {
    let server = TestServer::start(backend, &[])?;
    let root = create_admin(&server, "root@example.com");
    let ada = admin_creates_user(&server, &root, "ada@example.com", "user");
    let id = ada["id"].as_str().unwrap().to_owned();
    let pair: Value = server.login("ada@example.com", PASSWORD).json().unwrap();
    Some((server, root, id, pair))
}

fn deactivate(server: &TestServer, root: &Value, id: &str) {
    let response = admin_patches_user(server, root, id, &json!({"is_active": false}));
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().unwrap()["is_active"], false);
}

fn deactivating_a_user_ends_their_sessions_at_once(backend: Backend) {
    let Some((server, root, id, pair)) = setup(backend) else {
        return;
    };
    assert_eq!(me(&server, &pair).status(), 200);

    deactivate(&server, &root, &id);

    assert_eq!(me(&server, &pair).status(), 401);
    let refresh = server.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": pair["refresh_token"]}),
    );
    assert_eq!(refresh.status(), 401, "the refresh token is dead too");
}

fn a_deactivated_user_hears_account_disabled_only_after_the_right_password(backend: Backend) {
    let Some((server, root, id, _pair)) = setup(backend) else {
        return;
    };
    deactivate(&server, &root, &id);

    let wrong = server.login("ada@example.com", "not the password at all");
    assert_eq!(problem_code(wrong), (401, "invalid_credentials".into()));
    let right = server.login("ada@example.com", PASSWORD);
    assert_eq!(problem_code(right), (403, "account_disabled".into()));
}

fn forgot_password_sends_no_mail_to_a_deactivated_account(backend: Backend) {
    let Some((server, root, id, _pair)) = setup(backend) else {
        return;
    };
    deactivate(&server, &root, &id);

    let forgot = server.post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "ada@example.com"}),
    );
    assert_eq!(forgot.status(), 202);
    // A control: the admin's own reset mail, queued after Ada's would be,
    // proves the outbox was delivered past the point where Ada's belongs.
    let control = server.post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "root@example.com"}),
    );
    assert_eq!(control.status(), 202);
    wait_for_mail(&server, "reset-password", "root@example.com", 1);
    std::thread::sleep(Duration::from_millis(300));
    let resets = mails(&server)
        .into_iter()
        .filter(|m| m.kind.as_deref() == Some("reset-password"))
        .filter(|m| m.to.as_deref() == Some("ada@example.com"))
        .count();
    assert_eq!(resets, 0, "no reset mail for a deactivated account");
}

fn a_reactivated_user_can_log_in_again(backend: Backend) {
    let Some((server, root, id, _pair)) = setup(backend) else {
        return;
    };
    deactivate(&server, &root, &id);

    let reactivated = admin_patches_user(&server, &root, &id, &json!({"is_active": true}));
    assert_eq!(reactivated.status(), 200);
    assert_eq!(reactivated.json::<Value>().unwrap()["is_active"], true);

    let login = server.login("ada@example.com", PASSWORD);
    assert_eq!(login.status(), 200);
    let pair: Value = login.json().unwrap();
    assert_eq!(me(&server, &pair).status(), 200);
}

fn an_admin_reset_link_for_a_deactivated_account_works_only_after_reactivation(backend: Backend) {
    let Some((server, root, id, _pair)) = setup(backend) else {
        return;
    };
    deactivate(&server, &root, &id);
    let requested = as_user(
        &server,
        &root,
        reqwest::Method::POST,
        &format!("/api/v1/users/{id}/password-reset"),
    )
    .send()
    .unwrap();
    assert_eq!(requested.status(), 202);
    let token = token_of(&wait_for_mail(&server, "reset-password", "ada@example.com", 1)[0]);
    let reset = |token: &str| {
        server.post_json(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "new_password": "a brand new passphrase 42"}),
        )
    };

    assert_eq!(
        problem_code(reset(&token)),
        (422, "invalid_or_expired_token".into())
    );
    let reactivated = admin_patches_user(&server, &root, &id, &json!({"is_active": true}));
    assert_eq!(reactivated.status(), 200);
    assert_eq!(reset(&token).status(), 204);
    assert_eq!(
        server
            .login("ada@example.com", "a brand new passphrase 42")
            .status(),
        200
    );
}
