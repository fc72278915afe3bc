//! `UserRepository::list` contract: the admin listing, newest first by
//! (created_at, id), a keyset page at a time, filtered.

use chrono::TimeDelta;
use domain::ports::UserRepository;
use domain::{
    Effects, Email, Role, Timestamp, User, UserChange, UserCursor, UserFilter, UserId, UserName,
};

use crate::Harness;
use crate::contract::support::*;

/// A stored user with this email, name and creation time (role `user`,
/// active).
async fn create<H: Harness>(
    f: &Fixture<H>,
    email: &str,
    name: &str,
    created_at: Timestamp,
) -> User {
    create_with(f, email, name, created_at, Role::User, true).await
}

async fn create_with<H: Harness>(
    f: &Fixture<H>,
    email: &str,
    name: &str,
    created_at: Timestamp,
    role: Role,
    is_active: bool,
) -> User {
    let mut user = new_user(email);
    user.name = UserName::parse(name).unwrap();
    user.created_at = created_at;
    user.role = role;
    user.is_active = is_active;
    f.db.create(user, Effects::none()).await.unwrap()
}

/// `n` stored users, `user{i}@example.com` named `User {i}`, each created
/// `i` microseconds after t0, except that every third one shares the
/// instant of the one before it (so ties on created_at occur).
async fn many<H: Harness>(f: &Fixture<H>, n: i64) -> Vec<User> {
    let mut users = Vec::new();
    for i in 0..n {
        let micros = if i % 3 == 2 { i - 1 } else { i };
        let at = t0() + TimeDelta::microseconds(micros);
        users.push(create(f, &format!("user{i}@example.com"), &format!("User {i}"), at).await);
    }
    users
}

/// `users` in listing order: (created_at, id) descending.
fn newest_first(users: &[User]) -> Vec<User> {
    let mut sorted = users.to_vec();
    sorted.sort_by_key(|user| std::cmp::Reverse((user.created_at, user.id)));
    sorted
}

async fn list<H: Harness>(
    f: &Fixture<H>,
    filter: &UserFilter,
    limit: u32,
    after: Option<UserCursor>,
) -> Vec<User> {
    f.db.list(filter, limit, after).await.unwrap()
}

/// Every page of `filter` by `limit`, the first one included, until one
/// comes back short (possibly empty).
async fn walk<H: Harness>(f: &Fixture<H>, filter: &UserFilter, limit: u32) -> Vec<Vec<User>> {
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = list(f, filter, limit, after).await;
        let full = page.len() == limit as usize;
        after = page.last().map(UserCursor::of);
        pages.push(page);
        if !full {
            return pages;
        }
    }
}

fn emails(users: &[User]) -> Vec<&str> {
    users.iter().map(|user| user.email.as_str()).collect()
}

fn q(text: &str) -> UserFilter {
    UserFilter {
        q: Some(text.to_owned()),
        ..UserFilter::default()
    }
}

pub(crate) async fn users_are_listed_newest_first_with_the_id_breaking_ties_up_to_the_limit<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let old = create(&f, "old@example.com", "Old", t0()).await;
    let new = create(&f, "new@example.com", "New", t0() + secs(2)).await;
    // Three at one instant, created in descending id order, so that the
    // order of insertion is not the expected one.
    let middle = t0() + secs(1);
    let mut ids: Vec<UserId> = (0..3).map(|_| UserId::generate()).collect();
    ids.sort();
    ids.reverse();
    let mut tied = Vec::new();
    for (i, id) in ids.into_iter().enumerate() {
        let mut user = new_user(&format!("tied{i}@example.com"));
        user.id = id;
        user.created_at = middle;
        tied.push(f.db.create(user, Effects::none()).await.unwrap());
    }
    tied.sort_by_key(|user| std::cmp::Reverse(user.id));

    let all = list(&f, &UserFilter::default(), 10, None).await;

    let mut expected = vec![new];
    expected.extend(tied);
    expected.push(old);
    assert_eq!(all, expected, "every field, newest first, ties by id");
    assert_eq!(list(&f, &UserFilter::default(), 2, None).await, all[..2]);
    assert_eq!(list(&f, &UserFilter::default(), 5, None).await, all);
    assert_eq!(list(&f, &UserFilter::default(), 0, None).await, vec![]);
}

pub(crate) async fn walking_45_users_by_20_gives_pages_of_20_20_and_5_in_order<H: Harness>(
    f: Fixture<H>,
) {
    let users = many(&f, 45).await;

    let pages = walk(&f, &UserFilter::default(), 20).await;

    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![20, 20, 5]
    );
    assert_eq!(pages.concat(), newest_first(&users));
}

pub(crate) async fn walking_exactly_40_users_by_20_gives_two_full_pages_then_an_empty_one<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let users = many(&f, 40).await;

    let pages = walk(&f, &UserFilter::default(), 20).await;

    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![20, 20, 0]
    );
    assert_eq!(pages.concat(), newest_first(&users));
}

pub(crate) async fn users_created_between_page_reads_cause_no_duplicate_and_no_gap<H: Harness>(
    f: Fixture<H>,
) {
    let before = many(&f, 10).await;
    let all = UserFilter::default();
    let first = list(&f, &all, 4, None).await;
    let cursor = UserCursor::of(first.last().unwrap());

    // New accounts are newer than every page: none shows up further on.
    for i in 0..3 {
        create(
            &f,
            &format!("newer{i}@example.com"),
            "Newer",
            t0() + secs(60) + secs(i),
        )
        .await;
    }
    let second = list(&f, &all, 4, Some(cursor)).await;
    let third = list(&f, &all, 4, Some(UserCursor::of(second.last().unwrap()))).await;

    let mut walked = first.clone();
    walked.extend(second.iter().cloned());
    walked.extend(third.iter().cloned());
    assert_eq!(walked, newest_first(&before), "no duplicate, no gap");

    // One older than the cursor (a backdated import, say) is met in its
    // place further on, and the rest still follow without a gap.
    let backdated = create(&f, "backdated@example.com", "Backdated", t0() - secs(1)).await;
    let rest = list(&f, &all, 100, Some(cursor)).await;
    let mut expected = newest_first(&before)[4..].to_vec();
    expected.push(backdated);
    assert_eq!(rest, expected);
}

pub(crate) async fn after_is_a_position_at_microsecond_precision_and_need_not_name_a_stored_user<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let users = newest_first(&many(&f, 6).await);
    let all = UserFilter::default();

    // A made-up position between two users.
    let between = UserCursor {
        created_at: users[2].created_at + TimeDelta::nanoseconds(500),
        id: UserId::generate(),
    };
    // Nanoseconds are dropped, as from every stored time: this is users[2]'s
    // own position plus a newer id, so users[2] is strictly older.
    assert_eq!(list(&f, &all, 10, Some(between)).await, users[2..]);

    let at_user = UserCursor {
        created_at: users[2].created_at + TimeDelta::nanoseconds(999),
        id: users[2].id,
    };
    assert_eq!(list(&f, &all, 10, Some(at_user)).await, users[3..]);

    let past_everything = UserCursor {
        created_at: users[5].created_at - secs(1),
        id: users[5].id,
    };
    assert_eq!(list(&f, &all, 10, Some(past_everything)).await, vec![]);
}

pub(crate) async fn q_matches_a_substring_of_the_email_or_the_name_case_insensitively<
    H: Harness,
>(
    f: Fixture<H>,
) {
    let ada = create(&f, "ada@analytical.example.org", "Ada Lovelace", t0()).await;
    let adaa = create(&f, "nordic@example.com", "Ådá Nørgaard", t0() + secs(1)).await;
    let grace = create(&f, "grace@navy.example.com", "Grace Hopper", t0() + secs(2)).await;

    assert_eq!(
        list(&f, &q("analytical"), 10, None).await,
        vec![ada.clone()]
    );
    assert_eq!(
        list(&f, &q("ANALYTICAL.Example"), 10, None).await,
        vec![ada.clone()]
    );
    assert_eq!(list(&f, &q("lovelace"), 10, None).await, vec![ada.clone()]);
    assert_eq!(list(&f, &q("LOVE"), 10, None).await, vec![ada.clone()]);
    assert_eq!(list(&f, &q("ådá"), 10, None).await, vec![adaa.clone()]);
    assert_eq!(list(&f, &q("ÅDÁ"), 10, None).await, vec![adaa.clone()]);
    assert_eq!(list(&f, &q("NØRG"), 10, None).await, vec![adaa.clone()]);
    // "ada" is in Ada's email and name, not in "Ådá" (other letters).
    assert_eq!(list(&f, &q("ADA"), 10, None).await, vec![ada.clone()]);
    // Email or name: one user by each.
    assert_eq!(list(&f, &q("nordic"), 10, None).await, vec![adaa.clone()]);
    assert_eq!(
        list(&f, &q("example"), 10, None).await,
        vec![grace.clone(), adaa.clone(), ada.clone()]
    );
    assert_eq!(list(&f, &q("o"), 10, None).await, vec![grace, adaa, ada]);
    assert_eq!(list(&f, &q("lovelace hopper"), 10, None).await, vec![]);
}

pub(crate) async fn q_treats_percent_underscore_and_backslash_as_themselves<H: Harness>(
    f: Fixture<H>,
) {
    let percent = create(&f, "p@example.com", "100% Sure", t0()).await;
    let hundred = create(&f, "h@example.com", "100 Sure", t0() + secs(1)).await;
    let underscore = create(&f, "u@example.com", "snake_case", t0() + secs(2)).await;
    let snakes = create(&f, "s@example.com", "snakeXcase", t0() + secs(3)).await;
    let backslash = create(&f, "b@example.com", "back\\slash", t0() + secs(4)).await;
    let plain = create(&f, "n@example.com", "backslash", t0() + secs(5)).await;

    assert_eq!(list(&f, &q("%"), 10, None).await, vec![percent.clone()]);
    assert_eq!(list(&f, &q("0% s"), 10, None).await, vec![percent]);
    assert_eq!(list(&f, &q("_"), 10, None).await, vec![underscore.clone()]);
    assert_eq!(list(&f, &q("e_c"), 10, None).await, vec![underscore]);
    assert_eq!(list(&f, &q("\\"), 10, None).await, vec![backslash.clone()]);
    assert_eq!(
        list(&f, &q("k\\s"), 10, None).await,
        vec![backslash.clone()]
    );
    assert_eq!(list(&f, &q("\\%"), 10, None).await, vec![]);
    assert_eq!(list(&f, &q("\\_"), 10, None).await, vec![]);
    // The plain ones are there, and found by plain text.
    assert_eq!(list(&f, &q("100 s"), 10, None).await, vec![hundred]);
    assert_eq!(list(&f, &q("exc"), 10, None).await, vec![snakes]);
    assert_eq!(
        list(&f, &q("slash"), 10, None).await,
        vec![plain, backslash]
    );
}

pub(crate) async fn a_renamed_user_is_found_by_the_new_name_only<H: Harness>(f: Fixture<H>) {
    let user = create(&f, "r@example.com", "Old Name", t0()).await;
    let mut change = UserChange::new(user.id, t0() + secs(1));
    change.name = Some(UserName::parse("Ünïcödé Nämé").unwrap());
    let renamed = f.db.apply_change(change, Effects::none()).await.unwrap();

    assert_eq!(list(&f, &q("old"), 10, None).await, vec![]);
    assert_eq!(
        list(&f, &q("ÜNÏCÖDÉ"), 10, None).await,
        vec![renamed.clone()]
    );
    assert_eq!(list(&f, &q("nämé"), 10, None).await, vec![renamed]);
}

pub(crate) async fn email_is_an_exact_case_insensitive_lookup<H: Harness>(f: Fixture<H>) {
    let ada = create(&f, "ada@example.com", "Ada", t0()).await;
    create(&f, "xada@example.com", "Xada", t0() + secs(1)).await;
    create(&f, "ada@example.community", "Ada Too", t0() + secs(2)).await;
    let filter = |email: &str| UserFilter {
        email: Some(Email::parse(email).unwrap()),
        ..UserFilter::default()
    };

    assert_eq!(
        list(&f, &filter("ada@example.com"), 10, None).await,
        vec![ada.clone()]
    );
    assert_eq!(
        list(&f, &filter("ADA@Example.COM"), 10, None).await,
        vec![ada]
    );
    assert_eq!(list(&f, &filter("da@example.com"), 10, None).await, vec![]);
}

pub(crate) async fn role_and_is_active_select_exactly<H: Harness>(f: Fixture<H>) {
    let user = create_with(&f, "u@example.com", "U", t0(), Role::User, true).await;
    let admin = create_with(&f, "a@example.com", "A", t0() + secs(1), Role::Admin, true).await;
    let off = create_with(&f, "o@example.com", "O", t0() + secs(2), Role::User, false).await;
    let off_admin = create_with(&f, "x@example.com", "X", t0() + secs(3), Role::Admin, false).await;
    let role = |role| UserFilter {
        role: Some(role),
        ..UserFilter::default()
    };
    let active = |is_active| UserFilter {
        is_active: Some(is_active),
        ..UserFilter::default()
    };

    assert_eq!(
        list(&f, &role(Role::Admin), 10, None).await,
        vec![off_admin.clone(), admin.clone()]
    );
    assert_eq!(
        list(&f, &role(Role::User), 10, None).await,
        vec![off.clone(), user.clone()]
    );
    assert_eq!(
        list(&f, &active(true), 10, None).await,
        vec![admin.clone(), user.clone()]
    );
    assert_eq!(
        list(&f, &active(false), 10, None).await,
        vec![off_admin.clone(), off]
    );
    let both = UserFilter {
        role: Some(Role::Admin),
        is_active: Some(false),
        ..UserFilter::default()
    };
    assert_eq!(list(&f, &both, 10, None).await, vec![off_admin]);
    assert_eq!(list(&f, &UserFilter::default(), 10, None).await.len(), 4);
}

pub(crate) async fn every_filter_combines_with_every_other<H: Harness>(f: Fixture<H>) {
    let target = create_with(&f, "ada@example.com", "Ada Admin", t0(), Role::Admin, false).await;
    // Each differs from the target in one respect only.
    create_with(
        &f,
        "ada2@example.com",
        "Ada Admin",
        t0() + secs(1),
        Role::User,
        false,
    )
    .await;
    create_with(
        &f,
        "ada3@example.com",
        "Ada Admin",
        t0() + secs(2),
        Role::Admin,
        true,
    )
    .await;
    create_with(
        &f,
        "bob@example.com",
        "Bob Admin",
        t0() + secs(3),
        Role::Admin,
        false,
    )
    .await;
    let mut filter = UserFilter {
        q: Some("ADA".into()),
        email: None,
        role: Some(Role::Admin),
        is_active: Some(false),
    };

    assert_eq!(list(&f, &filter, 10, None).await, vec![target.clone()]);
    filter.email = Some(Email::parse("ada@example.com").unwrap());
    assert_eq!(list(&f, &filter, 10, None).await, vec![target]);
    filter.q = Some("bob".into());
    assert_eq!(list(&f, &filter, 10, None).await, vec![]);
}

pub(crate) async fn filters_combine_with_pagination<H: Harness>(f: Fixture<H>) {
    let mut matching = Vec::new();
    for i in 0..50 {
        // Every other user is a match; some matches share an instant.
        let at = t0() + TimeDelta::microseconds(i / 4);
        let role = if i % 2 == 0 { Role::Admin } else { Role::User };
        let email = format!("p{i}@example.com");
        let user = create_with(&f, &email, "Needle Person", at, role, true).await;
        if role == Role::Admin {
            matching.push(user);
        }
    }
    create_with(&f, "other@example.com", "Other", t0(), Role::Admin, true).await;
    let filter = UserFilter {
        q: Some("needle".into()),
        role: Some(Role::Admin),
        ..UserFilter::default()
    };

    let pages = walk(&f, &filter, 10).await;

    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![10, 10, 5]
    );
    assert_eq!(pages.concat(), newest_first(&matching));
}

pub(crate) async fn nothing_to_list_is_an_empty_list<H: Harness>(f: Fixture<H>) {
    assert_eq!(list(&f, &UserFilter::default(), 20, None).await, vec![]);
    assert_eq!(list(&f, &q("anyone"), 20, None).await, vec![]);
    create(&f, "ada@example.com", "Ada", t0()).await;
    assert_eq!(list(&f, &q("grace"), 20, None).await, vec![]);
    assert_eq!(
        emails(&list(&f, &UserFilter::default(), 20, None).await),
        vec!["ada@example.com"]
    );
}
