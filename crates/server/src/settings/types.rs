//! The typed values inside [`Settings`](super::Settings): closed choices as
//! enums, secrets that never show in `Debug` or in `check-config`, and URLs
//! and address lists parsed when the configuration is read. (The database
//! URL is parsed by the storage adapter it names: see
//! [`StorageUrl`](crate::wiring::StorageUrl).)

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What redacted values print as.
pub const REDACTED: &str = "[redacted]";

/// A closed set of lowercase names, parsed case-insensitively. Each becomes
/// an enum with `FromStr`, `Display`, `Serialize` and `Deserialize`, whose
/// error lists the accepted names.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(raw: &str) -> Result<Self, String> {
                match raw.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!(
                        "must be one of {}, got `{}`",
                        Self::NAMES.join(", "),
                        raw
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

choice!(
    /// `APP_ENV`: which `config/{env}.toml` is read, and how strict the
    /// checks are.
    #[derive(Default)]
    AppEnv {
        #[default]
        Development => "development",
        Test => "test",
        /// Refuses development secrets, short secrets and cheap bcrypt.
        Production => "production",
    }
);

impl AppEnv {
    /// Humans read development logs; machines read production ones.
    #[must_use]
    pub const fn default_log_format(self) -> LogFormat {
        match self {
            Self::Production => LogFormat::Json,
            Self::Development | Self::Test => LogFormat::Pretty,
        }
    }
}

choice!(
    /// `APP_LOG__FORMAT`.
    LogFormat {
        /// One human-readable line per event.
        Pretty => "pretty",
        /// One JSON object per line.
        Json => "json",
    }
);

choice!(
    /// `APP_MAIL__TRANSPORT`.
    MailTransport {
        /// RFC 5322 `.eml` files in `mail.file_dir`.
        File => "file",
        Smtp => "smtp",
        /// Logs that a message would be sent, and nothing else.
        Log => "log",
    }
);

choice!(
    /// `APP_RATE_LIMIT__STORE`.
    RateLimitStore {
        /// Counted in each process.
        Memory => "memory",
        /// Counted in the database, one limit for every process on it.
        Database => "database",
    }
);

choice!(
    /// `APP_MAIL__SMTP__TLS`.
    SmtpTls {
        None => "none",
        /// Plain connection upgraded with STARTTLS (usually port 587).
        StartTls => "starttls",
        /// TLS from the first byte (usually port 465).
        Tls => "tls",
    }
);

/// Serde for a [`Secret`] setting (`#[serde(with = "secret")]`): read as a
/// string, written (what `check-config` prints) as `[redacted]`.
pub(super) mod secret {
    use domain::Secret;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::REDACTED;

    pub(crate) fn serialize<S: Serializer>(_: &Secret, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Secret, D::Error> {
        String::deserialize(deserializer).map(Secret::from)
    }

    /// The same for an optional one (`#[serde(with = "secret::optional")]`).
    pub(crate) mod optional {
        use domain::Secret;
        use serde::{Deserialize, Deserializer, Serializer};

        pub(crate) fn serialize<S: Serializer>(
            secret: &Option<Secret>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match secret {
                Some(secret) => super::serialize(secret, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Secret>, D::Error> {
            Option::<String>::deserialize(deserializer).map(|secret| secret.map(Secret::from))
        }
    }
}

/// `APP_PUBLIC_URL`: the absolute http(s) base that email links are built
/// from, kept without a trailing slash so `{public_url}/verify-email` works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// # Errors
    /// A message when it is not an absolute http(s) URL without query or
    /// fragment.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim()).map_err(|e| format!("not a valid URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "must be an http or https URL, got `{}`",
                raw.trim()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("must name a host".into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("must not have a query or fragment".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry credentials".into());
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for PublicUrl {
    fn default() -> Self {
        Self("http://127.0.0.1:8080".into())
    }
}

impl<'de> Deserialize<'de> for PublicUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// `APP_SERVER__TRUSTED_PROXIES`: a list of IP addresses, in a file as a
/// TOML array and in the environment as a comma-separated string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TrustedProxies(pub Vec<IpAddr>);

impl TrustedProxies {
    /// # Errors
    /// Names the first entry that is not an IP address.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        items
            .into_iter()
            .flat_map(|item| item.split(','))
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpAddr>()
                    .map_err(|_| format!("`{item}` is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            One(String),
            Many(Vec<String>),
        }
        let items = match Raw::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom(
                "must be a list of IP addresses (comma-separated in the environment)",
            )
        })? {
            Raw::One(one) => vec![one],
            Raw::Many(many) => many,
        };
        Self::parse(items.iter().map(String::as_str)).map_err(serde::de::Error::custom)
    }
}
