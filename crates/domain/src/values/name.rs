use std::fmt;

/// A display name: trimmed, 1 to 100 code points, no control characters.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct UserName(String);

pub const NAME_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserNameError {
    #[error("must not be empty")]
    Empty,
    #[error("at most 100 characters")]
    TooLong,
    #[error("must not contain control characters")]
    ControlCharacters,
}

impl UserNameError {
    /// The stable field error code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Empty => "name_empty",
            Self::TooLong => "name_too_long",
            Self::ControlCharacters => "name_control_characters",
        }
    }
}

impl UserName {
    /// Parses user input.
    ///
    /// # Errors
    /// `Empty` when nothing is left after trimming, `TooLong` above 100 code
    /// points, `ControlCharacters` for any character of category Cc.
    pub fn parse(raw: &str) -> Result<Self, UserNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(UserNameError::Empty);
        }
        if trimmed.chars().count() > NAME_MAX_CHARS {
            return Err(UserNameError::TooLong);
        }
        // `char::is_control` is exactly Unicode general category Cc.
        if trimmed.chars().any(char::is_control) {
            return Err(UserNameError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for UserName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_trims_surrounding_whitespace() {
        assert_eq!(
            UserName::parse("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn parse_rejects_a_blank_name() {
        assert_eq!(UserName::parse(" \t "), Err(UserNameError::Empty));
    }

    #[test]
    fn parse_counts_code_points_not_bytes() {
        assert!(UserName::parse(&"é".repeat(100)).is_ok());
        assert_eq!(
            UserName::parse(&"é".repeat(101)),
            Err(UserNameError::TooLong)
        );
    }

    #[test]
    fn parse_rejects_control_characters_inside_the_name() {
        for raw in [
            "Ada\u{0}Lovelace",
            "Ada\nLovelace",
            "Ada\u{7f}",
            "Ada\u{85}x",
        ] {
            assert_eq!(
                UserName::parse(raw),
                Err(UserNameError::ControlCharacters),
                "{raw:?}"
            );
        }
    }
}
