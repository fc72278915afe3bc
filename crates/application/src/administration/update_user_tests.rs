use domain::InfraError;

use super::*;
use crate::test_support::*;

fn command(user_id: UserId) -> UpdateUserCommand {
    UpdateUserCommand {
        user_id,
        name: None,
        role: None,
        is_active: None,
        email_verified: None,
    }
}

#[tokio::test]
async fn a_role_change_is_one_guarded_write_with_an_updated_by_admin_event_naming_the_admin() {
    let mut ports = MockPorts::new();
    let (admin, target) = (admin(), user());
    let (admin_id, target_id) = (admin.user.id, target.id);
    ports
        .users
        .expect_change_access()
        .times(1)
        .returning(move |access, change, effects| {
            assert_eq!(access.role, Some(Role::Admin));
            assert_eq!(access.is_active, None);
            assert_eq!(change.user_id, target_id);
            assert_eq!(change.at, now());
            assert_eq!(change.end_sessions, EndSessions::None);
            assert_eq!(effects.events.len(), 1);
            let event = &effects.events[0];
            assert_eq!(event.kind, EventKind::UpdatedByAdmin);
            assert_eq!(event.user_id, target_id);
            assert_eq!(event.detail, Some(format!("by admin {admin_id}")));
            assert!(effects.mails.is_empty());
            Ok(user())
        });

    let result = ports
        .administration()
        .update_user(
            &admin,
            UpdateUserCommand {
                role: Some(Role::Admin),
                ..command(target.id)
            },
            &context(),
        )
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn deactivating_ends_every_session_in_the_same_write_with_a_deactivated_event() {
    let mut ports = MockPorts::new();
    ports
        .users
        .expect_change_access()
        .times(1)
        .returning(|access, change, effects| {
            assert_eq!(access.is_active, Some(false));
            assert_eq!(change.end_sessions, EndSessions::All);
            let kinds: Vec<EventKind> = effects.events.iter().map(|e| e.kind).collect();
            assert_eq!(kinds, [EventKind::Deactivated]);
            Ok(user())
        });

    let result = ports
        .administration()
        .update_user(
            &admin(),
            UpdateUserCommand {
                is_active: Some(false),
                ..command(UserId::generate())
            },
            &context(),
        )
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn reactivating_with_a_rename_records_both_events_and_ends_no_session() {
    let mut ports = MockPorts::new();
    ports
        .users
        .expect_change_access()
        .times(1)
        .returning(|_, change, effects| {
            assert_eq!(change.name.as_ref().map(UserName::as_str), Some("Ada King"));
            assert_eq!(change.end_sessions, EndSessions::None);
            let kinds: Vec<EventKind> = effects.events.iter().map(|e| e.kind).collect();
            assert_eq!(kinds, [EventKind::UpdatedByAdmin, EventKind::Reactivated]);
            Ok(user())
        });

    let result = ports
        .administration()
        .update_user(
            &admin(),
            UpdateUserCommand {
                name: Some(name("Ada King")),
                is_active: Some(true),
                ..command(UserId::generate())
            },
            &context(),
        )
        .await;

    assert!(result.is_ok());
}

#[tokio::test]
async fn a_command_that_changes_nothing_writes_nothing_and_answers_the_account() {
    let mut ports = MockPorts::new();
    let account = user();
    let stored = account.clone();
    ports.users.expect_change_access().never();
    ports
        .users
        .expect_find_by_id()
        .return_once(move |_| Ok(Some(stored)));

    let found = ports
        .administration()
        .update_user(&admin(), command(account.id), &context())
        .await
        .unwrap();

    assert_eq!(found, account);
}

#[tokio::test]
async fn the_last_admin_refusal_is_last_admin() {
    let mut ports = MockPorts::new();
    ports
        .users
        .expect_change_access()
        .returning(|_, _, _| Err(AccessChangeError::LastAdmin));

    let result = ports
        .administration()
        .update_user(
            &admin(),
            UpdateUserCommand {
                role: Some(Role::User),
                ..command(UserId::generate())
            },
            &context(),
        )
        .await;

    assert!(matches!(result, Err(UpdateUserError::LastAdmin)));
}

async fn deactivation_answering(error: AccessChangeError) -> Result<User, UpdateUserError> {
    let mut ports = MockPorts::new();
    ports
        .users
        .expect_change_access()
        .return_once(move |_, _, _| Err(error));
    ports
        .administration()
        .update_user(
            &admin(),
            UpdateUserCommand {
                is_active: Some(false),
                ..command(UserId::generate())
            },
            &context(),
        )
        .await
}

#[tokio::test]
async fn an_unknown_account_is_not_found() {
    let result = deactivation_answering(AccessChangeError::NotFound).await;

    assert!(matches!(result, Err(UpdateUserError::NotFound)));
}

#[tokio::test]
async fn a_store_failure_is_infra() {
    let result =
        deactivation_answering(AccessChangeError::Infra(InfraError::unexpected("down"))).await;

    assert!(matches!(result, Err(UpdateUserError::Infra(_))));
}
