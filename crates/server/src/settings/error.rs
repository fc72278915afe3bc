//! One clear line for a bad setting: the environment variable, the key path,
//! what is wrong, and the file it came from when it came from a file.

use std::fmt;

use figment::error::{Actual, Kind};

/// A setting that stops start-up. Its `Display` is the single line printed
/// after `configuration error: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The dotted key path (`auth.bcrypt_cost`), when one setting is at fault.
    key: Option<String>,
    message: String,
    /// The file the bad value came from, when it came from one.
    file: Option<String>,
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// A problem with the setting at `key` (a dotted path).
    #[must_use]
    pub fn at(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: Some(key.to_owned()),
            message: message.into(),
            file: None,
        }
    }

    /// A problem that is not about one setting (an unreadable file).
    #[must_use]
    pub fn general(message: impl Into<String>) -> Self {
        Self {
            key: None,
            message: message.into(),
            file: None,
        }
    }

    /// The dotted key path at fault, if any.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The environment variable that sets `key`: `auth.bcrypt_cost` is
    /// `APP_AUTH__BCRYPT_COST`.
    #[must_use]
    pub fn env_var(key: &str) -> String {
        format!("APP_{}", key.replace('.', "__").to_ascii_uppercase())
    }

    /// Translates the first error figment reports.
    #[must_use]
    pub fn from_figment(error: figment::Error) -> Self {
        let file = error
            .metadata
            .as_ref()
            .and_then(|metadata| metadata.source.as_ref())
            .and_then(figment::Source::file_path)
            .map(|path| path.display().to_string());
        let mut path = error.path.clone();
        let message = match &error.kind {
            Kind::UnknownField(field, expected) => {
                if path.last() != Some(field) {
                    path.push(field.clone());
                }
                unknown_key(&path, expected)
            }
            Kind::InvalidType(actual, expected) | Kind::InvalidValue(actual, expected) => {
                format!("expected {}, got {}", friendly(expected), found(actual))
            }
            Kind::Message(message) => one_line(message),
            other => other.to_string(),
        };
        Self {
            key: (!path.is_empty()).then(|| path.join(".")),
            message,
            file,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.key, &self.file) {
            (Some(key), Some(file)) => write!(
                f,
                "{} ({key}, in {file}): {}",
                Self::env_var(key),
                self.message
            ),
            (Some(key), None) => write!(f, "{} ({key}): {}", Self::env_var(key), self.message),
            (None, Some(file)) => write!(f, "{file}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Multi-line messages (TOML syntax errors quote the offending line with
/// a caret under it) squeezed onto one line, without the quoted source.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .filter(|line| {
            let numbered = line.trim_start_matches(|c: char| c.is_ascii_digit());
            !(line.starts_with('|') || (numbered.len() < line.len() && numbered.starts_with(" |")))
        })
        .collect::<Vec<_>>()
        .join(": ")
}

fn unknown_key(path: &[String], expected: &[&str]) -> String {
    if path == ["env"] {
        return "is chosen by the APP_ENV environment variable only, not in a file".into();
    }
    if expected.is_empty() {
        "unknown key".into()
    } else {
        format!("unknown key (expected one of: {})", expected.join(", "))
    }
}

/// serde's names for the expected types, in words an operator knows.
fn friendly(expected: &str) -> String {
    match expected {
        "u16" => "a whole number from 0 to 65535".into(),
        "u32" => "a whole number from 0 to 4294967295".into(),
        "u64" | "usize" => "a whole number, 0 or more".into(),
        "a boolean" => "true or false".into(),
        "a string" => "a string".into(),
        other => other.into(),
    }
}

fn found(actual: &Actual) -> String {
    match actual {
        Actual::Str(s) if s.is_empty() => "an empty value".into(),
        Actual::Str(s) => format!("{s:?}"),
        Actual::Unsigned(n) => n.to_string(),
        Actual::Signed(n) => n.to_string(),
        Actual::Float(n) => n.to_string(),
        Actual::Bool(b) => b.to_string(),
        Actual::Seq => "a list".into(),
        Actual::Map => "a table".into(),
        other => other.to_string(),
    }
}
