//! The client's address: the TCP peer, unless the peer is a trusted proxy,
//! in which case the forwarding headers are followed from the right, past
//! every trusted proxy, to the first untrusted address.

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::{self, HeaderMap};

/// The resolved client address of a request (`None` when the transport
/// has no peer address, as in some tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

/// Resolves the client address. `Forwarded` (RFC 7239) is used when
/// present, otherwise `X-Forwarded-For`; both only when `peer` is trusted.
/// When a hop cannot be parsed (`unknown`, an obfuscated identifier,
/// garbage), nothing to its left can be believed, and the last trusted
/// address before it is the client.
pub(crate) fn resolve(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|t| t.to_canonical() == *ip);
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded_chain(headers).into_iter().rev() {
        let Some(ip) = hop else {
            return Some(client);
        };
        client = ip;
        if !is_trusted(&ip) {
            return Some(ip);
        }
    }
    Some(client)
}

/// The forwarded-for chain, left (original client) to right (nearest
/// proxy); `None` for a hop that is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let forwarded: Vec<_> = headers.get_all(header::FORWARDED).collect();
    if !forwarded.is_empty() {
        return forwarded
            .into_iter()
            .flat_map(|value| match value.to_str() {
                Ok(text) => text.split(',').map(forwarded_for).collect(),
                Err(_) => vec![None],
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(parse_node).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// The `for=` address of one `Forwarded` element.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value.trim().trim_matches('"')))
            .flatten()
    })
}

/// An address with an optional port: `192.0.2.1`, `192.0.2.1:80`,
/// `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:80`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = node.parse::<SocketAddr>() {
        return Some(addr.ip().to_canonical());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    const PROXY: &str = "10.0.0.1";

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                header::HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn resolve_from(peer: &str, pairs: &[(&'static str, &str)]) -> Option<IpAddr> {
        resolve(
            Some(ip(peer)),
            &headers(pairs),
            &[ip(PROXY), ip("10.0.0.2")],
        )
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let client = resolve_from("203.0.113.9", &[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(client, Some(ip("203.0.113.9")));
    }

    #[test]
    fn a_trusted_peer_forwards_the_right_most_untrusted_address() {
        let client = resolve_from(
            PROXY,
            &[("x-forwarded-for", "1.1.1.1, 198.51.100.7, 10.0.0.2")],
        );
        assert_eq!(client, Some(ip("198.51.100.7")));
    }

    #[test]
    fn forwarded_takes_precedence_and_understands_ports_and_brackets() {
        let client = resolve_from(
            PROXY,
            &[
                (
                    "forwarded",
                    r#"for=192.0.2.60;proto=http, for="[2001:db8::17]:4711""#,
                ),
                ("x-forwarded-for", "198.51.100.1"),
            ],
        );
        assert_eq!(client, Some(ip("2001:db8::17")));
    }

    #[test]
    fn an_unparseable_hop_stops_the_walk_at_the_last_trusted_address() {
        let client = resolve_from(PROXY, &[("forwarded", "for=192.0.2.1, for=unknown")]);
        assert_eq!(client, Some(ip(PROXY)));
    }

    #[test]
    fn a_trusted_peer_without_headers_is_the_client() {
        assert_eq!(resolve_from(PROXY, &[]), Some(ip(PROXY)));
    }

    #[test]
    fn ipv4_mapped_peers_are_compared_as_ipv4() {
        let client = resolve(
            Some(ip("::ffff:10.0.0.1")),
            &headers(&[("x-forwarded-for", "198.51.100.3")]),
            &[ip(PROXY)],
        );
        assert_eq!(client, Some(ip("198.51.100.3")));
    }
}
