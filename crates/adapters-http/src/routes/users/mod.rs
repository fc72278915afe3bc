//! `/api/v1/users/*`.

pub(crate) mod me;
