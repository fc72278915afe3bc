//! Builds the RFC 5322 message: multipart/alternative (text, then HTML) with
//! Date, From, To, Subject, Message-ID and `X-Mail-Kind`.

use domain::{MailKind, OutgoingMail};
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use uuid::Uuid;

use crate::render::{RenderError, render};

/// Why a message could not be built: always permanent, since the same
/// template and address will fail the same way on every retry.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("the recipient is not a valid mailbox")]
    Recipient(#[source] lettre::address::AddressError),
    #[error("the message cannot be built")]
    Message(#[source] lettre::error::Error),
}

/// The `From` mailbox, parsed once at start-up.
#[derive(Clone, Debug)]
pub struct Sender {
    from: Mailbox,
}

impl Sender {
    #[must_use]
    pub const fn new(from: Mailbox) -> Self {
        Self { from }
    }

    #[must_use]
    pub const fn mailbox(&self) -> &Mailbox {
        &self.from
    }

    /// `<{id}@{from-domain}>`: the same outbox id always gives the same
    /// Message-ID, so a receiver can spot a retried duplicate.
    #[must_use]
    pub fn message_id(&self, id: Uuid) -> String {
        format!("<{id}@{}>", self.from.email.domain())
    }

    /// The message for outbox entry `id`.
    pub fn build(&self, id: Uuid, mail: &OutgoingMail) -> Result<Message, BuildError> {
        let rendered = render(mail)?;
        let address = mail.to.as_str().parse().map_err(BuildError::Recipient)?;
        let name = Some(mail.recipient_name.trim())
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(name, address))
            .subject(rendered.subject)
            .message_id(Some(self.message_id(id)))
            .header(XMailKind(mail.kind))
            // Date is added by the builder: the time of this attempt.
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(BuildError::Message)
    }
}

/// The `X-Mail-Kind` header: which of the six messages this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XMailKind(pub MailKind);

impl Header for XMailKind {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Mail-Kind")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        MailKind::from_name(s.trim())
            .map(Self)
            .ok_or_else(|| format!("unknown mail kind {s:?}").into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.as_str().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use domain::Email;

    use super::*;

    fn sender() -> Sender {
        Sender::new("Accounts <no-reply@accounts.example>".parse().unwrap())
    }

    fn mail(kind: MailKind) -> OutgoingMail {
        OutgoingMail {
            kind,
            to: Email::parse("ada@example.com").unwrap(),
            recipient_name: "Ada Lovelace".to_owned(),
            link: crate::render::has_link(kind)
                .then(|| "https://app.example/reset-password?token=abc".to_owned()),
        }
    }

    fn headers(message: &Message) -> String {
        let raw = String::from_utf8(message.formatted()).unwrap();
        raw.split("\r\n\r\n").next().unwrap().to_owned()
    }

    #[test]
    fn a_message_carries_every_required_header() {
        let id = Uuid::now_v7();

        let message = sender().build(id, &mail(MailKind::ResetPassword)).unwrap();

        let head = headers(&message);
        for header in [
            "Date: ",
            "From: ",
            "To: ",
            "Subject: ",
            "Message-ID: ",
            "X-Mail-Kind: ",
        ] {
            assert!(
                head.contains(&format!("\r\n{header}")) || head.starts_with(header),
                "{header} missing in\n{head}"
            );
        }
        assert!(head.contains(&format!("Message-ID: <{id}@accounts.example>")));
        assert!(head.contains("X-Mail-Kind: reset-password"));
        assert!(head.contains("From: Accounts <no-reply@accounts.example>"));
        assert!(head.contains("To: \"Ada Lovelace\" <ada@example.com>"));
        assert!(head.contains("Subject: Reset your password"));
        assert!(head.contains("Content-Type: multipart/alternative;"));
    }

    #[test]
    fn every_kind_is_named_in_its_x_mail_kind_header() {
        for kind in MailKind::ALL {
            let message = sender().build(Uuid::now_v7(), &mail(kind)).unwrap();

            assert_eq!(message.headers().get::<XMailKind>(), Some(XMailKind(kind)));
        }
    }

    #[test]
    fn the_same_outbox_id_gives_the_same_message_id() {
        let id = Uuid::now_v7();
        let first = sender().build(id, &mail(MailKind::Welcome)).unwrap();
        let retry = sender().build(id, &mail(MailKind::Welcome)).unwrap();

        let message_id = |m: &Message| {
            headers(m)
                .lines()
                .find(|line| line.starts_with("Message-ID: "))
                .map(str::to_owned)
        };
        assert_eq!(message_id(&first), message_id(&retry));
        assert!(message_id(&first).is_some());
    }

    #[test]
    fn an_empty_name_gives_a_bare_address() {
        let mut mail = mail(MailKind::PasswordChanged);
        mail.recipient_name = String::new();

        let message = sender().build(Uuid::now_v7(), &mail).unwrap();

        assert!(headers(&message).contains("To: ada@example.com"));
    }
}
