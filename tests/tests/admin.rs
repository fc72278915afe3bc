//! The administration API end to end: listing, roles, the last-admin guard,
//! admin-triggered resets and the trail naming the admin. Admins come from
//! `server create-admin`, which refuses the in-memory store, so these run on
//! SQLite and PostgreSQL only.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use e2e::serde_json::{Value, json};
use e2e::{
    Backend, TestServer, admin_creates_user, admin_patches_user, as_user, create_admin, e2e_tests,
    me, problem_code, token_of, wait_for_mail,
};
use reqwest::Method;

e2e_tests!(
    an_admin_lists_users_newest_first_in_pages_until_next_cursor_is_null,
    the_user_listing_is_forbidden_to_a_user_and_unauthorized_without_a_token,
    a_demoted_admin_live_token_is_forbidden_at_once,
    the_last_admin_cannot_demote_deactivate_or_delete_themselves,
    an_admin_triggered_reset_mails_a_link_that_resets_the_password,
    the_user_trail_records_admin_actions_naming_the_admin,
    an_admin_ending_a_user_sessions_signs_them_out_everywhere,
);

const NEW_PASSWORD: &str = "a brand new passphrase 42";

fn id_of(user: &Value) -> String {
    user["id"].as_str().unwrap().to_owned()
}

fn an_admin_lists_users_newest_first_in_pages_until_next_cursor_is_null(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let admin = create_admin(&server, "root@example.com");
    let created: Vec<String> = (0..45)
        .map(|i| {
            let email = format!("user{i:02}@example.com");
            admin_creates_user(&server, &admin, &email, "user");
            email
        })
        .collect();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            None => "/api/v1/users?role=user&limit=20".to_owned(),
            Some(c) => format!("/api/v1/users?role=user&limit=20&cursor={c}"),
        };
        let response = as_user(&server, &admin, Method::GET, &path).send().unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let page: Value = response.json().unwrap();
        let items = page["items"].as_array().unwrap();
        sizes.push(items.len());
        seen.extend(
            items
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => {
                assert!(page["next_cursor"].is_null());
                break;
            }
        }
        assert!(sizes.len() < 10, "pagination does not end");
    }
    assert_eq!(sizes, [20, 20, 5]);
    let newest_first: Vec<String> = created.into_iter().rev().collect();
    assert_eq!(seen, newest_first);
}

fn the_user_listing_is_forbidden_to_a_user_and_unauthorized_without_a_token(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let user = server.signed_up("ada@example.com");

    let forbidden = as_user(&server, &user, Method::GET, "/api/v1/users")
        .send()
        .unwrap();
    assert_eq!(problem_code(forbidden), (403, "forbidden".into()));
    let anonymous = server.get("/api/v1/users").send().unwrap();
    assert_eq!(anonymous.status(), 401);
}

fn a_demoted_admin_live_token_is_forbidden_at_once(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let root = create_admin(&server, "root@example.com");
    let other = admin_creates_user(&server, &root, "grace@example.com", "admin");
    let grace: Value = server
        .login("grace@example.com", e2e::PASSWORD)
        .json()
        .unwrap();
    let list = |pair: &Value| {
        as_user(&server, pair, Method::GET, "/api/v1/users")
            .send()
            .unwrap()
    };
    assert_eq!(list(&grace).status(), 200);

    let demoted = admin_patches_user(&server, &root, &id_of(&other), &json!({"role": "user"}));
    assert_eq!(demoted.status(), 200);
    assert_eq!(demoted.json::<Value>().unwrap()["role"], "user");

    assert_eq!(problem_code(list(&grace)), (403, "forbidden".into()));
    assert_eq!(
        me(&server, &grace).status(),
        200,
        "still signed in as a user"
    );
}

fn the_last_admin_cannot_demote_deactivate_or_delete_themselves(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let root = create_admin(&server, "root@example.com");
    let root_id = me(&server, &root).json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for body in [json!({"role": "user"}), json!({"is_active": false})] {
        let refused = admin_patches_user(&server, &root, &root_id, &body);
        assert_eq!(problem_code(refused), (409, "last_admin".into()), "{body}");
    }
    let delete = as_user(
        &server,
        &root,
        Method::DELETE,
        &format!("/api/v1/users/{root_id}"),
    )
    .send()
    .unwrap();
    assert_eq!(problem_code(delete), (409, "last_admin".into()));

    let profile: Value = me(&server, &root).json().unwrap();
    assert_eq!(
        (profile["role"].clone(), profile["is_active"].clone()),
        (json!("admin"), json!(true))
    );
}

fn an_admin_triggered_reset_mails_a_link_that_resets_the_password(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let root = create_admin(&server, "root@example.com");
    let ada = admin_creates_user(&server, &root, "ada@example.com", "user");

    let requested = as_user(
        &server,
        &root,
        Method::POST,
        &format!("/api/v1/users/{}/password-reset", id_of(&ada)),
    )
    .send()
    .unwrap();
    assert_eq!(requested.status(), 202);

    let mail = wait_for_mail(&server, "reset-password", "ada@example.com", 1).remove(0);
    let reset = server.post_json(
        "/api/v1/auth/reset-password",
        &json!({"token": token_of(&mail), "new_password": NEW_PASSWORD}),
    );
    assert_eq!(reset.status(), 204);
    assert_eq!(server.login("ada@example.com", NEW_PASSWORD).status(), 200);
    assert_eq!(server.login("ada@example.com", e2e::PASSWORD).status(), 401);
}

fn the_user_trail_records_admin_actions_naming_the_admin(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let root = create_admin(&server, "root@example.com");
    let root_id = me(&server, &root).json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ada = id_of(&admin_creates_user(
        &server,
        &root,
        "ada@example.com",
        "user",
    ));

    for body in [
        json!({"name": "Countess Lovelace"}),
        json!({"is_active": false}),
        json!({"is_active": true}),
    ] {
        assert_eq!(
            admin_patches_user(&server, &root, &ada, &body).status(),
            200,
            "{body}"
        );
    }
    let reset = as_user(
        &server,
        &root,
        Method::POST,
        &format!("/api/v1/users/{ada}/password-reset"),
    )
    .send()
    .unwrap();
    assert_eq!(reset.status(), 202);

    let trail: Value = as_user(
        &server,
        &root,
        Method::GET,
        &format!("/api/v1/users/{ada}/events"),
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    let items = trail["items"].as_array().unwrap();
    for kind in [
        "registered",
        "updated_by_admin",
        "deactivated",
        "reactivated",
        "password_reset_requested",
    ] {
        let event = items
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} event in {trail}"));
        let detail = event["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&root_id),
            "{kind} detail {detail:?} names {root_id}"
        );
    }
    let kinds: Vec<&str> = items.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds[..4],
        [
            "password_reset_requested",
            "reactivated",
            "deactivated",
            "updated_by_admin"
        ],
        "newest first"
    );
}

fn an_admin_ending_a_user_sessions_signs_them_out_everywhere(backend: Backend) {
    let Some(server) = TestServer::start(backend, &[]) else {
        return;
    };
    let root = create_admin(&server, "root@example.com");
    let ada = id_of(&admin_creates_user(
        &server,
        &root,
        "ada@example.com",
        "user",
    ));
    let sessions: Vec<Value> = (0..2)
        .map(|_| {
            server
                .login("ada@example.com", e2e::PASSWORD)
                .json()
                .unwrap()
        })
        .collect();

    let ended = as_user(
        &server,
        &root,
        Method::DELETE,
        &format!("/api/v1/users/{ada}/sessions"),
    )
    .send()
    .unwrap();
    assert_eq!(ended.status(), 204);

    for pair in &sessions {
        assert_eq!(me(&server, pair).status(), 401);
    }
    assert_eq!(
        me(&server, &root).status(),
        200,
        "the admin's own session stays"
    );
    assert_eq!(server.login("ada@example.com", e2e::PASSWORD).status(), 200);
}
