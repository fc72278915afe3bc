//! Two-factor authentication against the real binary: enrolment, the
//! two-step login with codes computed from the secret as an authenticator
//! app would, replay, recovery codes, turning it off (also by an admin),
//! lockout through wrong codes, the password grant, mail, events, and no
//! secret in the log; on SQLite, PostgreSQL and memory.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::serde_json::{Value, json};
use e2e::{
    Backend, PASSWORD, TestServer, as_user, create_admin, e2e_tests, me, problem_code,
    wait_for_mail,
};
use reqwest::Method;
use totp_rs::{Builder, Secret};

e2e_tests!(
    enrolment_two_step_login_recovery_codes_and_turning_off,
    wrong_codes_lock_the_account_and_an_admin_turns_two_factor_off,
);

#[test]
fn memory_enrolment_two_step_login_recovery_codes_and_turning_off() {
    flow(&TestServer::start_in_memory(ENV));
}

const ENV: &[(&str, &str)] = &[("APP_RATE_LIMIT__AUTH_PER_MINUTE", "0")];

fn enrolment_two_step_login_recovery_codes_and_turning_off(backend: Backend) {
    let Some(server) = TestServer::start(backend, ENV) else {
        return;
    };
    flow(&server);
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The code an authenticator app shows for `secret`, `steps` 30-second
/// steps from now. Waits out the last 3 seconds of a step first, so the
/// server checks in the step the code was computed for.
fn code(secret: &str, steps: i64) -> String {
    while now_secs() % 30 >= 27 {
        std::thread::sleep(Duration::from_millis(200));
    }
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let at = now_secs().checked_add_signed(steps * 30).unwrap();
    totp.generate(at).to_string()
}

fn post_as(
    server: &TestServer,
    pair: &Value,
    path: &str,
    body: &Value,
) -> reqwest::blocking::Response {
    as_user(server, pair, Method::POST, path)
        .json(body)
        .send()
        .unwrap()
}

/// A fresh `mfa_token` from a login with the right password.
fn mfa_token(server: &TestServer, email: &str) -> String {
    let response = server.login(email, PASSWORD);
    assert_eq!(response.status(), 403);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().unwrap();
    assert_eq!(body["code"], "mfa_required");
    body["mfa_token"].as_str().unwrap().to_owned()
}

fn second_step(server: &TestServer, body: &Value) -> reqwest::blocking::Response {
    server.post_json("/api/v1/auth/mfa", body)
}

/// Enrols `email` (logged in as `pair`): returns the secret and the codes.
fn enrol(server: &TestServer, pair: &Value, email: &str) -> (String, Vec<String>) {
    let started = post_as(
        server,
        pair,
        "/api/v1/users/me/mfa/totp",
        &json!({"current_password": PASSWORD}),
    );
    assert_eq!(started.status(), 200);
    assert_eq!(started.headers()["cache-control"], "no-store");
    let started: Value = started.json().unwrap();
    let secret = started["secret"].as_str().unwrap().to_owned();
    let uri = started["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!(
            "otpauth://totp/app.test:{}?secret={secret}",
            email.replace('@', "%40")
        )),
        "{uri}"
    );
    assert!(uri.contains("&issuer=app.test"), "{uri}");
    let confirmed = post_as(
        server,
        pair,
        "/api/v1/users/me/mfa/totp/confirm",
        &json!({"code": code(&secret, -1)}),
    );
    assert_eq!(confirmed.status(), 200);
    let codes: Vec<String> = confirmed.json::<Value>().unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

fn event_kinds(server: &TestServer, pair: &Value) -> Vec<String> {
    let page: Value = as_user(
        server,
        pair,
        Method::GET,
        "/api/v1/users/me/events?limit=100",
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn flow(server: &TestServer) {
    let email = "ada@example.com";
    assert_eq!(server.register(email, PASSWORD, "Ada").status(), 201);
    let pair: Value = server.login(email, PASSWORD).json().unwrap();
    let other_session: Value = server.login(email, PASSWORD).json().unwrap();
    let mut secrets = Vec::new();

    // Enrolment: the password is checked; a wrong code does not turn it on.
    let wrong = post_as(
        server,
        &pair,
        "/api/v1/users/me/mfa/totp",
        &json!({"current_password": "not the password at all"}),
    );
    assert_eq!(problem_code(wrong), (401, "invalid_credentials".to_owned()));
    let unconfirmed = post_as(
        server,
        &pair,
        "/api/v1/users/me/mfa/totp/confirm",
        &json!({"code": "123456"}),
    );
    assert_eq!(problem_code(unconfirmed), (404, "not_found".to_owned()));
    let (secret, codes) = enrol(server, &pair, email);
    secrets.push(secret.clone());
    secrets.extend(codes.iter().cloned());
    let me_now: Value = me(server, &pair).json().unwrap();
    assert_eq!(me_now["mfa_enabled"], true);
    // Every other session ended; this one stays.
    assert_eq!(me(server, &other_session).status(), 401);
    let again = post_as(
        server,
        &pair,
        "/api/v1/users/me/mfa/totp",
        &json!({"current_password": PASSWORD}),
    );
    assert_eq!(problem_code(again), (409, "mfa_already_enabled".to_owned()));
    wait_for_mail(server, "mfa-enabled", email, 1);

    // The password grant refuses the account, naming the login route.
    let granted = server
        .post("/api/v1/auth/token")
        .form(&[
            ("grant_type", "password"),
            ("username", email),
            ("password", PASSWORD),
        ])
        .send()
        .unwrap();
    assert_eq!(granted.status(), 400);
    let granted: Value = granted.json().unwrap();
    assert_eq!(granted["error"], "invalid_grant");
    assert!(
        granted["error_description"]
            .as_str()
            .unwrap()
            .contains("/api/v1/auth/login")
    );

    // The two-step login; a code is accepted once.
    let first = mfa_token(server, email);
    let pending = mfa_token(server, email);
    secrets.extend([first.clone(), pending.clone()]);
    let wrong = second_step(
        server,
        &json!({"mfa_token": first, "code": code(&secret, 5)}),
    );
    assert_eq!(problem_code(wrong), (401, "invalid_mfa_code".to_owned()));
    let now_code = code(&secret, 0);
    let opened = second_step(server, &json!({"mfa_token": first, "code": now_code}));
    assert_eq!(opened.status(), 200);
    assert_eq!(opened.headers()["cache-control"], "no-store");
    let session: Value = opened.json().unwrap();
    assert_eq!(me(server, &session).status(), 200);
    let reused_token = second_step(
        server,
        &json!({"mfa_token": first, "code": code(&secret, 1)}),
    );
    assert_eq!(
        problem_code(reused_token),
        (401, "invalid_token".to_owned())
    );
    // The older token is still good; the same code is not.
    let replay = second_step(server, &json!({"mfa_token": pending, "code": now_code}));
    assert_eq!(problem_code(replay), (401, "invalid_mfa_code".to_owned()));

    // Each recovery code works once.
    let opened = second_step(
        server,
        &json!({"mfa_token": pending, "recovery_code": codes[0]}),
    );
    assert_eq!(opened.status(), 200);
    let token = mfa_token(server, email);
    secrets.push(token.clone());
    let used = second_step(
        server,
        &json!({"mfa_token": token, "recovery_code": codes[0]}),
    );
    assert_eq!(problem_code(used), (401, "invalid_mfa_code".to_owned()));
    let both = second_step(
        server,
        &json!({"mfa_token": token, "code": "123456", "recovery_code": codes[1]}),
    );
    assert_eq!(both.status(), 422);

    // New recovery codes void the old.
    let regenerated = post_as(
        server,
        &pair,
        "/api/v1/users/me/mfa/recovery-codes",
        &json!({"current_password": PASSWORD, "code": code(&secret, 1)}),
    );
    assert_eq!(regenerated.status(), 200);
    let fresh: Vec<String> = regenerated.json::<Value>().unwrap()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    secrets.extend(fresh.iter().cloned());
    let old = second_step(
        server,
        &json!({"mfa_token": token, "recovery_code": codes[1]}),
    );
    assert_eq!(problem_code(old), (401, "invalid_mfa_code".to_owned()));
    let opened = second_step(
        server,
        &json!({"mfa_token": token, "recovery_code": fresh[0].to_uppercase()}),
    );
    assert_eq!(opened.status(), 200);

    let kinds = event_kinds(server, &pair);
    for kind in [
        "mfa_enabled",
        "mfa_failed",
        "recovery_code_used",
        "recovery_codes_regenerated",
        "login_succeeded",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }

    // Turning it off needs the password and a code.
    let wrong = as_user(server, &pair, Method::DELETE, "/api/v1/users/me/mfa")
        .json(&json!({"current_password": PASSWORD, "code": "nope-nope"}))
        .send()
        .unwrap();
    assert_eq!(problem_code(wrong), (401, "invalid_mfa_code".to_owned()));
    let off = as_user(server, &pair, Method::DELETE, "/api/v1/users/me/mfa")
        .json(&json!({"current_password": PASSWORD, "code": fresh[1]}))
        .send()
        .unwrap();
    assert_eq!(off.status(), 204);
    wait_for_mail(server, "mfa-disabled", email, 1);
    assert!(
        event_kinds(server, &pair)
            .iter()
            .any(|k| k == "mfa_disabled")
    );
    assert_eq!(server.login(email, PASSWORD).status(), 200);
    let me_now: Value = me(server, &pair).json().unwrap();
    assert_eq!(me_now["mfa_enabled"], false);

    // No secret, code, recovery code or mfa_token in any log line.
    let log = server.log_text();
    for secret in secrets.iter().chain([&now_code]) {
        assert!(
            !log.contains(secret.as_str()),
            "the log holds {secret}:\n{log}"
        );
    }
}

fn wrong_codes_lock_the_account_and_an_admin_turns_two_factor_off(backend: Backend) {
    let Some(server) = TestServer::start(backend, ENV) else {
        return;
    };
    let admin = create_admin(&server, "admin@example.com");
    let email = "bob@example.com";
    assert_eq!(server.register(email, PASSWORD, "Bob").status(), 201);
    let pair: Value = server.login(email, PASSWORD).json().unwrap();
    let (secret, _codes) = enrol(&server, &pair, email);
    let bob = me(&server, &pair).json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let token = mfa_token(&server, email);
    for _ in 0..5 {
        let wrong = second_step(&server, &json!({"mfa_token": token, "code": "000000"}));
        assert_eq!(problem_code(wrong), (401, "invalid_mfa_code".to_owned()));
    }
    let locked = second_step(
        &server,
        &json!({"mfa_token": token, "code": code(&secret, 0)}),
    );
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().contains_key("retry-after"));
    assert_eq!(server.login(email, PASSWORD).status(), 429);

    // The admin turns it off: sessions end, the notice is mailed.
    let off = as_user(
        &server,
        &admin,
        Method::DELETE,
        &format!("/api/v1/users/{bob}/mfa"),
    )
    .send()
    .unwrap();
    assert_eq!(off.status(), 204);
    assert_eq!(me(&server, &pair).status(), 401);
    wait_for_mail(&server, "mfa-disabled", email, 1);
    let user: Value = as_user(
        &server,
        &admin,
        Method::GET,
        &format!("/api/v1/users/{bob}"),
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(user["mfa_enabled"], false);
    let events: Value = as_user(
        &server,
        &admin,
        Method::GET,
        &format!("/api/v1/users/{bob}/events"),
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    let disabled = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["kind"] == "mfa_disabled")
        .expect("mfa_disabled");
    assert!(
        disabled["detail"]
            .as_str()
            .unwrap()
            .starts_with("by admin ")
    );
    let again = as_user(
        &server,
        &admin,
        Method::DELETE,
        &format!("/api/v1/users/{bob}/mfa"),
    )
    .send()
    .unwrap();
    assert_eq!(problem_code(again), (404, "not_found".to_owned()));
}
