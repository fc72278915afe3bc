//! Where a request comes from, for sessions and security events.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use domain::RequestContext;

use crate::middleware::ClientAddr;

/// User agents longer than this are cut: they are stored with sessions.
const MAX_USER_AGENT_CHARS: usize = 256;

/// The client's address (see [`ClientAddr`]: the TCP peer, or the
/// forwarded address when the peer is a trusted proxy) and user agent.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo(pub RequestContext);

impl FromRequest for ClientInfo {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = req
            .extensions()
            .get::<ClientAddr>()
            .map_or_else(|| req.peer_addr().map(|addr| addr.ip()), |client| client.0)
            .map(|ip| ip.to_canonical().to_string());
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .map(|value| String::from_utf8_lossy(value.as_bytes()))
            .map(|agent| {
                agent
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_USER_AGENT_CHARS)
                    .collect::<String>()
            })
            .filter(|agent| !agent.trim().is_empty());
        ready(Ok(Self(RequestContext { ip, user_agent })))
    }
}
