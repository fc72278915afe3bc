use std::fmt;

use unicode_normalization::UnicodeNormalization;

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;
/// The lowest zxcvbn score (0 to 4) a new password may have.
pub const PASSWORD_MIN_SCORE: u8 = 3;

/// A password as typed, NFC-normalised and never trimmed or case-folded. It
/// carries no rules: it is what a login attempt compares against a hash.
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainPassword(String);

impl PlainPassword {
    /// NFC-normalises the input, so that the same password typed on two
    /// keyboards compares equal on every path.
    #[must_use]
    pub fn new(raw: &str) -> Self {
        Self(raw.nfc().collect())
    }

    /// The normalised text, for the hasher only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PlainPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainPassword([redacted])")
    }
}

/// A new password that meets the rules: 12 to 128 code points after NFC
/// normalisation and a zxcvbn score of at least 3, with the account's email
/// and name as user inputs.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(PlainPassword);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("at least 12 characters")]
    TooShort,
    #[error("at most 128 characters")]
    TooLong,
    #[error("too easy to guess")]
    TooWeak,
}

impl PasswordError {
    /// The stable field error code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooLong => "password_too_long",
            Self::TooWeak => "password_too_weak",
        }
    }
}

impl Password {
    /// Parses a new password. `user_inputs` are the words a guesser would try
    /// first (the email and name of the account).
    ///
    /// # Errors
    /// `TooShort`, `TooLong` (in code points, after NFC) or `TooWeak`.
    pub fn parse(raw: &str, user_inputs: &[&str]) -> Result<Self, PasswordError> {
        let plain = PlainPassword::new(raw);
        let chars = plain.0.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        let words = guessable_words(user_inputs);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let score: u8 = zxcvbn::zxcvbn(&plain.0, &words).score().into();
        if score < PASSWORD_MIN_SCORE {
            return Err(PasswordError::TooWeak);
        }
        Ok(Self(plain))
    }

    #[must_use]
    pub fn as_plain(&self) -> &PlainPassword {
        &self.0
    }
}

/// The user inputs, whole and split into their words (`ada.lovelace@example.com`
/// gives `ada`, `lovelace`, `example`...), since a guesser tries the parts.
fn guessable_words(user_inputs: &[&str]) -> Vec<String> {
    let mut words = Vec::new();
    for input in user_inputs {
        let lower = input.to_lowercase();
        words.extend(
            lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| word.chars().count() >= 3)
                .map(str::to_owned),
        );
        words.push(lower);
    }
    words
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "correct horse battery staple";

    #[test]
    fn a_long_unpredictable_password_is_accepted() {
        assert!(Password::parse(STRONG, &[]).is_ok());
    }

    #[test]
    fn eleven_characters_are_too_short() {
        assert_eq!(
            Password::parse("xK9#mQ2$vL7", &[]),
            Err(PasswordError::TooShort)
        );
    }

    #[test]
    fn length_is_counted_in_code_points_after_nfc() {
        // "e" + combining acute is one code point after NFC: 11 decomposed
        // pairs are 22 code points before, 11 after.
        let decomposed = "e\u{301}".repeat(11);
        assert_eq!(
            Password::parse(&decomposed, &[]),
            Err(PasswordError::TooShort)
        );
    }

    #[test]
    fn more_than_128_code_points_are_too_long() {
        let raw = "Zq8#".repeat(32) + "x";
        assert_eq!(raw.chars().count(), 129);
        assert_eq!(Password::parse(&raw, &[]), Err(PasswordError::TooLong));
    }

    #[test]
    fn common_passwords_are_too_weak() {
        assert_eq!(
            Password::parse("password1234", &[]),
            Err(PasswordError::TooWeak)
        );
    }

    #[test]
    fn a_password_built_from_the_users_own_email_is_too_weak() {
        let email = "grace.hopper@example.com";
        assert!(Password::parse(email, &[]).is_ok());
        assert_eq!(
            Password::parse(email, &[email, "Grace Hopper"]),
            Err(PasswordError::TooWeak)
        );
    }

    #[test]
    fn passwords_are_not_trimmed() {
        let padded = format!("  {STRONG}  ");
        let parsed = Password::parse(&padded, &[]).unwrap();
        assert_eq!(parsed.as_plain().expose(), padded);
    }

    #[test]
    fn composed_and_decomposed_forms_compare_equal() {
        assert_eq!(
            PlainPassword::new("caf\u{e9}"),
            PlainPassword::new("cafe\u{301}")
        );
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let parsed = Password::parse(STRONG, &[]).unwrap();
        assert!(!format!("{parsed:?}").contains("horse"));
        assert!(!format!("{:?}", PlainPassword::new(STRONG)).contains("horse"));
    }
}
