//! `APP_AUTH__SIGNING_ALG`: how access tokens are signed. Its names are
//! the JWS `alg` names, whose case is part of them (`EdDSA`); they are
//! read case-insensitively and written as the standard spells them.

use std::fmt;
use std::str::FromStr;

use domain::SigningAlgorithm;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SigningAlg {
    /// One shared secret (`APP_AUTH__TOKEN_SECRET`), nothing published.
    #[default]
    Hs256,
    /// Ed25519 keys from the database, published.
    EdDsa,
    /// P-256 keys from the database, published.
    Es256,
}

impl SigningAlg {
    pub const NAMES: &'static [&'static str] = &["HS256", "EdDSA", "ES256"];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
        }
    }

    /// The asymmetric algorithm whose keys the store holds; `None` for
    /// HS256.
    #[must_use]
    pub const fn asymmetric(self) -> Option<SigningAlgorithm> {
        match self {
            Self::Hs256 => None,
            Self::EdDsa => Some(SigningAlgorithm::EdDsa),
            Self::Es256 => Some(SigningAlgorithm::Es256),
        }
    }
}

impl FromStr for SigningAlg {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        [Self::Hs256, Self::EdDsa, Self::Es256]
            .into_iter()
            .find(|alg| alg.as_str().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| format!("must be one of {}, got `{raw}`", Self::NAMES.join(", ")))
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SigningAlg {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SigningAlg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_read_back_in_any_case() {
        for alg in [SigningAlg::Hs256, SigningAlg::EdDsa, SigningAlg::Es256] {
            assert_eq!(alg.as_str().parse::<SigningAlg>(), Ok(alg));
            assert_eq!(alg.as_str().to_lowercase().parse::<SigningAlg>(), Ok(alg));
        }
        assert_eq!(
            "RS256".parse::<SigningAlg>().unwrap_err(),
            "must be one of HS256, EdDSA, ES256, got `RS256`"
        );
        assert_eq!(SigningAlg::Hs256.asymmetric(), None);
        assert_eq!(
            SigningAlg::Es256.asymmetric(),
            Some(SigningAlgorithm::Es256)
        );
    }
}
