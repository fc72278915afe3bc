//! The account lifecycle end to end: verification, reset, password and email
//! change, with the mail read back from the `file` transport.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{
    Backend, PASSWORD, TestServer, bearer as auth, e2e_tests, mails, me, problem_code, token_of,
    wait_for_mail,
};

e2e_tests!(
    the_welcome_mail_verifies_the_email_once,
    a_resent_link_voids_the_earlier_one_and_a_verified_address_gets_no_mail,
    forgot_password_answers_alike_for_unknown_emails_and_reset_ends_every_session,
    a_newer_reset_link_voids_the_older_and_links_expire,
    changing_the_password_keeps_this_session_and_ends_the_others,
    an_email_change_waits_for_confirmation_from_the_new_address,
    a_password_reset_voids_a_pending_email_change,
);

const NEW_PASSWORD: &str = "a brand new passphrase 42";

fn the_welcome_mail_verifies_the_email_once(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");

    let welcome = wait_for_mail(&server, "welcome", "ada@example.com", 1).remove(0);
    assert!(
        welcome
            .link()
            .unwrap()
            .starts_with("http://app.test/verify-email?token=")
    );
    assert!(
        welcome
            .html
            .as_deref()
            .unwrap()
            .contains("verify-email?token=")
    );
    for part in [
        welcome.text.as_deref().unwrap(),
        welcome.html.as_deref().unwrap(),
    ] {
        assert!(!part.contains(PASSWORD));
    }
    let token = token_of(&welcome);

    let verified = server.post_json("/api/v1/auth/verify-email", &json!({"token": token}));
    assert_eq!(verified.status(), 204);
    assert_eq!(
        me(&server, &pair).json::<Value>().unwrap()["email_verified"],
        true
    );

    let again = server.post_json("/api/v1/auth/verify-email", &json!({"token": token}));
    assert_eq!(
        problem_code(again),
        (422, "invalid_or_expired_token".into())
    );
}

fn a_resent_link_voids_the_earlier_one_and_a_verified_address_gets_no_mail(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");
    let first = token_of(&wait_for_mail(&server, "welcome", "ada@example.com", 1)[0]);

    let resend = server
        .post("/api/v1/auth/verify-email/resend")
        .header("authorization", auth(&pair))
        .send()
        .unwrap();
    assert_eq!(resend.status(), 202);
    assert!(resend.text().unwrap().is_empty());
    let second = token_of(&wait_for_mail(&server, "verify-email", "ada@example.com", 1)[0]);

    let old = server.post_json("/api/v1/auth/verify-email", &json!({"token": first}));
    assert_eq!(problem_code(old).1, "invalid_or_expired_token");
    let new = server.post_json("/api/v1/auth/verify-email", &json!({"token": second}));
    assert_eq!(new.status(), 204);

    let after = server
        .post("/api/v1/auth/verify-email/resend")
        .header("authorization", auth(&pair))
        .send()
        .unwrap();
    assert_eq!(after.status(), 202);
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(
        mails(&server).len(),
        2,
        "no mail for an already verified address"
    );
}

fn forgot_password_answers_alike_for_unknown_emails_and_reset_ends_every_session(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");

    let unknown = server.post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "ghost@example.com"}),
    );
    let known = server.post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "ada@example.com"}),
    );
    assert_eq!(
        (unknown.status(), known.status()),
        (reqwest::StatusCode::ACCEPTED, reqwest::StatusCode::ACCEPTED)
    );
    assert_eq!(unknown.text().unwrap(), known.text().unwrap());
    let malformed = server.post_json("/api/v1/auth/forgot-password", &json!({"email": "nope"}));
    assert_eq!(malformed.status(), 422);

    let reset = wait_for_mail(&server, "reset-password", "ada@example.com", 1).remove(0);
    assert!(
        reset
            .link()
            .unwrap()
            .starts_with("http://app.test/reset-password?token=")
    );
    let token = token_of(&reset);

    let weak = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": token, "new_password": "password1234"}),
    );
    assert_eq!(weak.status(), 422);
    let done = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": token, "new_password": NEW_PASSWORD}),
    );
    assert_eq!(done.status(), 204);

    assert_eq!(me(&server, &pair).status(), 401, "reset ends every session");
    assert_eq!(server.login("ada@example.com", PASSWORD).status(), 401);
    let fresh: Value = server
        .login("ada@example.com", NEW_PASSWORD)
        .json()
        .unwrap();
    assert_eq!(
        me(&server, &fresh).json::<Value>().unwrap()["email_verified"],
        true,
        "reset verifies the email"
    );
    wait_for_mail(&server, "password-changed", "ada@example.com", 1);
    assert_eq!(
        mails(&server)
            .iter()
            .filter(|m| m.to.as_deref() == Some("ghost@example.com"))
            .count(),
        0
    );

    let reused = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": token, "new_password": NEW_PASSWORD}),
    );
    assert_eq!(
        problem_code(reused),
        (422, "invalid_or_expired_token".into())
    );
}

fn a_newer_reset_link_voids_the_older_and_links_expire(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[("APP_AUTH__RESET_TTL_SECS", "2")]) else {
        return;
    };
    server.signed_up("ada@example.com");
    for _ in 0..2 {
        server.post_json(
            "/api/v1/auth/forgot-password",
            &json!({"email": "ada@example.com"}),
        );
    }
    let links = wait_for_mail(&server, "reset-password", "ada@example.com", 2);
    let (older, newer) = (token_of(&links[0]), token_of(&links[1]));

    let with_older = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": older, "new_password": NEW_PASSWORD}),
    );
    assert_eq!(problem_code(with_older).1, "invalid_or_expired_token");

    std::thread::sleep(std::time::Duration::from_millis(2_500));
    let expired = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": newer, "new_password": NEW_PASSWORD}),
    );
    assert_eq!(problem_code(expired).1, "invalid_or_expired_token");
}

fn changing_the_password_keeps_this_session_and_ends_the_others(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let this = server.signed_up("ada@example.com");
    let other: Value = server.login("ada@example.com", PASSWORD).json().unwrap();

    let wrong = server
        .request(reqwest::Method::PUT, "/api/v1/users/me/password")
        .header("authorization", auth(&this))
        .json(&json!({"current_password": "not my password", "new_password": NEW_PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(problem_code(wrong), (401, "invalid_credentials".into()));

    let changed = server
        .request(reqwest::Method::PUT, "/api/v1/users/me/password")
        .header("authorization", auth(&this))
        .json(&json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(changed.status(), 204);

    assert_eq!(me(&server, &this).status(), 200);
    assert_eq!(me(&server, &other).status(), 401);
    assert_eq!(server.login("ada@example.com", NEW_PASSWORD).status(), 200);
    wait_for_mail(&server, "password-changed", "ada@example.com", 1);
}

fn an_email_change_waits_for_confirmation_from_the_new_address(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let pair = server.signed_up("ada@example.com");
    server.signed_up("taken@example.com");
    let request = |new_email: &str| {
        server
            .post("/api/v1/users/me/email")
            .header("authorization", auth(&pair))
            .json(&json!({"new_email": new_email, "current_password": PASSWORD}))
            .send()
            .unwrap()
    };

    assert_eq!(
        problem_code(request("Taken@example.com")),
        (409, "email_taken".into())
    );
    let accepted = request("ada.new@example.com");
    assert_eq!(accepted.status(), 202);

    let confirm =
        wait_for_mail(&server, "email-change-confirm", "ada.new@example.com", 1).remove(0);
    assert!(
        confirm
            .link()
            .unwrap()
            .starts_with("http://app.test/confirm-email?token=")
    );
    wait_for_mail(&server, "email-change-notice", "ada@example.com", 1);
    assert_eq!(
        me(&server, &pair).json::<Value>().unwrap()["email"],
        "ada@example.com",
        "nothing changes yet"
    );

    let confirmed = server.post_json(
        "/api/v1/auth/confirm-email",
        &json!({"token": token_of(&confirm)}),
    );
    assert_eq!(confirmed.status(), 204);
    let reused = server.post_json(
        "/api/v1/auth/confirm-email",
        &json!({"token": token_of(&confirm)}),
    );
    assert_eq!(
        problem_code(reused),
        (422, "invalid_or_expired_token".into())
    );
    let user: Value = me(&server, &pair).json().unwrap();
    assert_eq!(
        (user["email"].as_str(), user["email_verified"].as_bool()),
        (Some("ada.new@example.com"), Some(true))
    );
    assert_eq!(server.login("ada.new@example.com", PASSWORD).status(), 200);
    assert_eq!(server.login("ada@example.com", PASSWORD).status(), 401);
}

fn a_password_reset_voids_a_pending_email_change(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    // Someone who knows the password asks to move the account to their
    // address; the owner, warned by the notice, resets the password.
    let intruder = server.signed_up("ada@example.com");
    let requested = server
        .post("/api/v1/users/me/email")
        .header("authorization", auth(&intruder))
        .json(&json!({"new_email": "mallory@example.com", "current_password": PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(requested.status(), 202);
    let confirm =
        wait_for_mail(&server, "email-change-confirm", "mallory@example.com", 1).remove(0);
    server.post_json(
        "/api/v1/auth/forgot-password",
        &json!({"email": "ada@example.com"}),
    );
    let reset = wait_for_mail(&server, "reset-password", "ada@example.com", 1).remove(0);
    let done = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": token_of(&reset), "new_password": NEW_PASSWORD}),
    );
    assert_eq!(done.status(), 204);

    let hijack = server.post_json(
        "/api/v1/auth/confirm-email",
        &json!({"token": token_of(&confirm)}),
    );

    assert_eq!(
        problem_code(hijack),
        (422, "invalid_or_expired_token".into())
    );
    assert_eq!(server.login("ada@example.com", NEW_PASSWORD).status(), 200);
}
