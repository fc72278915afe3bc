//! Field errors collected while converting a request into a command.

use std::fmt;

use domain::{EmailError, PasswordError, RoleError, UserNameError};

use super::FieldError;

/// A domain value error with a stable field error code.
pub trait FieldCode: fmt::Display {
    fn field_code(&self) -> &'static str;
}

macro_rules! field_code {
    ($($error:ty),*) => {$(
        impl FieldCode for $error {
            fn field_code(&self) -> &'static str {
                self.code()
            }
        }
    )*};
}

field_code!(EmailError, UserNameError, PasswordError, RoleError);

/// Every failing field of one request, in the order they were checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, code: &str, message: &str) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.to_owned(),
        });
    }

    /// Records that `field` was missing.
    pub fn required(&mut self, field: &str) {
        self.push(field, "required", "this field is required");
    }

    /// Records that `field` is not a member the body may carry.
    pub fn unknown(&mut self, field: &str) {
        self.push(field, "unknown_field", "this field is not allowed here");
    }

    /// Records that query parameter `name` is not one the operation takes.
    pub fn unknown_parameter(&mut self, name: &str) {
        self.push(
            name,
            "unknown_parameter",
            "this query parameter is not allowed here",
        );
    }

    /// Records that query parameter `name` was given more than once.
    pub fn repeated(&mut self, name: &str) {
        self.push(
            name,
            "repeated",
            "this query parameter may be given only once",
        );
    }

    /// Records that `field` broke a rule, under the error's code.
    pub fn invalid<E: FieldCode>(&mut self, field: &str, error: &E) {
        self.push(field, error.field_code(), &error.to_string());
    }

    /// The one failing `field` of a request.
    #[must_use]
    pub fn one<E: FieldCode>(field: &str, error: &E) -> Self {
        let mut errors = Self::new();
        errors.invalid(field, error);
        errors
    }

    /// The value of `result`, or `None` after recording its error under
    /// `field`.
    pub fn check<T, E: FieldCode>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|error| self.invalid(field, &error)).ok()
    }

    /// Parses a required field with `parse`, recording `required` when it is
    /// missing and the domain error's code when it does not parse.
    pub fn parse<T, E: FieldCode>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let Some(raw) = raw else {
            self.required(field);
            return None;
        };
        self.check(field, parse(raw))
    }

    /// Returns the value of a required field that has no rules, recording
    /// `required` when it is missing.
    pub fn require<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.required(field);
        }
        value
    }

    pub fn extend(&mut self, other: Self) {
        self.0.extend(other.0);
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// `Ok(value)` when no field failed and `value` was built.
    ///
    /// # Errors
    /// `self` when any field failed.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Self> {
        match value {
            Some(value) if self.is_empty() => Ok(value),
            _ => Err(self),
        }
    }
}
