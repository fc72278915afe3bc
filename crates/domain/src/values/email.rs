use std::fmt;

use validator::ValidateEmail;

/// An email address: trimmed, lowercased, syntactically valid, at most 254
/// characters. Uniqueness is case-insensitive because the stored form is
/// lowercase.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

pub const EMAIL_MAX_CHARS: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("not a valid email address")]
    Invalid,
    #[error("at most 254 characters")]
    TooLong,
}

impl EmailError {
    /// The stable field error code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Invalid => "email",
            Self::TooLong => "email_too_long",
        }
    }
}

impl Email {
    /// Parses user input: trims, checks length and syntax, lowercases.
    ///
    /// # Errors
    /// `TooLong` over 254 characters, `Invalid` when not an address.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        // Lowercase first: some characters grow when lowercased (`İ` becomes
        // two code points), and what is stored is what must meet the rules.
        let lowered = raw.trim().to_lowercase();
        if lowered.chars().count() > EMAIL_MAX_CHARS {
            return Err(EmailError::TooLong);
        }
        if !lowered.validate_email() {
            return Err(EmailError::Invalid);
        }
        Ok(Self(lowered))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug masks the local part so that an email never reaches a log line
/// through `{:?}`.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit_once('@').map_or("", |(_, d)| d);
        write!(f, "Email(***@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_trims_and_lowercases() {
        let email = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn parse_rejects_text_that_is_not_an_address() {
        for raw in ["", "   ", "ada", "ada@", "@example.com", "a b@example.com"] {
            assert_eq!(Email::parse(raw), Err(EmailError::Invalid), "{raw:?}");
        }
    }

    #[test]
    fn parse_rejects_addresses_over_254_characters() {
        let raw = format!("{}@example.com", "a".repeat(243));
        assert_eq!(raw.len(), 255);
        assert_eq!(Email::parse(&raw), Err(EmailError::TooLong));
    }

    #[test]
    fn the_length_limit_applies_to_the_lowercased_form() {
        // 250 characters as typed; `İ` lowercases to two code points.
        let raw = format!("{}@{}.com", "a".repeat(240), "İ".repeat(5));
        assert_eq!(raw.chars().count(), 250);
        assert_eq!(Email::parse(&raw), Err(EmailError::TooLong));
    }

    #[test]
    fn every_parsed_email_parses_again_unchanged() {
        let email = Email::parse("Ada@Bücher.example").unwrap();
        assert_eq!(Email::parse(email.as_str()), Ok(email));
    }

    #[test]
    fn debug_output_hides_the_local_part() {
        let email = Email::parse("ada@example.com").unwrap();
        assert_eq!(format!("{email:?}"), "Email(***@example.com)");
    }
}
