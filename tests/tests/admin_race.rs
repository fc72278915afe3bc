//! The last-admin guard under concurrency, on PostgreSQL: two admins who
//! demote each other at the same moment always leave exactly one.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Barrier;

use e2e::serde_json::{Value, json};
use e2e::{
    Backend, PASSWORD, TestServer, admin_creates_user, admin_patches_user, as_user, create_admin,
    me,
};
use reqwest::Method;

const ROUNDS: usize = 10;

fn active_admins(server: &TestServer, admin: &Value) -> Vec<String> {
    let page: Value = as_user(
        server,
        admin,
        Method::GET,
        "/api/v1/users?role=admin&is_active=true&limit=100",
    )
    .send()
    .unwrap()
    .json()
    .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn two_admins_demoting_each_other_at_once_always_leave_exactly_one_active_admin() {
    let Some(server) = TestServer::start(Backend::Postgres, &[]) else {
        return;
    };
    let mut survivor = create_admin(&server, "root@example.com");

    for round in 0..ROUNDS {
        // Two fresh admins; the previous survivor steps down so they are the
        // only active admins when they race.
        let pairs: Vec<(String, Value)> = ["a", "b"]
            .iter()
            .map(|side| {
                let email = format!("{side}{round}@example.com");
                let user = admin_creates_user(&server, &survivor, &email, "admin");
                let pair: Value = server.login(&email, PASSWORD).json().unwrap();
                (user["id"].as_str().unwrap().to_owned(), pair)
            })
            .collect();
        let survivor_id = me(&server, &survivor).json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let stepped_down =
            admin_patches_user(&server, &survivor, &survivor_id, &json!({"role": "user"}));
        assert_eq!(stepped_down.status(), 200, "round {round}: step down");
        assert_eq!(active_admins(&server, &pairs[0].1).len(), 2);

        let barrier = Barrier::new(2);
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = [(0, 1), (1, 0)]
                .into_iter()
                .map(|(me_, other)| {
                    let (server, barrier, pairs) = (&server, &barrier, &pairs);
                    scope.spawn(move || {
                        barrier.wait();
                        admin_patches_user(
                            server,
                            &pairs[me_].1,
                            &pairs[other].0,
                            &json!({"role": "user"}),
                        )
                        .status()
                        .as_u16()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });

        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: exactly one demotion succeeds, got {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| [200, 403, 409].contains(s)),
            "round {round}: {statuses:?}"
        );
        let winner = usize::from(statuses[0] != 200);
        let admins = active_admins(&server, &pairs[winner].1);
        assert_eq!(
            admins,
            [pairs[winner].0.clone()],
            "round {round}: {statuses:?}"
        );
        survivor = pairs[winner].1.clone();
    }
}
