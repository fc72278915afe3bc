//! The six templates, embedded at compile time, and the one placeholder
//! syntax they may use: `{{name}}`, `{{link}}`, `{{email}}`.
//!
//! Each `templates/{kind}.txt` starts with a `Subject: ...` line, then the
//! plain-text body; `templates/{kind}.html` is the HTML body. Values are
//! substituted once, left to right, and never re-scanned, so a name like
//! `{{link}}` stays text; in the HTML part every value is escaped.

use domain::{MailKind, OutgoingMail};

/// A message's subject and its two bodies, ready to be built.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl std::fmt::Debug for Rendered {
    /// The bodies carry one-time links: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// A template that cannot be filled: a bug in a template, never in the
/// data, so retrying will not help.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("template {kind}: unknown placeholder {{{{{placeholder}}}}}")]
    UnknownPlaceholder { kind: MailKind, placeholder: String },
    #[error("template {kind}: a `{{{{` without its `}}}}`")]
    Unclosed { kind: MailKind },
    #[error("template {kind} shows a link, but the message has none")]
    MissingLink { kind: MailKind },
}

struct Template {
    /// `Subject: ...`, a newline, then the plain-text body.
    text: &'static str,
    html: &'static str,
}

const SUBJECT_PREFIX: &str = "Subject: ";

/// Whether `text` starts with [`SUBJECT_PREFIX`]; `const` so that a
/// template without a subject line fails the build.
const fn has_subject_line(text: &str) -> bool {
    let (text, prefix) = (text.as_bytes(), SUBJECT_PREFIX.as_bytes());
    if text.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if text[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Embeds `templates/{name}.txt` and `.html`: a missing file or a missing
/// subject line is a compile error.
macro_rules! template {
    ($name:literal) => {{
        const TEXT: &str = include_str!(concat!("../templates/", $name, ".txt"));
        const _: () = assert!(
            has_subject_line(TEXT),
            concat!("templates/", $name, ".txt must start with `Subject: `")
        );
        Template {
            text: TEXT,
            html: include_str!(concat!("../templates/", $name, ".html")),
        }
    }};
}

const fn template(kind: MailKind) -> Template {
    match kind {
        MailKind::Welcome => template!("welcome"),
        MailKind::VerifyEmail => template!("verify-email"),
        MailKind::ResetPassword => template!("reset-password"),
        MailKind::PasswordChanged => template!("password-changed"),
        MailKind::EmailChangeConfirm => template!("email-change-confirm"),
        MailKind::EmailChangeNotice => template!("email-change-notice"),
        MailKind::MfaEnabled => template!("mfa-enabled"),
        MailKind::MfaDisabled => template!("mfa-disabled"),
    }
}

/// Fills the templates of `mail.kind` with its values.
pub fn render(mail: &OutgoingMail) -> Result<Rendered, RenderError> {
    let template = template(mail.kind);
    let (subject_line, text) = template
        .text
        .split_once('\n')
        .unwrap_or((template.text, ""));
    let subject = subject_line
        .strip_prefix(SUBJECT_PREFIX)
        .unwrap_or(subject_line)
        .trim();
    let text = text.trim_start_matches(['\r', '\n']);
    Ok(Rendered {
        subject: fill(mail, subject, Escape::None)?,
        // Plain text is shown as is: escaping it would print `&amp;`.
        text: fill(mail, text, Escape::None)?,
        html: fill(mail, template.html, Escape::Html)?,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    Html,
}

fn fill(mail: &OutgoingMail, template: &str, escape: Escape) -> Result<String, RenderError> {
    let kind = mail.kind;
    let mut out = String::with_capacity(template.len() + 128);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(RenderError::Unclosed { kind })?;
        let value = match after[..end].trim() {
            "name" => mail.recipient_name.as_str(),
            "email" => mail.to.as_str(),
            "link" => mail
                .link
                .as_deref()
                .ok_or(RenderError::MissingLink { kind })?,
            other => {
                return Err(RenderError::UnknownPlaceholder {
                    kind,
                    placeholder: other.to_owned(),
                });
            }
        };
        match escape {
            Escape::None => out.push_str(value),
            Escape::Html => push_html_escaped(&mut out, value),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Escapes the five characters that matter in HTML text and in quoted
/// attribute values (the link sits in `href="..."`).
fn push_html_escaped(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Whether messages of `kind` carry a link (and their templates show it).
#[must_use]
pub const fn has_link(kind: MailKind) -> bool {
    matches!(
        kind,
        MailKind::Welcome
            | MailKind::VerifyEmail
            | MailKind::ResetPassword
            | MailKind::EmailChangeConfirm
    )
}

#[cfg(test)]
mod tests {
    use domain::Email;

    use super::*;

    fn mail(kind: MailKind, name: &str) -> OutgoingMail {
        OutgoingMail {
            kind,
            to: Email::parse("ada@example.com").unwrap(),
            recipient_name: name.to_owned(),
            link: has_link(kind).then(|| format!("https://app.example/{kind}?token=abc&x=1")),
        }
    }

    #[test]
    fn every_kind_renders_both_parts_with_its_link_and_no_placeholder_left() {
        for kind in MailKind::ALL {
            let rendered = render(&mail(kind, "Ada")).unwrap();

            assert!(!rendered.subject.is_empty(), "{kind}: empty subject");
            for (part, body) in [("text", &rendered.text), ("html", &rendered.html)] {
                assert!(!body.contains("{{"), "{kind} {part}: placeholder left");
                assert!(!body.contains("}}"), "{kind} {part}: placeholder left");
                assert!(body.contains("Ada"), "{kind} {part}: no name");
                assert!(body.contains("ada@example.com"), "{kind} {part}: no email");
            }
            if has_link(kind) {
                let link = format!("https://app.example/{kind}?token=abc&x=1");
                assert!(rendered.text.contains(&link), "{kind}: text lacks the link");
                let escaped = link.replace('&', "&amp;");
                assert!(
                    rendered.html.contains(&format!("href=\"{escaped}\"")),
                    "{kind}: html lacks the link"
                );
            } else {
                assert!(
                    !rendered.text.contains("https://"),
                    "{kind}: unexpected link"
                );
            }
        }
    }

    #[test]
    fn the_subject_line_is_not_part_of_the_text_body() {
        let rendered = render(&mail(MailKind::PasswordChanged, "Ada")).unwrap();

        assert_eq!(rendered.subject, "Your password was changed");
        assert!(!rendered.text.contains("Subject:"));
        assert!(rendered.text.starts_with("Hello Ada,"));
    }

    #[test]
    fn html_escapes_every_substituted_value() {
        let mut mail = mail(MailKind::Welcome, "<script>alert('x')</script> & co");
        mail.link = Some("https://app.example/verify-email?token=\"><img src=x>".to_owned());

        let rendered = render(&mail).unwrap();

        assert!(!rendered.html.contains("<script>"));
        assert!(!rendered.html.contains("<img"));
        assert!(
            rendered
                .html
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co")
        );
        assert!(rendered.html.contains("token=&quot;&gt;&lt;img src=x&gt;"));
        // The plain-text part shows the name as typed.
        assert!(rendered.text.contains("<script>alert('x')</script> & co"));
    }

    #[test]
    fn substituted_values_are_never_expanded_again() {
        let rendered = render(&mail(MailKind::VerifyEmail, "{{link}}")).unwrap();

        assert!(rendered.text.starts_with("Hello {{link}},"));
        assert!(rendered.html.contains("Hello {{link}},"));
    }

    #[test]
    fn a_kind_with_a_link_fails_to_render_without_one() {
        let mut mail = mail(MailKind::ResetPassword, "Ada");
        mail.link = None;

        let error = render(&mail).unwrap_err();

        assert_eq!(
            error,
            RenderError::MissingLink {
                kind: MailKind::ResetPassword
            }
        );
    }

    #[test]
    fn an_unknown_or_unclosed_placeholder_is_an_error() {
        let mail = mail(MailKind::PasswordChanged, "Ada");

        assert_eq!(
            fill(&mail, "Your {{password}}", Escape::None),
            Err(RenderError::UnknownPlaceholder {
                kind: MailKind::PasswordChanged,
                placeholder: "password".to_owned()
            })
        );
        assert_eq!(
            fill(&mail, "Hello {{name", Escape::None),
            Err(RenderError::Unclosed {
                kind: MailKind::PasswordChanged
            })
        );
        assert_eq!(
            fill(&mail, "{{ name }}!", Escape::Html).as_deref(),
            Ok("Ada!")
        );
    }
}
