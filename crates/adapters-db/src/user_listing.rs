//! The body of `UserRepository::list`: keyset pages of accounts, with
//! their filters.

use diesel::prelude::*;
use domain::{User, UserCursor, UserFilter};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::rows::{UserRow, fold, to_db};
use crate::schema::users;

/// `text` with the `LIKE` wildcards (`%`, `_`) and the escape character
/// (`\\`) escaped, so that it matches only itself.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The body of `list`: one query, newest first by (created_at, id)
/// descending, along the `(created_at, id)` index read backwards (on SQLite
/// `users_created_at_id_search_idx`, which also holds the searched columns),
/// or users_role_is_active_created_at_id_idx when both are filtered.
pub(crate) fn list_users(
    conn: &mut DbConnection,
    filter: &UserFilter,
    limit: u32,
    after: Option<UserCursor>,
) -> Result<Vec<User>, StoreError> {
    let mut query = users::table
        .order((users::created_at.desc(), users::id.desc()))
        .limit(i64::from(limit))
        .select(UserRow::as_select())
        .into_boxed();
    let q = filter.q.as_deref().filter(|q| !q.is_empty());
    let searches = q.is_some();
    if let Some(q) = q {
        // Both sides lowercased by Rust: `email` is stored so, and
        // `name_folded` is the name folded by `fold`; so `LIKE` compares
        // the same text on both backends, whatever each one's own case
        // folding does.
        let pattern = format!("%{}%", escape_like(&fold(q)));
        query = query.filter(
            users::email
                .like(pattern.clone())
                .escape('\\')
                .or(users::name_folded.like(pattern).escape('\\')),
        );
    }
    if let Some(email) = &filter.email {
        query = query.filter(users::email.eq(email.as_str().to_owned()));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(is_active) = filter.is_active {
        query = query.filter(users::is_active.eq(is_active));
    }
    if let Some(cursor) = after {
        // (created_at, id) < cursor, spelled out: ids are hyphenated
        // lowercase UUID text, so comparing them as text compares the
        // UUIDs. The redundant `created_at <= at` is what both planners
        // can start the index scan at; without it, the OR is only a filter
        // and a deep page reads every newer row first.
        let at = to_db(cursor.created_at);
        let id = cursor.id.to_string();
        query = query.filter(users::created_at.le(at)).filter(
            users::created_at
                .lt(at)
                .or(users::created_at.eq(at).and(users::id.lt(id))),
        );
    }
    let rows: Vec<UserRow> = if searches && matches!(conn, DbConnection::Pg(_)) {
        // diesel reuses the prepared statement, and after five runs
        // PostgreSQL may switch to a generic plan, which cannot use the
        // trigram indexes for a pattern it does not know (a rare `q` then
        // walks the whole table: ~50 ms at 100,000 users instead of ~12).
        // A custom plan for this one query, in its own read transaction.
        conn.transaction(|conn| {
            diesel::sql_query("SET LOCAL plan_cache_mode = force_custom_plan").execute(conn)?;
            query.load(conn)
        })?
    } else {
        query.load(conn)?
    };
    rows.into_iter().map(User::try_from).collect()
}
