#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use adapters_mail::{MailConfig, Transport, build_mailer};
use domain::MailKind;
use uuid::Uuid;

fn config(dir: &std::path::Path) -> MailConfig {
    MailConfig {
        transport: Transport::File,
        from: common::FROM.to_owned(),
        file_dir: dir.to_path_buf(),
        ..MailConfig::default()
    }
}

fn eml_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_file_transport_writes_a_complete_eml_per_kind() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = build_mailer(&config(dir.path())).unwrap();

    for kind in MailKind::ALL {
        let id = Uuid::now_v7();
        mailer.send(id, &common::mail(kind)).await.unwrap();

        let raw = std::fs::read_to_string(dir.path().join(format!("{id}.eml"))).unwrap();
        common::assert_complete(&raw, id, kind);
    }
    assert_eq!(eml_files(dir.path()).len(), MailKind::ALL.len());
}

#[tokio::test]
async fn the_file_transport_creates_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("data").join("outbox");
    let mailer = build_mailer(&config(&outbox)).unwrap();
    assert!(outbox.is_dir(), "created at start-up");
    std::fs::remove_dir_all(&outbox).unwrap();

    let id = Uuid::now_v7();
    mailer
        .send(id, &common::mail(MailKind::Welcome))
        .await
        .unwrap();

    assert!(
        outbox.join(format!("{id}.eml")).is_file(),
        "created again on send"
    );
}

#[tokio::test]
async fn a_retried_message_overwrites_its_file_instead_of_duplicating_it() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = build_mailer(&config(dir.path())).unwrap();
    let id = Uuid::now_v7();

    mailer
        .send(id, &common::mail(MailKind::ResetPassword))
        .await
        .unwrap();
    mailer
        .send(id, &common::mail(MailKind::ResetPassword))
        .await
        .unwrap();

    assert_eq!(
        eml_files(dir.path()),
        vec![format!("{id}.eml")],
        "no temp file left either"
    );
    let raw = std::fs::read_to_string(dir.path().join(format!("{id}.eml"))).unwrap();
    common::assert_complete(&raw, id, MailKind::ResetPassword);
}

#[test]
fn a_file_dir_that_cannot_be_created_is_a_setup_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a folder").unwrap();

    let error = build_mailer(&config(&blocker.join("outbox")))
        .err()
        .unwrap();

    assert!(error.to_string().contains("file_dir"), "{error}");
}

#[tokio::test]
async fn a_message_that_cannot_be_rendered_fails_permanently() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = build_mailer(&config(dir.path())).unwrap();
    let mut mail = common::mail(MailKind::Welcome);
    mail.link = None;

    let error = mailer.send(Uuid::now_v7(), &mail).await.unwrap_err();

    assert!(
        matches!(error, domain::ports::MailError::Permanent(_)),
        "{error:?}"
    );
    assert!(eml_files(dir.path()).is_empty());
}
