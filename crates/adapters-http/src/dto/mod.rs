//! Response bodies shared by several routes. Request bodies live next to
//! their handler.

mod event;
mod health;
mod keys;
mod mfa;
mod session;
mod token;
mod user;

pub use event::{EventKindName, EventPageResponse, EventResponse};
pub use health::{CheckState, HealthStatus, LiveResponse, ReadinessChecks, ReadyResponse};
pub use keys::{
    AuthorizationServerMetadata, Curve, GrantTypeName, Jwk, JwkSet, JwsAlgorithm, KeyType, KeyUse,
    TokenEndpointAuthMethod,
};
pub use mfa::{RecoveryCodesResponse, TotpEnrolmentResponse};
pub use session::{SessionListResponse, SessionResponse};
pub use token::{TokenPairResponse, TokenType};
pub use user::{RoleName, UserPageResponse, UserResponse};
