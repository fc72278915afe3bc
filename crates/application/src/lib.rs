#![doc = include_str!("../README.md")]

mod auth;
mod commands;
mod config;
mod delivery;

pub use auth::{AuthService, EventPage, Ports, Principal, SessionView, TokenPair};
pub use commands::{CreateUserCommand, LoginCommand, RegisterCommand};
pub use config::AuthConfig;
pub use delivery::{DeliveryConfig, DeliveryRound, MailDelivery};
