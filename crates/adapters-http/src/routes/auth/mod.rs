//! `/api/v1/auth/*`.

pub(crate) mod login;
pub(crate) mod logout;
pub(crate) mod refresh;
pub(crate) mod register;
pub(crate) mod token;
