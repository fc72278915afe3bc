//! The layering: built-in defaults, `{dir}/default.toml`, `{dir}/{env}.toml`,
//! then `APP_...` environment variables (`__` between levels).

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};

use super::{
    AppEnv, ConfigError, PublicUrl, ServerSettings, Settings, StorageUrl, cores, serves_public_url,
    validate,
};

/// The environment prefix of every setting.
const PREFIX: &str = "APP_";

/// `APP_` variables that are not settings: `APP_ENV` picks the file and the
/// checks, `APP_CONFIG_DIR` the folder, `APP_ADMIN_PASSWORD` is read by
/// `create-admin` alone.
pub(super) const NOT_SETTINGS: &[&str] = &["env", "config_dir", "admin_password"];

/// Settings whose environment value is taken verbatim as a string: every
/// setting that is a string (or, like `server.trusted_proxies`, a list read
/// from one comma-separated string), as a test checks. The other variables
/// go through figment's parser, which turns `8080` into a number and `true`
/// into a boolean; a secret of digits, or one that starts with `[`, must not
/// be turned into anything.
const STRING_KEYS: &[&str] = &[
    key!(public_url),
    key!(server.host),
    key!(server.trusted_proxies),
    key!(ops.host),
    key!(database.url),
    key!(auth.token_secret),
    key!(auth.password_pepper),
    key!(auth.encryption_key),
    key!(auth.signing_alg),
    key!(auth.issuer),
    key!(auth.audience),
    key!(auth.client_id),
    key!(rate_limit.store),
    key!(mail.transport),
    key!(mail.file_dir),
    key!(mail.from),
    key!(mail.smtp.host),
    key!(mail.smtp.username),
    key!(mail.smtp.password),
    key!(mail.smtp.tls),
    key!(log.format),
];

/// Where the settings come from: the two variables read before any layer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// `APP_ENV`, unparsed; `None` is development.
    pub env: Option<String>,
    /// `APP_CONFIG_DIR`; `None` is `config` under the working directory.
    pub config_dir: Option<PathBuf>,
}

/// Reads the settings from this process's environment and files.
///
/// # Errors
/// The first bad setting.
pub fn load() -> Result<Settings, ConfigError> {
    Sources::from_process().load()
}

impl Sources {
    #[must_use]
    pub fn from_process() -> Self {
        Self {
            env: std::env::var("APP_ENV").ok(),
            config_dir: std::env::var_os("APP_CONFIG_DIR").map(PathBuf::from),
        }
    }

    /// Layers, extracts and validates.
    ///
    /// # Errors
    /// The first bad setting.
    pub fn load(&self) -> Result<Settings, ConfigError> {
        let env = match &self.env {
            None => AppEnv::default(),
            Some(raw) => raw.parse().map_err(|m| ConfigError::at(key!(env), m))?,
        };
        let dir = self.dir()?;
        let figment = layers(env, &dir);

        // Defaults that depend on other settings: added only where no layer
        // set the key.
        let max_connections = figment
            .extract_inner::<StorageUrl>(key!(database.url))
            .unwrap_or_default()
            .default_max_connections(cores());
        let pages = serves_public_url(
            &figment
                .extract_inner::<PublicUrl>(key!(public_url))
                .unwrap_or_default(),
            &figment
                .extract_inner::<ServerSettings>(key!(server))
                .unwrap_or_default(),
        );
        let figment = figment
            .join(Serialized::default(
                key!(log.format),
                env.default_log_format(),
            ))
            .join(Serialized::default(
                key!(database.max_connections),
                max_connections,
            ))
            .join(Serialized::default(key!(pages.enabled), pages));

        let mut settings: Settings = figment.extract().map_err(ConfigError::from_figment)?;
        settings.env = env;
        validate::validate(&mut settings)?;
        Ok(settings)
    }

    fn dir(&self) -> Result<PathBuf, ConfigError> {
        match &self.config_dir {
            None => Ok(PathBuf::from("config")),
            // An explicit folder that is not there is a mistake, not an
            // empty configuration.
            Some(dir) if !dir.is_dir() => Err(ConfigError::general(format!(
                "APP_CONFIG_DIR: `{}` is not a directory",
                dir.display()
            ))),
            Some(dir) => Ok(dir.clone()),
        }
    }
}

fn layers(env: AppEnv, dir: &Path) -> Figment {
    let mut figment = Figment::new();
    // Both files are optional: with none at all the built-in defaults serve.
    for file in [dir.join("default.toml"), dir.join(format!("{env}.toml"))] {
        if file.is_file() {
            figment = figment.merge(Toml::file_exact(file));
        }
    }
    figment = figment.merge(
        Env::prefixed(PREFIX)
            .split("__")
            .ignore(NOT_SETTINGS)
            .ignore(STRING_KEYS),
    );
    for (key, value) in Env::prefixed(PREFIX).split("__").only(STRING_KEYS).iter() {
        figment = figment.merge(EnvString {
            key: key.to_string(),
            value,
        });
    }
    figment
}

/// One environment variable taken as a string, unparsed.
struct EnvString {
    key: String,
    value: String,
}

impl Provider for EnvString {
    fn metadata(&self) -> Metadata {
        Metadata::named(format!(
            "environment variable {}",
            ConfigError::env_var(&self.key)
        ))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let nested = figment::util::nest(&self.key, Value::from(self.value.clone()));
        let dict = nested.into_dict().unwrap_or_default();
        Ok(Profile::Default.collect(dict))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The dotted keys of every leaf of `value` that `keep` accepts.
    fn leaves(
        prefix: &str,
        value: &toml::Value,
        keep: &dyn Fn(&toml::Value) -> bool,
        out: &mut BTreeSet<String>,
    ) {
        if let toml::Value::Table(table) = value {
            for (name, value) in table {
                let key = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                leaves(&key, value, keep, out);
            }
        } else if keep(value) {
            out.insert(prefix.to_owned());
        }
    }

    #[test]
    fn the_string_keys_are_every_string_or_list_setting() {
        // Every optional setting set, so that each one is serialised.
        let mut settings = Settings::default();
        settings.mail.smtp.username = Some("mailer".into());
        settings.mail.smtp.password = Some("password".into());
        settings.auth.issuer = Some("https://accounts.example".into());
        settings.auth.audience = Some("https://api.example".into());
        let value = toml::Value::try_from(&settings).unwrap();
        let mut strings = BTreeSet::new();
        leaves(
            "",
            &value,
            &|value| matches!(value, toml::Value::String(_) | toml::Value::Array(_)),
            &mut strings,
        );
        // `APP_ENV` is read before any layer, not as a setting.
        strings.remove(key!(env));

        let listed: BTreeSet<String> = STRING_KEYS.iter().map(|&key| key.to_owned()).collect();
        assert_eq!(listed, strings);
    }
}
