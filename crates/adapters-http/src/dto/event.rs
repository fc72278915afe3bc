use std::borrow::Cow;

use application::EventPage;
use chrono::{DateTime, Utc};
use domain::{EventKind, SecurityEvent};
use serde::{Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};
use uuid::Uuid;

use crate::pagination::{Cursor, CursorKind};

/// What happened: a domain [`EventKind`] on the wire, by its name. The
/// names, and the enum of the OpenAPI schema, come from the domain enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventKindName(pub EventKind);

impl From<EventKind> for EventKindName {
    fn from(kind: EventKind) -> Self {
        Self(kind)
    }
}

impl Serialize for EventKindName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl PartialSchema for EventKindName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "What happened. New kinds may be added: show an unknown one as is.",
            ))
            .enum_values(Some(EventKind::ALL.iter().map(|kind| kind.as_str())))
            .into()
    }
}

impl ToSchema for EventKindName {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EventKind")
    }
}

/// An entry of the security trail. It never holds a password or a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = SecurityEvent, example = json!({
    "id": "0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5c",
    "kind": "login_succeeded",
    "at": "2026-11-24T12:00:00.123456Z",
    "ip": "192.0.2.10",
    "user_agent": "Mozilla/5.0",
    "detail": null
}))]
pub struct EventResponse {
    /// A UUID v7 (time-ordered).
    pub id: Uuid,
    pub kind: EventKindName,
    /// When it happened: RFC 3339, UTC (`Z`), with fractional seconds when
    /// stored.
    pub at: DateTime<Utc>,
    /// The client address the request came from; `null` when unknown.
    #[schema(required = true)]
    pub ip: Option<String>,
    /// The request's `User-Agent` (at most 256 characters); `null` when
    /// none was sent.
    #[schema(required = true)]
    pub user_agent: Option<String>,
    /// A short, fixed remark for humans; `null` for most kinds.
    #[schema(required = true)]
    pub detail: Option<String>,
}

impl From<SecurityEvent> for EventResponse {
    fn from(event: SecurityEvent) -> Self {
        Self {
            id: event.id,
            kind: event.kind.into(),
            at: event.at,
            ip: event.ip,
            user_agent: event.user_agent,
            detail: event.detail,
        }
    }
}

/// A page of security events, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = SecurityEventPage)]
pub struct EventPageResponse {
    /// At most `limit` events.
    pub items: Vec<EventResponse>,
    /// Pass as `cursor` for the next page; `null` exactly when no event
    /// follows this page. Opaque.
    #[schema(required = true, example = "4QAAAABrBXxAB1vKAAGTobJ8PX5PipsMHS4_Slw")]
    pub next_cursor: Option<String>,
}

impl From<EventPage> for EventPageResponse {
    fn from(page: EventPage) -> Self {
        Self {
            items: page.items.into_iter().map(EventResponse::from).collect(),
            next_cursor: page
                .next_cursor
                .map(|cursor| Cursor::from(cursor).encode(CursorKind::Events)),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_documented_cursor_is_one_the_server_would_issue() {
        let cursor = Cursor::decode(
            "4QAAAABrBXxAB1vKAAGTobJ8PX5PipsMHS4_Slw",
            CursorKind::Events,
        );

        assert_eq!(
            cursor,
            Ok(Cursor {
                at: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
                    + chrono::Duration::microseconds(123_456),
                id: "0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5c".parse().unwrap(),
            })
        );
    }
}
