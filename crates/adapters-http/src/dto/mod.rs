//! Response bodies shared by several routes. Request bodies live next to
//! their handler.

mod health;
mod token;
mod user;

pub use health::{CheckState, HealthStatus, LiveResponse, ReadinessChecks, ReadyResponse};
pub use token::{TokenPairResponse, TokenType};
pub use user::{RoleName, UserResponse};
