//! Reads back a message the sink captured or the `file` transport wrote.

use mail_parser::{MessageParser, MimeHeaders, PartType};

/// The parts of a delivered message a test looks at, decoded (quoted-
/// printable and encoded words undone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMail {
    /// Without the angle brackets.
    pub message_id: Option<String>,
    /// The `X-Mail-Kind` header.
    pub kind: Option<String>,
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    /// `type/subtype` of the whole message.
    pub content_type: Option<String>,
    /// The `text/plain` part, if any.
    pub text: Option<String>,
    /// The `text/html` part, if any.
    pub html: Option<String>,
}

impl ReceivedMail {
    /// `None` when `raw` is not an RFC 5322 message at all.
    #[must_use]
    pub fn parse(raw: impl AsRef<[u8]>) -> Option<Self> {
        let message = MessageParser::default().parse(raw.as_ref())?;
        let address = |list: Option<&mail_parser::Address<'_>>| {
            list.and_then(|list| list.first())
                .and_then(|addr| addr.address())
                .map(str::to_owned)
        };
        let mut text = None;
        let mut html = None;
        for part in &message.parts {
            match &part.body {
                PartType::Text(body) if text.is_none() => text = Some(body.to_string()),
                PartType::Html(body) if html.is_none() => html = Some(body.to_string()),
                _ => {}
            }
        }
        Some(Self {
            message_id: message.message_id().map(str::to_owned),
            kind: message
                .header("X-Mail-Kind")
                .and_then(|value| value.as_text())
                .map(|kind| kind.trim().to_owned()),
            date: message.date().map(|date| date.to_rfc3339()),
            from: address(message.from()),
            to: address(message.to()),
            subject: message.subject().map(str::to_owned),
            content_type: message.content_type().map(|ct| match ct.subtype() {
                Some(subtype) => format!("{}/{subtype}", ct.ctype()),
                None => ct.ctype().to_owned(),
            }),
            text,
            html,
        })
    }

    /// The first `http://` or `https://` URL in the plain-text part: the
    /// verification, reset or confirmation link.
    #[must_use]
    pub fn link(&self) -> Option<&str> {
        let text = self.text.as_deref()?;
        let (start, _) = text.match_indices("http").find(|(at, _)| {
            text[*at..].starts_with("http://") || text[*at..].starts_with("https://")
        })?;
        text[start..].split_whitespace().next()
    }

    /// The `token` query parameter of [`link`](Self::link).
    #[must_use]
    pub fn token(&self) -> Option<&str> {
        let (_, query) = self.link()?.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))
    }
}
