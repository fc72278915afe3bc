//! Inputs of the use cases, built only from parsed domain values: the HTTP
//! layer converts its request types into these with `TryFrom`.

use domain::{Email, Password, PlainPassword, Role, UserName};

/// Self-service registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterCommand {
    pub email: Email,
    pub name: UserName,
    pub password: Password,
}

/// Creation of an account by an operator (admin API or `create-admin`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateUserCommand {
    pub email: Email,
    pub name: UserName,
    pub password: Password,
    pub role: Role,
    pub email_verified: bool,
}

impl From<RegisterCommand> for CreateUserCommand {
    fn from(command: RegisterCommand) -> Self {
        Self {
            email: command.email,
            name: command.name,
            password: command.password,
            role: Role::User,
            email_verified: false,
        }
    }
}

/// A login attempt. The password carries no rules: it is only compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginCommand {
    pub email: Email,
    pub password: PlainPassword,
}
