#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use adapters_mail::testing::{ReservedPort, SinkBehaviour, SmtpSink};
use adapters_mail::{MailConfig, SmtpConfig, TlsMode, Transport, build_mailer};
use domain::MailKind;
use domain::ports::{MailError, Mailer};
use uuid::Uuid;

fn mailer(port: u16) -> std::sync::Arc<dyn Mailer> {
    mailer_with(SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port,
        tls: TlsMode::None,
        timeout: Duration::from_secs(2),
        ..SmtpConfig::default()
    })
}

fn mailer_with(smtp: SmtpConfig) -> std::sync::Arc<dyn Mailer> {
    build_mailer(&MailConfig {
        transport: Transport::Smtp,
        from: common::FROM.to_owned(),
        smtp,
        ..MailConfig::default()
    })
    .unwrap()
}

#[tokio::test]
async fn smtp_delivers_every_kind_with_its_headers_and_both_parts() {
    let sink = SmtpSink::start();
    let mailer = mailer(sink.port());
    let mut ids = Vec::new();

    for kind in MailKind::ALL {
        let id = Uuid::now_v7();
        mailer.send(id, &common::mail(kind)).await.unwrap();
        ids.push((id, kind));
    }

    let messages = sink.messages();
    assert_eq!(messages.len(), ids.len());
    for (raw, (id, kind)) in messages.iter().zip(ids) {
        common::assert_complete(raw, id, kind);
    }
}

#[tokio::test]
async fn smtp_authenticates_when_credentials_are_set() {
    let sink = SmtpSink::start();
    let mailer = mailer_with(SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port: sink.port(),
        username: Some("mailer".to_owned()),
        password: Some("secret".into()),
        tls: TlsMode::None,
        timeout: Duration::from_secs(2),
    });

    mailer
        .send(Uuid::now_v7(), &common::mail(MailKind::PasswordChanged))
        .await
        .unwrap();

    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn rejected_credentials_are_transient_so_mail_waits_for_the_fix() {
    let sink = SmtpSink::start_with(SinkBehaviour::RejectLogin);
    let mailer = mailer_with(SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port: sink.port(),
        username: Some("mailer".to_owned()),
        password: Some("wrong".into()),
        tls: TlsMode::None,
        timeout: Duration::from_secs(2),
    });

    let error = mailer
        .send(Uuid::now_v7(), &common::mail(MailKind::Welcome))
        .await
        .unwrap_err();

    assert!(matches!(error, MailError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn a_closed_port_is_a_transient_failure() {
    let closed = ReservedPort::new();
    let mailer = mailer(closed.port());

    let error = mailer
        .send(Uuid::now_v7(), &common::mail(MailKind::Welcome))
        .await
        .unwrap_err();

    assert!(matches!(error, MailError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn a_server_answering_421_is_a_transient_failure() {
    let sink = SmtpSink::start_with(SinkBehaviour::Unavailable);

    let error = mailer(sink.port())
        .send(Uuid::now_v7(), &common::mail(MailKind::Welcome))
        .await
        .unwrap_err();

    assert!(matches!(error, MailError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn a_4xx_reply_to_the_recipient_is_a_transient_failure() {
    let sink = SmtpSink::start_with(SinkBehaviour::DeferRecipients);

    let error = mailer(sink.port())
        .send(Uuid::now_v7(), &common::mail(MailKind::Welcome))
        .await
        .unwrap_err();

    assert!(matches!(error, MailError::Transient(_)), "{error:?}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_550_reply_to_the_recipient_is_a_permanent_failure() {
    let sink = SmtpSink::start_with(SinkBehaviour::RejectRecipients);

    let error = mailer(sink.port())
        .send(Uuid::now_v7(), &common::mail(MailKind::Welcome))
        .await
        .unwrap_err();

    assert!(matches!(error, MailError::Permanent(_)), "{error:?}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_a_transient_failure() {
    let sink = SmtpSink::start_with(SinkBehaviour::Silent);
    let mailer = mailer_with(SmtpConfig {
        host: "127.0.0.1".to_owned(),
        port: sink.port(),
        tls: TlsMode::None,
        timeout: Duration::from_millis(300),
        ..SmtpConfig::default()
    });
    let started = Instant::now();

    let error = mailer
        .send(Uuid::now_v7(), &common::mail(MailKind::Welcome))
        .await
        .unwrap_err();

    assert!(matches!(error, MailError::Transient(_)), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_sink_started_later_on_the_same_port_receives_the_retry_once() {
    let reserved = ReservedPort::new();
    let mailer = mailer(reserved.port());
    let id = Uuid::now_v7();
    let mail = common::mail(MailKind::Welcome);
    assert!(matches!(
        mailer.send(id, &mail).await,
        Err(MailError::Transient(_))
    ));

    let sink = SmtpSink::start_on_reserved(reserved);
    mailer.send(id, &mail).await.unwrap();

    let messages = sink.wait_for_messages(1, Duration::from_secs(2));
    assert_eq!(messages.len(), 1);
    common::assert_complete(&messages[0], id, MailKind::Welcome);
}

#[test]
fn a_stopped_sink_frees_its_port() {
    let sink = SmtpSink::start();
    let port = sink.port();
    drop(sink);

    let again = SmtpSink::start_on(port);

    assert_eq!(again.port(), port);
}
