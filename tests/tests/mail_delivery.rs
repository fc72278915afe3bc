//! Durable email: the outbox survives a mail-server outage and a crash, and
//! several processes on one PostgreSQL send each message once.

// Test code: helpers outside #[test] fns fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use adapters_mail::testing::{ReceivedMail, ReservedPort, SmtpSink};
use e2e::{Backend, PASSWORD, TestServer, e2e_tests};

e2e_tests!(
    mail_queued_while_the_smtp_server_is_down_arrives_once_it_is_up,
    mail_of_a_registration_survives_a_kill_9,
);

/// Settings that send through SMTP, without TLS, to `127.0.0.1:port`.
fn smtp_env(port: &str) -> Vec<(&'static str, String)> {
    vec![
        ("APP_MAIL__TRANSPORT", "smtp".into()),
        ("APP_MAIL__SMTP__HOST", "127.0.0.1".into()),
        ("APP_MAIL__SMTP__PORT", port.into()),
        ("APP_MAIL__SMTP__TLS", "none".into()),
    ]
}

fn start_with(backend: Backend, env: &[(&'static str, String)]) -> Option<TestServer> {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestServer::start(backend, &env)
}

fn welcome_mails(sink: &SmtpSink) -> Vec<ReceivedMail> {
    sink.messages()
        .iter()
        .map(|raw| ReceivedMail::parse(raw).unwrap())
        .filter(|mail| mail.kind.as_deref() == Some("welcome"))
        .collect()
}

fn mail_queued_while_the_smtp_server_is_down_arrives_once_it_is_up(backend: Backend) {
    // Held until the sink starts: connections are refused, as by a mail
    // server that is down, and no other process can take the port.
    let reserved = ReservedPort::new();
    let Some(server) = start_with(backend, &smtp_env(&reserved.port().to_string())) else {
        return;
    };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );
    std::thread::sleep(Duration::from_secs(1));

    let sink = SmtpSink::start_on_reserved(reserved);
    let arrived = sink.wait_for_messages(1, Duration::from_secs(30));

    assert_eq!(arrived.len(), 1, "server output:\n{}", server.log_text());
    std::thread::sleep(Duration::from_secs(2));
    let welcome = welcome_mails(&sink);
    assert_eq!(welcome.len(), 1, "exactly once");
    assert_eq!(welcome[0].to.as_deref(), Some("ada@example.com"));
}

fn mail_of_a_registration_survives_a_kill_9(backend: Backend) {
    let reserved = ReservedPort::new();
    let env = smtp_env(&reserved.port().to_string());
    let Some(server) = start_with(backend, &env) else {
        return;
    };
    assert_eq!(
        server.register("ada@example.com", PASSWORD, "Ada").status(),
        201
    );

    // `restart` kills the process with SIGKILL, then starts a new one on the
    // same database.
    let borrowed: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = server.restart(&borrowed);
    let sink = SmtpSink::start_on_reserved(reserved);
    // Usually within seconds (the first process's failed attempt released
    // the message with a 5 s backoff). When the kill landed between its
    // claim and that release, the message waits out the 120 s lease first:
    // at least once across a crash, as the outbox promises.
    let arrived = sink.wait_for_messages(1, Duration::from_secs(150));

    assert_eq!(arrived.len(), 1, "server output:\n{}", server.log_text());
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(welcome_mails(&sink).len(), 1, "exactly once");
}

#[test]
fn two_processes_on_one_postgresql_send_each_welcome_mail_once() {
    const REGISTRATIONS: usize = 20;
    let sink = SmtpSink::start();
    let env = smtp_env(&sink.port().to_string());
    let Some(first) = start_with(Backend::Postgres, &env) else {
        return;
    };
    let borrowed: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let second = first.sibling(&borrowed);

    for n in 0..REGISTRATIONS {
        let server = if n % 2 == 0 { &first } else { &second };
        assert_eq!(
            server
                .register(&format!("user{n}@example.com"), PASSWORD, "User")
                .status(),
            201
        );
    }
    let arrived = sink.wait_for_messages(REGISTRATIONS, Duration::from_secs(60));
    std::thread::sleep(Duration::from_secs(2));

    assert_eq!(arrived.len(), REGISTRATIONS);
    let mut recipients: Vec<String> = welcome_mails(&sink)
        .into_iter()
        .filter_map(|m| m.to)
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), REGISTRATIONS, "each message exactly once");
    drop(second);
}
