//! Parsed values: holding one means it is valid. Each has a private field, a
//! fallible constructor and a typed error whose `code()` is the stable,
//! machine-readable field error code of the REST contract.

mod email;
mod name;
mod password;
mod role;
mod secrets;

pub use email::{Email, EmailError};
pub use name::{NAME_MAX_CHARS, UserName, UserNameError};
pub use password::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
pub use password::{Password, PasswordError, PlainPassword};
pub use role::{Role, RoleError};
pub use secrets::{PasswordHash, SealedSecret, Secret, SecretToken, TokenHash};
