//! `[pages]`: whether the service serves the pages its emailed links open,
//! and the default of that, which depends on where the links point.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::{PublicUrl, ServerSettings};

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PagesSettings {
    /// Serve `GET /verify-email`, `/reset-password` and `/confirm-email`.
    /// When no layer sets it: [`serves_public_url`].
    pub enabled: bool,
}

impl Default for PagesSettings {
    fn default() -> Self {
        Self {
            enabled: serves_public_url(&PublicUrl::default(), &ServerSettings::default()),
        }
    }
}

/// Whether `public_url` is this service's own address, so that the links
/// built from it (`{public_url}/verify-email?...`) reach this listener:
/// plain `http` (the service speaks no TLS itself), no path, the listener's
/// port (not 0, which is known only once bound), and the listener's host:
/// the same name or address, both loopback (`localhost`, `127.0.0.1`,
/// `[::1]`), or any host when the listener binds every interface
/// (`0.0.0.0`, `::`). An `https` URL, another port or a path means
/// something else is in front (a proxy, another site), which serves the
/// pages itself or turns them on explicitly.
#[must_use]
pub fn serves_public_url(public_url: &PublicUrl, server: &ServerSettings) -> bool {
    let Ok(url) = url::Url::parse(public_url.as_str()) else {
        return false;
    };
    if url.scheme() != "http" || !matches!(url.path(), "" | "/") || server.port == 0 {
        return false;
    }
    if url.port_or_known_default() != Some(server.port) {
        return false;
    }
    let public = host_of(&url);
    let listener = listener_host(&server.host);
    match (public, listener) {
        (_, Host::Any) => true,
        (Host::Loopback, Host::Loopback) => true,
        (Host::Ip(a), Host::Ip(b)) => a == b,
        (Host::Name(a), Host::Name(b)) => a.eq_ignore_ascii_case(&b),
        _ => false,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Host {
    /// Every interface: the listener's `0.0.0.0` or `::`.
    Any,
    Loopback,
    Ip(IpAddr),
    Name(String),
}

fn host_of(url: &url::Url) -> Host {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip_host(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => ip_host(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => name_host(name),
        None => Host::Name(String::new()),
    }
}

fn listener_host(host: &str) -> Host {
    match host.parse::<IpAddr>() {
        Ok(ip) if ip.is_unspecified() => Host::Any,
        Ok(ip) => ip_host(ip),
        Err(_) => name_host(host),
    }
}

fn ip_host(ip: IpAddr) -> Host {
    if ip.is_loopback() {
        Host::Loopback
    } else {
        Host::Ip(ip)
    }
}

fn name_host(name: &str) -> Host {
    let name = name.trim_end_matches('.');
    if name.eq_ignore_ascii_case("localhost") {
        Host::Loopback
    } else {
        Host::Name(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::tests::{failure, in_jail, loaded};

    fn serves(public_url: &str, host: &str, port: u16) -> bool {
        let server = ServerSettings {
            host: host.into(),
            port,
            ..ServerSettings::default()
        };
        serves_public_url(&PublicUrl::parse(public_url).unwrap(), &server)
    }

    #[test]
    fn the_built_in_public_url_is_the_built_in_listener() {
        assert!(PagesSettings::default().enabled);
        assert!(serves("http://127.0.0.1:8080", "127.0.0.1", 8080));
        assert!(serves("http://127.0.0.1:8080/", "127.0.0.1", 8080));
    }

    #[test]
    fn loopback_names_and_addresses_are_one_host() {
        assert!(serves("http://localhost:8080", "127.0.0.1", 8080));
        assert!(serves("http://[::1]:8080", "127.0.0.1", 8080));
        assert!(serves("http://127.0.0.1:8080", "localhost", 8080));
        assert!(serves("http://LOCALHOST.:3000", "::1", 3000));
    }

    #[test]
    fn a_listener_on_every_interface_serves_any_host_on_its_port() {
        assert!(serves("http://accounts.internal:8080", "0.0.0.0", 8080));
        assert!(serves("http://10.0.0.5:8080", "::", 8080));
        assert!(!serves("http://accounts.internal:9000", "0.0.0.0", 8080));
    }

    #[test]
    fn the_same_name_or_address_is_the_listener() {
        assert!(serves(
            "http://Accounts.Internal:8080",
            "accounts.internal",
            8080
        ));
        assert!(serves("http://10.0.0.5", "10.0.0.5", 80));
        assert!(!serves("http://10.0.0.6:8080", "10.0.0.5", 8080));
        assert!(!serves("http://accounts.internal:8080", "127.0.0.1", 8080));
        assert!(!serves("http://127.0.0.1:8080", "10.0.0.5", 8080));
    }

    #[test]
    fn https_another_port_a_path_or_port_0_is_not_the_listener() {
        // TLS is terminated in front of the service: something else is there.
        assert!(!serves("https://127.0.0.1:8080", "127.0.0.1", 8080));
        assert!(!serves("https://accounts.example.com", "0.0.0.0", 443));
        assert!(!serves("http://127.0.0.1:8081", "127.0.0.1", 8080));
        // Port 80 by default.
        assert!(!serves("http://127.0.0.1", "127.0.0.1", 8080));
        // The links would be `/accounts/verify-email`, which this service
        // does not serve.
        assert!(!serves("http://127.0.0.1:8080/accounts", "127.0.0.1", 8080));
        // Known only once bound.
        assert!(!serves("http://127.0.0.1:0", "127.0.0.1", 0));
        // The end-to-end tests' and the fuzzer's.
        assert!(!serves("http://app.test", "127.0.0.1", 0));
    }

    #[test]
    fn loading_derives_the_default_from_the_public_url_and_the_listener() {
        in_jail(|jail| {
            assert!(loaded().pages.enabled);
            jail.set_env("APP_PUBLIC_URL", "http://app.test");
            assert!(!loaded().pages.enabled);
            jail.set_env("APP_SERVER__HOST", "0.0.0.0");
            jail.set_env("APP_SERVER__PORT", "80");
            assert!(loaded().pages.enabled);
            jail.set_env("APP_SERVER__PORT", "0");
            assert!(!loaded().pages.enabled);
        });
    }

    #[test]
    fn the_default_follows_a_public_url_and_listener_set_in_a_file() {
        in_jail(|jail| {
            jail.create_dir("config").unwrap();
            jail.create_file(
                "config/default.toml",
                "public_url = \"http://localhost:3000\"\n[server]\nport = 3000\n",
            )
            .unwrap();
            assert!(loaded().pages.enabled);
            jail.set_env("APP_PUBLIC_URL", "https://accounts.example.com");
            assert!(!loaded().pages.enabled);
        });
    }

    #[test]
    fn an_explicit_setting_wins_over_the_derived_default() {
        in_jail(|jail| {
            jail.set_env("APP_PAGES__ENABLED", "false");
            assert!(!loaded().pages.enabled);
            jail.set_env("APP_PAGES__ENABLED", "true");
            jail.set_env("APP_PUBLIC_URL", "https://accounts.example.com");
            assert!(loaded().pages.enabled);
        });
    }

    #[test]
    fn a_pages_setting_that_is_not_a_boolean_is_a_bad_setting() {
        in_jail(|jail| {
            jail.set_env("APP_PAGES__ENABLED", "maybe");
            let line = failure();
            assert!(
                line.starts_with("APP_PAGES__ENABLED (pages.enabled): "),
                "{line}"
            );
        });
    }
}
