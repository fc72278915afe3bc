//! `UserRepository` contract.

use domain::ports::UserRepository;
use domain::{CreateUserError, Effects, Email, EventKind, InfraError, PasswordHash, Role, UserId};

use crate::support::*;

contract_tests!(a_stored_user_that_no_longer_parses_is_unexpected,);

async fn a_stored_user_that_no_longer_parses_is_unexpected(f: Fixture) {
    let bad_email = f.user().await;
    let bad_name = f.user().await;
    f.sql(&format!(
        "UPDATE users SET email = 'not an email' WHERE id = '{}'",
        bad_email.id
    ))
    .await;
    f.sql(&format!(
        "UPDATE users SET name = '   ' WHERE id = '{}'",
        bad_name.id
    ))
    .await;

    let by_id = f.db.find_by_id(bad_email.id).await;
    assert!(matches!(by_id, Err(InfraError::Unexpected(_))), "{by_id:?}");
    let by_email = f.db.find_by_email(&bad_name.email).await;
    assert!(
        matches!(by_email, Err(InfraError::Unexpected(_))),
        "{by_email:?}"
    );
}
