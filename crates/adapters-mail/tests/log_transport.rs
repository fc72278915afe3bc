#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use adapters_mail::{MailConfig, Transport, build_mailer};
use domain::MailKind;
use uuid::Uuid;

/// Collects what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_log_transport_logs_the_kind_and_a_masked_recipient_but_never_the_link() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let dir = tempfile::tempdir().unwrap();
    let mailer = build_mailer(&MailConfig {
        transport: Transport::Log,
        from: common::FROM.to_owned(),
        file_dir: dir.path().to_path_buf(),
        ..MailConfig::default()
    })
    .unwrap();
    let id = Uuid::now_v7();

    mailer
        .send(id, &common::mail(MailKind::ResetPassword))
        .await
        .unwrap();

    let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains(" INFO "), "{logged}");
    assert!(logged.contains("reset-password"), "{logged}");
    assert!(logged.contains("a***@example.com"), "{logged}");
    assert!(logged.contains(&id.to_string()), "{logged}");
    assert!(!logged.contains("ada@example.com"), "{logged}");
    assert!(!logged.contains("token"), "{logged}");
    assert!(!logged.contains("Ada Lovelace"), "{logged}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}
