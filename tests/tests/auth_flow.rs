//! The foundation slice end to end: register, login, refresh, logout, me.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{Backend, PASSWORD, TestServer, bearer, e2e_tests};

e2e_tests!(
    registering_returns_the_user_with_its_location_and_no_secret,
    a_second_registration_with_the_same_email_in_other_case_is_email_taken,
    login_then_me_returns_the_registered_user,
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    refresh_rotates_and_reusing_the_old_token_ends_the_session,
    logout_ends_the_session_at_once,
    the_oauth_token_endpoint_serves_password_and_refresh_grants,
    repeated_failures_lock_the_account_even_for_the_right_password,
    a_stored_hash_below_the_configured_cost_is_upgraded_at_login,
    concurrent_wrong_guesses_get_no_more_checks_than_the_limit,
    concurrent_right_passwords_never_lock_the_account,
);

fn start(backend: Backend) -> Option<TestServer> {
    TestServer::start(backend, &[])
}

fn problem(response: reqwest::blocking::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "status {status}");
    (status, response.json().unwrap())
}

fn registering_returns_the_user_with_its_location_and_no_secret(backend: Backend) {
    let Some(server) = start(backend) else { return };

    let response = server.register("  Ada@Example.com ", PASSWORD, " Ada Lovelace ");

    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let user: Value = response.json().unwrap();
    assert_eq!(
        location,
        format!("/api/v1/users/{}", user["id"].as_str().unwrap())
    );
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["role"], "user");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["is_active"], true);
    let mut keys: Vec<&str> = user
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "email",
            "email_verified",
            "id",
            "is_active",
            "mfa_enabled",
            "name",
            "role",
            "updated_at"
        ]
    );
}

fn a_second_registration_with_the_same_email_in_other_case_is_email_taken(backend: Backend) {
    let Some(server) = start(backend) else { return };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );

    let (status, body) = problem(server.register("ADA@example.com", PASSWORD, "Other Ada"));

    assert_eq!(status, 409);
    assert_eq!(body["code"], "email_taken");
}

fn login_then_me_returns_the_registered_user(backend: Backend) {
    let Some(server) = start(backend) else { return };
    let registered: Value = server
        .register("ada@example.com", PASSWORD, "Ada")
        .json()
        .unwrap();

    let response = server.login("ADA@example.com", PASSWORD);
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let pair: Value = response.json().unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert_eq!(pair["refresh_expires_in"], 2_592_000);

    let me: Value = server
        .get("/api/v1/users/me")
        .header("authorization", bearer(&pair))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me, registered);
}

fn a_wrong_password_and_an_unknown_email_get_the_same_answer(backend: Backend) {
    let Some(server) = start(backend) else { return };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );

    let wrong = problem(server.login("ada@example.com", "not the right password"));
    let unknown = problem(server.login("nobody@example.com", "not the right password"));

    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1["code"], "invalid_credentials");
    assert_eq!(wrong, unknown);
}

fn refresh_rotates_and_reusing_the_old_token_ends_the_session(backend: Backend) {
    let Some(server) = start(backend) else { return };
    let first = server.signed_up("ada@example.com");

    let response = server.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": first["refresh_token"]}),
    );
    assert_eq!(response.status(), 200);
    let second: Value = response.json().unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);

    let reuse = server.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": first["refresh_token"]}),
    );
    assert_eq!(reuse.status(), 401);
    let after_reuse = server.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": second["refresh_token"]}),
    );
    assert_eq!(
        after_reuse.status(),
        401,
        "reuse must revoke the whole session"
    );
    let me = server
        .get("/api/v1/users/me")
        .header("authorization", bearer(&second))
        .send()
        .unwrap();
    assert_eq!(me.status(), 401);
}

fn logout_ends_the_session_at_once(backend: Backend) {
    let Some(server) = start(backend) else { return };
    let pair = server.signed_up("ada@example.com");

    let logout = server
        .post("/api/v1/auth/logout")
        .header("authorization", bearer(&pair))
        .send()
        .unwrap();
    assert_eq!(logout.status(), 204);

    let me = server
        .get("/api/v1/users/me")
        .header("authorization", bearer(&pair))
        .send()
        .unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(
        me.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let refresh = server.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": pair["refresh_token"]}),
    );
    assert_eq!(refresh.status(), 401);
}

fn the_oauth_token_endpoint_serves_password_and_refresh_grants(backend: Backend) {
    let Some(server) = start(backend) else { return };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );

    let password_grant = server
        .post("/api/v1/auth/token")
        .form(&[
            ("grant_type", "password"),
            ("username", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .unwrap();
    assert_eq!(password_grant.status(), 200);
    let pair: Value = password_grant.json().unwrap();

    let refresh_grant = server
        .post("/api/v1/auth/token")
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .unwrap();
    assert_eq!(refresh_grant.status(), 200);

    let bad = server
        .post("/api/v1/auth/token")
        .form(&[
            ("grant_type", "password"),
            ("username", "ada@example.com"),
            ("password", "wrong password!"),
        ])
        .send()
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.json::<Value>().unwrap()["error"], "invalid_grant");
}

fn repeated_failures_lock_the_account_even_for_the_right_password(backend: Backend) {
    let Some(server) = TestServer::start(
        backend,
        &[
            ("APP_AUTH__MAX_FAILED_LOGINS", "2"),
            ("APP_AUTH__LOCKOUT_SECS", "60"),
        ],
    ) else {
        return;
    };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );
    for _ in 0..2 {
        assert_eq!(
            server
                .login("ada@example.com", "not the right password")
                .status(),
            401
        );
    }

    let locked = server.login("ada@example.com", PASSWORD);

    assert_eq!(locked.status(), 429);
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(problem(locked).1["code"], "too_many_requests");
    // Unknown emails lock the same way.
    for _ in 0..2 {
        assert_eq!(
            server
                .login("ghost@example.com", "not the right password")
                .status(),
            401
        );
    }
    assert_eq!(
        server
            .login("ghost@example.com", "not the right password")
            .status(),
        429
    );
}

fn a_stored_hash_below_the_configured_cost_is_upgraded_at_login(backend: Backend) {
    let Some(server) = start(backend) else { return };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );
    assert!(e2e::stored_password_hash(&server, "ada@example.com").starts_with("$2b$04$"));

    let server = server.restart(&[("APP_AUTH__BCRYPT_COST", "5")]);
    assert_eq!(server.login("ada@example.com", PASSWORD).status(), 200);

    assert!(e2e::stored_password_hash(&server, "ada@example.com").starts_with("$2b$05$"));
    assert_eq!(
        server.login("ada@example.com", PASSWORD).status(),
        200,
        "the new hash verifies"
    );
}

/// `n` logins of `email` at once, each with the password `password(i)`:
/// each answer's status and `Retry-After`.
fn logins_at_once(
    server: &TestServer,
    email: &str,
    n: usize,
    password: impl Fn(usize) -> String + Sync,
) -> Vec<(u16, Option<String>)> {
    std::thread::scope(|scope| {
        let logins: Vec<_> = (0..n)
            .map(|i| {
                let password = &password;
                scope.spawn(move || {
                    let response = server.login(email, &password(i));
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .map(|v| v.to_str().unwrap().to_owned());
                    (response.status().as_u16(), retry_after)
                })
            })
            .collect();
        logins.into_iter().map(|l| l.join().unwrap()).collect()
    })
}

fn concurrent_wrong_guesses_get_no_more_checks_than_the_limit(backend: Backend) {
    let Some(server) = start(backend) else {
        return;
    };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );

    let answers = logins_at_once(&server, "ada@example.com", 40, |n| {
        format!("wrong guess number {n}")
    });

    // The default limit: 5 failures.
    let checked = answers.iter().filter(|(s, _)| *s == 401).count();
    let refused = answers.iter().filter(|(s, _)| *s == 429).count();
    eprintln!("40 concurrent wrong guesses: {checked} checked (401), {refused} refused (429)");
    assert!((1..=5).contains(&checked), "{answers:?}");
    assert_eq!(checked + refused, 40, "{answers:?}");
    assert_eq!(server.login("ada@example.com", PASSWORD).status(), 429);
}

fn concurrent_right_passwords_never_lock_the_account(backend: Backend) {
    let Some(server) = start(backend) else {
        return;
    };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );

    let answers = logins_at_once(&server, "ada@example.com", 50, |_| PASSWORD.to_owned());

    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    let busy = answers
        .iter()
        .filter(|(s, retry)| *s == 429 && retry.as_deref() == Some("1"))
        .count();
    eprintln!("50 concurrent right passwords: {ok} × 200, {busy} × 429 with Retry-After: 1");
    assert_eq!(ok + busy, 50, "{answers:?}");
    assert!(ok >= 1, "{answers:?}");
    assert_eq!(
        server.login("ada@example.com", PASSWORD).status(),
        200,
        "the account is not locked"
    );
}
