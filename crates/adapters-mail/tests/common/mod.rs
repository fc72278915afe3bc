#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adapters_mail::has_link;
use adapters_mail::testing::ReceivedMail;
use domain::{Email, MailKind, OutgoingMail};

pub const FROM: &str = "Example Accounts <no-reply@accounts.example.com>";

pub fn mail(kind: MailKind) -> OutgoingMail {
    OutgoingMail {
        kind,
        to: Email::parse("ada@example.com").unwrap(),
        recipient_name: "Ada Lovelace".to_owned(),
        link: has_link(kind).then(|| link(kind)),
    }
}

/// Long enough that quoted-printable would wrap it if it were not decoded.
pub fn link(kind: MailKind) -> String {
    format!(
        "https://accounts.example.com/{kind}?token=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG9mcmVk"
    )
}

/// Asserts `raw` is a complete message of `kind` for `id`: every header and
/// both parts, each with the link where the kind has one.
pub fn assert_complete(raw: &str, id: uuid::Uuid, kind: MailKind) -> ReceivedMail {
    let received = ReceivedMail::parse(raw).expect("an RFC 5322 message");
    assert_eq!(
        received.message_id.as_deref(),
        Some(format!("{id}@accounts.example.com").as_str())
    );
    assert_eq!(received.kind.as_deref(), Some(kind.as_str()));
    assert!(received.date.is_some(), "no Date");
    assert_eq!(
        received.from.as_deref(),
        Some("no-reply@accounts.example.com")
    );
    assert_eq!(received.to.as_deref(), Some("ada@example.com"));
    assert!(received.subject.as_deref().is_some_and(|s| !s.is_empty()));
    assert_eq!(
        received.content_type.as_deref(),
        Some("multipart/alternative")
    );
    let text = received.text.as_deref().expect("a text/plain part");
    let html = received.html.as_deref().expect("a text/html part");
    assert!(text.contains("Ada Lovelace"));
    assert!(html.contains("Ada Lovelace"));
    if has_link(kind) {
        assert!(text.contains(&link(kind)), "text part lacks the link");
        assert!(html.contains(&link(kind)), "html part lacks the link");
        assert_eq!(received.link(), Some(link(kind).as_str()));
    }
    received
}
