use std::fmt;

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            #[must_use]
            pub fn new(value: String) -> Self {
                Self(value)
            }

            /// The secret text, for the one place that must send or store it.
            #[must_use]
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_string!(
    /// A secret string with no rules of its own: a configured key, pepper
    /// or mail password, or a password or token as a client sent it. The
    /// one redacting wrapper for such text, from where it is read to the
    /// adapter that uses it: `Debug` shows `Secret([redacted])`.
    Secret
);

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl Secret {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

secret_string!(
    /// A stored password hash (bcrypt, in its modular crypt format).
    PasswordHash
);
secret_string!(
    /// An opaque random token as handed to the client (a refresh, reset or
    /// verification token). Never stored: only its [`TokenHash`] is.
    SecretToken
);
secret_string!(
    /// The hash under which a [`SecretToken`] is stored and looked up.
    TokenHash
);

/// A secret encrypted and authenticated under the encryption key, as a
/// [`SecretSealer`](crate::ports::SecretSealer) made it and as it is stored:
/// opaque bytes (nonce and ciphertext). `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSecret(Vec<u8>);

impl SealedSecret {
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedSecret({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_is_redacted() {
        let hash = PasswordHash::new("$2b$12$abcdefghijklmnopqrstuv".into());
        assert_eq!(format!("{hash:?}"), "PasswordHash([redacted])");
        assert_eq!(
            format!("{:?}", SecretToken::new("t".into())),
            "SecretToken([redacted])"
        );
        assert_eq!(
            format!("{:?}", Secret::from("pepper")),
            "Secret([redacted])"
        );
    }
}
