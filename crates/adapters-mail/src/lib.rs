#![doc = include_str!("../README.md")]

mod config;
mod file;
mod mailer;
mod message;
mod render;
mod smtp;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{DEFAULT_SMTP_TIMEOUT, MailConfig, SmtpConfig, TlsMode, Transport};
pub use mailer::{ConfiguredMailer, MailSetupError, build_mailer, mask};
pub use message::{BuildError, Sender, XMailKind};
pub use render::{RenderError, Rendered, has_link, render};
