use application::SessionView;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A live session: one login and every refresh after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Session, example = json!({
    "id": "0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5d",
    "created_at": "2026-11-23T19:00:00Z",
    "last_used_at": "2026-11-24T11:45:00Z",
    "user_agent": "Mozilla/5.0",
    "ip": "192.0.2.10",
    "current": true
}))]
pub struct SessionResponse {
    /// A UUID v7; `DELETE /api/v1/users/me/sessions/{id}` ends it.
    pub id: Uuid,
    /// The login: RFC 3339, UTC (`Z`).
    pub created_at: DateTime<Utc>,
    /// The last login or refresh: RFC 3339, UTC (`Z`).
    pub last_used_at: DateTime<Utc>,
    /// The `User-Agent` of the login (at most 256 characters); `null` when
    /// none was sent.
    #[schema(required = true)]
    pub user_agent: Option<String>,
    /// The client address of the login; `null` when unknown.
    #[schema(required = true)]
    pub ip: Option<String>,
    /// Whether this request's access token belongs to this session.
    pub current: bool,
}

impl From<SessionView> for SessionResponse {
    fn from(view: SessionView) -> Self {
        let session = view.session;
        Self {
            id: *session.id.as_uuid(),
            created_at: session.created_at,
            last_used_at: session.last_used_at,
            user_agent: session.user_agent,
            ip: session.ip,
            current: view.current,
        }
    }
}

/// The caller's live sessions, most recently used first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = SessionList)]
pub struct SessionListResponse {
    pub items: Vec<SessionResponse>,
}
