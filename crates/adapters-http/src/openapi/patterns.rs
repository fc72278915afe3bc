//! Field rules written as JSON Schema patterns, for the rules a length or a
//! format cannot state exactly. Each is tested against the parser whose
//! rule it describes, so a client that validates with the pattern never
//! sends a value the server refuses, nor is kept from one it accepts.
//!
//! The escapes are `\uXXXX`, which ECMA-262 (JSON Schema's dialect), Python's
//! `re` and Rust's `regex` read alike.

use utoipa::openapi::schema::Schema;
use utoipa::openapi::{RefOr, Type};
use utoipa::{Modify, openapi::OpenApi};

/// What `str::trim` removes: Unicode `White_Space`.
macro_rules! white_space {
    () => {
        r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}
/// Unicode category Cc (`char::is_control`).
macro_rules! control {
    () => {
        r"\u0000-\u001F\u007F-\u009F"
    };
}

/// What `domain::UserName::parse` accepts: any white space around (it is
/// trimmed), then 1 to 100 code points without a control character
/// (category Cc) that neither begin nor end with white space. The `98` is
/// `NAME_MAX_CHARS` less the first and the last code point.
pub(crate) const USER_NAME: &str = concat!(
    "^[",
    white_space!(),
    "]*[^",
    control!(),
    white_space!(),
    "](?:[^",
    control!(),
    "]{0,98}[^",
    control!(),
    white_space!(),
    "])?[",
    white_space!(),
    "]*$"
);

/// The user name rule on the `name` member of every request body that has
/// one (the schemas are read from the operations, as `ClosedRequestBodies`
/// does). Lengths are left out: the limit counts the trimmed name, so a
/// `maxLength` would refuse names the server accepts.
pub(crate) struct UserNames;

impl Modify for UserNames {
    fn modify(&self, openapi: &mut OpenApi) {
        let names = super::ClosedRequestBodies::json_bodies(openapi);
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in names {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) else {
                continue;
            };
            let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut("name") else {
                continue;
            };
            if field.schema_type == Type::String.into() {
                field.pattern = Some(USER_NAME.to_owned());
                field.min_length = None;
                field.max_length = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::UserName;
    use domain::values::NAME_MAX_CHARS;
    use regex::Regex;

    use super::*;

    fn agrees(pattern: &Regex, raw: &str) {
        assert_eq!(
            pattern.is_match(raw),
            UserName::parse(raw).is_ok(),
            "{raw:?}: the pattern and UserName::parse disagree"
        );
    }

    #[test]
    fn the_user_name_pattern_accepts_exactly_what_the_domain_accepts() {
        assert_eq!(
            NAME_MAX_CHARS, 100,
            "the pattern's {{0,98}} is this less two"
        );
        let pattern = Regex::new(USER_NAME).unwrap();
        let long = |c: char, n: usize| c.to_string().repeat(n);
        let samples = [
            String::new(),
            " ".into(),
            "\t\n\r\u{b}\u{c}".into(),
            "a".into(),
            "Ada Lovelace".into(),
            " Ada ".into(),
            "\tAda\n".into(),
            "\u{85}Ada\u{85}".into(),
            "\u{3000}エイダ\u{3000}".into(),
            "Ada\u{a0}Lovelace".into(),
            "Ada\tLovelace".into(),
            "Ada\u{0}".into(),
            "Ada\u{7f}x".into(),
            "Ada\u{9f}".into(),
            "\u{200b}".into(),
            "\u{2028}".into(),
            "a\u{2028}b".into(),
            long('a', 100),
            long('a', 101),
            long('é', 100),
            long('😀', 100),
            long('😀', 101),
            format!("   {}\u{3000}\n", long('a', 100)),
            format!("   {}b", long('a', 100)),
            format!("a{}b", long(' ', 98)),
            format!("a{}b", long(' ', 99)),
        ];
        for raw in &samples {
            agrees(&pattern, raw);
        }
    }

    #[test]
    fn the_user_name_pattern_agrees_on_random_mixes_of_the_edge_characters() {
        let pattern = Regex::new(USER_NAME).unwrap();
        let alphabet = [
            'a', 'é', '😀', ' ', '\t', '\n', '\u{0}', '\u{1f}', '\u{7f}', '\u{85}', '\u{9f}',
            '\u{a0}', '\u{2000}', '\u{200b}', '\u{2028}', '\u{3000}', '\u{feff}',
        ];
        // A fixed linear congruential sequence: the same cases every run.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(state >> 33).unwrap_or(0) % bound
        };
        for _ in 0..20_000 {
            let length = match next(4) {
                0 => next(4),
                1 => 95 + next(10),
                _ => next(110),
            };
            let raw: String = (0..length)
                .map(|_| {
                    // Mostly ordinary letters, so long names can be valid.
                    if next(4) == 0 {
                        alphabet[next(alphabet.len())]
                    } else {
                        'a'
                    }
                })
                .collect();
            agrees(&pattern, &raw);
        }
    }
}
