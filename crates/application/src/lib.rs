#![doc = include_str!("../README.md")]

mod account;
mod administration;
mod config;
mod credentials;
mod delivery;
mod ports;
mod sign_in;
mod signing_keys;
mod support;
#[cfg(test)]
mod test_support;

pub use account::{
    Account, AccountService, ConfirmEmailChangeCommand, EventPage, ListEventsQuery,
    RequestEmailChangeCommand, UpdateProfileCommand, VerifyEmailCommand,
};
pub use administration::{
    Administration, AdministrationService, CreateUserCommand, DeleteUserCommand,
    DisableUserMfaCommand, EndUserSessionsCommand, GetUserQuery, ListUserEventsQuery,
    ListUsersQuery, SendPasswordResetCommand, UpdateUserCommand, UserPage,
};
pub use config::AuthConfig;
pub use credentials::{
    ChangePasswordCommand, ConfirmTotpCommand, Credentials, CredentialsService, DisableMfaCommand,
    ForgotPasswordCommand, RegenerateRecoveryCodesCommand, ResetPasswordCommand, StartTotpCommand,
    TotpEnrolmentStarted,
};
pub use delivery::{DeliveryConfig, DeliveryRound, MailDelivery};
pub use ports::Ports;
pub use sign_in::{
    AuthenticateQuery, CompleteMfaLoginCommand, LoginCommand, Principal, RefreshCommand,
    RegisterCommand, RevokeSessionCommand, SessionView, SignIn, SignInService, TokenPair,
};
pub use signing_keys::{
    KEY_PROPAGATION_SECS, KeyUpkeep, PublishedKeys, RotateKeysError, Rotation, SigningKeys,
    UNKNOWN_KEY_RELOAD_SECS,
};
pub use support::code_check::MfaCode;

#[cfg(any(test, feature = "mocks"))]
pub use {
    account::MockAccountService, administration::MockAdministrationService,
    credentials::MockCredentialsService, sign_in::MockSignInService,
    signing_keys::MockPublishedKeys,
};
