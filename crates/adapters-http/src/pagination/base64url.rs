//! Unpadded base64url (RFC 4648 §5), for cursors.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub(super) fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, byte)| {
            group | u32::from(*byte) << (16 - 8 * i)
        });
        for i in 0..=chunk.len() {
            text.push(char::from(ALPHABET[(group >> (18 - 6 * i)) as usize & 63]));
        }
    }
    text
}

/// The bytes of `text`, or `None` when it is not base64url. Unused low
/// bits of the last character are ignored here; callers that need one
/// spelling per value compare `encode(decode(text))` with `text`.
pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
    let sextets = text.bytes().map(sextet).collect::<Option<Vec<u8>>>()?;
    if sextets.len() % 4 == 1 {
        return None;
    }
    let mut bytes = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, value)| {
            group | u32::from(*value) << (18 - 6 * i)
        });
        for i in 0..chunk.len() - 1 {
            bytes.push((group >> (16 - 8 * i)) as u8);
        }
    }
    Some(bytes)
}

fn sextet(char: u8) -> Option<u8> {
    match char {
        b'A'..=b'Z' => Some(char - b'A'),
        b'a'..=b'z' => Some(char - b'a' + 26),
        b'0'..=b'9' => Some(char - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_4648_test_vectors_without_padding() {
        for (bytes, text) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(bytes.as_bytes()), text);
            assert_eq!(decode(text).unwrap(), bytes.as_bytes());
        }
    }

    #[test]
    fn uses_the_url_safe_alphabet() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn refuses_padding_other_alphabets_and_impossible_lengths() {
        for text in ["Zg==", "+/8", "Z", "Zm9vY", "Zm 9v"] {
            assert_eq!(decode(text), None, "{text}");
        }
    }
}
